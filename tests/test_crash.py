"""The crash matrix: kill the CLI at named points and at random moments, then recover.

After one recovery run every row is in a final state and the sandbox holds exactly one
assignment per valid row: zero duplicates, zero losses. The workbook is always readable.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from spott_migrate.crashpoints import ENV as CRASH_ENV
from spott_migrate.crashpoints import EXIT_CODE as CRASH_EXIT
from spott_migrate.journal import ManifestLock
from spott_migrate.sandbox import Sandbox

from .helpers import (
    CANARY_KEY,
    ManifestFactory,
    assert_sandbox_matches_manifest,
    cli,
    read_xlsx_column,
    start_run,
)

ROWS = 14  # make_manifest(12, logos=2)


def recover_and_check(sandbox: Sandbox, path: Path) -> None:
    """One clean run finishes the job exactly once."""
    openpyxl.load_workbook(path)  # never corrupt, whatever the moment of the crash
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert CANARY_KEY not in result.stdout + result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == ROWS


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "hit"),
    [
        ("after_upload", 1),
        ("after_upload", 3),
        ("after_assign_sent", 1),
        ("after_assign_sent", 4),
        ("after_assign_ok", 1),
        ("after_assign_ok", 4),
        ("during_workbook_save", 1),  # the one-time backup copy
        ("during_workbook_save", 2),  # the manifest itself
    ],
)
def test_named_crash_point_then_recovery(
    sandbox: Sandbox, make_manifest: ManifestFactory, point: str, hit: int
) -> None:
    path = make_manifest(12, logos=2)
    original = path.read_bytes()
    crashed = cli(
        "run", str(path), "--base-url", sandbox.url, "--quiet", env={CRASH_ENV: f"{point}:{hit}"}
    )
    assert crashed.returncode == CRASH_EXIT, crashed.stderr
    if point == "during_workbook_save":
        assert path.read_bytes() == original  # the old complete version, not a torn one
    recover_and_check(sandbox, path)


@pytest.mark.slow
def test_sigkill_at_random_moments_never_duplicates_or_loses(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    rng = random.Random(20261128)
    for attempt in range(20):
        sandbox.reset()
        sandbox.faults.add("*", "slow", delay=0.04)
        path = make_manifest(12, logos=2, name=f"m{attempt}.xlsx")
        process = start_run(sandbox.url, path, concurrency=2, output=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.6, 2.2))  # python start-up is ~0.7 s; a run ~1 s more
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        sandbox.faults.clear()
        recover_and_check(sandbox, path)


@pytest.mark.slow
def test_ctrl_c_stops_within_seconds_and_writes_back(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("*", "slow", delay=0.3)
    path = make_manifest(12, logos=2)
    process = start_run(sandbox.url, path, concurrency=1, output=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while sandbox.state.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the run is really under way (start-up varies with load)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = process.communicate(timeout=20)
    assert time.monotonic() - started < 8
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert CANARY_KEY not in out + err
    statuses = list(read_xlsx_column(path, "spott_status").values())
    assert "pending" in statuses  # written back before exiting
    with ManifestLock(path):  # released: the next run can start at once
        pass
    sandbox.faults.clear()
    recover_and_check(sandbox, path)
