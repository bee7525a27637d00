"""The worked notebooks, executed top to bottom in a real Jupyter kernel against the sandbox.

Each notebook runs unchanged (as a user would open it, from notebooks/); one cell is appended
that prints, as JSON, where the notebook wrote its files and what the sandbox holds. The tests
then read those files themselves (the written-back manifest, the HTML report) and compare.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from spott_migrate.manifest import read_manifest
from spott_migrate.sandbox.settings import DEFAULT_API_KEY

from ..conftest import CANARY_KEY

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SAMPLE = REPO / "sample_data"
NAMES = ("01_quickstart.ipynb", "02_legacy_export.ipynb", "03_rerun_failed.ipynb")
_KINDS = {"candidate_id": "candidate", "company_id": "company", "vacancy_id": "vacancy"}

ASSIGNMENTS = (
    "[[kind, rid, a.type, a.sha256] for (kind, rid), items in "
    "sandbox.state.assignments().items() for a in items]"
)


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def execute(notebook: nbformat.NotebookNode, facts: str | None = None) -> dict[str, Any]:
    """Run ``notebook`` from notebooks/; return the JSON that the appended cell printed."""
    if facts is not None:
        notebook.cells.append(
            new_code_cell(f"import json as _json\nprint('FACTS:' + _json.dumps({facts}))")
        )
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    if facts is None:
        return {}
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    return json.loads(text.split("FACTS:", 1)[1])


def run_notebook(name: str, facts: str) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    before = _fingerprint(SAMPLE)
    found = execute(notebook, facts)
    assert _fingerprint(SAMPLE) == before, "the notebook changed the committed sample data"
    return notebook, found


def outputs(notebook: nbformat.NotebookNode) -> Iterator[dict[str, Any]]:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def output_text(notebook: nbformat.NotebookNode) -> str:
    return json.dumps([dict(o) for o in outputs(notebook)])


def images(notebook: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs(notebook))


def rows_of(manifest: Path) -> list[dict[str, str]]:
    return read_manifest(manifest).rows.to_dict("records")


def expected_on_records(manifest: Path, *, with_type: bool) -> Counter[tuple[str, ...]]:
    """(kind, record id, [type,] sha256) of every assigned row's file, from the manifest."""
    m = read_manifest(manifest)
    expected: Counter[tuple[str, ...]] = Counter()
    for row in rows_of(manifest):
        if row["spott_status"] != "assigned":
            continue
        sha = hashlib.sha256(m.resolve(row["file_path"]).read_bytes()).hexdigest()
        for column, kind in _KINDS.items():
            if row[column]:
                typed = (row["type"],) if with_type else ()
                expected[(kind, row[column], *typed, sha)] += 1
    return expected


def actual_on_records(facts: dict[str, Any], *, with_type: bool) -> Counter[tuple[str, ...]]:
    return Counter(
        (kind, rid, *((atype,) if with_type else ()), sha)
        for kind, rid, atype, sha in facts["assignments"]
    )


def assert_report_file(path: str) -> None:
    text = Path(path).read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.find(".//h1") is not None and len(root.findall(".//img")) == 5


def test_committed_notebooks_have_no_outputs() -> None:
    for name in NAMES:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (name, cell.id)
        assert "widgets" not in notebook.metadata, name


# -- 01: the quickstart ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def quickstart() -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    return run_notebook(
        "01_quickstart.ipynb",
        "{'manifest': str(MANIFEST), 'report_file': str(report_file), "
        "'pilot': pilot.statuses, 'full': full.statuses, 'panel_error': panel.last_error, "
        f"'assignments': {ASSIGNMENTS}}}",
    )


def test_quickstart_pilot_then_full_run_written_back(
    quickstart: tuple[nbformat.NotebookNode, dict[str, Any]],
) -> None:
    _, facts = quickstart
    assert facts["pilot"] == {"assigned": 5, "pending": 14, "invalid": 8}
    expected = {
        r["source_row"]: r for r in json.loads((SAMPLE / "expected.json").read_text())["rows"]
    }
    rows = {r["source_row"]: r for r in rows_of(Path(facts["manifest"]))}
    for source_row, want in expected.items():
        if want.get("code") == "duplicate_row":
            continue  # see test_quickstart_duplicate_of_a_pilot_row_stays_invalid
        got = rows[source_row]
        assert got["spott_status"] == want["status"], source_row
        if want["status"] == "assigned":
            assert got["spott_attachment_id"], source_row
        else:
            assert got["spott_error"].startswith(want["code"] + ":"), source_row
    assert facts["panel_error"] is None


def test_quickstart_sandbox_holds_every_assigned_row(
    quickstart: tuple[nbformat.NotebookNode, dict[str, Any]],
) -> None:
    _, facts = quickstart
    manifest = Path(facts["manifest"])
    assert actual_on_records(facts, with_type=False) == expected_on_records(
        manifest, with_type=False
    )


def test_quickstart_duplicate_of_a_pilot_row_stays_invalid(
    quickstart: tuple[nbformat.NotebookNode, dict[str, Any]],
) -> None:
    _, facts = quickstart
    rows = {r["source_row"]: r for r in rows_of(Path(facts["manifest"]))}
    assert rows[28]["spott_error"].startswith("duplicate_row:")
    on_records = actual_on_records(facts, with_type=False)
    assert max(on_records.values()) == 1, "a file is on the same record twice"


def test_quickstart_shows_plots_report_and_panel_without_the_key(
    quickstart: tuple[nbformat.NotebookNode, dict[str, Any]],
) -> None:
    notebook, facts = quickstart
    assert not [o for o in outputs(notebook) if o["output_type"] == "error"]
    assert images(notebook) == 4  # size histogram, status, failure reasons, throughput
    widget_views = [
        o
        for o in outputs(notebook)
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widget_views) == 1  # the panel
    assert_report_file(facts["report_file"])
    assert DEFAULT_API_KEY not in output_text(notebook)
    assert DEFAULT_API_KEY not in json.dumps(notebook.metadata.get("widgets", {}))


# -- 02: a legacy export --------------------------------------------------------------------


def test_legacy_export_built_migrated_and_checked() -> None:
    notebook, facts = run_notebook(
        "02_legacy_export.ipynb",
        f"{{'manifest': str(MANIFEST), 'statuses': migrated.statuses, "
        f"'assignments': {ASSIGNMENTS}}}",
    )
    assert facts["statuses"] == {"assigned": 13, "invalid": 12}
    manifest = Path(facts["manifest"])
    for row in rows_of(manifest):
        problem = row["spott_build_problem"]
        if problem:
            assert row["spott_status"] == "invalid"
            assert row["spott_error"].split(":")[0] == problem.split(":")[0]
        else:
            assert row["spott_status"] == "assigned" and row["spott_attachment_id"]
    # each placed file is on its record once, with the type the builder inferred
    assert actual_on_records(facts, with_type=True) == expected_on_records(manifest, with_type=True)
    assert images(notebook) == 2


# -- 03: faults, a fix, and re-running only what failed --------------------------------------


def test_rerun_failed_retries_only_the_failed_rows_then_the_fixed_one() -> None:
    notebook, facts = run_notebook(
        "03_rerun_failed.ipynb",
        "{'manifest': str(MANIFEST), 'report_file': str(report_file), "
        "'first': first.statuses, 'first_codes': first.run.failures_by_code, "
        "'refused': refused.applied, 'retry': retry.statuses, "
        "'retry_requests': retry.run.requests_by_endpoint, 'rest': rest.statuses, "
        f"'rest_requests': rest.run.requests_by_endpoint, 'assignments': {ASSIGNMENTS}}}",
    )
    first = facts["first"]
    assert first["invalid"] == 8 and facts["refused"] == 3
    assert first["failed"] >= 3 and first["assigned"] + first["failed"] == 19
    assert facts["first_codes"] == {"assign_rejected": first["failed"]}
    # only the failed rows: one assign per refused record, nothing new started
    assert facts["retry"] == {"assigned": 19, "invalid": 6, "pending": 1}
    assert facts["retry_requests"]["assign"] == 3
    # then the fixed row alone
    assert facts["rest"] == {"assigned": 20, "invalid": 6}
    assert facts["rest_requests"] == {"upload": 1, "assign": 1}
    manifest = Path(facts["manifest"])
    rows = rows_of(manifest)
    assert len(rows) == 26  # the repeated row was removed by the fix
    cat = next(r for r in rows if r["file_path"].endswith("office_cat.jpg"))
    assert (cat["type"], cat["spott_status"]) == ("unassigned", "assigned")
    on_records = actual_on_records(facts, with_type=False)
    assert on_records == expected_on_records(manifest, with_type=False)
    assert max(on_records.values()) == 1  # nothing assigned twice through all three runs
    assert_report_file(facts["report_file"])
    assert images(notebook) == 1


# -- the key, in a real kernel ---------------------------------------------------------------

PANEL_IN_A_KERNEL = """\
import os, tempfile
from pathlib import Path
from spott_migrate import Settings
from spott_migrate.demo import prepare_workdir
from spott_migrate.notebook import Panel
from spott_migrate.sandbox import Sandbox

work = prepare_workdir(Path.cwd().parent / "sample_data", Path(tempfile.mkdtemp()) / "run")
sandbox = Sandbox(records=work / "records.json", api_key=os.environ["SPOTT_API_KEY"]).start()
typed = Panel(work / "manifest.xlsx", settings=Settings(base_url=sandbox.url))
typed.controls.key.password.value = os.environ["SPOTT_API_KEY"]  # as if typed in the browser
typed"""

RUN_AND_SHOW = """\
typed.run_all()
assert typed.wait(60)
print(typed.report.statuses, repr(typed))
from_env = Panel(work / "manifest.xlsx", settings=Settings.from_env(base_url=sandbox.url))
from_env.export_report()
from_env"""


def test_the_key_appears_nowhere_in_an_executed_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key reaches the kernel only through the environment; nothing saved may hold it."""
    monkeypatch.setenv("SPOTT_API_KEY", CANARY_KEY)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [new_code_cell(PANEL_IN_A_KERNEL), new_code_cell(RUN_AND_SHOW)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    execute(notebook)
    text = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    assert "'assigned': 19" in text  # the typed key was used, and worked
    saved = nbformat.writes(notebook)
    assert "application/vnd.jupyter.widget-state+json" in saved  # widget state is saved…
    assert CANARY_KEY not in saved  # …and neither it nor any output holds the key
