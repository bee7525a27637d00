"""One small-file migration against the fast sandbox, to run under a profiler.

    py-spy record --format raw --rate 250 -o small.txt -- .venv/bin/python -m benchmarks.profiling

The sandbox runs in its own process, so a profile of this one shows only the client's CPU.
py-spy (``pip install py-spy``) samples every thread; cProfile would see only the main one,
which here only schedules.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.datagen import records_store, uniform_set, write_manifest
from benchmarks.server import BenchServer
from spott_migrate import Settings, migrate

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "bench-data"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    files = uniform_set(args.data_dir, "s", args.files, args.size)
    run_dir = args.data_dir / "runs" / "profile"
    shutil.rmtree(run_dir, ignore_errors=True)
    manifest = write_manifest(run_dir / "manifest.csv", files)
    with BenchServer(records_store(files)) as server:
        settings = Settings(
            base_url=server.url,
            api_key=server.api_key,
            requests_per_minute=1e7,
            concurrency=args.concurrency,
        )
        started = time.perf_counter()
        report = migrate(manifest, settings=settings)
        elapsed = time.perf_counter() - started
    print(
        f"{len(files)} files in {elapsed:.2f} s ({len(files) / elapsed:.0f} files/s), "
        f"statuses {report.statuses}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
