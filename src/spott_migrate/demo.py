"""The demo: the sample manifest, migrated into the embedded sandbox, then checked row by row."""

from __future__ import annotations

import shutil
from pathlib import Path

from .config import Settings
from .errors import ConfigError, SpottMigrateError
from .manifest import schema as s
from .pipeline import MigrationReport, migrate
from .progress import Progress
from .sandbox import Sandbox

_MARKER = ".spott-demo"
_KINDS = {"candidate_id": "candidate", "company_id": "company", "vacancy_id": "vacancy"}


def find_sample_data(data_dir: Path | None = None) -> Path:
    """The sample data folder: the one given, ./sample_data, or the one in the source tree."""
    candidates = (
        [data_dir]
        if data_dir
        else [
            Path.cwd() / "sample_data",
            Path(__file__).resolve().parents[2] / "sample_data",
        ]
    )
    for folder in candidates:
        if folder is not None and (folder / "manifest.xlsx").is_file():
            return folder
    raise ConfigError("no sample data found: run from the repository or pass --data DIR")


def prepare_workdir(source: Path, workdir: Path) -> Path:
    """A fresh copy of the sample data, so the demo never edits the committed files."""
    if workdir.exists():
        if not (workdir / _MARKER).exists() and any(workdir.iterdir()):
            raise ConfigError(
                f"{workdir} exists and is not a demo folder; choose another --workdir"
            )
        shutil.rmtree(workdir)
    shutil.copytree(
        source, workdir, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.spott-*")
    )
    (workdir / _MARKER).touch()
    return workdir


def sandbox_agreement(report: MigrationReport, sandbox: Sandbox) -> tuple[bool, str]:
    """Check each assigned row against the sandbox's own state, and that nothing else is there."""
    state = sandbox.state
    rows = report.check.manifest.rows.set_index(s.ROW_KEY)
    assigned = report.results[report.results[s.STATUS] == s.ASSIGNED]
    problems: list[str] = []
    expected: set[tuple[str, str, str]] = set()
    for result in assigned.itertuples(index=False):
        row = rows.loc[result.row_key]
        for column, kind in _KINDS.items():
            if row[column]:
                expected.add((kind, row[column], result.spott_attachment_id))
    actual = {
        (kind, rid, a.id) for (kind, rid), items in state.assignments().items() for a in items
    }
    for kind, rid, att in sorted(expected - actual):
        problems.append(f"row's attachment {att} is not on {kind} {rid}")
    for kind, rid, att in sorted(actual - expected):
        problems.append(f"{kind} {rid} has an unexpected attachment {att}")
    if problems:
        return False, "sandbox DISAGREES:\n  " + "\n  ".join(problems)
    records = len({(k, r) for k, r, _ in actual})
    return True, (
        f"sandbox agrees: {len(assigned)} assigned rows = {len(actual)} attachments on "
        f"{records} records, none missing, none extra"
    )


def run_demo(
    data_dir: Path | None = None,
    workdir: Path = Path("demo-run"),
    progress: Progress | None = None,
) -> tuple[MigrationReport, str]:
    """Copy the sample data, migrate it into a fresh sandbox, and compare the two."""

    folder = prepare_workdir(find_sample_data(data_dir), workdir)
    with Sandbox(records=folder / "records.json") as sandbox:
        settings = Settings(base_url=sandbox.url, api_key=sandbox.api_key)
        report = migrate(folder / "manifest.xlsx", settings=settings, progress=progress)
        ok, text = sandbox_agreement(report, sandbox)
    if not ok:
        raise SpottMigrateError(text)
    return report, text
