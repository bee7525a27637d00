"""The fault matrix: every failure the network or the server can throw at a run, over real HTTP.

After each, every valid row ends in a final state, the sandbox holds exactly one assignment per
assigned row, and nothing was assigned twice.
"""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.journal import Journal, State, journal_path
from spott_migrate.sandbox import Sandbox

from .files import pdf_bytes, write
from .helpers import (
    CANARY_KEY,
    ManifestFactory,
    assert_sandbox_matches_manifest,
    read_xlsx_column,
    write_xlsx,
)


def run_all_assigned(path: Path, settings: Settings, sandbox: Sandbox, n: int) -> None:
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": n}, report.results
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == n  # no duplicates anywhere


@pytest.mark.parametrize(
    "retry_after",
    ["0", "1", email.utils.formatdate(time.time() + 1, usegmt=True), None, "soon-ish"],
    ids=["zero", "seconds", "http-date", "missing", "garbage"],
)
@pytest.mark.parametrize("endpoint", ["upload", "assign"])
def test_429_variants_are_waited_out(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    retry_after: str | None,
    endpoint: str,
) -> None:
    sandbox.faults.add(endpoint, "status_before", status=429, retry_after=retry_after, times=2)
    path = make_manifest(4, logos=0)
    started = time.monotonic()
    run_all_assigned(path, settings.with_(retry_after_cap=5), sandbox, 4)
    assert sandbox.state.count(endpoint, status=429) == 2
    if retry_after == "1":
        assert time.monotonic() - started >= 1.0  # the server's wait was honoured


def test_429_with_a_too_long_retry_after_defers_the_row_and_keeps_it_pending(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "status_before", status=429, retry_after="3600")
    path = make_manifest(2, logos=0)
    started = time.monotonic()
    report = migrate(path, settings=settings.with_(retry_after_cap=0.2, max_attempts=2))
    assert time.monotonic() - started < 30  # never sat out the hour
    assert report.statuses == {"pending": 2}
    assert sandbox.state.attachments() == []
    sandbox.faults.clear()
    run_all_assigned(path, settings, sandbox, 2)


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("endpoint", ["upload", "assign"])
def test_5xx_before_processing_is_recovered(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, status: int, endpoint: str
) -> None:
    sandbox.faults.add(endpoint, "status_before", status=status, times=2)
    run_all_assigned(make_manifest(4, logos=1), settings, sandbox, 5)


@pytest.mark.parametrize("status", [500, 504])
def test_assign_processed_but_answer_lost_is_never_sent_twice(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, status: int
) -> None:
    sandbox.faults.add("assign", "status_after", status=status, every=2)
    run_all_assigned(make_manifest(8, per_candidate=2, logos=0), settings, sandbox, 8)
    # 4 records, 4 assigns; each lost answer cost a listing, never a second assign
    assert sandbox.state.count("assign") == 4


def test_connection_dropped_mid_upload_is_retried(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "drop_before", times=2)
    sandbox.faults.add("upload", "drop_after", times=1, after=2)
    run_all_assigned(make_manifest(6, logos=1), settings, sandbox, 7)


def test_connection_dropped_after_assign_is_checked_not_resent(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("assign", "drop_after", times=2)
    run_all_assigned(make_manifest(4, per_candidate=2, logos=0), settings, sandbox, 4)
    assert sandbox.state.count("assign") == 2


def test_slow_response_past_the_read_timeout(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "slow", delay=1.5, times=1)
    sandbox.faults.add("assign", "slow", delay=1.5, times=1)
    run_all_assigned(make_manifest(4, logos=0), settings.with_(read_timeout=0.5), sandbox, 4)
    assert sandbox.state.count("assign") <= 3  # the slow one was checked, not blindly repeated


@pytest.mark.parametrize("endpoint", ["upload", "assign"])
def test_truncated_json_answer(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, endpoint: str
) -> None:
    sandbox.faults.add(endpoint, "bad_json", times=2)
    run_all_assigned(make_manifest(4, logos=0), settings, sandbox, 4)


def test_one_bad_file_rejecting_its_batch_fails_alone(settings: Settings, tmp_path: Path) -> None:
    # The server is stricter than our validation here: it takes at most 5,000 bytes a file.
    with Sandbox(
        records={"candidates": [{"id": "c1"}]}, api_key=CANARY_KEY, max_file_bytes=5000
    ) as sb:
        rows = []
        for i in range(5):
            write(tmp_path / f"f{i}.pdf", pdf_bytes(f"doc {i}", pad=8000 if i == 2 else i))
            rows.append((f"f{i}.pdf", "CV", "c1", None, None, None))
        path = write_xlsx(tmp_path / "m.xlsx", rows)
        report = migrate(path, settings=settings.with_(base_url=sb.url))
        assert report.statuses == {"assigned": 4, "failed": 1}
        errors = read_xlsx_column(path, "spott_error")
        assert str(errors[4]).startswith("upload_rejected:") and "413" in str(errors[4])
        assert sb.state.count("upload", status=413) == 2  # the batch, then the file alone
        assert len(sb.state.attachments()) == 4


def test_expired_temporary_upload_is_uploaded_again(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, per_candidate=2, logos=0)
    # First run: uploads succeed, then the key is revoked before the assigns.
    sandbox.faults.add("assign", "status_before", status=401)
    first = migrate(path, settings=settings)
    assert first.run.stopped == "fatal"
    states = {e.state for e in Journal(journal_path(path), "Attachments").entries().values()}
    assert states <= {State.UPLOADED, State.ASSIGN_SENT}  # nothing assigned, nothing lost
    # The temporary uploads expire while nobody looks.
    sandbox.faults.clear()
    sandbox.state.expire()
    uploads_before = sandbox.state.count("upload")
    run_all_assigned(path, settings, sandbox, 4)
    assert sandbox.state.count("assign", status=404) == 2  # the stale ids, once per record
    # one fresh upload per record and type (each record has a CV and a cover letter)
    assert sandbox.state.count("upload") == uploads_before + 4


def test_401_after_some_rows_succeeded(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("assign", "status_before", status=401, after=2)
    path = make_manifest(10, per_candidate=1, logos=0)
    report = migrate(path, settings=settings.with_(concurrency=1))
    assert report.run.stopped == "fatal" and report.exit_code == 2
    statuses = read_xlsx_column(path, "spott_status")
    assert list(statuses.values()).count("assigned") == 2
    assert set(statuses.values()) == {"assigned", "pending"}
    assert_sandbox_matches_manifest(sandbox, path)
    sandbox.faults.clear()
    run_all_assigned(path, settings, sandbox, 10)


def test_unknown_record_fails_that_row_only(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    write(tmp_path / "files" / "ghost.pdf", pdf_bytes("ghost"))
    path = make_manifest(
        3, logos=0, extra_rows=[("files/ghost.pdf", "CV", "cand-404", None, None, None)]
    )
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 3, "failed": 1}
    error = read_xlsx_column(path, "spott_error")[5]
    assert str(error).startswith("target_not_found:")
    assert_sandbox_matches_manifest(sandbox, path)


def test_a_fifth_of_all_requests_failing_still_assigns_every_row_exactly_once(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    rules = [
        ("upload", "status_before", {"status": 503}),
        ("upload", "drop_before", {}),
        ("upload", "status_before", {"status": 429, "retry_after": "0"}),
        ("assign", "status_after", {"status": 504}),
        ("assign", "status_before", {"status": 502}),
        ("assign", "drop_after", {}),
        ("list", "status_before", {"status": 503}),
    ]
    for seed, (endpoint, kind, extra) in enumerate(rules):
        sandbox.faults.add(endpoint, kind, probability=0.12, seed=seed, **extra)
    path = make_manifest(60, per_candidate=3, logos=4)
    run_all_assigned(path, settings.with_(max_attempts=8), sandbox, 64)
    failed = sum(1 for e in sandbox.state.log() if e.status is None or e.status >= 400)
    assert failed >= 0.2 * len(sandbox.state.log())


def test_a_rate_limited_server_is_met_with_a_lower_rate_not_failures(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    # The server takes 5 requests a second per endpoint and answers 429 (Retry-After: 1) above.
    sandbox.faults.add("*", "rate_limit", rate=5)
    path = make_manifest(20, per_candidate=1, logos=0)
    report = migrate(path, settings=settings.with_(requests_per_minute=60_000, retry_after_cap=5))
    assert report.statuses == {"assigned": 20}
    assert sandbox.state.count(status=429) >= 1  # the limit was really hit…
    assert_sandbox_matches_manifest(sandbox, path)  # …and nothing was lost or doubled
    assert len(sandbox.state.attachments()) == 20
