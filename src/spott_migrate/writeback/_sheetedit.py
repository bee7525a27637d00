"""Editing rows of a worksheet with lxml: for the rows the byte-level splice does not take
(see ``_sheetsplice``), a batch of consecutive rows is parsed, edited and serialised again.
Also the styles new cells take, and the sheet's ``<dimension>``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from ..manifest.xlsxpackage import parser
from ._cellref import Box, cell_ref, format_range, parse_range, union
from ._cells import Element, Tags, cell_xml, find_cell, place_cell, widen_spans
from ._columns import LayoutError
from ._sheetxml import RowSpan, SheetXml

# Rows parsed per lxml call: large enough to amortise the call, small enough to keep the
# tree small. Measured on 100k rows: one row per call ≈ 2× slower; 50-500 rows about equal.
BATCH_ROWS = 200

_DIMENSION_REF = r"""(<{p}dimension\b[^>]*?\sref\s*=\s*["'])([^"']*)(["'])"""

Updates = Mapping[int, Mapping[int, str]]  # row number -> {column: cell text ("" clears)}


@dataclass(frozen=True)
class Styles:
    """Style ids for cells we create (cells we replace keep their own)."""

    header_row: int
    header: str | None  # the header row's last cell style, so added headers look alike
    columns: list[tuple[int, int, str]]  # (<col min>, <col max>, style) from <cols>

    def for_new_cell(self, row: Element, row_number: int, col: int) -> str | None:
        if row_number == self.header_row:
            return self.header
        # Like Excel when you type into an empty cell: row format first, then column format.
        if has_row_format(row.get("customFormat"), row.get("s")):
            return row.get("s")
        return self.for_column(col)

    def for_column(self, col: int) -> str | None:
        """The style of a new cell in a data row without a row format of its own."""
        for low, high, style in self.columns:
            if low <= col <= high:
                return style
        return None


def has_row_format(custom_format: str | None, style: str | None) -> bool:
    return custom_format in ("1", "true") and bool(style)


def column_styles(sheet: SheetXml) -> list[tuple[int, int, str]]:
    head = etree.fromstring(sheet.head_document(), parser())
    found = []
    for col in head.iterfind(f"{{{sheet.ns}}}cols/{{{sheet.ns}}}col"):
        try:
            found.append((int(col.get("min", "0")), int(col.get("max", "0")), col.get("style")))
        except ValueError:
            continue
    return [(low, high, style) for low, high, style in found if style and style != "0"]


def edit_batch(
    sheet: SheetXml,
    tags: Tags,
    chunk: bytes,
    items: list[tuple[RowSpan | None, int]],
    updates: Updates,
    styles: Styles,
) -> bytes:
    container = etree.fromstring(sheet.wrap(chunk), parser())[0]
    parsed = iter(list(container.iterchildren(tags.row)))

    # Pass 1: decide every cell and its style, find where it goes, and collect the markup,
    # so that all new cells of the batch come from one parser call (thousands of SubElement
    # calls cost several times more).
    ops: list[tuple[Element, Element | None, Element | None, bool]] = []
    markup: list[str] = []
    previous: Element | None = None
    for span, number in items:
        if span is None:
            row = etree.SubElement(container, tags.row)
            if previous is None:
                container.insert(0, row)
            else:
                previous.addnext(row)
        else:
            row = next(parsed, None)
            if row is None:
                raise LayoutError(f"row {number} could not be read back from the sheet XML")
        row.set("r", str(number))  # explicit, so cells without r can be numbered from it
        previous = row
        cells = updates[number]
        for col in sorted(cells):
            existing, left = find_cell(row, tags, col)
            if existing is not None:
                style = existing.get("s")
            else:
                style = styles.for_new_cell(row, number, col)
            # Clearing keeps a styled empty cell (the user's formatting), drops a plain one.
            make = bool(cells[col]) or style is not None
            if make:
                markup.append(cell_xml(tags, cell_ref(number, col), style, cells[col]))
            if make or existing is not None:
                ops.append((row, existing, left, make))
        widen_spans(row, list(cells))

    # Pass 2: place them right-to-left (see place_cell).
    made = list(etree.fromstring(sheet.wrap("".join(markup).encode()), parser())[0])
    for row, existing, left, make in reversed(ops):
        place_cell(row, made.pop() if make else None, existing, left)

    if len(container) == 0:
        return b""
    serialized: bytes = etree.tostring(container, encoding="UTF-8", with_tail=False)
    return serialized[serialized.index(b">") + 1 : serialized.rindex(b"</")]


def grown_head(sheet: SheetXml, written: Box | None) -> bytes:
    """The sheet's head, with ``<dimension ref>`` widened to cover the cells we write
    (``written``: the box of non-empty cells, None when there are none)."""
    head = sheet.data[: sheet.body_start]
    if written is None:
        return head
    pattern = re.compile(_DIMENSION_REF.format(p=re.escape(sheet.prefix)).encode())
    found = pattern.search(head)
    if found is None:
        return head  # the element is optional; readers compute the range themselves
    try:
        old = parse_range(found.group(2).decode())
    except ValueError:
        return head
    new = format_range(union(old, written)).encode()
    return head[: found.start(2)] + new + head[found.end(2) :]
