"""The adaptive rate over real HTTP, against a sandbox playing a real tenant's network.

Stray 429s (a key shared with other integrations) must not drag the run far under its ceiling;
a real limit below the ceiling must be found and kept to closely. Either way every row is
assigned exactly once. The rates are read from the sandbox's own request log.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.sandbox import LogEntry, Sandbox, network_faults

from .conftest import CANARY_KEY
from .files import pdf_bytes, write
from .helpers import write_csv
from .test_migrate_e2e import assert_sandbox_matches_manifest

CANDIDATES = 300


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox with enough candidates for a few hundred one-file rows."""
    records = {
        "candidates": [
            {"id": f"cand-{i}", "firstName": "Net", "lastName": f"Work{i}"}
            for i in range(1, CANDIDATES + 1)
        ]
    }
    with Sandbox(records=records, api_key=CANARY_KEY) as sb:
        yield sb


def one_file_candidates(folder: Path, count: int) -> Path:
    """A CSV manifest of ``count`` CVs, each for its own candidate, each with its own content."""
    rows = []
    for i in range(1, count + 1):
        path = write(folder / "files" / f"cv-{i:04d}.pdf", pdf_bytes(f"candidate {i}"))
        rows.append((f"files/{path.name}", "CV", f"cand-{i}", None, None, None))
    return write_csv(folder / "manifest.csv", rows)


def run(sandbox: Sandbox, manifest: Path, per_minute: float) -> dict[str, int]:
    """One migration with the library's defaults, but the given ceiling; row statuses."""
    settings = Settings(
        base_url=sandbox.url,
        api_key=CANARY_KEY,
        requests_per_minute=per_minute,
        read_timeout=10.0,
        checkpoint_seconds=3600,
    )
    return migrate(manifest, settings=settings).statuses


def per_second(log: list[LogEntry], *, accepted_only: bool = False) -> list[int]:
    """Requests answered in each whole second of the run, the last partial second left out."""
    times = [e.at.timestamp() for e in log if not accepted_only or e.status != 429]
    start = min(e.at.timestamp() for e in log)
    seconds = int(max(times) - start)
    counts = [0] * seconds
    for at in times:
        second = int(at - start)
        if second < seconds:
            counts[second] += 1
    return counts


def longest_run_below(counts: list[int], level: float) -> int:
    longest = current = 0
    for count in counts:
        current = current + 1 if count < level else 0
        longest = max(longest, current)
    return longest


def assert_exactly_once(sandbox: Sandbox, manifest: Path, statuses: dict[str, int], n: int) -> None:
    assert statuses == {"assigned": n}  # zero failed or pending rows
    assert_sandbox_matches_manifest(sandbox, manifest)  # each file on its record, once
    assert len(sandbox.state.attachments()) == n


def check_strays(sandbox: Sandbox, tmp_path: Path, rows: int, latency: tuple[float, float]) -> None:
    ceiling = 3000  # 50 a second
    sandbox.faults.extend(network_faults(latency=latency, stray_429=0.03, seed=16))
    manifest = one_file_candidates(tmp_path, rows)
    statuses = run(sandbox, manifest, ceiling)
    assert_exactly_once(sandbox, manifest, statuses, rows)
    log = sandbox.state.log()
    assert sandbox.state.count(status=429) >= 3  # the strays really came
    counts = per_second(log)
    # A second or two under half while the window opens, or after an unlucky cluster; no more.
    assert longest_run_below(counts[1:], ceiling / 60 / 2) <= 2, counts


def check_limit(sandbox: Sandbox, tmp_path: Path, rows: int, latency: tuple[float, float]) -> None:
    limit = 1200  # 20 a second, enforced by the sandbox over every endpoint
    sandbox.faults.extend(network_faults(latency=latency, per_minute=limit, seed=16))
    manifest = one_file_candidates(tmp_path, rows)
    statuses = run(sandbox, manifest, 3000)  # the ceiling given is far above the limit
    assert_exactly_once(sandbox, manifest, statuses, rows)
    log = sandbox.state.log()
    accepted = per_second(log, accepted_only=True)
    settled = accepted[3:-1]  # after the limit is first found, before the last few rows
    assert sum(settled) / len(settled) >= 0.9 * limit / 60, accepted
    refused = sandbox.state.count(status=429)
    assert refused <= 0.2 * len(log)  # found and kept to, not hammered


def test_stray_429s_do_not_drag_the_rate_under_half_the_ceiling(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    check_strays(sandbox, tmp_path, 300, latency=(0, 0.04))


def test_a_real_limit_under_the_ceiling_is_found_and_kept_to(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    check_limit(sandbox, tmp_path, 200, latency=(0, 0.04))


@pytest.mark.slow
def test_stray_429s_with_the_jitter_of_a_real_network(sandbox: Sandbox, tmp_path: Path) -> None:
    check_strays(sandbox, tmp_path, CANDIDATES, latency=(0, 0.2))


@pytest.mark.slow
def test_a_real_limit_with_the_jitter_of_a_real_network(sandbox: Sandbox, tmp_path: Path) -> None:
    check_limit(sandbox, tmp_path, CANDIDATES, latency=(0, 0.2))


def most_at_once(log: list[LogEntry]) -> int:
    """The most requests the sandbox was handling at one moment."""
    events = []
    for entry in log:
        answered = entry.at.timestamp()
        events += [(answered - entry.elapsed, 1), (answered, -1)]
    most = current = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):  # an end before a start
        current += step
        most = max(most, current)
    return most


def test_refused_requests_rest_without_more_than_the_concurrency_on_the_wire(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # Many strays: steps resting out a Retry-After give up their places, yet the requests on
    # the wire stay within --concurrency when they wake up.
    sandbox.faults.extend(network_faults(latency=(0.02, 0.06), stray_429=0.15, seed=3))
    manifest = one_file_candidates(tmp_path, 60)
    settings = Settings(
        base_url=sandbox.url,
        api_key=CANARY_KEY,
        requests_per_minute=6000,
        concurrency=2,
        read_timeout=10.0,
        checkpoint_seconds=3600,
    )
    statuses = migrate(manifest, settings=settings).statuses
    assert_exactly_once(sandbox, manifest, statuses, 60)
    log = sandbox.state.log()
    assert sandbox.state.count(status=429) >= 5  # the strays really came, and were retried
    assert most_at_once(log) <= 2
