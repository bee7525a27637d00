"""Write the worked notebooks in notebooks/ from the cell sources below, without outputs.

The notebooks are committed without outputs (the tests check that); editing them here keeps
their source reviewable as plain Python. Running this again also strips the outputs a notebook
gained by being run and saved, so git shows no change. From the repository root:

    .venv/bin/python notebooks/tools/build_notebooks.py          # (re)write them
    .venv/bin/python notebooks/tools/build_notebooks.py --check  # fail if one differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent.parent

# Each run works in a new folder under notebooks/runs/ (ignored by git): inside the folder
# JupyterLab serves, so the reports it writes open from a link.
RUNS = """\
RUNS = Path("runs")  # beside this notebook, ignored by git; delete it when done
RUNS.mkdir(exist_ok=True)"""

SETUP = (
    """\
%matplotlib inline
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import FileLink

from spott_migrate import Settings, check, migrate, report
from spott_migrate.demo import prepare_workdir, sandbox_agreement
from spott_migrate.sandbox import Sandbox

REPO = Path.cwd().parent  # this notebook lives in notebooks/
"""
    + RUNS
    + """
# A private copy: the committed sample_data/ is never touched.
SCRATCH = Path(tempfile.mkdtemp(prefix="{name}-", dir=RUNS)).resolve()
WORK = prepare_workdir(REPO / "sample_data", SCRATCH / "run")
MANIFEST = WORK / "manifest.xlsx"
print(MANIFEST)"""
)

RESULTS = '''\
def results(path):
    """The manifest as it now reads: the result columns first, the file's path last."""
    columns = ["spott_status", "spott_error", "spott_attachment_id", "type", "file_path"]
    return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")[columns]'''

# A report file as a link (JupyterLab opens it in a tab), relative to this notebook.
REPORT_LINK = "FileLink(report_file.relative_to(Path.cwd().resolve()))"


def quickstart() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# Quickstart: the sample migration, step by step\n\n"
            "This notebook migrates `sample_data/` into the **sandbox**: a local server that "
            "answers like Spott's API, started inside this notebook. No account and no network "
            "are needed. It works on a copy of the sample data in a new folder under "
            "`notebooks/runs/` (ignored by git), so the committed files never change.\n\n"
            "Against the real Spott the steps are the same: give `Settings` the API key "
            "(`Settings.from_env()` reads `SPOTT_API_KEY`) instead of the sandbox's."
        ),
        new_code_cell(SETUP.format(name="quickstart")),
        new_markdown_cell(
            "## 1. Start the sandbox\n\nIt holds the sample's candidates, companies "
            "and vacancies (`records.json`)."
        ),
        new_code_cell(
            'sandbox = Sandbox(records=WORK / "records.json").start()\n'
            "settings = Settings(base_url=sandbox.url, api_key=sandbox.api_key)\n"
            "print(sandbox.url)"
        ),
        new_markdown_cell(
            "## 2. Check: every problem of every row, before anything is sent\n\n"
            "`check()` reads the manifest, looks at every file (exists? empty? really a PDF?) "
            "and plans the requests. It sends nothing and writes nothing."
        ),
        new_code_cell("checked = check(MANIFEST, settings=settings)\nchecked.summary()"),
        new_code_cell('checked.validation.problems[["source_row", "code", "message"]]'),
        new_markdown_cell(
            "## 3. The plan\n\nUploads go in batches of up to ten files of one "
            "type; then one assign per record."
        ),
        new_code_cell(
            "plan = checked.plan\n"
            "print(\n"
            '    f"{plan.files} files, {plan.bytes:,} bytes, {plan.requests} requests "\n'
            '    f"({len(plan.batches)} uploads, {len(plan.groups)} assigns), "\n'
            '    f"about {plan.estimate_seconds(settings):.0f} s"\n'
            ")\n"
            "report.plot_size_histogram(checked)"
        ),
        new_markdown_cell(
            "## 4. A pilot: the first 5 rows\n\nResults go straight back into the spreadsheet, "
            "in four new columns."
        ),
        new_code_cell("pilot = migrate(MANIFEST, settings=settings, limit=5)\npilot.statuses"),
        new_code_cell(RESULTS + "\n\n\nresults(MANIFEST).head(8)"),
        new_markdown_cell(
            "## 5. Everything else\n\nRunning again does only what is left: the pilot's rows are "
            "not sent twice."
        ),
        new_code_cell(
            "full = migrate(MANIFEST, settings=settings)\n"
            "print(full.statuses)\n"
            "full.run.requests_by_endpoint"
        ),
        new_markdown_cell("## 6. Look at the results"),
        new_code_cell("report.plot_status_by_type(full)"),
        new_code_cell("report.plot_failure_reasons(full)"),
        new_code_cell("report.plot_throughput(full)"),
        new_markdown_cell("The rows that were not assigned, each with how to fix it:"),
        new_code_cell(
            'report.not_assigned(full)[["status", "error", "fix", "source_row", "file_path"]]'
        ),
        new_markdown_cell(
            "One self-contained HTML file (plots embedded) for whoever signs the migration off. "
            "It is written beside the manifest; click the link to open it in JupyterLab."
        ),
        new_code_cell(
            'report_file = report.write_html(full, WORK / "migration-report.html")\n' + REPORT_LINK
        ),
        new_markdown_cell(
            "## 7. Does Spott agree?\n\nEvery row the manifest calls `assigned` must be on its "
            "record in the sandbox, and nothing else may be there."
        ),
        new_code_cell(
            "agrees, text = sandbox_agreement(full, sandbox)\nprint(text)\nassert agrees"
        ),
        new_markdown_cell(
            "## 8. All of this from one cell\n\nThe control panel does the same steps with "
            "buttons: load, map columns, check, pilot, run with pause/resume/cancel, re-run "
            "failed rows, results, plots and the report. Here everything is already done, so "
            "it shows the finished state: *Run pilot* and *Run all* are off, since nothing is "
            "left to send. Edit the spreadsheet (say, fix a row's `type`), press "
            "*Check again*, and they come on. The sandbox keeps running until the last cell."
        ),
        new_code_cell(
            "from spott_migrate.notebook import Panel\n\n"
            "panel = Panel(MANIFEST, settings=settings)\n"
            "panel"
        ),
        new_markdown_cell(
            "## 9. When you are done: stop the sandbox\n\n"
            "Run this last. After it, the panel above can no longer reach Spott (its runs "
            "would say so in the status line)."
        ),
        new_code_cell("sandbox.stop()"),
    ]


def legacy_export() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# From a legacy ATS export to Spott\n\n"
            "Old systems export a folder per record (`candidates/L-1001/CV.pdf`, …) and know "
            "nothing of Spott's ids. `spott_migrate.legacy` turns such an export into a "
            "manifest: one row per file, its type inferred from names and folders, its Spott "
            "record found through a crosswalk or by e-mail. Rows it cannot place stay in the "
            "manifest and say why. Then the manifest is migrated like any other.\n\n"
            "The export used here is `sample_data/legacy_export/` (its README lists every case "
            "it covers), copied to a new folder under `notebooks/runs/` (ignored by git); the "
            "Spott is the sandbox."
        ),
        new_code_cell(
            "%matplotlib inline\n"
            "import shutil\n"
            "import tempfile\n"
            "from pathlib import Path\n\n"
            "from spott_migrate import Settings, check, migrate, report\n"
            "from spott_migrate.client import SpottClient\n"
            "from spott_migrate.demo import sandbox_agreement\n"
            "from spott_migrate.legacy import (\n"
            "    TypeRules,\n"
            "    build_manifest,\n"
            "    is_placed,\n"
            "    load_crosswalk,\n"
            "    load_emails,\n"
            "    load_rules,\n"
            "    summary,\n"
            "    write_manifest,\n"
            ")\n"
            "from spott_migrate.sandbox import Sandbox\n\n"
            "REPO = Path.cwd().parent  # this notebook lives in notebooks/\n" + RUNS + "\n"
            'WORK = Path(tempfile.mkdtemp(prefix="legacy-", dir=RUNS)).resolve()\n'
            'EXPORT = WORK / "legacy_export"\n'
            "shutil.copytree(\n"
            '    REPO / "sample_data" / "legacy_export", EXPORT, '
            'ignore=shutil.ignore_patterns("*.py")\n'
            ")\n"
            "sorted(p.name for p in EXPORT.iterdir())"
        ),
        new_markdown_cell(
            "## 1. A Spott to migrate into\n\nThe sandbox, holding the records the "
            "export's people and companies correspond to."
        ),
        new_code_cell(
            'sandbox = Sandbox(records=EXPORT / "records.json").start()\n'
            "settings = Settings(base_url=sandbox.url, api_key=sandbox.api_key)"
        ),
        new_markdown_cell(
            "## 2. Build the manifest\n\n"
            "- **types** from file and folder names; `type_rules.csv` adds German words "
            "(`Reisepass`, `Arbeitsvertrag`) to the built-in ones;\n"
            "- **records** from the crosswalk (legacy id → Spott id), then by e-mail: "
            "`candidates.csv` has the addresses, and only a candidate whose address matches "
            "exactly counts;\n"
            "- every target is **checked** to exist in Spott."
        ),
        new_code_cell(
            'rules = TypeRules().extended(load_rules(EXPORT / "type_rules.csv"))\n'
            "with SpottClient(settings=settings) as client:\n"
            "    built = build_manifest(\n"
            '        EXPORT / "tree",\n'
            "        rules=rules,\n"
            '        crosswalk=load_crosswalk(EXPORT / "crosswalk.csv"),\n'
            '        emails=load_emails(EXPORT / "candidates.csv"),\n'
            "        search=client,  # e-mail look-ups\n"
            "        lookup=client,  # existence checks\n"
            '        work_dir=WORK / "files",\n'
            "    )\n"
            'print(f"{int(is_placed(built).sum())} of {len(built)} rows placed")\n'
            "summary(built)"
        ),
        new_code_cell(
            "# Why a row could not be placed first, the file's path last.\n"
            'columns = ["spott_build_problem", "type", "type_rule", "resolved_by"]\n'
            'built[[*columns, "candidate_id", "company_id", "vacancy_id", "source_path"]]'
        ),
        new_markdown_cell(
            "## 3. Write it, check it, migrate it\n\n"
            "Rows the builder could not place carry their reason into validation, so they are "
            "reported as `invalid` and never sent."
        ),
        new_code_cell(
            'MANIFEST = write_manifest(built, WORK / "manifest.xlsx")\n'
            "checked = check(MANIFEST, settings=settings)\n"
            "checked.summary()"
        ),
        new_code_cell("migrated = migrate(MANIFEST, settings=settings)\nmigrated.statuses"),
        new_code_cell('report.plot_status_by_type(migrated, by="type")'),
        new_code_cell("report.plot_failure_reasons(migrated)"),
        new_markdown_cell("What is left to sort out by hand, with the builder's reasons:"),
        new_code_cell('report.not_assigned(migrated)[["error", "fix", "source_row", "file_path"]]'),
        new_markdown_cell("## 4. Does Spott agree?"),
        new_code_cell(
            "agrees, text = sandbox_agreement(migrated, sandbox)\nprint(text)\nassert agrees"
        ),
        new_code_cell("sandbox.stop()"),
    ]


def rerun_failed() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# When things go wrong: fix, then re-run only what failed\n\n"
            "A real migration meets two kinds of trouble: **bad rows** (a missing file, a type "
            "Spott does not know) found before anything is sent, and **failures during the "
            "run** (Spott refuses a request, the network drops). This notebook shows both, on "
            "the sample data, with faults switched on in the sandbox:\n\n"
            "1. run with a flaky network and three assigns that Spott refuses;\n"
            "2. fix two bad rows in the spreadsheet;\n"
            "3. re-run only the failed rows (`only_failed=True`), then the fixed ones."
        ),
        new_code_cell(SETUP.format(name="rerun")),
        new_code_cell(
            'sandbox = Sandbox(records=WORK / "records.json").start()\n'
            "# Short back-off so the retries below take a moment, not minutes.\n"
            "settings = Settings(\n"
            "    base_url=sandbox.url, api_key=sandbox.api_key, "
            "backoff_base=0.02, backoff_max=0.1\n"
            ")"
        ),
        new_markdown_cell(
            "## 1. A run with faults\n\n"
            "- one upload in five answers `503 Service Unavailable`: passing trouble, which "
            "spott-migrate retries by itself;\n"
            "- the first three assigns answer `400 Bad Request`: Spott refused them, so those "
            "rows fail (retrying blindly would not help)."
        ),
        new_code_cell(
            'flaky = sandbox.faults.add("upload", "status_before", status=503, probability=0.2, '
            "seed=7)\n"
            'refused = sandbox.faults.add("assign", "status_before", status=400, times=3)\n\n'
            "first = migrate(MANIFEST, settings=settings)\n"
            'print(f"{flaky.applied} uploads answered 503 and were retried; '
            '{refused.applied} assigns refused")\n'
            "first.statuses"
        ),
        new_code_cell("first.run.failures_by_code"),
        new_code_cell("report.plot_failure_reasons(first)"),
        new_code_cell(RESULTS + "\n\n\nresults(MANIFEST).query(\"spott_status != 'assigned'\")"),
        new_markdown_cell(
            "## 2. Fix the spreadsheet\n\n"
            "As a consultant would in Excel: the office cat's photo gets Spott's catch-all type "
            "`unassigned`, and the repeated row goes. (The other bad rows need files that do "
            "not exist yet.) The faults are over, too."
        ),
        new_code_cell(
            "import openpyxl\n\n"
            "book = openpyxl.load_workbook(MANIFEST)\n"
            "sheet = book.active\n"
            "header = [cell.value for cell in sheet[1]]\n"
            'type_col = header.index("type") + 1\n'
            "for row in range(sheet.max_row, 1, -1):\n"
            '    error = str(sheet.cell(row, header.index("spott_error") + 1).value or "")\n'
            '    if error.startswith("type_unknown"):\n'
            '        sheet.cell(row, type_col).value = "unassigned"\n'
            '    elif error.startswith("duplicate_row"):\n'
            "        sheet.delete_rows(row)\n"
            "book.save(MANIFEST)\n"
            "sandbox.faults.clear()\n"
            "check(MANIFEST, settings=settings).summary()"
        ),
        new_markdown_cell(
            "## 3. Re-run only what failed\n\n"
            "`only_failed=True` (the CLI's `--retry-failed`, the panel's *Re-run failed rows*) "
            "retries the rows that failed and starts nothing new: the fixed row waits."
        ),
        new_code_cell(
            "retry = migrate(MANIFEST, settings=settings, only_failed=True)\n"
            "print(retry.run.requests_by_endpoint)\n"
            "retry.statuses"
        ),
        new_markdown_cell(
            "## 4. And the fixed row\n\nA plain run does whatever is left: here only the fixed row."
        ),
        new_code_cell(
            "rest = migrate(MANIFEST, settings=settings)\n"
            "print(rest.run.requests_by_endpoint)\n"
            "rest.statuses"
        ),
        new_code_cell(
            "agrees, text = sandbox_agreement(rest, sandbox)\nprint(text)\nassert agrees"
        ),
        new_code_cell(
            'report_file = report.write_html(rest, WORK / "migration-report.html")\n' + REPORT_LINK
        ),
        new_code_cell("sandbox.stop()"),
    ]


NOTEBOOKS = {
    "01_quickstart.ipynb": quickstart,
    "02_legacy_export.ipynb": legacy_export,
    "03_rerun_failed.ipynb": rerun_failed,
}


def build(name: str) -> nbformat.NotebookNode:
    """One notebook, outputs empty, with the project's kernel."""
    notebook = new_notebook(cells=NOTEBOOKS[name]())
    notebook.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{index:02d}"  # stable ids: no churn in git
    return notebook


def stale() -> list[str]:
    """The committed notebooks that differ from what this script writes (outputs included)."""
    return [
        name
        for name in NOTEBOOKS
        if not (HERE / name).is_file()
        or (HERE / name).read_text(encoding="utf-8") != nbformat.writes(build(name)) + "\n"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if stale")
    if parser.parse_args().check:
        names = stale()
        for name in names:
            print(f"{name} differs from build_notebooks.py (run it to rewrite)", file=sys.stderr)
        raise SystemExit(1 if names else 0)
    for name in NOTEBOOKS:
        nbformat.write(build(name), HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
