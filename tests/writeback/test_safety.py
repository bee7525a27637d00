"""The user's file is never half-written, never lost, and failures say what and where."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spott_migrate.errors import WriteBackError
from spott_migrate.writeback import (
    _api,
    _atomic,
    _csvfile,
    _zipcopy,
    read_results,
    write_results,
)

RESULTS = {2: {"spott_status": "assigned"}, 3: {"spott_status": "failed", "spott_error": "e"}}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(_atomic.TEMP_SUFFIX))


def test_crash_while_writing_the_zip_leaves_the_original(
    rich_xlsx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rich_xlsx.read_bytes()
    real = _zipcopy.copy_member
    copied: list[str] = []

    def crash_after_three(*args: object) -> None:
        if len(copied) == 3:
            # The temporary file really is half-written at this point.
            # (The backup may be on its way beside it, in a temporary file of its own.)
            (temp,) = rich_xlsx.parent.glob(f".{rich_xlsx.name}.*{_atomic.TEMP_SUFFIX}")
            assert temp.stat().st_size > 0
            raise RuntimeError("simulated crash")
        real(*args)  # type: ignore[arg-type]
        copied.append("x")

    monkeypatch.setattr(_zipcopy, "copy_member", crash_after_three)
    with pytest.raises(RuntimeError, match="simulated crash"):
        write_results(rich_xlsx, RESULTS)
    assert rich_xlsx.read_bytes() == before
    assert leftovers(rich_xlsx.parent) == []


def test_interrupt_while_writing_a_csv_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("file_path,type\n" + "".join(f"f{i}.pdf,cv\n" for i in range(50)))
    before = path.read_bytes()
    real = _csvfile._pieces
    written: list[str] = []

    def interrupt_after_two(*args: Any, **kwargs: Any) -> Iterator[str]:
        for piece in real(*args, **kwargs):
            written.append(piece)
            yield piece
            if len(written) == 2:  # part of the new file is in the temporary file by now
                raise KeyboardInterrupt

    monkeypatch.setattr(_csvfile, "_CHUNK_LINES", 10)
    monkeypatch.setattr(_csvfile, "_pieces", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        write_results(path, {row: {"spott_status": "x"} for row in range(2, 40)}, backup=False)
    assert len(written) == 2 and "f0.pdf,cv,x" in written[0]
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_disk_full_is_a_write_back_error(rich_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = rich_xlsx.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic.os, "fsync", full)
    with pytest.raises(WriteBackError, match=r"No space left on device"):
        write_results(rich_xlsx, RESULTS, backup=False)
    assert rich_xlsx.read_bytes() == before
    assert leftovers(rich_xlsx.parent) == []


def _written_slowly(
    folder: Path, monkeypatch: pytest.MonkeyPatch, sync: Callable[[int], None]
) -> Path:
    """A CSV whose write-back makes its pieces slowly, with ``sync`` as the early sync and
    the syncing thread looking often: it syncs while the file is still being written."""
    path = folder / "m.csv"
    path.write_text("file_path,type\n" + "".join(f"f{i}.pdf,cv\n" for i in range(5000)))
    monkeypatch.setattr(_atomic._SyncBehind, "STEP", 1)
    monkeypatch.setattr(_atomic._SyncBehind, "POLL", 0.001)
    monkeypatch.setattr(_atomic, "_data_sync", sync)
    made = _csvfile._pieces

    def pieces(*args: Any, **kwargs: Any) -> Iterator[str]:
        for piece in made(*args, **kwargs):
            yield piece
            time.sleep(0.01)  # time for the syncing thread to look

    monkeypatch.setattr(_csvfile, "_CHUNK_LINES", 500)
    monkeypatch.setattr(_csvfile, "_pieces", pieces)
    return path


def test_a_failed_early_sync_fails_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel reports a write error to one sync only: the one made while the file was
    being written must fail the write, or the final fsync would pass over it."""
    syncs: list[int] = []

    def failing(fd: int) -> None:
        syncs.append(fd)
        raise OSError(errno.EIO, "Input/output error")

    path = _written_slowly(tmp_path, monkeypatch, failing)
    before = path.read_bytes()
    with pytest.raises(WriteBackError, match=r"Input/output error"):
        write_results(path, {row: {"spott_status": "x"} for row in range(2, 5000)}, backup=False)
    assert syncs  # the early sync ran, and its failure was not lost
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_the_file_is_synced_while_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    real = _atomic._data_sync

    def counting(fd: int) -> None:
        sizes.append(os.fstat(fd).st_size)
        real(fd)

    path = _written_slowly(tmp_path, monkeypatch, counting)
    write_results(path, {row: {"spott_status": "x"} for row in range(2, 5000)}, backup=False)
    final = path.stat().st_size
    assert sizes and min(sizes) < final  # synced before the whole file was there
    assert path.read_text().splitlines()[1] == "f0.pdf,cv,x"


def test_a_failed_backup_stops_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backup is copied beside the new file's making; the manifest is replaced only once
    the backup is safe, and a backup that fails leaves the manifest as it was."""
    path = tmp_path / "m.csv"
    path.write_text("file_path,type\na.pdf,cv\n")
    before = path.read_bytes()

    def full(source: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_api, "ensure_backup", full)
    with pytest.raises(WriteBackError, match=r"No space left on device"):
        write_results(path, {2: {"spott_status": "assigned"}})
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_the_backup_is_complete_before_the_manifest_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("file_path,type\na.pdf,cv\n")
    original = path.read_bytes()
    real_backup, real_replace = _atomic.ensure_backup, _atomic.os.replace
    seen: list[bytes] = []

    def slow_backup(source: Path) -> Path | None:
        time.sleep(0.2)  # the new file is ready long before the copy
        return real_backup(source)

    def replace(src: str, dst: str) -> None:
        if Path(dst) == path:
            seen.append(path.with_name("m.orig.csv").read_bytes())
        real_replace(src, dst)

    monkeypatch.setattr(_api, "ensure_backup", slow_backup)
    monkeypatch.setattr(_atomic.os, "replace", replace)
    write_results(path, {2: {"spott_status": "assigned"}})
    assert seen == [original]
    assert path.read_text() == "file_path,type,spott_status\na.pdf,cv,assigned\n"


def test_file_locked_by_another_program(rich_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows, replacing a file Excel has open fails with a sharing violation."""
    before = rich_xlsx.read_bytes()

    def locked(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "The process cannot access the file", dst)

    monkeypatch.setattr(_atomic.os, "replace", locked)
    with pytest.raises(WriteBackError, match=r"cannot replace .*manifest\.xlsx.*another program"):
        write_results(rich_xlsx, RESULTS, backup=False)
    assert rich_xlsx.read_bytes() == before
    assert leftovers(rich_xlsx.parent) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_folder(rich_xlsx: Path) -> None:
    folder = rich_xlsx.parent
    before = rich_xlsx.read_bytes()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(WriteBackError, match=r"cannot create a temporary file in"):
            write_results(rich_xlsx, RESULTS, backup=False)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert rich_xlsx.read_bytes() == before


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="needs root to switch to an unprivileged user"
)
def test_read_only_folder_for_an_unprivileged_user(rich_xlsx: Path) -> None:
    """Root ignores permissions, so a forked child drops to 'nobody' and tries there."""
    folder = Path(tempfile.mkdtemp(prefix="spott-ro-"))
    try:
        manifest = folder / "m.xlsx"
        manifest.write_bytes(rich_xlsx.read_bytes())
        before = manifest.read_bytes()
        folder.chmod(0o555)
        read_results(manifest)  # load every lazy import while we can still read them
        pid = os.fork()
        if pid == 0:  # the child: report through the exit code only
            code = 3
            try:
                os.setgid(65534)
                os.setuid(65534)
                write_results(manifest, RESULTS)
                code = 1
            except WriteBackError as exc:
                code = 0 if f"temporary file in {folder}" in str(exc) else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert manifest.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["m.xlsx"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_unwritable_folder_is_reported_with_its_path(
    rich_xlsx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same failure as a read-only folder, simulated because tests may run as root."""

    def denied(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(_atomic.tempfile, "mkstemp", denied)
    with pytest.raises(WriteBackError, match=rf"temporary file in {rich_xlsx.parent}.*denied"):
        write_results(rich_xlsx, RESULTS)


def test_output_into_a_missing_folder(rich_xlsx: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteBackError, match=r"nowhere"):
        write_results(rich_xlsx, RESULTS, output=tmp_path / "nowhere" / "out.xlsx")
    file_as_folder = tmp_path / "plain.txt"
    file_as_folder.write_text("x")
    with pytest.raises(WriteBackError, match=r"plain\.txt"):
        write_results(rich_xlsx, RESULTS, output=file_as_folder / "out.xlsx")


def test_backup_is_made_once_and_never_overwritten(rich_xlsx: Path) -> None:
    original = rich_xlsx.read_bytes()
    backup = rich_xlsx.with_name("manifest.orig.xlsx")

    write_results(rich_xlsx, RESULTS)
    assert backup.read_bytes() == original
    assert rich_xlsx.read_bytes() != original

    write_results(rich_xlsx, {2: {"spott_status": "again"}})
    assert backup.read_bytes() == original
    assert sorted(p.name for p in rich_xlsx.parent.iterdir()) == [
        "manifest.orig.xlsx",
        "manifest.xlsx",
    ]


def test_no_backup_when_asked(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, RESULTS, backup=False)
    assert not rich_xlsx.with_name("manifest.orig.xlsx").exists()


def test_output_leaves_the_original_untouched(rich_xlsx: Path, tmp_path: Path) -> None:
    original = rich_xlsx.read_bytes()
    out = tmp_path / "out" / "results.xlsx"
    out.parent.mkdir()

    assert write_results(rich_xlsx, RESULTS, output=out) == out
    assert rich_xlsx.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.xlsx", "out"]
    assert read_results(out) == {
        2: {"spott_status": "assigned", "spott_error": ""},
        3: {"spott_status": "failed", "spott_error": "e"},
    }


def test_output_naming_the_manifest_itself_writes_in_place(rich_xlsx: Path) -> None:
    assert write_results(rich_xlsx, RESULTS, output=rich_xlsx) == rich_xlsx
    assert rich_xlsx.with_name("manifest.orig.xlsx").exists()


def test_permissions_of_the_manifest_are_kept(rich_xlsx: Path) -> None:
    rich_xlsx.chmod(0o640)
    write_results(rich_xlsx, RESULTS)
    assert stat.S_IMODE(rich_xlsx.stat().st_mode) == 0o640


def test_writes_through_a_symlink(rich_xlsx: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(rich_xlsx)
    assert write_results(link, RESULTS) == link
    assert link.is_symlink()
    assert read_results(rich_xlsx)[2]["spott_status"] == "assigned"


@pytest.mark.parametrize("owner", ["~$manifest.xlsx", ".~lock.manifest.xlsx#"])
def test_a_manifest_open_in_a_spreadsheet_program_is_not_written(
    rich_xlsx: Path, owner: str
) -> None:
    before = rich_xlsx.read_bytes()
    (rich_xlsx.parent / owner).write_text("user")
    with pytest.raises(WriteBackError, match=r"open in another program"):
        write_results(rich_xlsx, RESULTS)
    assert rich_xlsx.read_bytes() == before
    assert not rich_xlsx.with_name("manifest.orig.xlsx").exists()


def test_empty_results_leave_the_file_alone(rich_xlsx: Path) -> None:
    mtime = rich_xlsx.stat().st_mtime_ns
    assert write_results(rich_xlsx, {}) == rich_xlsx
    assert rich_xlsx.stat().st_mtime_ns == mtime
    assert not rich_xlsx.with_name("manifest.orig.xlsx").exists()


@pytest.mark.parametrize(
    ("results", "kwargs", "message"),
    [
        ({1: {"spott_status": "x"}}, {}, "row 1 is outside the data rows"),
        ({3: {"spott_status": "x"}}, {"header_row": 3}, "row 3 is outside"),
        ({2_000_000: {"spott_status": "x"}}, {}, "outside the data rows"),
        ({"2": {"spott_status": "x"}}, {}, "must be integers"),
        ({2: {" ": "x"}}, {}, "name is empty"),
        ({2: {"spott_status": "x"}}, {"header_row": 0}, "header_row must be"),
    ],
)
def test_bad_arguments(
    rich_xlsx: Path,
    results: dict,
    kwargs: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(WriteBackError, match=message):
        write_results(rich_xlsx, results, **kwargs)


def test_unsupported_or_missing_files(tmp_path: Path) -> None:
    with pytest.raises(WriteBackError, match=r"only \.xlsx"):
        write_results(tmp_path / "old.xls", RESULTS)
    with pytest.raises(WriteBackError, match="does not exist"):
        write_results(tmp_path / "gone.xlsx", RESULTS)


def test_a_valid_zip_is_produced(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, RESULTS)
    with zipfile.ZipFile(rich_xlsx) as package:
        assert package.testzip() is None


def test_manifests_written_from_two_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from .workbooks import build_rich_workbook

    paths = [build_rich_workbook(tmp_path / f"m{i}.xlsx") for i in range(6)]
    rows = {row: {"spott_status": f"s{row}"} for row in range(2, 12)}
    with ThreadPoolExecutor(2) as pool:  # one writer per manifest, two manifests at a time
        list(pool.map(lambda p: write_results(p, rows), paths))
    for path in paths:
        assert read_results(path) == rows
