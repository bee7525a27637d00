"""Results that survive a workbook that cannot be written, and a journal that cannot be made."""

from __future__ import annotations

import os

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.journal import Journal, State, journal_path
from spott_migrate.sandbox import Sandbox

from .helpers import ManifestFactory, cli, read_xlsx_column


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
