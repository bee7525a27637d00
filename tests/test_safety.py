"""One run per manifest, and results that survive a workbook that cannot be written."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.errors import LockedError
from spott_migrate.journal import Journal, ManifestLock, State, journal_path, lock_path
from spott_migrate.sandbox import Sandbox

from .conftest import ManifestFactory
from .helpers import read_xlsx_column
from .test_cli import cli


def test_a_second_run_on_the_same_manifest_is_refused(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    with ManifestLock(path):
        result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 2
    assert "another run is using this manifest" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert sandbox.state.count() == 0


def test_a_lock_left_by_a_killed_run_is_cleared(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock_path(path).write_text(
        json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": time.time() - 60})
    )
    assert migrate(path, settings=settings).statuses == {"assigned": 2}
    assert not lock_path(path).exists()


def test_a_live_lock_from_another_host_is_respected_until_it_is_old(
    settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(1, logos=0)
    lock_path(path).write_text(json.dumps({"pid": 1, "host": "elsewhere", "started": time.time()}))
    with pytest.raises(LockedError, match="elsewhere"):
        migrate(path, settings=settings)
    lock_path(path).write_text(json.dumps({"pid": 1, "host": "elsewhere", "started": 0}))
    migrate(path, settings=settings)


def test_unwritable_workbook_keeps_results_in_the_journal(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_manifest(3, logos=0)
    original = path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "The file is open in another program")

    monkeypatch.setattr(os, "replace", refuse)
    report = migrate(path, settings=settings)
    monkeypatch.undo()
    assert report.exit_code == 2
    assert report.write_error is not None and str(journal_path(path)) in report.write_error
    assert path.read_bytes() == original  # untouched
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".") and "tmp" in p.name]
    with Journal(journal_path(path), "Attachments") as journal:
        assert {e.state for e in journal.entries().values()} == {State.ASSIGNED}
    # Once the file can be written again, a re-run writes the results and sends nothing.
    again = migrate(path, settings=settings)
    assert again.run.requests_sent == 0
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_reported(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(1, logos=0)
    path.parent.chmod(0o555)
    try:
        result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    finally:
        path.parent.chmod(0o755)
    assert result.returncode == 2


def test_a_journal_that_cannot_be_created_stops_before_any_request(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    journal_path(path).mkdir()  # something in the way, as a read-only folder would be
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 2
    assert "cannot keep the run's journal" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox.state.count() == 0
