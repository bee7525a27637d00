"""Cutting a worksheet's XML into head, rows and tail without parsing it whole.

A full lxml tree of a 100,000-row, 8-column sheet took about 1 GB of memory (measured), so
only the rows we read or change are parsed, a batch at a time (see ``_sheetedit``); every
other byte is copied through. Finding row
boundaries on bytes is exact for well-formed SpreadsheetML: text and attribute values cannot
contain a raw ``<``, rows do not nest, and we check that nothing but whitespace lies between
the rows we find. Comments, CDATA and processing instructions inside ``<sheetData>`` (which no
spreadsheet program writes) are refused rather than guessed at.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

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
    rows: list[RowSpan]

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
        closer = re.compile(rb"</" + ptag + rb"sheetData\s*>").search(data, body_start)
        if closer is None:
            raise LayoutError("the worksheet's <sheetData> is not closed")
        body_end = closer.start()
    for marker in _UNSUPPORTED:
        if data.find(marker, body_start, body_end) != -1:
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
        rows=_scan_rows(data, body_start, body_end, prefix),
    )


def _scan_rows(data: bytes, start: int, end: int, prefix: str) -> list[RowSpan]:
    # str.find-based: several times faster than one regex with a lazy ".*?</row>".
    opener = re.compile(rb"<" + re.escape(prefix.encode()) + rb"row\b" + _ATTRS + rb"(/?)>")
    closer = f"</{prefix}row".encode()
    rows: list[RowSpan] = []
    previous = 0
    pos = start
    while (lt := data.find(b"<", pos, end)) != -1:
        opened = opener.match(data, lt, end)
        if opened is None or data[pos:lt].strip():
            raise LayoutError(f"unexpected content between rows at byte {pos} of the sheet XML")
        row_end = opened.end() if opened.group(1) else _close(data, opened.end(), end, closer)
        # A row without r="" is the one after the previous row (ECMA-376 §18.3.1.73).
        number_match = _ROW_NUMBER.search(opened.group(0))
        number = int(number_match.group(1)) if number_match else previous + 1
        if number <= previous:
            raise LayoutError(f"row {number} comes after row {previous} in the sheet XML")
        rows.append(RowSpan(lt, row_end, number))
        previous = number
        pos = row_end
    if data[pos:end].strip():
        raise LayoutError(f"unexpected content after the last row at byte {pos} of the sheet XML")
    return rows


def _close(data: bytes, pos: int, end: int, closer: bytes) -> int:
    """Offset just past the ``</row>`` closing the row whose content starts at ``pos``."""
    while (found := data.find(closer, pos, end)) != -1:
        tail = _TAG_END.match(data, found + len(closer), end)
        if tail is not None:
            return tail.end()
        pos = found + len(closer)  # e.g. "</rowFoo>" inside an extension: keep looking
    raise LayoutError(f"a row starting before byte {pos} of the sheet XML is not closed")


def find_row(sheet: SheetXml, number: int) -> RowSpan | None:
    index = bisect_left(sheet.rows, number, key=lambda span: span.number)
    if index < len(sheet.rows) and sheet.rows[index].number == number:
        return sheet.rows[index]
    return None


def parse_rows(sheet: SheetXml, spans: list[RowSpan]) -> list[etree._Element]:
    """Parse a run of consecutive rows with one parser call; elements in sheet order."""
    if not spans:
        return []
    chunk = sheet.data[spans[0].start : spans[-1].end]
    container = etree.fromstring(sheet.wrap(chunk), parser())[0]
    return list(container.iterchildren(f"{{{sheet.ns}}}row"))
