"""One plan per run: what a dry run shows is what the run carries out, also for rows an earlier
run left half-done (their records are looked up first, in the plan, not in a hidden step)."""

from __future__ import annotations

from spott_migrate import Settings, check, migrate
from spott_migrate.crashpoints import ENV as CRASH_ENV
from spott_migrate.crashpoints import EXIT_CODE as CRASH_EXIT
from spott_migrate.sandbox import Sandbox

from .helpers import ManifestFactory, assert_sandbox_matches_manifest, cli


def test_the_dry_run_plan_is_the_plan_that_runs(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(8, per_candidate=2, logos=0)
    crashed = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--quiet",
        "--concurrency",
        "1",
        env={CRASH_ENV: "after_assign_ok:1"},
    )
    assert crashed.returncode == CRASH_EXIT, crashed.stderr
    assert len(sandbox.state.attachments()) == 2  # one record's assign went through, unconfirmed
    before = sandbox.state.counts()

    dry = check(path, settings=settings).plan
    assert len(dry.lookups) >= 1  # the records whose assign is in doubt: looked up first
    looked_up = {job.row_key for lookup in dry.lookups for job in lookup.jobs}
    assert looked_up <= dry.assign_only  # their uploads are still good: only assigns are left
    report = migrate(path, settings=settings)
    assert report.check.plan.summary() == dry.summary()  # the very plan the dry run showed
    sent = {k: v - before.get(k, 0) for k, v in sandbox.state.counts().items()}
    assert sent.get("list", 0) == len(dry.lookups)
    uploads, assigns = dry.counts()
    assert sent.get("upload", 0) == uploads
    # The record Spott already held drops out of its assign; every other planned one goes.
    assert sent.get("assign", 0) == assigns - 1
    assert report.statuses == {"assigned": 8}
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 8


def test_a_dry_run_names_its_look_ups(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(4, per_candidate=2, logos=0)
    crashed = cli(
        "run", str(path), "--base-url", sandbox.url, "--quiet", env={CRASH_ENV: "after_upload:1"}
    )
    assert crashed.returncode == CRASH_EXIT, crashed.stderr
    dry = cli("run", str(path), "--base-url", sandbox.url, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "looked up in Spott first" in dry.stdout
