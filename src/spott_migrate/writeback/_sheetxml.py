"""Cutting a worksheet's XML into head, rows and tail without parsing it whole.

A full lxml tree of a 100,000-row, 8-column sheet took about 1 GB of memory (measured), so
rows are found on the bytes and only the rows that need it are parsed (see ``_sheetsplice``);
every other byte is copied through. Finding row boundaries on bytes is exact for well-formed
SpreadsheetML: text and attribute values cannot contain a raw ``<``, rows do not nest, and we
check that nothing but whitespace lies between the rows we find. Comments, CDATA and
processing instructions inside ``<sheetData>`` (which no spreadsheet program writes) are
refused rather than guessed at.

The rows of a sheet as written by Excel, openpyxl and most tools (each ``<row r="N" ...>``
directly after the one before) are found with two C-level searches over the whole sheet and
checked with NumPy; any other sheet is walked row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
from lxml import etree

from ..manifest.xlsxpackage import MAIN_NS, parser
from ._columns import LayoutError

_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""  # attributes, with ">" allowed inside quotes
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_START_TAG = re.compile(rb"<(?P<qname>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)" + _ATTRS + rb">")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_TAG_END = re.compile(rb"\s*>")
_UNSUPPORTED = (b"<!--", b"<![CDATA[", b"<?")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class RowSpan:
    """One ``<row>`` in the sheet bytes: ``data[start:end]`` is its complete element."""

    start: int
    end: int
    number: int


@dataclass(frozen=True)
class Rows(Sequence[RowSpan]):
    """Every row of a sheet as arrays (one entry per row, in sheet order)."""

    starts: np.ndarray  # offset of "<row"
    ends: np.ndarray  # offset just past the row's end tag (or its "/>")
    numbers: np.ndarray
    closes: np.ndarray  # offset of "</row", or -1 for a row written as <row .../>
    explicit: np.ndarray  # bool: the row says its number (r="N")

    @classmethod
    def of(cls, spans: list[tuple[int, int, int, int, bool]]) -> Rows:
        table = np.array(spans, dtype=np.int64).reshape(-1, 5)
        return cls(table[:, 0], table[:, 1], table[:, 2], table[:, 3], table[:, 4] == 1)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> RowSpan: ...

    @overload
    def __getitem__(self, index: slice) -> list[RowSpan]: ...

    def __getitem__(self, index: int | slice) -> RowSpan | list[RowSpan]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return RowSpan(int(self.starts[index]), int(self.ends[index]), int(self.numbers[index]))

    def __iter__(self) -> Iterator[RowSpan]:
        for start, end, number in zip(
            self.starts.tolist(), self.ends.tolist(), self.numbers.tolist(), strict=True
        ):
            yield RowSpan(start, end, number)

    def index_of(self, numbers: np.ndarray) -> np.ndarray:
        """Position of each row number among the rows, -1 where the sheet has no such row."""
        at = np.searchsorted(self.numbers, numbers)
        found = at < len(self.numbers)
        found[found] &= self.numbers[at[found]] == numbers[found]
        return np.where(found, at, -1)


@dataclass(frozen=True)
class SheetXml:
    data: bytes
    ns: str  # the SpreadsheetML namespace the sheet uses
    prefix: str  # its prefix with colon ("x:"), or "" when it is the default namespace
    root_open: bytes  # the root start tag, exactly as written (all namespace declarations)
    root_close: bytes
    data_open: bytes  # the <sheetData ...> start tag as written (or its empty form)
    data_at: int  # offset of that start tag
    body_start: int  # rows live in data[body_start:body_end]
    body_end: int
    data_empty: bool  # written as <sheetData/>
    rows: Rows

    @property
    def data_close(self) -> bytes:
        return f"</{self.prefix}sheetData>".encode()

    def head_document(self) -> bytes:
        """Everything before the rows, closed into a small well-formed document."""
        return self.data[self.data.index(self.root_open) : self.data_at] + self.root_close

    def wrap(self, rows: bytes) -> bytes:
        """Rows inside the sheet's own root and ``<sheetData>``, so every prefix resolves."""
        opening = self.data_open if not self.data_empty else self.data_open[:-2] + b">"
        return self.root_open + opening + rows + self.data_close + self.root_close


def scan_sheet(data: bytes) -> SheetXml:
    """Locate the root, ``<sheetData>`` and every row (with its number) in ``data``."""
    prolog = _PROLOG.match(data)
    if prolog is None:  # the pattern matches the empty prolog too; this is for the checker
        raise LayoutError("the sheet XML cannot be read")
    declared = _ENCODING.search(prolog.group(0))
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        raise LayoutError(f"the sheet XML is encoded as {declared.group(1).decode()}, not UTF-8")
    root = _START_TAG.match(data, prolog.end())
    if root is None:
        raise LayoutError("the sheet XML has no root element")
    qname = root.group("qname").decode()
    root_close = f"</{qname}>".encode()
    try:
        probe = etree.fromstring(root.group(0) + root_close, parser())
    except etree.XMLSyntaxError as exc:
        raise LayoutError(f"the sheet XML's root element is malformed: {exc}") from exc
    name = etree.QName(probe)
    if name.localname != "worksheet" or name.namespace not in MAIN_NS:
        raise LayoutError(f"the sheet part's root is {name.text}, not a SpreadsheetML worksheet")
    prefix = qname.rpartition(":")[0]
    prefix = f"{prefix}:" if prefix else ""
    ptag = re.escape(prefix.encode())

    opener = re.compile(rb"<" + ptag + rb"sheetData\b" + _ATTRS + rb"(/?)>")
    found = opener.search(data, root.end())
    if found is None:
        raise LayoutError("the worksheet has no <sheetData>")
    empty = found.group(1) == b"/"
    body_start = found.end()
    if empty:
        body_end = body_start
    else:
        # The one </sheetData> is near the end: looked for from there (a forward search
        # stops at every end tag of the rows).
        at = data.rfind(b"</" + prefix.encode() + b"sheetData", body_start)
        closer = re.compile(rb"</" + ptag + rb"sheetData\s*>").match(data, at) if at >= 0 else None
        if closer is None:
            raise LayoutError("the worksheet's <sheetData> is not closed")
        body_end = closer.start()
    for marker in _UNSUPPORTED:
        if _contains(data, marker, body_start, body_end):
            raise LayoutError(
                f"the sheet contains {marker.decode()}… inside <sheetData>; open and save it "
                "once in a spreadsheet program, then try again"
            )
    return SheetXml(
        data=data,
        ns=name.namespace,
        prefix=prefix,
        root_open=root.group(0),
        root_close=root_close,
        data_open=found.group(0),
        data_at=found.start(),
        body_start=body_start,
        body_end=body_end,
        data_empty=empty,
        rows=_rows_as_written(data, body_start, body_end, prefix)
        or _scan_rows(data, body_start, body_end, prefix),
    )


def _contains(data: bytes, marker: bytes, start: int, end: int) -> bool:
    """``marker`` (which starts with "<") in ``data[start:end]``. Its second byte is looked for
    first: a search for "<!" in a sheet that is mostly "<" stops at every tag, while "!" and
    "?" are rare in sheet XML (measured: 0.2 s against a few ms over 300 MB)."""
    pos = start
    while (found := data.find(marker[1:2], pos, end)) != -1:
        if found > start and data.startswith(marker, found - 1):
            return True
        pos = found + 1
    return False


def _rows_as_written(data: bytes, start: int, end: int, prefix: str) -> Rows | None:
    """The rows of a sheet whose rows follow each other directly, each starting ``<row
    r="N"``, found without a step per row in Python; None for any other sheet (it is then
    walked row by row, which also says precisely what is wrong with it)."""
    p = re.escape(prefix.encode())
    closer = f"</{prefix}row>".encode()
    ends = [found.end() for found in re.compile(re.escape(closer)).finditer(data, start, end)]
    numbers = re.compile(rb"<" + p + rb'row r="(\d+)"').findall(data, start, end)
    if not ends or len(numbers) != len(ends):
        return None  # rows written as <row/>, or without r first, or ended as "</row >"
    stops = np.array(ends, dtype=np.int64)
    starts = np.empty_like(stops)
    starts[0], starts[1:] = start, stops[:-1]
    opening = f'<{prefix}row r="'.encode()
    view = np.frombuffer(data, dtype=np.uint8)
    # Each row begins where the one before ended, with <row r=" (its number, found above).
    heads = view[starts[:, None] + np.arange(len(opening))]
    if not (heads == np.frombuffer(opening, dtype=np.uint8)).all():
        return None
    if data[stops[-1] : end].strip():
        return None
    number = np.array(numbers, dtype=np.int64)
    if number[0] < 1 or (len(number) > 1 and not bool((np.diff(number) > 0).all())):
        return None  # out of order: the walk says so
    return Rows(starts, stops, number, stops - len(closer), np.ones(len(stops), dtype=bool))


def _scan_rows(data: bytes, start: int, end: int, prefix: str) -> Rows:
    # str.find-based: several times faster than one regex with a lazy ".*?</row>".
    opener = re.compile(rb"<" + re.escape(prefix.encode()) + rb"row\b" + _ATTRS + rb"(/?)>")
    closer = f"</{prefix}row".encode()
    rows: list[tuple[int, int, int, int, bool]] = []
    previous = 0
    pos = start
    while (lt := data.find(b"<", pos, end)) != -1:
        opened = opener.match(data, lt, end)
        if opened is None or data[pos:lt].strip():
            raise LayoutError(f"unexpected content between rows at byte {pos} of the sheet XML")
        if opened.group(1):
            close, row_end = -1, opened.end()
        else:
            close, row_end = _close(data, opened.end(), end, closer)
        # A row without r="" is the one after the previous row (ECMA-376 §18.3.1.73).
        number_match = _ROW_NUMBER.search(opened.group(0))
        number = int(number_match.group(1)) if number_match else previous + 1
        if number <= previous:
            raise LayoutError(f"row {number} comes after row {previous} in the sheet XML")
        rows.append((lt, row_end, number, close, number_match is not None))
        previous = number
        pos = row_end
    if data[pos:end].strip():
        raise LayoutError(f"unexpected content after the last row at byte {pos} of the sheet XML")
    return Rows.of(rows)


def _close(data: bytes, pos: int, end: int, closer: bytes) -> tuple[int, int]:
    """(offset of, offset just past) the ``</row>`` closing the row whose content starts at
    ``pos``."""
    while (found := data.find(closer, pos, end)) != -1:
        tail = _TAG_END.match(data, found + len(closer), end)
        if tail is not None:
            return found, tail.end()
        pos = found + len(closer)  # e.g. "</rowFoo>" inside an extension: keep looking
    raise LayoutError(f"a row starting before byte {pos} of the sheet XML is not closed")


def find_row(sheet: SheetXml, number: int) -> RowSpan | None:
    (index,) = sheet.rows.index_of(np.array([number])).tolist()
    return sheet.rows[index] if index >= 0 else None


def parse_rows(sheet: SheetXml, spans: list[RowSpan]) -> list[etree._Element]:
    """Parse a run of consecutive rows with one parser call; elements in sheet order."""
    if not spans:
        return []
    chunk = sheet.data[spans[0].start : spans[-1].end]
    container = etree.fromstring(sheet.wrap(chunk), parser())[0]
    return list(container.iterchildren(f"{{{sheet.ns}}}row"))
