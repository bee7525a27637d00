"""What many tests share: the canary key, manifests as real .xlsx and .csv files, the CLI as a
subprocess, and the check that the sandbox holds exactly what the manifest says."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl

from spott_migrate.manifest import read_manifest
from spott_migrate.sandbox import Sandbox

# Planted in settings everywhere; tests assert it never shows up in any output.
CANARY_KEY = "canary-KEY-7f3a9c1e5b"

# make_manifest's type: make_manifest(n, per_candidate=..., logos=..., extra_rows=..., name=...)
ManifestFactory = Callable[..., Path]

HEADER = ("file_path", "type", "candidate_id", "company_id", "vacancy_id", "name")


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    sheet: str = "Attachments",
) -> Path:
    """A workbook with one sheet: header in row 1, then ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    """A CSV manifest."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_xlsx_column(path: Path, column: str, sheet: str | None = None) -> dict[int, object]:
    """Row number -> value of the column with header ``column`` (via openpyxl)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    header = [c.value for c in ws[1]]
    index = header.index(column) + 1
    return {r: ws.cell(row=r, column=index).value for r in range(2, ws.max_row + 1)}


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``spott-migrate`` in a subprocess, as a user would."""
    full_env = {**os.environ, "SPOTT_API_KEY": CANARY_KEY, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "spott_migrate", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


def start_run(
    url: str, path: Path, *, concurrency: int, output: int, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``spott-migrate run`` in a child process, to be killed, interrupted or waited for."""
    command = [sys.executable, "-m", "spott_migrate", "run", str(path), "--base-url", url]
    return subprocess.Popen(
        [*command, "--quiet", "--concurrency", str(concurrency)],
        env={**os.environ, "SPOTT_API_KEY": CANARY_KEY, **(env or {})},
        stdout=output,
        stderr=output,
        text=True,
    )


def assert_no_key(result: subprocess.CompletedProcess[str]) -> None:
    assert CANARY_KEY not in result.stdout
    assert CANARY_KEY not in result.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_sandbox_matches_manifest(sandbox: Sandbox, manifest_path: Path) -> None:
    """Every assigned row's file (by content) is on its record exactly once; nothing else is."""
    manifest = read_manifest(manifest_path)
    expected: list[tuple[str, str, str]] = []
    for row in manifest.rows.to_dict("records"):
        if row["spott_status"] != "assigned":
            continue
        sha = _sha(manifest.resolve(row["file_path"]))
        for column, kind in (
            ("candidate_id", "candidate"),
            ("company_id", "company"),
            ("vacancy_id", "vacancy"),
        ):
            if row[column]:
                expected.append((kind, row[column], sha))
    actual = [
        (kind, record_id, a.sha256)
        for (kind, record_id), items in sandbox.state.assignments().items()
        for a in items
    ]
    assert sorted(actual) == sorted(expected)
