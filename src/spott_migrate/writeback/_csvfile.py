"""Results into, and back out of, a CSV manifest, streamed record by record.

Record numbers are those of the ``csv`` module: a quoted field spanning lines is one record,
and an empty line is a record too (written back unchanged). Records we do not change keep
their fields; the csv module may re-quote them (quotes it considers unnecessary are dropped).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from ..manifest.csvformat import CsvFormat, detect_format
from ._columns import LayoutError, find_columns, ordered_names, plan_columns
from ._text import csv_guard, csv_unguard, xml_safe

Results = Mapping[int, Mapping[str, str]]


def write_csv(source: Path, out: BinaryIO, *, results: Results, header_row: int) -> None:
    """Write ``source`` with ``results`` applied to ``out``, in the source's own format."""
    fmt = detect_format(source, header_row)
    out.write(fmt.mark)
    text_out = io.TextIOWrapper(out, encoding=fmt.write_encoding, errors=fmt.errors, newline="")
    try:
        with open(source, encoding=fmt.encoding, errors=fmt.errors, newline="") as text_in:
            records = csv.reader(text_in, **fmt.reader_options())
            _write_records(_apply(records, results, fmt, header_row), text_out, fmt)
        text_out.flush()
    except csv.Error as exc:
        raise LayoutError(f"the CSV cannot be parsed: {exc}") from exc
    finally:
        text_out.detach()  # the caller owns ``out`` (it still has to fsync it)


def read_csv(
    source: Path, *, header_row: int, columns: Iterable[str] | None
) -> dict[int, dict[str, str]]:
    """``{record: {column: text}}`` for records below the header with any non-empty result."""
    fmt = detect_format(source, header_row)
    results: dict[int, dict[str, str]] = {}
    wanted: dict[str, int] = {}
    try:
        with open(source, encoding=fmt.encoding, errors=fmt.errors, newline="") as text_in:
            for number, record in enumerate(csv.reader(text_in, **fmt.reader_options()), 1):
                if number == header_row:
                    wanted = find_columns(_header(record), columns)
                elif number > header_row and wanted:
                    values = {
                        name: csv_unguard(record[col - 1]) if col <= len(record) else ""
                        for name, col in wanted.items()
                    }
                    if any(values.values()):
                        results[number] = values
    except csv.Error as exc:
        raise LayoutError(f"the CSV cannot be parsed: {exc}") from exc
    return results


def _header(record: list[str]) -> dict[int, str]:
    return {col: text for col, text in enumerate(record, 1) if text.strip()}


def _apply(
    records: Iterator[list[str]], results: Results, fmt: CsvFormat, header_row: int
) -> Iterator[list[str]]:
    """The records with our columns set; missing records are added as blank ones."""
    number = width = 0
    plan = None
    for number, record in enumerate(records, 1):
        if number == header_row:
            plan = plan_columns(_header(record), ordered_names(results))
            width = max(len(record), *plan.new_headers, *plan.columns.values())
            added = {col: _clean(name, fmt) for col, name in plan.new_headers.items()}
            yield _set(record, added) if added else record
        elif number in results and plan is not None:
            yield _set(record, _cells(plan.cells(results[number]), fmt), pad_to=width)
        else:
            yield record
    if plan is None:
        raise LayoutError(f"the CSV has no record {header_row} to serve as the header")
    # Rows past the end: filled with empty fields rather than left as blank lines, which
    # some readers skip (and would then count rows differently).
    last = max((row for row, values in results.items() if any(values.values())), default=0)
    for missing in range(number + 1, last + 1):
        cells = _cells(plan.cells(results[missing]), fmt) if missing in results else {}
        yield _set([], cells, pad_to=width)


def _write_records(records: Iterator[list[str]], out: io.TextIOWrapper, fmt: CsvFormat) -> None:
    """Write with the file's line end, leaving it off the last record if the source did."""
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
    """Control characters out, formula look-alikes defused, unencodable characters as "?"."""
    text = csv_guard(xml_safe(text))
    if fmt.encoding == "cp1252":
        text = text.encode("cp1252", "replace").decode("cp1252")
    return text


def _set(record: list[str], cells: Mapping[int, str], *, pad_to: int = 0) -> list[str]:
    """A copy of ``record`` with ``cells`` (1-based) set, padded with empty fields as needed."""
    width = max([len(record), pad_to, *cells])
    updated = record + [""] * (width - len(record))
    for col, text in cells.items():
        updated[col - 1] = text
    return updated
