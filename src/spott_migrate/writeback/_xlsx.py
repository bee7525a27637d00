"""Results into, and back out of, one worksheet of an ``.xlsx`` package.

Only the chosen sheet's XML changes; every other part is carried over unchanged (see
``_zipcopy``). Values are written as inline strings: ``sharedStrings.xml`` stays as it is, and
a text such as ``=SUM(A1)`` stays text.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..manifest.schema import header_key
from ..manifest.xlsxpackage import SheetPart, locate_sheet
from ._cells import Element, Tags, cell_text, column_of, number_cells, shared_index
from ._columns import LayoutError, find_columns, plan_columns
from ._package import read_shared_strings
from ._sheetedit import BATCH_ROWS, Styles, column_styles
from ._sheetsplice import CellTexts, plan_edit
from ._sheetxml import SheetXml, find_row, parse_rows, scan_sheet
from ._table import ResultTable
from ._text import to_cell_text
from ._zipcopy import copy_zip


@contextmanager
def prepared_xlsx(
    source: Path, table: ResultTable, *, sheet: str | None, header_row: int
) -> Iterator[Callable[[BinaryIO], None]]:
    """Plan the new sheet, then yield the function that writes the whole package.

    Every check (and every layout error) happens before the caller creates its temporary
    file; the new sheet is then made while it is written (``_sheetsplice``).
    """
    with zipfile.ZipFile(source) as package:
        part = locate_sheet(package, sheet)
        xml = scan_sheet(package.read(part.part))
        header, header_style = _read_header(package, part, xml, header_row)
        plan = plan_columns(header, table.names())
        columns = {
            plan.columns[header_key(name)]: CellTexts.of(values, name in table.complete)
            for name, values in table.columns.items()
        }
        header_cells = {col: to_cell_text(name) for col, name in plan.new_headers.items()}
        styles = Styles(header_row, header_style, column_styles(xml))
        edit = plan_edit(xml, table.rows, columns, header_cells, styles)
        del xml  # the edit keeps what it needs of the old sheet

        def write(out: BinaryIO) -> None:
            copy_zip(package, out, {part.part: edit}, path=str(source))

        yield write


def read_xlsx(
    source: Path, *, sheet: str | None, header_row: int, columns: Iterable[str] | None
) -> dict[int, dict[str, str]]:
    """``{row: {column: text}}`` for rows below the header with any non-empty result cell."""
    with zipfile.ZipFile(source) as package:
        part = locate_sheet(package, sheet)
        xml = scan_sheet(package.read(part.part))
        header, _ = _read_header(package, part, xml, header_row)
        wanted = find_columns(header, columns)
        if not wanted:
            return {}
        by_col = {col: name for name, col in wanted.items()}
        first = min(by_col)
        tags = Tags.of(xml.ns, xml.prefix)
        found: dict[int, dict[int, object]] = {}  # text, or a shared-string index to look up
        body = [span for span in xml.rows if span.number > header_row]
        for start in range(0, len(body), BATCH_ROWS):
            spans = body[start : start + BATCH_ROWS]
            for span, row in zip(spans, parse_rows(xml, spans), strict=True):
                row.set("r", str(span.number))
                # Right to left: our columns are usually last, so we stop after a few cells.
                for cell in row.iterchildren(tags.c, reversed=True):
                    col = _column(row, cell, tags, span.number)
                    if col < first:
                        break
                    if col in by_col:
                        index = shared_index(cell, tags)
                        value = index if index is not None else cell_text(cell, tags, {})
                        found.setdefault(span.number, {})[col] = value
        indexes = {v for cells in found.values() for v in cells.values() if isinstance(v, int)}
        shared = read_shared_strings(package, part.shared_strings, indexes)
    results: dict[int, dict[str, str]] = {}
    for number, cells in found.items():
        texts = {c: shared.get(v, "") if isinstance(v, int) else str(v) for c, v in cells.items()}
        if any(texts.values()):
            results[number] = {name: texts.get(col, "") for name, col in wanted.items()}
    return results


def _read_header(
    package: zipfile.ZipFile, part: SheetPart, xml: SheetXml, header_row: int
) -> tuple[dict[int, str], str | None]:
    """The header row as ``{column: text}``, and the style of its last non-empty cell."""
    span = find_row(xml, header_row)
    if span is None:
        raise LayoutError(f"sheet {part.name!r} has no row {header_row} to serve as the header")
    tags = Tags.of(xml.ns, xml.prefix)
    (row,) = parse_rows(xml, [span])
    row.set("r", str(header_row))
    cells = [(_column(row, cell, tags, header_row), cell) for cell in row.iterchildren(tags.c)]
    indexes = {i for _, cell in cells if (i := shared_index(cell, tags)) is not None}
    shared = read_shared_strings(package, part.shared_strings, indexes)
    header: dict[int, str] = {}
    style: str | None = None
    for col, cell in cells:
        text = cell_text(cell, tags, shared)
        if text.strip():
            header[col] = text
            style = cell.get("s")
    if not header:
        raise LayoutError(f"row {header_row} of sheet {part.name!r} is empty: no header there")
    return header, style


def _column(row: Element, cell: Element, tags: Tags, number: int) -> int:
    col = column_of(cell)
    if col is None:  # cells without r: number the whole row from its start
        number_cells(row, tags, number)
        col = column_of(cell)
    if col is None:
        raise LayoutError(f"a cell in row {number} has no column")
    return col
