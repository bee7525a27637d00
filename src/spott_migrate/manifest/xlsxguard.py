"""A look at a worksheet before python-calamine reads it: bounded memory, or a clear error.

calamine holds a sheet as one rectangle of cells, from the first to the farthest cell that has
a value, at about 32 bytes a cell. A stray space typed into XFD1048576 makes that rectangle
17 billion cells: the reader asks for 549 GB and the process aborts, beyond the reach of any
``except``. So the sheet's extent is measured first, from its ``<dimension>`` element when that
is modest, else by scanning its cell references, and a sheet that would not fit is refused
with the cell to delete. Most sheets without a ``<dimension>`` (openpyxl's write-only mode
leaves it out) are cleared by one fast search: with no cell beyond column AU or row 1,048,576
the rectangle cannot exceed the limit, whatever the sheet holds.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import FileLayoutError, ManifestError
from .xlsxpackage import locate_sheet

# What calamine may hold for one sheet: ~50 M cells is ~1.6 GB (Excel's own grid is 17 G).
MAX_CELLS = 50_000_000
# XML (uncompressed) a sheet or its shared strings may hold; a million-row manifest has well
# under a gigabyte of sheet XML.
MAX_SHEET_XML = 4 << 30
MAX_SHARED_XML = 1 << 30
_HEAD_BYTES = 64 * 1024
_CHUNK = 1 << 20
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"'
)
# A cell tag, and what closes it: "/>" or an immediate "</c>" is a formatted empty cell,
# which calamine leaves out of the rectangle; a bare ">" opens a cell with content.
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(/>|>\s*</(?:\w+:)?c>|>)')
# Excel's last row, and the columns that many rows of may fill (AU, the 47th): a sheet with no
# cell reference beyond both holds at most 49.3 M cells, under MAX_CELLS.
# A cell reference beyond column AU, or beyond row 1,048,576. It starts with a literal, so the
# search skips through the XML in C; a match (rare) sends the sheet to the exact scan.
_FAR = re.compile(
    rb'r="(?:(?:[A-Z]{3}|[B-Z][A-Z]|A[V-Z])\d'
    rb"|[A-Z]{1,3}(?:\d{8}|(?:[2-9]\d{6}|1[1-9]\d{5}|10[5-9]\d{4}|1049\d{3}|1048[6-9]\d\d"
    rb'|10485[89]\d|104857[7-9])"))'
)
_REF_BYTES = 64  # longer than any cell reference, kept between chunks


def guard_sheet(path: Path, sheet: str) -> None:
    """Raise ``ManifestError`` if reading ``sheet`` of ``path`` would exhaust memory."""
    try:
        with zipfile.ZipFile(path) as package:
            try:
                part = locate_sheet(package, sheet)
            except FileLayoutError:
                return  # an unusual package: calamine's own error will say what is wrong
            _check_size(package, part.part, MAX_SHEET_XML, f"sheet {sheet!r}")
            if part.shared_strings:
                _check_size(package, part.shared_strings, MAX_SHARED_XML, "its shared strings")
            rows, cols = _declared_extent(package, part.part)
            if rows * cols <= MAX_CELLS or _nothing_far(package, part.part):
                return
            rows, cols, far = _valued_extent(package, part.part)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ManifestError(f"cannot read {path.name} as a workbook: {exc}") from None
    if rows * cols > MAX_CELLS:
        raise ManifestError(
            f"sheet {sheet!r} of {path.name} has a value in cell {far}, far outside the table, "
            f"so reading it would take {rows:,} rows × {cols:,} columns; delete that cell (in "
            "Excel, Ctrl+End goes to it) or save the sheet as CSV"
        )


def _check_size(package: zipfile.ZipFile, member: str, limit: int, what: str) -> None:
    size = package.getinfo(member).file_size
    if size > limit:
        raise ManifestError(
            f"{what} holds {size / 2**30:.1f} GiB of XML, more than a manifest needs; "
            "remove what is not the table (images pasted as text, huge cells) or save it as CSV"
        )


def _declared_extent(package: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) the ``<dimension>`` element claims; huge when it is missing."""
    with package.open(member) as stream:
        head = stream.read(_HEAD_BYTES)
    found = _DIMENSION.search(head)
    if found is None or found.group(3) is None:
        if found is not None and found.group(1) and found.group(2):  # a single cell: "A1"
            return int(found.group(2)), column_number(found.group(1))
        return MAX_CELLS + 1, 1  # not said: measure
    return int(found.group(4)), column_number(found.group(3))


def _nothing_far(package: zipfile.ZipFile, member: str) -> bool:
    """Whether no cell reference lies beyond column AU or row 1,048,576, streamed."""
    tail = b""
    with package.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if _FAR.search(data):
                return False
            tail = data[-_REF_BYTES:]
    return True


def _valued_extent(package: zipfile.ZipFile, member: str) -> tuple[int, int, str]:
    """(rows, columns, farthest cell) over cells that hold something, streamed."""
    extent = _Extent()
    tail = b""
    with package.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            # Keep an unfinished tag for the next chunk (a cell tag is far shorter than this).
            cut = max(data.rfind(b"<"), len(data) - 4096, 0)
            extent.scan(data, cut)
            tail = data[cut:]
    extent.scan(tail, len(tail))
    return extent.rows, extent.cols, extent.far


class _Extent:
    """The farthest row and column seen so far among cells with content."""

    def __init__(self) -> None:
        self.rows = self.cols = 0
        self.far = "A1"

    def scan(self, data: bytes, end: int) -> None:
        for match in _CELL.finditer(data, 0, end):
            if match.group(3) != b">":
                continue  # empty: formatting only
            row, col = int(match.group(2)), column_number(match.group(1))
            if row > self.rows or col > self.cols:
                self.far = (match.group(1) + match.group(2)).decode()
                self.rows, self.cols = max(self.rows, row), max(self.cols, col)


def column_number(letters: bytes) -> int:
    """``b"A"`` → 1, ``b"XFD"`` → 16384."""
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number
