"""The child process of the million-row benchmarks: one measured task, then its figures as JSON.

    python -m benchmarks.million_child TASK MANIFEST [ARGS...]

Each task runs in a fresh interpreter so its peak RSS (VmHWM) is its own. The parent times
start-to-exit tasks itself (``validate``, ``rerun`` and their floors: what a user waits for);
the write-back and its floor time only their own call, printed as ``seconds``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.memory_child import peak_rss_mb

HEAD_BYTES = 4096


def _stat_and_head(base: Path, paths: Sequence[str]) -> int:
    """The floor's file work: ``os.stat`` of every file and its first 4 KB, in one thread."""
    n = 0
    for text in paths:
        full = os.path.join(base, text)
        os.stat(full)
        with open(full, "rb") as handle:
            n += len(handle.read(HEAD_BYTES))
    return n


def _read_csv(path: Path) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame["file_path"].tolist()


def _read_xlsx(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    grid = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    return [str(row[0]) for row in grid[1:]]


def _cli(args: list[str]) -> int:
    from spott_migrate.cli import main

    try:
        main(args, prog_name="spott-migrate")
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def _write_back(path: Path) -> float:
    import pandas as pd

    from spott_migrate.journal import utc_now
    from spott_migrate.manifest import read_manifest
    from spott_migrate.manifest import schema as s
    from spott_migrate.pipeline import write_back

    manifest = read_manifest(path)
    rows = manifest.rows
    results = pd.DataFrame(
        {
            s.SOURCE_ROW: rows[s.SOURCE_ROW],
            s.ROW_KEY: rows[s.ROW_KEY],
            s.STATUS: s.ASSIGNED,
            s.ATTACHMENT_ID: [f"att-{row:07d}" for row in rows[s.SOURCE_ROW]],
            s.ERROR: "",
            s.UPDATED_AT: utc_now(),
        }
    )
    began = time.perf_counter()
    write_back(manifest, results)
    return time.perf_counter() - began


def run(task: str, path: Path, extra: list[str]) -> dict[str, object]:
    """Do ``task`` on the manifest at ``path``; return the figures to print."""
    out: dict[str, object] = {}
    if task == "floor-csv":
        out["bytes"] = _stat_and_head(path.parent, _read_csv(path))
    elif task == "floor-xlsx":
        out["bytes"] = _stat_and_head(path.parent, _read_xlsx(path))
    elif task == "floor-rerun":
        import sqlite3

        rows = _read_csv(path)
        with sqlite3.connect(extra[0]) as db:
            entries = db.execute("SELECT * FROM rows").fetchall()
        out["rows"], out["entries"] = len(rows), len(entries)
    elif task in ("validate", "rerun"):
        args = ["validate", str(path)] if task == "validate" else ["run", str(path), *extra]
        out["exit"] = _cli(args)
    elif task == "writeback":
        out["seconds"] = _write_back(path)
    elif task in ("read-csv", "read-xlsx"):
        began = time.perf_counter()
        n = len(_read_csv(path) if task == "read-csv" else _read_xlsx(path))
        out["seconds"], out["rows"] = time.perf_counter() - began, n
    else:
        raise SystemExit(f"unknown task {task}")
    out["peak_mb"] = peak_rss_mb()
    return out


def main(argv: Sequence[str]) -> int:
    task, path, *extra = argv
    figures = run(task, Path(path), list(extra))
    sys.stdout.flush()
    print("\n" + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
