"""On a network like a real tenant's: jittered latency, stray 429s/5xx, a real limit, lost answers.

Three scenarios of one-file candidates, each run with several seeds (the sandbox's random rules
draw from them):

- **strays**: latency uniform 0-200 ms; 1.5 % of requests refused with 429 (``Retry-After: 1``)
  and 1.5 % with 503 before processing, as from a key shared with other integrations. The limit
  in force is the run's own ceiling, ``requests_per_minute=1200``.
- **limit**: the same latency, and the sandbox enforces 1,200 requests a minute over every
  endpoint (20 in any second, 429 with a computed ``Retry-After`` above) while the run is given
  ``requests_per_minute=3000``. The limit counts only what it accepted.
- **recovery**: latency uniform 0-150 ms; 2.5 % 429 and 2.5 % 503 before processing, 5 % of
  answers lost after processing. A CLI run with default settings (500/min) is killed with
  SIGKILL once a quarter of the rows are assigned; the recovery run (the CLI again) is measured.

The result is the share of the bound: the time the requests the limit counts would take at
exactly the limit, over the time from the run's first request to its last answer, both read
from the sandbox's log (reading the manifest, planning and interpreter start-up are not the
network's; the whole run's time is shown too). Every trial must end with each row assigned
exactly once, checked in the sandbox.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.datagen import BenchFile, write_manifest
from benchmarks.measure import say
from benchmarks.report import INFO, Row, Section, verdict
from benchmarks.server import BenchServer
from spott_migrate import Settings, migrate
from spott_migrate.sandbox import network_faults
from spott_migrate.spott_api import API_KEY_ENV

WORST_TARGET = 0.85
MEDIAN_TARGET = 0.92
KILL_AT = 0.25  # share of rows assigned when the first run is killed


@dataclass
class Trial:
    """One seeded run of a scenario."""

    seed: int
    seconds: float  # first request to last answer, in the sandbox's log
    wall: float  # the whole command or call
    requests: int  # requests the sandbox saw from the run, retries included
    counted: int  # of those, the ones the limit in force counts
    refused: int  # answered 429 (sandbox log)
    wrong: int  # rows not assigned exactly once
    limit_per_minute: float

    @property
    def share(self) -> float:
        """Share of the bound: ideal time at the limit / the time the requests took."""
        return self.counted / (self.limit_per_minute / 60) / self.seconds if self.seconds else 0.0


def _wrong_rows(state: Mapping[str, Any], files: Sequence[BenchFile]) -> int:
    """Rows whose record does not hold exactly one attachment (lost or doubled)."""
    got: dict[str, int] = {}
    for group in state["assignments"]:
        got[group["recordId"]] = got.get(group["recordId"], 0) + len(group["attachmentIds"])
    expected = {f.target_id for f in files}
    return sum(1 for r in expected if got.get(r, 0) != 1) + len(set(got) - expected)


def _requests_since(state: Mapping[str, Any], since: float) -> tuple[float, int, int]:
    """Seconds from the first request started after ``since`` (epoch) to the last answer, the
    requests and the 429s among them."""
    spans = []
    refused = 0
    for entry in state["log"]:
        answered = dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()
        started = answered - entry["elapsed"]
        if started >= since:
            spans.append((started, answered))
            refused += entry["status"] == 429
    if not spans:
        return 0.0, 0, 0
    return max(a for _, a in spans) - min(s for s, _ in spans), len(spans), refused


def _fresh_manifest(run_dir: Path, files: Sequence[BenchFile]) -> Path:
    """A new manifest in an empty folder: no journal, no results from an earlier trial."""
    shutil.rmtree(run_dir, ignore_errors=True)
    return write_manifest(run_dir / "manifest.csv", files)


def _library_trial(
    server: BenchServer,
    files: Sequence[BenchFile],
    run_dir: Path,
    seed: int,
    *,
    faults: list[dict[str, Any]],
    per_minute: float,
    limit_per_minute: float,
    server_limit: bool,
    adaptive: bool,
) -> Trial:
    manifest = _fresh_manifest(run_dir, files)
    server.reset()
    server.add_faults(*faults)
    settings = Settings(
        base_url=server.url,
        api_key=server.api_key,
        requests_per_minute=per_minute if adaptive else limit_per_minute,
        adaptive=adaptive,
    )
    started, since = time.perf_counter(), time.time()
    report = migrate(manifest, settings=settings)
    wall = time.perf_counter() - started
    state = server.state()
    seconds, requests, refused = _requests_since(state, since - 1)
    # A server-side limit counts what it accepted; the run's own ceiling counts every request.
    counted = requests - refused if server_limit else requests
    unassigned = len(files) - report.statuses.get("assigned", 0)
    wrong = max(unassigned, _wrong_rows(state, files))
    return Trial(seed, seconds, wall, requests, counted, refused, wrong, limit_per_minute)


def _strays(
    server: BenchServer, files: Sequence[BenchFile], run_dir: Path, seed: int, adaptive: bool
) -> Trial:
    faults = network_faults(latency=(0, 0.2), stray_429=0.015, stray_5xx=0.015, seed=seed)
    return _library_trial(
        server,
        files,
        run_dir,
        seed,
        faults=faults,
        per_minute=1200,
        limit_per_minute=1200,
        server_limit=False,
        adaptive=adaptive,
    )


def _limit(
    server: BenchServer, files: Sequence[BenchFile], run_dir: Path, seed: int, adaptive: bool
) -> Trial:
    faults = network_faults(latency=(0, 0.2), per_minute=1200, seed=seed)
    return _library_trial(
        server,
        files,
        run_dir,
        seed,
        faults=faults,
        per_minute=3000,
        limit_per_minute=1200,
        server_limit=True,
        adaptive=adaptive,
    )


def _cli(server: BenchServer, manifest: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "spott_migrate", "run", str(manifest)]
    command += ["--base-url", server.url, "--quiet"]
    env = {**os.environ, API_KEY_ENV: server.api_key}
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _kill_partway(server: BenchServer, manifest: Path, rows: int) -> int:
    """Start a CLI run, SIGKILL it once ``KILL_AT`` of the rows are assigned; rows assigned."""
    process = _cli(server, manifest)
    deadline = time.monotonic() + 300
    assigned = 0
    try:
        while time.monotonic() < deadline and process.poll() is None:
            assigned = len(server.state()["attachments"])
            if assigned >= KILL_AT * rows:
                break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    return len(server.state()["attachments"])


def _recovery(
    server: BenchServer, files: Sequence[BenchFile], run_dir: Path, seed: int, adaptive: bool
) -> Trial:
    assert adaptive, "the recovery run uses the CLI's defaults"
    manifest = _fresh_manifest(run_dir, files)
    server.reset()
    faults = network_faults(
        latency=(0, 0.15), stray_429=0.025, stray_5xx=0.025, lost=0.05, seed=seed
    )
    server.add_faults(*faults)
    before = _kill_partway(server, manifest, len(files))
    say(f"  killed with {before} of {len(files)} rows assigned")
    started, since = time.perf_counter(), time.time()
    process = _cli(server, manifest)
    out, err = process.communicate(timeout=1200)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"recovery run failed ({process.returncode}): {(out + err)[-400:]}")
    state = server.state()
    seconds, requests, refused = _requests_since(state, since)
    limit = Settings().requests_per_minute  # the CLI's default
    wrong = _wrong_rows(state, files)
    return Trial(seed, seconds, wall, requests, requests, refused, wrong, limit)


# name: (label, one trial, whether a hand-set run is measured beside it)
SCENARIOS: dict[str, tuple[str, Callable[..., Trial], bool]] = {
    "strays": ("jitter 0-200 ms + 3 % stray 429/503, ceiling 1,200/min", _strays, True),
    "limit": ("jitter 0-200 ms + a real limit of 1,200/min, `--rate 3000`", _limit, True),
    "recovery": (
        "recovery after SIGKILL: jitter 0-150 ms, 5 % 429/503, 5 % lost answers, 500/min",
        _recovery,
        False,
    ),
}


def _trials_row(scenario: str, what: str, trials: Sequence[Trial]) -> Row:
    return Row(
        scenario,
        f"trials{what}: share, first request to last answer, requests (× 429), whole run",
        "; ".join(
            f"{t.share:.0%}, {t.seconds:.1f} s, {t.requests} ({t.refused}), {t.wall:.1f} s"
            for t in trials
        ),
        "–",
        INFO,
    )


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _long_limit_rows(server: BenchServer, files: Sequence[BenchFile], runs_dir: Path) -> list[Row]:
    """The real limit once more over a longer run (seed 1, adaptive and hand-set): what finding
    the limit costs is paid once, so its share shrinks as the run grows."""
    scenario = f"real network, a real limit of 1,200/min, longer run ({len(files):,} candidates)"
    shares = {}
    for adaptive in (True, False):
        name = "adaptive" if adaptive else "hand-set"
        trial = _limit(server, files, runs_dir / f"network-long-{name}", 1, adaptive)
        say(f"network limit, long run, {name}: {trial.share:.0%} of the bound")
        shares[name] = f"{trial.share:.0%} ({trial.seconds:.0f} s, wrong rows {trial.wrong})"
    result = f"{shares['adaptive']}; hand-set {shares['hand-set']}"
    return [Row(scenario, "share of the bound, seed 1: adaptive; hand-set", result, "–", INFO)]


def run_network(
    server: BenchServer,
    files: Sequence[BenchFile],
    runs_dir: Path,
    *,
    seeds: int,
    long_files: Sequence[BenchFile] = (),
) -> Section:
    """Every scenario with ``seeds`` seeds; one PASS/FAIL row per scenario, and the trials.
    With ``long_files``, the real limit once more over that many candidates (for information)."""
    rows: list[Row] = []
    notes = [f"load average at the start of this section: {_load()}"]
    for key, (label, one, with_reference) in SCENARIOS.items():
        scenario = f"real network, {label} ({len(files)} one-file candidates)"
        trials: list[Trial] = []
        references: list[Trial] = []
        for seed in range(1, seeds + 1):
            ways = [True, False] if with_reference else [True]
            for adaptive in ways if seed % 2 else ways[::-1]:  # interleaved
                name = "adaptive" if adaptive else "hand-set"
                trial = one(
                    server, files, runs_dir / f"network-{key}-{name}-{seed}", seed, adaptive
                )
                (trials if adaptive else references).append(trial)
                say(
                    f"network {key} {name} seed {seed}: {trial.share:.0%} of the bound,"
                    f" {trial.requests} requests ({trial.refused} × 429) in"
                    f" {trial.seconds:.1f} s (whole run {trial.wall:.1f} s),"
                    f" wrong rows {trial.wrong}"
                )
        shares = [t.share for t in trials]
        worst, median = min(shares), statistics.median(shares)
        wrong = max(t.wrong for t in trials)
        ok = worst >= WORST_TARGET and median >= MEDIAN_TARGET and wrong == 0
        rows += [
            Row(
                scenario,
                f"share of the bound, worst / median of {seeds} seeds",
                f"{worst:.0%} / {median:.0%}",
                f"≥ {WORST_TARGET:.0%} / ≥ {MEDIAN_TARGET:.0%}",
                verdict(ok),
            ),
            Row(
                scenario,
                "rows not assigned exactly once (worst seed)",
                str(wrong),
                "0",
                verdict(wrong == 0),
            ),
            _trials_row(scenario, "", trials),
        ]
        if references:
            shares = [t.share for t in references]
            rows += [
                Row(
                    scenario,
                    "reference: hand-set to the limit (`adaptive=False`), worst / median",
                    f"{min(shares):.0%} / {statistics.median(shares):.0%}"
                    f" (wrong rows: {max(t.wrong for t in references)})",
                    "–",
                    INFO,
                ),
                _trials_row(scenario, ", hand-set", references),
            ]
    if long_files:
        rows += _long_limit_rows(server, long_files, runs_dir)
    server.reset()
    notes.append(f"load average at the end of this section: {_load()}")
    how = (
        "one-file candidates (20 KB PDFs), about 1.1 requests per file; the sandbox in its own"
        " process (uvloop), its faults set over `/_sandbox/faults` from"
        " `spott_migrate.sandbox.network_faults`, seeded 1.."
        f"{seeds}. **strays**: latency uniform 0–200 ms, 1.5 % of requests refused with 429"
        " (`Retry-After: 1`) and 1.5 % with 503 before processing; the limit in force is the"
        " run's own ceiling, `requests_per_minute=1200`. **limit**: the same latency, the sandbox"
        " allows 1,200 requests a minute over every endpoint (20 in any second; 429 with a"
        " computed `Retry-After` above) while the run has `requests_per_minute=3000`; the limit"
        " counts only what it accepted. **recovery**: latency 0–150 ms, 2.5 % 429 and 2.5 % 503"
        " before processing, 5 % of answers lost after processing; a CLI run with default"
        " settings (500/min) is killed with SIGKILL once a quarter of the rows are assigned, and"
        " the CLI's recovery run is measured. For strays and limit a run hand-set to the limit"
        " (`requests_per_minute=1200, adaptive=False`) is measured beside each adaptive one,"
        " interleaved: what this executor reaches on this network when told the limit; the"
        " longer run repeats the real limit over more candidates (seed 1), since finding the"
        " limit is a cost paid once per run. Share of"
        " the bound = (requests the limit counts ÷ the limit) ÷ the time from the run's first"
        " request to its last answer, both from the"
        " sandbox's log (reading the manifest, planning and interpreter start-up are left out;"
        " the whole run's time is in the trials row). Every trial is checked in the sandbox:"
        " each record holds exactly its one file, once."
    )
    return Section("real network", rows, how=how, notes=notes)
