"""The worked notebooks, executed top to bottom in a real Jupyter kernel against the sandbox.

Each notebook runs unchanged, as a user would open it from notebooks/, but in a copy of that
layout under pytest's temporary folder (see :func:`notebook_home`), so the runs/ folder the
notebooks write into is not the repository's. One cell is appended that prints, as JSON, where
the notebook wrote its files and what the sandbox holds. The tests then read those files
themselves (the written-back manifest, the HTML report) and compare.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
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

from ..helpers import CANARY_KEY
from .home import NAMES, NOTEBOOKS, SAMPLE, notebook_home

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


def execute(
    notebook: nbformat.NotebookNode, home: Path, facts: str | None = None
) -> dict[str, Any]:
    """Run ``notebook`` in ``home`` (its notebooks/); return what the appended cell printed."""
    if facts is not None:
        notebook.cells.append(
            new_code_cell(f"import json as _json\nprint('FACTS:' + _json.dumps({facts}))")
        )
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(home)}},
    )
    client.execute()
    if facts is None:
        return {}
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    return json.loads(text.split("FACTS:", 1)[1])


def run_notebook(name: str, facts: str, root: Path) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    before = _fingerprint(SAMPLE)
    home = notebook_home(root)
    found = execute(notebook, home, facts)
    assert _fingerprint(SAMPLE) == before, "the notebook changed the committed sample data"
    for key in ("manifest", "report_file"):
        if key in found:  # written under the notebook's runs/ folder, where JupyterLab serves
            assert Path(found[key]).is_relative_to((home / "runs").resolve()), found[key]
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


def relative_link(report_file: str, root: Path) -> str:
    """The link to ``report_file`` as seen from ``root``'s notebooks/ folder."""
    return str(Path(report_file).relative_to((root / "notebooks").resolve()))


def assert_report_file(path: str) -> None:
    text = Path(path).read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.find(".//h1") is not None and len(root.findall(".//img")) == 5


def report_links(notebook: nbformat.NotebookNode) -> list[str]:
    """The hrefs of the links the notebook's outputs show."""
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs(notebook))
    return [href for href in _HREF.findall(html) if href.endswith("-report.html")]


_HREF = re.compile(r"href='([^']+)'")


def table_headers(notebook: nbformat.NotebookNode) -> list[list[str]]:
    """The column headers of every DataFrame the notebook shows (the index column dropped)."""
    tables = []
    for output in outputs(notebook):
        html = output.get("data", {}).get("text/html", "")
        for head in re.findall(r"<thead>(.*?)</thead>", html, flags=re.S):
            first_row = re.search(r"<tr[^>]*>(.*?)</tr>", head, flags=re.S)
            cells = re.findall(r"<th[^>]*>(.*?)</th>", first_row.group(1) if first_row else "")
            tables.append([c.strip() for c in cells[1:]])
    return tables


def assert_reasons_first_paths_last(notebook: nbformat.NotebookNode) -> None:
    """A wide table scrolls sideways: why a row failed must be in view, its path may not be."""
    checked = 0
    for headers in table_headers(notebook):
        paths = [h for h in headers if "path" in h]
        reasons = [h for h in headers if "error" in h or "problem" in h or h == "code"]
        if paths and reasons:
            checked += 1
            assert headers[-1] in paths, headers
            assert headers.index(reasons[0]) <= 2, headers
    assert checked, "no table with a reason and a path"


def test_committed_notebooks_have_no_outputs() -> None:
    for name in NAMES:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (name, cell.id)
        assert "widgets" not in notebook.metadata, name


def test_committed_notebooks_are_what_the_build_script_writes() -> None:
    """Running the build script puts back a notebook that was run and saved: no git change."""
    spec = importlib.util.spec_from_file_location("build_notebooks", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.stale() == [], "run notebooks/tools/build_notebooks.py"


BUILD_SCRIPT = NOTEBOOKS / "tools" / "build_notebooks.py"


def test_quickstart_stops_its_sandbox_only_in_a_marked_last_cell() -> None:
    """The panel is shown while its sandbox runs; the stop comes last, said to be the end."""
    cells = nbformat.read(NOTEBOOKS / "01_quickstart.ipynb", as_version=4).cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    stops = [i for i in code if "sandbox.stop()" in cells[i].source]
    panel = next(i for i in code if cells[i].source.rstrip().endswith("panel"))
    assert stops == [code[-1]] and panel < stops[0]
    assert "When you are done" in cells[stops[0] - 1].source


# -- 01: the quickstart ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def quickstart(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    return run_notebook(
        "01_quickstart.ipynb",
        "{'manifest': str(MANIFEST), 'report_file': str(report_file), "
        "'pilot': pilot.statuses, 'full': full.statuses, 'panel_error': panel.last_error, "
        f"'assignments': {ASSIGNMENTS}}}",
        tmp_path_factory.mktemp("quickstart"),
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
    assert_reasons_first_paths_last(notebook)
    # offered as a link relative to the notebook, which JupyterLab opens in a tab
    assert relative_link(facts["report_file"], Path(facts["manifest"]).parents[4]) in (
        report_links(notebook)
    )
    assert DEFAULT_API_KEY not in output_text(notebook)
    assert DEFAULT_API_KEY not in json.dumps(notebook.metadata.get("widgets", {}))


# -- 02: a legacy export --------------------------------------------------------------------


def test_legacy_export_built_migrated_and_checked(tmp_path: Path) -> None:
    notebook, facts = run_notebook(
        "02_legacy_export.ipynb",
        f"{{'manifest': str(MANIFEST), 'statuses': migrated.statuses, "
        f"'assignments': {ASSIGNMENTS}}}",
        tmp_path,
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
    assert_reasons_first_paths_last(notebook)


# -- 03: faults, a fix, and re-running only what failed --------------------------------------


def test_rerun_failed_retries_only_the_failed_rows_then_the_fixed_one(tmp_path: Path) -> None:
    notebook, facts = run_notebook(
        "03_rerun_failed.ipynb",
        "{'manifest': str(MANIFEST), 'report_file': str(report_file), "
        "'first': first.statuses, 'first_codes': first.run.failures_by_code, "
        "'refused': refused.applied, 'retry': retry.statuses, "
        "'retry_requests': retry.run.requests_by_endpoint, 'rest': rest.statuses, "
        f"'rest_requests': rest.run.requests_by_endpoint, 'assignments': {ASSIGNMENTS}}}",
        tmp_path,
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
    assert report_links(notebook) == [relative_link(facts["report_file"], tmp_path)]
    assert_reasons_first_paths_last(notebook)
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


def test_the_key_appears_nowhere_in_an_executed_notebook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The key reaches the kernel only through the environment; nothing saved may hold it."""
    monkeypatch.setenv("SPOTT_API_KEY", CANARY_KEY)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [new_code_cell(PANEL_IN_A_KERNEL), new_code_cell(RUN_AND_SHOW)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    execute(notebook, notebook_home(tmp_path))
    text = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    assert "'assigned': 19" in text  # the typed key was used, and worked
    saved = nbformat.writes(notebook)
    assert "application/vnd.jupyter.widget-state+json" in saved  # widget state is saved…
    assert CANARY_KEY not in saved  # …and neither it nor any output holds the key
