"""The CSV write-back as it was before the column-wise writer: every record through the csv
module, read and written again one by one. Kept as the reference the fast writer must equal
(byte for byte on files the csv module itself wrote; see test_csv_fast.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path

from spott_migrate.manifest.csvformat import CsvFormat, detect_format
from spott_migrate.writeback._columns import ordered_names, plan_columns
from spott_migrate.writeback._text import csv_guard, xml_safe

Results = Mapping[int, Mapping[str, str]]


def reference_csv(source: Path, results: Results, header_row: int = 1) -> bytes:
    """The bytes the record-by-record writer produced for ``source`` with ``results``."""
    fmt = detect_format(source, header_row)
    out = io.BytesIO()
    out.write(fmt.mark)
    text_out = io.TextIOWrapper(out, encoding=fmt.write_encoding, errors=fmt.errors, newline="")
    with open(source, encoding=fmt.encoding, errors=fmt.errors, newline="") as text_in:
        records = csv.reader(text_in, **fmt.reader_options())
        _write_records(_apply(records, results, fmt, header_row), text_out, fmt)
    text_out.flush()
    return out.getvalue()


def reference_records(source: Path, results: Results, header_row: int = 1) -> list[list[str]]:
    """The records that writer meant to write (before its csv writer quoted them)."""
    fmt = detect_format(source, header_row)
    with open(source, encoding=fmt.encoding, errors=fmt.errors, newline="") as text_in:
        records = csv.reader(text_in, **fmt.reader_options())
        return list(_apply(records, results, fmt, header_row))


def _header(record: list[str]) -> dict[int, str]:
    return {col: text for col, text in enumerate(record, 1) if text.strip()}


def _apply(
    records: Iterator[list[str]], results: Results, fmt: CsvFormat, header_row: int
) -> Iterator[list[str]]:
    number = width = 0
    plan = None
    for number, record in enumerate(records, 1):
        if number == header_row:
            plan = plan_columns(_header(record), ordered_names(results))
            width = max([len(record), *plan.new_headers, *plan.columns.values()])
            added = {col: _clean(name, fmt) for col, name in plan.new_headers.items()}
            yield _set(record, added) if added else record
        elif number in results and plan is not None:
            yield _set(record, _cells(plan.cells(results[number]), fmt), pad_to=width)
        else:
            yield record
    assert plan is not None
    last = max((row for row, values in results.items() if any(values.values())), default=0)
    for missing in range(number + 1, last + 1):
        cells = _cells(plan.cells(results[missing]), fmt) if missing in results else {}
        yield _set([], cells, pad_to=width)


def _write_records(records: Iterator[list[str]], out: io.TextIOWrapper, fmt: CsvFormat) -> None:
    writer = csv.writer(out, **fmt.writer_options())
    previous: list[str] | None = None
    for record in records:
        if previous is not None:
            writer.writerow(previous)
        previous = record
    if previous is not None:
        csv.writer(out, **fmt.writer_options(line_end=fmt.final_line_end)).writerow(previous)


def _cells(cells: Mapping[int, str], fmt: CsvFormat) -> dict[int, str]:
    return {col: _clean(text, fmt) for col, text in cells.items()}


def _clean(text: str, fmt: CsvFormat) -> str:
    text = csv_guard(xml_safe(text))
    if fmt.encoding == "cp1252":
        text = text.encode("cp1252", "replace").decode("cp1252")
    return text


def _set(record: list[str], cells: Mapping[int, str], *, pad_to: int = 0) -> list[str]:
    width = max([len(record), pad_to, *cells])
    updated = record + [""] * (width - len(record))
    for col, text in cells.items():
        updated[col - 1] = text
    return updated
