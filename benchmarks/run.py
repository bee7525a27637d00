"""``python -m benchmarks.run``: every scenario, one table of ratios, ``docs/benchmarks.md``.

    python -m benchmarks.run            # the full run (≈ 15 min on 2 cores), writes docs/
    python -m benchmarks.run --quick    # smoke sizes (< 2 min), writes bench-data/
    python -m benchmarks.run --only small,memory
    python -m benchmarks.run --only million   # the million-row section alone (≈ 15 min)
    python -m benchmarks.run --only network  # jitter, stray 429s, a real limit, kills

Exit code 0 when every scenario ran (FAILs against targets included; ``--strict`` makes
those 1 too), 1 when a scenario broke.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import datagen, index_resolution
from benchmarks.adaptive import run_adaptive
from benchmarks.machine import describe
from benchmarks.measure import say
from benchmarks.memory import run_memory
from benchmarks.million import DEFAULT_DIR as MILLION_DIR
from benchmarks.million import MillionSizes, run_million
from benchmarks.network import run_network
from benchmarks.overhead import manifest_template, run_overhead
from benchmarks.report import ERROR, FAIL, Row, Section, render
from benchmarks.request_count import run_requests
from benchmarks.server import BenchServer
from benchmarks.throughput import Workload, measure_workload, section

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = (
    "small",
    "large",
    "memory",
    "requests",
    "overhead",
    "adaptive",
    "network",
    "index",
    "million",
)


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is."""

    small: tuple[int, int, int, int]  # files, bytes each, naive subset, trials
    large: tuple[int, int, int, int]
    memory: tuple[int, int]  # files, bytes each
    mixed_records: int
    overhead_rows: int
    adaptive: tuple[int, float, int]  # files, sandbox rate (req/s), trials
    index: index_resolution.Sizes  # tenant and legacy export (its own sandbox child)
    million: MillionSizes
    network: tuple[int, int, int]  # one-file candidates, seeds, candidates of the long run


FULL = Sizes(
    small=(5000, 20_000, 500, 5),
    large=(20, 20_000_000, 20, 7),
    memory=(10, 50_000_000),
    mixed_records=400,
    overhead_rows=100_000,
    adaptive=(500, 50.0, 2),
    index=index_resolution.FULL,
    million=MillionSizes(),
    network=(300, 3, 1000),
)
QUICK = Sizes(
    small=(500, 20_000, 50, 1),
    large=(4, 5_000_000, 4, 1),
    memory=(10, 5_000_000),
    mixed_records=40,
    overhead_rows=5_000,
    adaptive=(100, 50.0, 1),
    index=index_resolution.QUICK,
    million=MillionSizes(rows=20_000, xlsx_rows=20_000, trials=1, help_trials=3),
    network=(60, 1, 0),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke sizes, < 2 minutes")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--output", type=Path, help="markdown file to write")
    parser.add_argument("--data-dir", type=Path, default=REPO / "bench-data")
    parser.add_argument(
        "--million-dir",
        type=Path,
        default=MILLION_DIR,
        help=f"where the million-row data is built once (default {MILLION_DIR})",
    )
    parser.add_argument(
        "--wide", type=int, default=8, help="spott-migrate's second, higher concurrency (info)"
    )
    parser.add_argument("--reference-threads", type=int, default=4)
    parser.add_argument("--strict", action="store_true", help="exit 1 on any FAIL too")
    return parser


def _selected(parser: argparse.ArgumentParser, only: str | None) -> list[str]:
    if not only:
        return list(SCENARIOS)
    chosen = [name.strip() for name in only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}")
    return [name for name in SCENARIOS if name in chosen]


def _output(args: argparse.Namespace, partial: bool) -> Path:
    if args.output:
        return Path(args.output)
    if args.quick:
        return args.data_dir / "benchmarks-quick.md"
    if partial:
        return args.data_dir / "benchmarks-partial.md"
    return REPO / "docs" / "benchmarks.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    names = _selected(parser, args.only)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    machine = describe(REPO)
    root: Path = args.data_dir
    runs = root / "runs"
    # The quick run keeps its small million-row set beside its other data.
    million_dir: Path = root / "million" if args.quick else args.million_dir
    shutil.rmtree(runs, ignore_errors=True)

    say(f"data in {root} (built once, then reused)")
    wants_small = {"small", "adaptive", "network"} & set(names)
    small = datagen.uniform_set(root, "s", *sizes.small[:2]) if wants_small else []
    large = datagen.uniform_set(root, "l", *sizes.large[:2]) if "large" in names else []
    sparse = datagen.sparse_set(root, *sizes.memory) if "memory" in names else []
    mixed = datagen.mixed_set(root, sizes.mixed_records) if "requests" in names else []
    tiny: list[datagen.BenchFile] = []
    template = root / "unused.xlsx"
    if "overhead" in names:
        say(f"data: {sizes.overhead_rows:,} tiny files and their .xlsx manifest")
        tiny = datagen.tiny_set(root, sizes.overhead_rows)
        template = manifest_template(root, tiny)
    say("data ready; starting the sandbox (subprocess, --fast)")

    sections: list[Section] = []
    failed = False
    with BenchServer(datagen.records_store([*small, *large, *sparse, *mixed])) as server:
        say(f"sandbox at {server.url}")

        def workload(name: str, files: list[datagen.BenchFile], spec: tuple[int, ...]) -> Section:
            naive_target = 8.0 if name == "small files" else None
            ref_target = 0.80 if name == "small files" else 0.85
            work = Workload(name, files, spec[2], spec[3], naive_target, ref_target)
            measured = measure_workload(
                server, work, runs, wide=args.wide, ref_threads=args.reference_threads
            )
            return section(work, measured)

        steps: dict[str, Callable[[], Section]] = {
            "small": lambda: workload("small files", small, sizes.small),
            "large": lambda: workload("large files", large, sizes.large),
            "memory": lambda: run_memory(server, sparse),
            "requests": lambda: run_requests(server, mixed, runs / "requests"),
            "overhead": lambda: run_overhead(server, tiny, template, runs / "overhead"),
            "adaptive": lambda: run_adaptive(
                server,
                small[: sizes.adaptive[0]],
                runs,
                rate=sizes.adaptive[1],
                trials=sizes.adaptive[2],
            ),
            "index": lambda: index_resolution.run_index_resolution(
                root, runs / "index", sizes.index
            ),
            "million": lambda: run_million(server, million_dir, sizes.million),
            "network": lambda: run_network(
                server,
                small[: sizes.network[0]],
                runs / "network",
                seeds=sizes.network[1],
                long_files=small[: sizes.network[2]],
            ),
        }
        for name in names:
            say(f"=== {name}")
            try:
                sections.append(steps[name]())
            except Exception as exc:  # one broken scenario must not hide the others
                failed = True
                traceback.print_exc()
                sections.append(
                    Section(name, [Row(name, "the scenario broke", repr(exc)[:200], "–", ERROR)])
                )
    minutes = (time.perf_counter() - started) / 60
    page = render(machine, sections, quick=args.quick, minutes=minutes)
    output = _output(args, partial=len(names) < len(SCENARIOS))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    print(page)
    say(f"written to {output} ({minutes:.1f} min)")
    fails = any(r.status == FAIL for s in sections for r in s.rows)
    return 1 if failed or (args.strict and fails) else 0


if __name__ == "__main__":
    sys.exit(main())
