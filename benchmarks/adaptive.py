"""Against a rate limit: the library finding it by itself vs a run hand-set to it.

The sandbox answers 429 (``Retry-After: 1``) to any request above ``rate`` per second (a
sliding one-second window over every endpoint). The hand-set run is told the rate with
``requests_per_minute`` and does not adapt; the adaptive one has its ceiling raised far above
the limit and the library's defaults otherwise.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence
from pathlib import Path

from benchmarks.datagen import BenchFile, write_manifest
from benchmarks.measure import measured, say
from benchmarks.report import INFO, Row, Section, verdict
from benchmarks.server import BenchServer, status_counts
from spott_migrate import Settings, migrate

TARGET_SLOWDOWN = 1.20
HAS_ADAPTIVE = "adaptive" in {f.name for f in dataclasses.fields(Settings)}


@dataclasses.dataclass
class Outcome:
    """One rate-limited run."""

    seconds: float
    failed: int
    statuses: dict[str, int]
    requests: int
    throttled: int


def _settings(server: BenchServer, rate: float, adaptive: bool) -> Settings:
    values: dict[str, object] = {"base_url": server.url, "api_key": server.api_key}
    if adaptive:
        values["requests_per_minute"] = 1e7
    else:
        values["requests_per_minute"] = rate * 60
        if HAS_ADAPTIVE:
            values["adaptive"] = False
    return Settings(**values)  # type: ignore[arg-type]


def _one(
    server: BenchServer, files: Sequence[BenchFile], run_dir: Path, rate: float, adaptive: bool
) -> Outcome:
    manifest = write_manifest(run_dir / "manifest.csv", files)
    server.reset()
    server.add_faults({"endpoint": "*", "kind": "rate_limit", "rate": rate})
    with measured(server.cpu_seconds) as sample:
        report = migrate(manifest, settings=_settings(server, rate, adaptive))
    throttled = status_counts(server.state()).get(429, 0)
    failed = len(files) - report.statuses.get("assigned", 0)
    return Outcome(sample.seconds, failed, report.statuses, report.run.requests_sent, throttled)


def run_adaptive(
    server: BenchServer, files: Sequence[BenchFile], runs_dir: Path, *, rate: float, trials: int
) -> Section:
    """Hand-set and adaptive runs, interleaved ``trials`` times; medians of the times."""
    runs: dict[bool, list[Outcome]] = {False: [], True: []}
    for trial in range(trials):
        for adaptive in (False, True) if trial % 2 == 0 else (True, False):
            name = "adaptive" if adaptive else "hand-set"
            out = _one(server, files, runs_dir / f"rate-{name}-{trial}", rate, adaptive)
            runs[adaptive].append(out)
            say(
                f"rate limit {rate:g}/s, {name} trial {trial + 1}/{trials}: {out.seconds:.1f} s,"
                f" {out.requests} requests, {out.throttled} answered 429, rows {out.statuses}"
            )
    server.reset()
    hand = statistics.median(o.seconds for o in runs[False])
    auto = statistics.median(o.seconds for o in runs[True])
    failed = max(o.failed for o in runs[True])
    ideal = statistics.median(o.requests for o in runs[True]) / rate
    slowdown = auto / hand
    scenario = f"rate limit ({len(files):,} small files, sandbox 429s above {rate:g} req/s)"
    mode = "`Settings.adaptive` on (the default)" if HAS_ADAPTIVE else "library defaults"

    def summary(outs: list[Outcome]) -> str:
        return ", ".join(f"{o.seconds:.1f} s / {o.throttled} × 429" for o in outs)

    rows = [
        Row(
            scenario,
            f"failed or pending rows, adaptive run ({mode}, ceiling 1e7/min)",
            f"{failed} of {len(files):,}" + (f" (worst of {trials} runs)" if trials > 1 else ""),
            "0",
            verdict(failed == 0),
        ),
        Row(
            scenario,
            f"adaptive time / hand-set time (`requests_per_minute={rate * 60:g}`)",
            f"{slowdown:.2f}× ({auto:.1f} s vs {hand:.1f} s, medians)",
            f"≤ {TARGET_SLOWDOWN:.2f}×",
            verdict(slowdown <= TARGET_SLOWDOWN and failed == 0),
        ),
        Row(
            scenario,
            "adaptive time / ideal time (requests sent ÷ rate)",
            f"{auto / ideal:.2f}× ({ideal:.1f} s)",
            "–",
            INFO,
        ),
        Row(scenario, "runs: time / 429 answers, adaptive", summary(runs[True]), "–", INFO),
        Row(scenario, "runs: time / 429 answers, hand-set", summary(runs[False]), "–", INFO),
    ]
    how = (
        f"the sandbox's `rate_limit` fault on every endpoint at {rate:g} requests per second"
        " (429 with `Retry-After: 1` above it, in a sliding one-second window); one file per"
        " candidate, so about 1.1 requests per file. The hand-set run has"
        f" `requests_per_minute={rate * 60:g}`"
        + (" and `adaptive=False`" if HAS_ADAPTIVE else "")
        + "; the adaptive run `requests_per_minute=1e7` and library defaults otherwise."
        f" {trials} run(s) of each, interleaved; medians. 429s counted in the sandbox's log."
    )
    return Section(scenario, rows, how=how)
