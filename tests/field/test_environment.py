"""Errors of the environment are errors, not tracebacks: a full disk, a folder we may not write
in, an --output of the wrong kind, a workbook with a damaged part, a damaged journal. Each stops
cleanly with one clear line (exit 2), before anything is sent where that is possible, and loses
nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from spott_migrate.journal import journal_path
from spott_migrate.sandbox import Sandbox

from ..helpers import (
    CANARY_KEY,
    ManifestFactory,
    assert_sandbox_matches_manifest,
    cli,
    read_xlsx_column,
)


def _absolute_paths(path: Path) -> None:
    """Point the manifest's rows at their files by absolute path (the manifest will move)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=1)
        cell.value = str(path.parent / str(cell.value))
    book.save(path)


def _can_mount_tmpfs() -> bool:
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


def _in_own_mounts(script: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``script`` (sh) as root of a user namespace with its own mounts, the key in its env."""
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "SPOTT_API_KEY": CANARY_KEY},
        timeout=timeout,
    )


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_a_full_disk_stops_the_run_cleanly_and_loses_nothing(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    """The manifest sits on a tiny file system that fills up as the journal grows."""
    if not _can_mount_tmpfs():
        pytest.skip("cannot mount a small tmpfs here (no user namespaces)")
    path = make_manifest(80, per_candidate=4, logos=0)
    _absolute_paths(path)
    small = tmp_path / "small-disk"
    small.mkdir()
    kept = tmp_path / "after"
    kept.mkdir()
    script = (
        f"mount -t tmpfs -o size=96k tmpfs {small} && cp {path} {small}/ && "
        f"{sys.executable} -m spott_migrate run {small}/manifest.xlsx --base-url {sandbox.url} "
        f"--quiet --concurrency 1; rc=$?; cp -a {small}/. {kept}/; exit $rc"
    )
    result = _in_own_mounts(script, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "is full; free some space and re-run" in result.stderr, result.stdout + result.stderr
    assert CANARY_KEY not in result.stdout + result.stderr
    sent = len(sandbox.state.attachments())
    assert 0 < sent < 80
    # With room again, the same manifest and journal finish the job: nothing twice.
    moved = kept / "manifest.xlsx"
    again = cli("run", str(moved), "--base-url", sandbox.url, "--quiet")
    assert again.returncode == 0, again.stdout + again.stderr
    assert set(read_xlsx_column(moved, "spott_status").values()) == {"assigned"}
    assert_sandbox_matches_manifest(sandbox, moved)
    assert len(sandbox.state.attachments()) == 80


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_an_unwritable_folder_is_found_before_anything_is_sent(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    """The manifest on a read-only file system (a share mounted read-only): even root cannot
    write there, so the run must find out before it sends anything."""
    if not _can_mount_tmpfs():
        pytest.skip("cannot mount a tmpfs here (no user namespaces)")
    path = make_manifest(3, logos=0)
    _absolute_paths(path)
    folder = tmp_path / "read-only"
    folder.mkdir()
    script = (
        f"mount -t tmpfs tmpfs {folder} && cp {path} {folder}/ && "
        f"mount -o remount,ro {folder} && {sys.executable} -m spott_migrate run "
        f"{folder}/manifest.xlsx --base-url {sandbox.url} --quiet"
    )
    result = _in_own_mounts(script, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"cannot write in {folder}: Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox.state.count() == 0


def test_output_of_another_kind_is_refused_before_anything_is_sent(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(2, logos=0)
    result = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--quiet",
        "--output",
        str(tmp_path / "res.csv"),
    )
    assert result.returncode == 2
    assert "--output res.csv: results go into a copy of the manifest" in result.stderr
    assert not (tmp_path / "res.csv").exists()
    assert sandbox.state.count() == 0


def _damage_a_part(path: Path, part: str) -> None:
    """Flip bytes inside one deflated member, as a bad disk sector or a broken copy would."""
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(part)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def test_a_workbook_with_a_damaged_part_is_refused_before_anything_is_sent(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(3, logos=0)
    _damage_a_part(path, "docProps/app.xml")
    checked = cli("validate", str(path))
    assert checked.returncode == 2
    assert "part docProps/app.xml of manifest.xlsx is damaged" in checked.stderr
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "open it in Excel and save it again" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox.state.count() == 0


def test_a_damaged_journal_says_so(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(2, logos=0)
    journal_path(path).write_bytes(b"this is not what the run wrote" * 100)
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 2
    assert "manifest.xlsx.spott-journal.sqlite is damaged" in result.stderr
    assert "move it aside and re-run" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox.state.count() == 0
