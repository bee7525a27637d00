"""The sheet edit as it was before the splice: every row we change parsed and edited with lxml,
batch by batch. Kept as the reference the spliced sheet must equal (as XML: lxml writes an
edited row's other markup its own way, the splice leaves it as it was)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from spott_migrate.manifest.xlsxpackage import locate_sheet
from spott_migrate.writeback._cellref import Box, format_range, parse_range, union
from spott_migrate.writeback._cells import Tags
from spott_migrate.writeback._columns import ordered_names, plan_columns
from spott_migrate.writeback._sheetedit import (
    _DIMENSION_REF,
    BATCH_ROWS,
    Styles,
    column_styles,
    edit_batch,
)
from spott_migrate.writeback._sheetxml import RowSpan, SheetXml, scan_sheet
from spott_migrate.writeback._text import to_cell_text
from spott_migrate.writeback._xlsx import _read_header

Updates = Mapping[int, Mapping[int, str]]


def reference_sheet(
    path: Path, results: Mapping[int, Mapping[str, str]], header_row: int = 1
) -> bytes:
    """The sheet XML the lxml-only edit made of the workbook's first sheet with ``results``."""
    with zipfile.ZipFile(path) as package:
        part = locate_sheet(package, None)
        xml = scan_sheet(package.read(part.part))
        header, header_style = _read_header(package, part, xml, header_row)
        plan = plan_columns(header, ordered_names(results))
        updates: dict[int, dict[int, str]] = {
            row: {col: to_cell_text(text) for col, text in plan.cells(values).items()}
            for row, values in results.items()
        }
        if plan.new_headers:
            updates[header_row] = {col: to_cell_text(n) for col, n in plan.new_headers.items()}
        styles = Styles(header_row, header_style, column_styles(xml))
        return b"".join(bytes(piece) for piece in rewrite_sheet(xml, updates, styles))


def rewrite_sheet(sheet: SheetXml, updates: Updates, styles: Styles) -> list[bytes | memoryview]:
    tags = Tags.of(sheet.ns, sheet.prefix)
    data = memoryview(sheet.data)
    out: list[bytes | memoryview] = [_grow_dimension(sheet, updates)]
    pos = sheet.body_start
    anchor = sheet.body_start
    pending: list[tuple[RowSpan | None, int]] = []

    def flush() -> None:
        nonlocal pos
        if not pending:
            return
        present = [span for span, _ in pending if span is not None]
        start, end = (present[0].start, present[-1].end) if present else (anchor, anchor)
        out.append(data[pos:start])
        out.append(edit_batch(sheet, tags, bytes(data[start:end]), pending, updates, styles))
        pos = end
        pending.clear()

    rows, targets = sheet.rows, sorted(updates)
    i = j = 0
    while j < len(targets):
        span = rows[i] if i < len(rows) else None
        target = targets[j]
        if span is not None and span.number < target:
            flush()
            anchor = span.end
            i += 1
            continue
        if span is not None and span.number == target:
            pending.append((span, target))
            anchor = span.end
            i += 1
        elif any(updates[target].values()):
            pending.append((None, target))
        j += 1
        if len(pending) >= BATCH_ROWS:
            flush()
    flush()
    out.append(data[pos:])
    return out


def _grow_dimension(sheet: SheetXml, updates: Updates) -> bytes:
    head = sheet.data[: sheet.body_start]
    written = [(row, col) for row, cells in updates.items() for col, text in cells.items() if text]
    if not written:
        return head
    rows = [row for row, _ in written]
    cols = [col for _, col in written]
    box: Box = (min(rows), min(cols), max(rows), max(cols))
    pattern = re.compile(_DIMENSION_REF.format(p=re.escape(sheet.prefix)).encode())
    found = pattern.search(head)
    if found is None:
        return head
    try:
        old = parse_range(found.group(2).decode())
    except ValueError:
        return head
    return head[: found.start(2)] + format_range(union(old, box)).encode() + head[found.end(2) :]
