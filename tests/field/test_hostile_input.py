"""Workbooks and CSVs from the wild: a clear error and bounded memory, never an abort or a
traceback; and encodings Excel really writes are read and written back in kind."""

from __future__ import annotations

import codecs
import io
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from spott_migrate.errors import ManifestError
from spott_migrate.manifest import read_manifest, xlsxguard
from spott_migrate.sandbox import Sandbox

from ..files import pdf_bytes, write
from ..helpers import CANARY_KEY, HEADER, cli

GIB = 1 << 30


def _workbook(path: Path, far: str | None, *, value: object = " ", styled: bool = False) -> Path:
    (path.parent / "a.pdf").write_bytes(pdf_bytes("a"))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    sheet.append(["a.pdf", "CV", "cand-1", None, None, None])
    if far:
        if styled:
            sheet[far].font = Font(bold=True)
        else:
            sheet[far] = value
    book.save(path)
    return path


def _without_dimension(path: Path) -> Path:
    """The same workbook with no <dimension> element, as some generators write it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


def _validate_with_memory_cap(path: Path) -> subprocess.CompletedProcess[str]:
    """``validate`` in a child that may not map more than 3 GiB: an abort would show as -6."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * GIB, 3 * GIB))

    return subprocess.run(
        [sys.executable, "-m", "spott_migrate", "validate", str(path)],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=120,
    )


@pytest.mark.parametrize("dimension", [True, False])
def test_a_value_in_the_last_cell_of_the_grid_is_a_clear_error(
    tmp_path: Path, dimension: bool
) -> None:
    """A 5 KB workbook with one space typed into XFD1048576: the reader would ask for 549 GB."""
    path = _workbook(tmp_path / "m.xlsx", "XFD1048576")
    if not dimension:
        _without_dimension(path)
    assert path.stat().st_size < 10_000
    result = _validate_with_memory_cap(path)
    assert result.returncode == 2, result.stderr
    assert "has a value in cell XFD1048576, far outside the table" in result.stderr
    assert "Ctrl+End" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("dimension", [True, False])
def test_formatting_far_away_is_harmless(tmp_path: Path, dimension: bool) -> None:
    path = _workbook(tmp_path / "m.xlsx", "XFD1048576", styled=True)
    if not dimension:
        _without_dimension(path)
    result = _validate_with_memory_cap(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rows: 1 to do" in result.stdout


@pytest.mark.parametrize(
    ("far", "measured"),
    [
        (None, False),  # the usual table: cleared by the fast search alone
        ("AU1048576", False),  # 47 columns of every row fit under the limit
        ("AV1", True),  # one column further: measured cell by cell (and harmless)
        ("A1048577", True),  # beyond Excel's last row: measured
    ],
)
def test_a_sheet_without_dimension_is_measured_only_when_a_cell_lies_far_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, far: str | None, measured: bool
) -> None:
    path = tmp_path / "m.xlsx"
    _workbook(path, None)
    if far:  # written into the XML: openpyxl refuses rows beyond Excel's grid
        _add_cell(path, far)
    _without_dimension(path)
    scans: list[str] = []
    exact = xlsxguard._valued_extent
    monkeypatch.setattr(xlsxguard, "_valued_extent", lambda *a: scans.append("exact") or exact(*a))
    xlsxguard.guard_sheet(path, "Sheet")
    assert scans == (["exact"] if measured else [])


def _add_cell(path: Path, ref: str) -> None:
    """A formatted-only cell at ``ref`` in its own row at the end of the sheet's data."""
    row = int(re.sub(r"[A-Z]", "", ref))
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                cell = f'<row r="{row}"><c r="{ref}" s="0"/></row>'.encode()
                data = data.replace(b"</sheetData>", cell + b"</sheetData>")
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def test_a_sheet_far_larger_than_any_manifest_is_refused_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "m.xlsx", None)
    monkeypatch.setattr(xlsxguard, "MAX_SHEET_XML", 100)  # the real limit is 4 GiB of XML
    with pytest.raises(ManifestError, match="GiB of XML, more than a manifest needs"):
        read_manifest(path)


def test_a_utf8_mark_followed_by_an_invalid_byte(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"file_path,type,candidate_id\n\xe9t\xe9.pdf,CV,cand-1\n")
    result = cli("validate", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read m.csv as CSV: the file starts with a UTF-8")
    assert "CSV UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_export_runs_and_gets_its_results_in_utf16(
    sandbox: Sandbox, tmp_path: Path, codec: str
) -> None:
    write(tmp_path / "Jürgen.pdf", pdf_bytes("Jürgen"))
    mark = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text = "file_path\ttype\tcandidate_id\r\nJürgen.pdf\tCV\tcand-1\r\n"
    path = tmp_path / "export.txt"
    path.write_bytes(mark + text.encode(codec))
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    raw = path.read_bytes()
    assert raw.startswith(mark)
    lines = raw[2:].decode(codec).splitlines()
    assert lines[0].split("\t")[3:5] == ["spott_status", "spott_attachment_id"]
    assert lines[1].split("\t")[3] == "assigned"
    assert CANARY_KEY not in result.stdout + result.stderr


def test_a_manifest_path_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "manifest.xlsx"
    folder.mkdir()
    for command in ("validate", "run"):
        result = cli(command, str(folder))
        assert result.returncode == 2
        assert "is a folder; give the manifest file inside it" in result.stderr
        assert "Traceback" not in result.stderr
