"""Files are what was checked: a file changed, removed or growing after the check fails its own
row (``file_changed``, ``file_missing``) and the run goes on. Real files are changed by the test
while a real run sends the others to the sandbox over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from spott_migrate import Settings, migrate
from spott_migrate.progress import NullProgress
from spott_migrate.sandbox import Sandbox

from ..files import pdf_bytes, write
from ..helpers import ManifestFactory, assert_sandbox_matches_manifest, read_xlsx_column, write_xlsx


class _Meddler(NullProgress):
    """A progress listener that lets the test act at a moment of the run."""

    def __init__(
        self, *, after_files: int = 0, after_bytes: int = 0, act: Callable[[], None]
    ) -> None:
        self._after_files, self._after_bytes, self._act = after_files, after_bytes, act
        self._files = self._bytes = 0
        self.acted = False

    def _maybe(self) -> None:
        if not self.acted and (
            (self._after_files and self._files >= self._after_files)
            or (self._after_bytes and self._bytes >= self._after_bytes)
        ):
            self.acted = True
            self._act()

    def advance_bytes(self, n: int) -> None:
        self._bytes += n
        self._maybe()

    def file_done(self, status: str, code: str | None = None) -> None:
        self._files += 1
        self._maybe()


def _statuses(path: Path) -> dict[str, tuple[object, object]]:
    status = read_xlsx_column(path, "spott_status")
    error = read_xlsx_column(path, "spott_error")
    names = read_xlsx_column(path, "file_path")
    return {str(names[r]): (status[r], error[r]) for r in status}


def test_files_changed_or_removed_after_the_check_fail_their_rows_only(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(8, per_candidate=1, logos=0)
    files = tmp_path / "files"

    def meddle() -> None:
        (files / "doc-005.pdf").write_bytes(b"%PDF-1.4\n")  # an export still being copied
        (files / "doc-006.pdf").unlink()  # tidied away
        later = files / "doc-007.pdf"  # same size, rewritten: only the time tells
        data = later.read_bytes()
        later.write_bytes(data.replace(b"file 7", b"FILE 7"))
        os.utime(later, ns=(later.stat().st_atime_ns, later.stat().st_mtime_ns + 10**9))

    meddler = _Meddler(after_files=1, act=meddle)
    one_by_one = settings.with_(max_files_per_upload=1, concurrency=1)
    report = migrate(path, settings=one_by_one, progress=meddler)
    assert meddler.acted
    assert report.exit_code == 1
    rows = _statuses(path)
    assert rows["files/doc-005.pdf"][0] == "failed"
    assert str(rows["files/doc-005.pdf"][1]).startswith("file_changed: doc-005.pdf changed after")
    assert rows["files/doc-006.pdf"] == (
        "failed",
        "file_missing: doc-006.pdf was removed after the check",
    )
    assert str(rows["files/doc-007.pdf"][1]).startswith("file_changed: doc-007.pdf was modified")
    assert [s for name, (s, _) in rows.items() if name < "files/doc-005"] == ["assigned"] * 5
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 5  # nothing of the changed files reached Spott


def _big_file_manifest(tmp_path: Path) -> tuple[Path, Path]:
    big = write(tmp_path / "files" / "big.pdf", pdf_bytes("big", pad=3_500_000))
    write(tmp_path / "files" / "small.pdf", pdf_bytes("small"))
    rows = [
        ("files/big.pdf", "CV", "cand-1", None, None, None),
        ("files/small.pdf", "CV", "cand-2", None, None, None),
    ]
    return write_xlsx(tmp_path / "manifest.xlsx", rows), big


def test_a_file_that_shrinks_while_it_streams_aborts_only_its_request(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    path, big = _big_file_manifest(tmp_path)
    meddler = _Meddler(after_bytes=1, act=lambda: os.truncate(big, 1_500_000))
    report = migrate(path, settings=settings, progress=meddler)
    assert meddler.acted
    rows = _statuses(path)
    assert rows["files/big.pdf"] == (
        "failed",
        "file_changed: big.pdf shrank while it was being sent; check it and re-run",
    )
    assert rows["files/small.pdf"][0] == "assigned"
    assert report.exit_code == 1
    assert len(sandbox.state.attachments()) == 1
    assert_sandbox_matches_manifest(sandbox, path)


def test_a_file_that_grows_while_it_streams_aborts_only_its_request(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    path, big = _big_file_manifest(tmp_path)

    def grow() -> None:
        with big.open("ab") as handle:
            handle.write(b"%" * 2_000_000)

    meddler = _Meddler(after_bytes=1, act=grow)
    migrate(path, settings=settings, progress=meddler)
    assert meddler.acted
    rows = _statuses(path)
    assert rows["files/big.pdf"] == (
        "failed",
        "file_changed: big.pdf grew while it was being sent; check it and re-run",
    )
    assert rows["files/small.pdf"][0] == "assigned"
    assert len(sandbox.state.attachments()) == 1
    # Once the copy is complete, a re-run sends the file as it now is.
    again = migrate(path, settings=settings)
    assert again.statuses == {"assigned": 2}
    assert_sandbox_matches_manifest(sandbox, path)
