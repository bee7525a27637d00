"""The sniffer's rules at their edges, and that it reads only what it needs."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest

from spott_migrate import sniff as sniff_module
from spott_migrate.sniff import DOCX, ICO, OLE_STORAGE, PDF, SVG, XLSX, ZIP, sniff

from .cfb import word97
from .corpus import fpdf_pdf, openpyxl_xlsx, picture, word_docx
from .files import png_bytes


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def _padded_docx(padding: int) -> bytes:
    """A python-docx package with a big stored entry first and its package files last."""
    source = zipfile.ZipFile(io.BytesIO(word_docx("big")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("word/media/image1.bin", b"\x00" * padding, zipfile.ZIP_STORED)
        for info in reversed(source.infolist()):
            target.writestr(info, source.read(info))
    return out.getvalue()


def test_a_package_whose_content_types_lie_far_in_is_read_through_the_zip_directory() -> None:
    data = _padded_docx(5_000_000)
    head = data[:8192]
    handle = CountingFile(data)
    assert sniff(head, handle, expected=DOCX) == DOCX
    assert handle.bytes_read < 64 * 1024  # the directory and one entry, not the file
    # Without the file, the first bytes show only a zip.
    assert sniff(head) == ZIP


def _reordered_docx(extra_entries: int, padding: int) -> bytes:
    """python-docx's parts with its package files in the middle, between other entries."""
    source = zipfile.ZipFile(io.BytesIO(word_docx("moved")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("extra/first.xml", "<a/>")
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/media/big.bin", b"\x00" * padding, zipfile.ZIP_STORED)
        for i in range(extra_entries):
            target.writestr(f"extra/item{i}.xml", "<b/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("extra_entries", "padding"),
    [(0, 2_000_000), (400, 0), (400, 2_000_000)],
    ids=["far from both ends", "a long directory", "both"],
)
def test_content_types_in_the_middle_of_a_zip_are_found(extra_entries: int, padding: int) -> None:
    data = _reordered_docx(extra_entries, padding)
    handle = CountingFile(data)
    assert sniff(data[:8192], handle, expected=DOCX) == DOCX
    assert handle.bytes_read < 96 * 1024


def test_content_types_in_the_first_entry_need_no_further_read() -> None:
    data = word_docx("usual")
    handle = CountingFile(data)
    assert sniff(data[:8192], handle, expected=DOCX) == DOCX
    assert handle.bytes_read == 0
    assert sniff(data[:8192], handle, expected=XLSX) == DOCX  # the name does not decide


def test_a_small_file_read_whole_is_judged_without_the_handle() -> None:
    data = openpyxl_xlsx()  # [Content_Types].xml last
    assert len(data) < 8192
    assert sniff(data) == XLSX


def test_the_type_a_name_promises_is_confirmed_without_filetype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: Any) -> None:
        raise AssertionError("filetype.guess ran for a file that is what its name says")

    monkeypatch.setattr(sniff_module.filetype, "guess", refuse)
    assert sniff(fpdf_pdf("x"), expected=PDF) == PDF
    assert sniff(png_bytes(), expected="image/png") == "image/png"
    assert sniff(word_docx("x"), expected=DOCX) == DOCX


@pytest.mark.parametrize(
    ("offset", "found"), [(0, PDF), (3, PDF), (1019, PDF), (1020, None), (1100, None)]
)
def test_a_pdf_header_counts_within_the_first_kilobyte(offset: int, found: str | None) -> None:
    assert sniff(b"\n" * offset + fpdf_pdf("late")) == found


SVG_BODY = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@pytest.mark.parametrize(
    "text",
    [
        SVG_BODY,
        b"\xef\xbb\xbf" + SVG_BODY,
        b'<?xml version="1.0" standalone="no"?>\n<!-- made by hand -->\n' + SVG_BODY,
        b'<!DOCTYPE svg [ <!ENTITY a "x>y"> <!-- a ] and a > --> ]>' + SVG_BODY,
        b'<?xml-stylesheet href="a.css"?><svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>',
        "\ufeff<?xml version='1.0' encoding='UTF-16'?><svg/>".encode("utf-16-le"),
        "\ufeff<svg/>".encode("utf-16-be"),
    ],
)
def test_svg_is_xml_with_an_svg_root(text: bytes) -> None:
    assert sniff(text, expected=SVG) == SVG
    assert sniff(text) == SVG


@pytest.mark.parametrize(
    "text",
    [
        b"<!DOCTYPE html><html><body>" + SVG_BODY + b"</body></html>",
        b"Here is a picture: " + SVG_BODY,
        b"<svgx/>",
        b'<?xml version="1.0"?><root>' + SVG_BODY + b"</root>",
        b"<svg\x00/>",
    ],
)
def test_svg_text_elsewhere_in_a_document_is_no_svg(text: bytes) -> None:
    assert sniff(text, expected=SVG) is None


def test_a_long_svg_prolog_is_followed_into_the_file() -> None:
    data = b"<!--" + b" " * 20_000 + b"-->" + SVG_BODY
    assert sniff(data[:8192], io.BytesIO(data), expected=SVG) == SVG
    assert sniff(data[:8192], expected=SVG) is None  # the prolog does not end in the head


def test_icons_hold_png_or_bitmap_images() -> None:
    assert sniff(picture("ICO", (16, 16), "red")) == ICO
    assert sniff(picture("ICO", (16, 16), "red", bitmap_format="bmp")) == ICO
    # Four bytes of icon signature before anything else are no icon.
    fake = b"\x00\x00\x01\x00\x01\x00" + struct.pack("<BBBBHHII", 1, 1, 0, 0, 1, 32, 8, 22)
    assert sniff(fake + b"not an image at all", expected=ICO) is None


def test_an_icon_image_far_in_is_read_from_the_file() -> None:
    image = png_bytes()
    entry = struct.pack("<BBBBHHII", 1, 1, 0, 0, 1, 32, len(image), 20_000)
    data = b"\x00\x00\x01\x00\x01\x00" + entry
    data += b"\x00" * (20_000 - len(data)) + image
    assert sniff(data[:8192], io.BytesIO(data), expected=ICO) == ICO


def test_a_bmp_needs_a_real_info_header() -> None:
    assert sniff(picture("BMP", (3, 3), "red")) == "image/bmp"
    assert sniff(b"BM is how this note starts, and nothing more", expected="image/bmp") is None


def test_compound_files_the_quick_reader_leaves_to_olefile_are_still_judged() -> None:
    data = bytearray(word97())
    struct.pack_into("<I", data, 0x48, 1)  # claims a DIFAT sector: not the common layout
    assert sniff_module._root_streams(bytes(data[:8192]), io.BytesIO(bytes(data))) is None
    struct.pack_into("<I", data, 0x48, 0)
    directory_sector = struct.unpack_from("<I", data, 0x30)[0]
    root = (directory_sector + 1) * 512
    struct.pack_into("<I", data, root + 76, 99)  # the root's child points out of the directory
    assert sniff_module._root_streams(bytes(data[:8192]), io.BytesIO(bytes(data))) is None
    assert sniff(bytes(data), io.BytesIO(bytes(data))) == OLE_STORAGE  # olefile: no Word either


def test_damaged_containers_are_refused_not_crashed_on() -> None:
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == OLE_STORAGE
    truncated = word97()[:2000]
    assert sniff(truncated, io.BytesIO(truncated)) == OLE_STORAGE
    assert sniff(b"PK\x03\x04 not really a zip") == ZIP
    broken = bytearray(word_docx("x"))
    broken[40:200] = b"\xff" * 160  # garble the first entry's deflated data
    assert sniff(bytes(broken), io.BytesIO(bytes(broken))) == ZIP
