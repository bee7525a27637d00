"""Helpers to build manifests for tests: real .xlsx (openpyxl) and .csv files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl

HEADER = ("file_path", "type", "candidate_id", "company_id", "vacancy_id", "name")


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    sheet: str = "Attachments",
) -> Path:
    """A workbook with one sheet: header in row 1, then ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    """A CSV manifest."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_xlsx_column(path: Path, column: str, sheet: str | None = None) -> dict[int, object]:
    """Row number -> value of the column with header ``column`` (via openpyxl)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    header = [c.value for c in ws[1]]
    index = header.index(column) + 1
    return {r: ws.cell(row=r, column=index).value for r in range(2, ws.max_row + 1)}
