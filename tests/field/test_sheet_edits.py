"""Results land on their own rows, always: the user may save the sheet while a run goes on.

Rows are edited with openpyxl (as Excel would save them) while a real run sends files to the
sandbox; afterwards every assigned row must carry the id of the attachment that holds *its*
file, rows the user added must be left for the next run, and the user's edits must survive.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from spott_migrate import Settings, migrate
from spott_migrate.crashpoints import ENV as CRASH_ENV
from spott_migrate.crashpoints import EXIT_CODE as CRASH_EXIT
from spott_migrate.journal import Journal, State, journal_path
from spott_migrate.manifest import read_manifest
from spott_migrate.progress import NullProgress
from spott_migrate.sandbox import Sandbox

from ..files import pdf_bytes, write
from ..helpers import (
    ManifestFactory,
    assert_sandbox_matches_manifest,
    cli,
    read_xlsx_column,
    start_run,
)


class _AfterFiles(NullProgress):
    """Calls ``act`` once, when ``n`` files have reached a final state in the run."""

    def __init__(self, n: int, act: Callable[[], None]) -> None:
        self._n, self._act, self._done, self.acted = n, act, 0, False

    def file_done(self, status: str, code: str | None = None) -> None:
        self._done += 1
        if self._done >= self._n and not self.acted:
            self.acted = True
            self._act()


def insert_row_at_top(path: Path, values: tuple[Any, ...]) -> None:
    """What a user does in Excel: a new row under the header, then Save."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet.insert_rows(2)
    for column, value in enumerate(values, 1):
        sheet.cell(row=2, column=column, value=value)
    book.save(path)


def delete_row(path: Path, row: int) -> None:
    book = openpyxl.load_workbook(path)
    book.worksheets[0].delete_rows(row)
    book.save(path)


def assert_each_row_has_its_own_attachment(sandbox: Sandbox, path: Path) -> None:
    """The id in each assigned row is the attachment holding that row's file, on its record."""
    manifest = read_manifest(path)
    by_id = {a.id: a for a in sandbox.state.attachments()}
    for row in manifest.rows.to_dict("records"):
        if row["spott_status"] != "assigned":
            continue
        attachment = by_id[row["spott_attachment_id"]]
        digest = hashlib.sha256(manifest.resolve(row["file_path"]).read_bytes()).hexdigest()
        assert attachment.sha256 == digest, f"row {row['source_row']} holds another file's id"


def test_a_row_inserted_at_the_top_during_a_run(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(10, per_candidate=1, logos=2)
    write(tmp_path / "files" / "new.pdf", pdf_bytes("added by the user", pad=777))
    new_row = ("files/new.pdf", "CV", "cand-20", None, None, "added during the run")
    edit = _AfterFiles(3, lambda: insert_row_at_top(path, new_row))
    migrate(path, settings=settings.with_(max_files_per_upload=1, concurrency=1), progress=edit)
    assert edit.acted
    assert_each_row_has_its_own_attachment(sandbox, path)
    status = read_xlsx_column(path, "spott_status")
    names = read_xlsx_column(path, "name")
    assert names[2] == "added during the run"  # the user's row survived our write-back
    assert status[2] in (None, "")  # and was left for the next run
    assert [status[r] for r in range(3, 15)] == ["assigned"] * 12
    again = migrate(path, settings=settings)
    assert again.statuses == {"assigned": 13}
    assert again.run.assigned == 1
    assert_each_row_has_its_own_attachment(sandbox, path)
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 13


def test_a_row_deleted_during_a_run_keeps_its_result_in_the_journal(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, per_candidate=1, logos=0)
    first_key = read_manifest(path).rows["row_key"].iloc[0]
    edit = _AfterFiles(2, lambda: delete_row(path, 2))
    migrate(path, settings=settings.with_(max_files_per_upload=1, concurrency=1), progress=edit)
    assert edit.acted
    assert len(read_manifest(path).rows) == 5
    assert_each_row_has_its_own_attachment(sandbox, path)
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}
    with Journal(journal_path(path), "Attachments") as journal:
        assert journal.entries()[first_key].state is State.ASSIGNED


def test_a_save_that_lands_while_results_are_written_is_never_overwritten(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The user saves between our read of the sheet and our replacing it: we notice just before
    the swap, read it again, place the results again, and keep the user's row."""
    import spott_migrate.results as results_module

    path = make_manifest(4, per_candidate=1, logos=0)
    write(tmp_path / "files" / "late.pdf", pdf_bytes("late"))
    real = results_module.write_results
    saves: list[int] = []

    def save_first(*args: Any, **kwargs: Any) -> Path:
        if not saves:
            saves.append(1)
            insert_row_at_top(path, ("files/late.pdf", "CV", "cand-9", None, None, "mine"))
        return real(*args, **kwargs)

    monkeypatch.setattr(results_module, "write_results", save_first)
    migrate(path, settings=settings)
    assert saves
    assert read_xlsx_column(path, "name")[2] == "mine"
    assert read_xlsx_column(path, "spott_status")[2] in (None, "")
    assert_each_row_has_its_own_attachment(sandbox, path)
    assert [read_xlsx_column(path, "spott_status")[r] for r in range(3, 7)] == ["assigned"] * 4


def test_a_mark_the_journal_does_not_know_is_checked_against_spott(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    """A row marked ``assigned`` with another row's id (as an older version could leave it
    after a sheet edit) is not trusted: the run asks Spott, and sends the file."""
    path = make_manifest(2, per_candidate=2, logos=0)
    migrate(path, settings=settings)
    other_id = read_xlsx_column(path, "spott_attachment_id")[2]
    write(tmp_path / "files" / "third.pdf", pdf_bytes("third", pad=3333))
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.append([])
    values = {
        "file_path": "files/third.pdf",
        "type": "CV",
        "candidate_id": "cand-1",
        "spott_status": "assigned",
        "spott_attachment_id": other_id,
    }
    for name, value in values.items():
        sheet.cell(row=4, column=header.index(name) + 1, value=value)
    book.save(path)
    assert migrate(path, settings=settings).run.assigned == 1
    assert len(sandbox.state.attachments_for("candidate", "cand-1")) == 3
    assert_each_row_has_its_own_attachment(sandbox, path)


def test_marks_of_a_manifest_carried_from_another_machine_are_trusted_and_kept(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(3, per_candidate=1, logos=0)
    migrate(path, settings=settings)
    journal_path(path).unlink()  # the journal stayed on the other machine
    for side in ("-wal", "-shm"):
        Path(f"{journal_path(path)}{side}").unlink(missing_ok=True)
    first = migrate(path, settings=settings)
    assert first.run.requests_sent == 0 and first.statuses == {"assigned": 3}
    second = migrate(path, settings=settings)  # a journal exists now, and vouches for them
    assert second.run.requests_sent == 0 and second.statuses == {"assigned": 3}
    assert len(sandbox.state.attachments()) == 3


@pytest.mark.slow
def test_killed_while_writing_back_an_edited_sheet_then_recovered(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    """The crash matrix's write-back case, with the sheet edited by the user during the run."""
    path = make_manifest(12, logos=2)
    write(tmp_path / "files" / "new.pdf", pdf_bytes("new", pad=4242))
    sandbox.faults.add("*", "slow", delay=0.15)
    process = start_run(
        sandbox.url,
        path,
        concurrency=1,
        output=subprocess.PIPE,
        env={CRASH_ENV: "during_workbook_save:2"},
    )
    deadline = time.monotonic() + 60
    while sandbox.state.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    insert_row_at_top(path, ("files/new.pdf", "CV", "cand-15", None, None, "the user's row"))
    edited = path.read_bytes()
    _, err = process.communicate(timeout=120)
    assert process.returncode == CRASH_EXIT, err
    assert path.read_bytes() == edited  # the kill hit our temporary copy, not the user's file
    sandbox.faults.clear()
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert read_xlsx_column(path, "name")[2] == "the user's row"
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}
    assert_each_row_has_its_own_attachment(sandbox, path)
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 15
