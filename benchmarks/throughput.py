"""Small and large files: spott-migrate against the naive script and the reference client.

Each trial runs every client once on the same files, in a rotating order, with the sandbox
reset in between; every run is checked against the sandbox (each record got exactly its
files). Results are medians over trials; the naive script runs once, on a subset.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.datagen import BenchFile, write_manifest
from benchmarks.measure import Sample, Series, measured, ratio, say
from benchmarks.naive import run_naive
from benchmarks.reference import run_reference
from benchmarks.report import INFO, Row, Section, table, verdict
from benchmarks.server import BenchServer, check_assigned
from spott_migrate import Settings, migrate

DEFAULT_CONCURRENCY = Settings().concurrency
HOW = (
    "each trial runs every client once on the same files in a rotating order, the sandbox"
    " reset before each run and checked after it (every record has exactly its files, so"
    " every client uploaded AND assigned everything). spott-migrate is the whole `migrate()`"
    " call on a fresh CSV manifest (read, validate, plan, run, journal, write-back), with"
    " `requests_per_minute=1e7`; 'run phase only' divides by `report.run.elapsed` instead."
    " Medians over trials; files/s and MB/s ratios are the same since the files are the same."
    " CPU per file: this process's `getrusage` and the sandbox child's `/proc/PID/stat`."
    " The targets apply to the default; the run at a higher concurrency is for information:"
    " on a small machine talking to loopback both processes are CPU-bound, so workers beyond"
    " the cores only add hand-offs of Python's GIL (client CPU per file rises), while against a"
    " remote server the same extra workers would hide network latency."
)


@dataclass(frozen=True)
class Workload:
    """Files to move, how often, and the targets that apply."""

    name: str
    files: Sequence[BenchFile]
    naive_files: int
    trials: int
    naive_target: float | None
    reference_target: float


def spott_settings(server: BenchServer, **changes: object) -> Settings:
    """Library settings against the sandbox, with the rate ceiling raised out of the way."""
    values: dict[str, object] = {"requests_per_minute": 1e7, **changes}
    return Settings(base_url=server.url, api_key=server.api_key, **values)  # type: ignore[arg-type]


def run_spott(
    server: BenchServer, files: Sequence[BenchFile], run_dir: Path, concurrency: int
) -> Sample:
    """One ``migrate()`` of a fresh CSV manifest listing ``files``."""
    shutil.rmtree(run_dir, ignore_errors=True)
    manifest = write_manifest(run_dir / "manifest.csv", files)
    settings = spott_settings(server, concurrency=concurrency)
    with measured(server.cpu_seconds) as sample:
        report = migrate(manifest, settings=settings)
    if report.statuses != {"assigned": len(files)} or report.run.failed:
        raise RuntimeError(f"spott-migrate did not assign every file: {report.statuses}")
    sample.requests = report.run.requests_sent
    sample.run_seconds = report.run.elapsed
    return sample


def _timed(server: BenchServer, call: Callable[[], int]) -> Sample:
    with measured(server.cpu_seconds) as sample:
        sample.requests = call()
    return sample


def _verified(
    server: BenchServer, label: str, files: Sequence[BenchFile], sample: Sample
) -> Sample:
    problem = check_assigned(server.state(), Counter(f.target_id for f in files))
    if problem:
        raise RuntimeError(f"{label}: {problem}")
    sample.files = len(files)
    sample.bytes = sum(f.size for f in files)
    return sample


def measure_workload(
    server: BenchServer, work: Workload, runs_dir: Path, *, wide: int, ref_threads: int
) -> dict[str, Series]:
    """Every client on ``work``; returns series keyed by client label."""
    files = work.files
    clients: dict[str, Callable[[int], Sample]] = {
        f"spott-migrate, default (concurrency {DEFAULT_CONCURRENCY})": lambda t: run_spott(
            server, files, runs_dir / f"{work.name}-default-{t}", DEFAULT_CONCURRENCY
        ),
        f"spott-migrate, concurrency {wide}": lambda t: run_spott(
            server, files, runs_dir / f"{work.name}-wide-{t}", wide
        ),
        f"reference ({ref_threads} threads)": lambda t: _timed(
            server, lambda: run_reference(server.url, server.api_key, files, threads=ref_threads)
        ),
    }
    series = {label: Series(label) for label in clients}
    warm = files[: min(len(files), 200)]
    say(f"{work.name}: warm-up on {len(warm)} files")
    server.reset()
    run_reference(server.url, server.api_key, warm, threads=ref_threads)
    server.reset()
    run_spott(server, warm, runs_dir / f"{work.name}-warm", DEFAULT_CONCURRENCY)
    labels = list(clients)
    for trial in range(work.trials):
        shift = trial % len(labels)
        for label in labels[shift:] + labels[:shift]:
            server.reset()
            sample = _verified(server, label, files, clients[label](trial))
            series[label].samples.append(sample)
            say(
                f"{work.name} trial {trial + 1}/{work.trials}, {label}: {sample.seconds:.2f} s,"
                f" {sample.files_per_s:,.0f} files/s, {sample.mb_per_s:,.1f} MB/s"
            )
    subset = files[: work.naive_files]
    label = "naive script" + (f" ({len(subset)}-file subset)" if len(subset) < len(files) else "")
    say(f"{work.name}: {label}, once (slow: a new connection per request)")
    server.reset()
    naive = _verified(
        server, label, subset, _timed(server, lambda: run_naive(server.url, server.api_key, subset))
    )
    series[label] = Series(label, [naive])
    say(f"{work.name}, {label}: {naive.files_per_s:,.1f} files/s, {naive.mb_per_s:,.1f} MB/s")
    return series


def section(work: Workload, series: dict[str, Series]) -> Section:
    """Rows with ratios and verdicts, and the per-client detail table."""
    labels = list(series)
    default, wide, reference, naive = (series[k] for k in labels)
    per_file = work.files[0].size
    size = f"{per_file / 1e6:g} MB" if per_file >= 1e6 else f"{per_file / 1e3:g} KB"
    scenario = f"{work.name} ({len(work.files):,} × {size})"
    naive_files = naive.samples[0].files
    subset = f" (naive on {naive_files:,} of the files)" if naive_files < len(work.files) else ""
    rows: list[Row] = []
    # The targets are for the library as shipped (its default concurrency). The wider run is
    # shown for information (see HOW).
    for spott, graded in ((default, True), (wide, False)):
        who = spott.label.removeprefix("spott-migrate, ")
        vs_naive = ratio(spott.files_per_s, naive.files_per_s)
        naive_graded = graded and work.naive_target is not None
        rows.append(
            Row(
                scenario,
                f"spott-migrate {who} / naive, files/s{subset}",
                f"{vs_naive:.1f}×",
                f"≥ {work.naive_target:g}×" if naive_graded else "–",
                verdict(vs_naive >= work.naive_target) if naive_graded else INFO,
            )
        )
        vs_ref = ratio(spott.files_per_s, reference.files_per_s)
        rows.append(
            Row(
                scenario,
                f"spott-migrate {who} / reference, files/s",
                f"{vs_ref:.0%}",
                f"≥ {work.reference_target:.0%}" if graded else "–",
                verdict(vs_ref >= work.reference_target) if graded else INFO,
            )
        )
    run_only = ratio(len(work.files) / default.median("run_seconds"), reference.files_per_s)
    outside = default.median("seconds") - default.median("run_seconds")
    rows.append(
        Row(
            scenario,
            "spott-migrate default, run phase only (`report.run.elapsed`) / reference",
            f"{run_only:.0%} ({outside:.2f} s per run outside the run phase: read, validate,"
            " plan, write-back)",
            "–",
            INFO,
        )
    )
    details = table(
        [
            "client",
            "files",
            "runs",
            "files/s",
            "MB/s",
            "run phase only, files/s",
            "client CPU ms/file",
            "sandbox CPU ms/file",
            "requests",
        ],
        [
            [
                s.label,
                f"{s.samples[0].files:,}",
                str(len(s.samples)),
                f"{s.files_per_s:,.1f}",
                f"{s.mb_per_s:,.1f}",
                f"{s.samples[0].files / s.median('run_seconds'):,.1f}"
                if s.median("run_seconds")
                else "–",
                f"{s.cpu_ms_per_file('client_cpu'):.2f}",
                f"{s.cpu_ms_per_file('server_cpu'):.2f}",
                f"{s.median('requests'):,.0f}",
            ]
            for s in (default, wide, reference, naive)
        ],
    )
    return Section(scenario, rows, details, HOW)
