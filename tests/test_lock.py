"""One writer per manifest, whatever the mode: plain runs, shards and merge exclude each other
where they could send the same rows, over real processes and real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.crashpoints import ENV as CRASH_ENV
from spott_migrate.crashpoints import EXIT_CODE as CRASH_EXIT
from spott_migrate.errors import LockedError
from spott_migrate.journal import ManifestLock, Shard
from spott_migrate.sandbox import Sandbox

from .helpers import CANARY_KEY, ManifestFactory, assert_sandbox_matches_manifest, cli

_HOLDER = """
import sys
from pathlib import Path
from spott_migrate.journal import ManifestLock
tag = sys.argv[2] or None
with ManifestLock(Path(sys.argv[1]), tag):
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def held_elsewhere(path: Path, tag: str | None = None) -> Iterator[subprocess.Popen[str]]:
    """The manifest's lock held by another process (as another run would hold it)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), tag or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def _can_take(path: Path, tag: str | None = None) -> bool:
    try:
        with ManifestLock(path, tag):
            return True
    except LockedError:
        return False


@pytest.mark.parametrize(
    ("held", "wanted", "allowed"),
    [
        (None, None, False),  # two plain runs
        (None, "shard-1-of-2", False),  # a plain run, then a shard
        ("shard-1-of-2", None, False),  # a shard, then a plain run (or merge)
        ("shard-1-of-2", "shard-1-of-2", False),  # the same shard twice
        ("shard-1-of-2", "shard-2-of-2", True),  # the shards of one split, side by side
        ("shard-1-of-2", "shard-1-of-3", False),  # shards of two splits overlap
    ],
)
def test_which_runs_may_share_a_manifest(
    make_manifest: ManifestFactory, held: str | None, wanted: str | None, allowed: bool
) -> None:
    path = make_manifest(1, logos=0)
    with held_elsewhere(path, held):
        assert _can_take(path, wanted) is allowed


def test_a_killed_run_leaves_no_lock_behind(make_manifest: ManifestFactory) -> None:
    path = make_manifest(1, logos=0)
    with held_elsewhere(path, "shard-2-of-2") as holder:
        assert not _can_take(path)
        holder.kill()  # SIGKILL: no clean-up code runs, the operating system drops the lock
        holder.wait()
        assert _can_take(path)
        assert _can_take(path, "shard-2-of-2")


def test_the_refusal_says_who_holds_the_manifest(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    with held_elsewhere(path, "shard-1-of-2"):
        result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
        merged = cli("merge", str(path))
    assert result.returncode == 2
    assert "another run is using this manifest (shard 1/2)" in result.stderr
    assert "Traceback" not in result.stderr
    assert merged.returncode == 2
    assert sandbox.state.count() == 0


def test_a_plain_run_beside_a_running_shard_sends_nothing_twice(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    """The story of issue 10: a shard runs; someone starts a plain run of the same manifest."""
    path = make_manifest(12, logos=2)
    sandbox.faults.add("*", "slow", delay=0.8)  # keeps the shard busy for a while
    shard = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spott_migrate",
            "run",
            str(path),
            "--base-url",
            sandbox.url,
            "--quiet",
            "--shard",
            "1/2",
            "--concurrency",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPOTT_API_KEY": CANARY_KEY},
    )
    deadline = time.monotonic() + 60
    while sandbox.state.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    plain = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert plain.returncode == 2, plain.stdout + plain.stderr
    assert "another run is using this manifest" in plain.stderr
    assert shard.poll() is None  # the refusal came while the shard was still at work
    shard.communicate(timeout=120)
    sandbox.faults.clear()
    # The rest, done afterwards: every file exactly once.
    for step in (
        lambda: migrate(path, settings=settings, shard=Shard(2, 2)),
        lambda: migrate(path, settings=settings),
    ):
        step()
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 14


def test_a_plain_run_acts_on_what_a_shard_journaled(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    """A shard killed after its assigns went out: the plain run that follows checks Spott for
    those rows (the shard's journal says assign_sent) instead of sending them again."""
    path = make_manifest(8, per_candidate=1, logos=0)
    crashed = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--quiet",
        "--shard",
        "1/2",
        env={CRASH_ENV: "after_assign_ok:2"},
    )
    assert crashed.returncode == CRASH_EXIT, crashed.stderr
    assert len(sandbox.state.attachments()) == 2  # two assigns went through, unconfirmed
    migrate(path, settings=settings)
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 8
