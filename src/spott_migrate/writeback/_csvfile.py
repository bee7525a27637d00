"""Results into, and back out of, a CSV manifest.

Record numbers are those of the ``csv`` module: a quoted field spanning lines is one record,
and an empty line is a record too. Records we do not change are copied as they are, byte for
byte; a record we change keeps its own fields and line end, and gets our cells (a record with
quotes is written again by the rules of the file's format, so quotes it does not need are
dropped). A million changed records cost a few operations on whole columns: a line without a
quote is one record, so our cells are appended to its text (see ``manifest.csvlines``).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..manifest.csvformat import CsvFormat, detect_format
from ..manifest.csvlines import CsvLines, PlainShape, Records
from ..manifest.schema import header_key
from ._atomic import write_slices
from ._columns import LayoutError, find_columns, plan_columns
from ._table import ResultTable, present, transformed
from ._text import csv_guard, csv_unguard, xml_safe

# Lines turned into text per piece: enough that a piece costs nothing extra, few enough that
# a piece is about a megabyte (see ``write_slices``).
_CHUNK_LINES = 10_000


def write_csv(
    source: Path,
    out: BinaryIO,
    *,
    results: ResultTable,
    header_row: int,
    shape: PlainShape | None = None,
) -> None:
    """Write ``source`` with ``results`` applied to ``out``, in the source's own format.

    ``shape``: what reading the file proved, trusted while the file is the version it was
    proved of (the same signature), so its lines are not measured again."""
    fmt = detect_format(source, header_row)
    with open(source, "rb") as file:
        info = os.fstat(file.fileno())
        raw = file.read()
    if shape is not None and shape.signature != (info.st_mtime_ns, info.st_size, info.st_ino):
        shape = None  # another version of the file
    text = raw.decode(fmt.encoding, fmt.errors)
    if fmt.encoding == "utf-8-sig":
        raw = raw[len(codecs.BOM_UTF8) :]
    # Bytes that are lines as the text is (ASCII single bytes) show the shape of every line.
    shape_of = raw if fmt.encoding in ("utf-8", "utf-8-sig", "cp1252") else None
    lines = CsvLines(text, raw=shape_of, delimiter=fmt.delimiter, known=shape)
    del text, raw, shape_of
    try:
        records = Records(lines, fmt.reader_options())
        appended = _apply(lines, records, results, fmt, header_row)
    except csv.Error as exc:
        raise LayoutError(f"the CSV cannot be parsed: {exc}") from exc
    out.write(fmt.mark)
    # Encoded piece by piece: the incremental encoder writes a UTF-8 mark only once.
    encoder = codecs.getincrementalencoder(fmt.write_encoding)(fmt.errors)
    for piece in _pieces(lines, appended, fmt):
        write_slices(out, encoder.encode(piece))
    out.write(encoder.encode("", final=True))


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
    lines: CsvLines, records: Records, results: ResultTable, fmt: CsvFormat, header_row: int
) -> list[str]:
    """Put ``results`` into ``lines`` (edited in place); return the records to add at the end
    (records past the last one: filled with empty fields rather than left as blank lines,
    which some readers skip and would then count rows differently)."""
    if records.count < header_row:
        raise LayoutError(f"the CSV has no record {header_row} to serve as the header")
    header = records.fields(header_row)
    plan = plan_columns(_header(header), results.names())
    width = max([len(header), *plan.new_headers, *plan.columns.values()])
    if plan.new_headers:
        added = {col: _clean(name, fmt) for col, name in plan.new_headers.items()}
        _replace(lines, records, header_row, _record_text(_set(header, added), fmt))
    prepared = {
        plan.columns[header_key(name)]: _prepared(values, name in results.complete, fmt)
        for name, values in results.columns.items()
    }
    clean = {col: column.clean for col, column in prepared.items()}
    rows = results.rows
    inside = int(np.searchsorted(rows, records.count, side="right"))
    done = np.zeros(inside, dtype=bool)
    if not fmt.quote_all and width >= 2 and prepared and inside:
        ready = {col: column.first(inside) for col, column in prepared.items()}
        done = _append_in_place(lines, records, rows[:inside], ready, width, fmt.delimiter)
    for i in np.flatnonzero(~done).tolist():
        record = int(rows[i])
        fields = _set(records.fields(record), _cells(clean, i), pad_to=width)
        _replace(lines, records, record, _record_text(fields, fmt))
    return _past_the_end(results, inside, clean, records.count, width, fmt)


@dataclass(frozen=True)
class _Column:
    """Our texts for one column of the file: as written, and quoted as fields need; ``None``
    where a row leaves the cell alone."""

    clean: np.ndarray
    quoted: np.ndarray
    complete: bool  # no None
    constant: str | None  # the quoted text of every row, when it is one (a status, a time)

    def first(self, n: int) -> _Column:
        return _Column(self.clean[:n], self.quoted[:n], self.complete, self.constant)


def _append_in_place(
    lines: CsvLines,
    records: Records,
    rows: np.ndarray,
    ready: Mapping[int, _Column],
    width: int,
    delimiter: str,
) -> np.ndarray:
    """The common case, column by column: a record that is one line without quotes keeps its
    text up to our first column and gets our cells joined after it. Only possible when every
    field from our first column to the record's end is one of ours (and set on this row);
    returns which rows were done so."""
    targets = sorted(ready)
    first = targets[0]
    block_end = first  # our columns first, first + 1, ... without a gap
    while block_end + 1 in ready:
        block_end += 1
    line_of = records.first_lines(rows)
    n = len(rows)
    # Consecutive lines (every row of a file): slices of the list instead of look-ups.
    span = int(line_of[0]), int(line_of[-1]) + 1
    consecutive = span[1] - span[0] == n
    bodies: list[str] = (
        lines.bodies[span[0] : span[1]]
        if consecutive
        else [lines.bodies[i] for i in line_of.tolist()]
    )
    if lines.delimiters is not None:
        fields = lines.delimiters[line_of] + 1
    else:
        fields = np.fromiter(map(str.count, bodies, repeat(delimiter)), dtype=np.int64, count=n)
        fields += 1
    # An empty line is a record of no fields (only a line without a delimiter can be one).
    if (fields == 1).any() and "" in bodies:
        fields[np.flatnonzero(np.asarray(bodies, dtype=object) == "")] = 0
    usable = np.ones(n, dtype=bool)
    if records.parsed:  # records read through the csv module (quotes): the general way
        usable &= ~np.isin(rows, np.fromiter(records.parsed, dtype=np.int64))
    # A record reaching into our columns must end within them, with a text for each.
    reaching = fields >= first
    usable &= ~reaching | (fields <= block_end)
    for col in targets:
        if col <= block_end and not ready[col].complete:
            usable &= ~(reaching & (fields >= col)) | present(ready[col].quoted)
    same = bool((fields == fields[0]).all())
    for k in [int(fields[0])] if same else np.unique(fields[usable]).tolist():
        chosen = usable if same else usable & (fields == k)
        everything = bool(chosen.all())
        picked = None if everything else np.flatnonzero(chosen)
        start = k + 1 if k < first else first  # the first field we write on these rows
        texts: Iterable[str] = bodies if picked is None else [bodies[i] for i in picked.tolist()]
        if k >= first:  # cut our old cells off the end
            texts = [t.rsplit(delimiter, k - first + 1)[0] for t in texts]
        count = n if picked is None else len(picked)
        head = texts if isinstance(texts, list) else list(texts)  # (read only: no copy)
        parts: list[str | list[str]] = [head] if start > 1 else []
        for col in range(start, width + 1):
            if parts:
                parts.append(delimiter)
            parts.append(_texts_for(ready.get(col), picked, count))
        if everything and consecutive and lines.uniform_end is not None:
            parts.append(lines.uniform_end)
            lines.defer(span[0], span[1], _rows_text(_folded(parts), span[0]))
            continue
        columns = [repeat(p, count) if isinstance(p, str) else p for p in _folded(parts)]
        joined = map("".join, zip(*columns, strict=True))
        where = line_of if picked is None else line_of[picked]
        target = lines.bodies
        for line, text in zip(where.tolist(), joined, strict=True):
            target[line] = text
    return usable


def _texts_for(column: _Column | None, picked: np.ndarray | None, count: int) -> str | list[str]:
    """One column's texts for the chosen rows ("" beyond the record where a row sets none),
    or the one text of them all."""
    if column is None:
        return ""
    if column.constant is not None:
        return column.constant
    texts = column.quoted if picked is None else column.quoted[picked]
    if not column.complete:
        texts = texts.copy()
        texts[~present(texts)] = ""
    listed: list[str] = texts.tolist()
    return listed


def _folded(parts: list[str | list[str]]) -> list[str | list[str]]:
    """Neighbouring constant texts as one (",assigned," rather than ",", "assigned", ",")."""
    out: list[str | list[str]] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out


def _rows_text(parts: list[str | list[str]], first: int) -> Callable[[int, int], str]:
    """The text of lines ``a..b-1`` (counted from line ``first``): each line's parts, constant
    or from a column, strung together in one join (no string per line is made)."""

    width = len(parts)
    # Every line's parts side by side in one list, filled a part at a time by slice
    # assignment (C copies pointers; zipping the parts line by line took twice as long).
    filler = next((p for p in parts if isinstance(p, str)), "")

    def make(a: int, b: int) -> str:
        count = b - a
        strung: list[str] = [filler] * (width * count)
        for j, part in enumerate(parts):
            if isinstance(part, str):
                if part is not filler:
                    strung[j::width] = [part] * count
            else:
                strung[j::width] = part[a - first : b - first]
        return "".join(strung)

    return make


def _past_the_end(
    results: ResultTable,
    inside: int,
    clean: Mapping[int, np.ndarray],
    count: int,
    width: int,
    fmt: CsvFormat,
) -> list[str]:
    rows = results.rows[inside:]
    with_text = results.any_text(inside)
    if not with_text.any():
        return []
    last = int(rows[with_text][-1])
    at = {int(row): inside + i for i, row in enumerate(rows.tolist()) if row <= last}
    return [
        _record_text(_set([], _cells(clean, at[n]) if n in at else {}, pad_to=width), fmt)
        for n in range(count + 1, last + 1)
    ]


def _pieces(lines: CsvLines, appended: list[str], fmt: CsvFormat) -> Iterator[str]:
    """The new file's text, in pieces: the lines as edited, then the records added."""
    if appended:
        lines.end_the_last_line(fmt.line_end)  # no longer the last record
    yield from lines.texts(_CHUNK_LINES)
    for start in range(0, len(appended), _CHUNK_LINES):
        block = appended[start : start + _CHUNK_LINES]
        last = start + len(block) == len(appended)
        yield fmt.line_end.join(block) + (fmt.line_end if not last or fmt.final_line_end else "")


def _replace(lines: CsvLines, records: Records, record: int, text: str) -> None:
    lines.replace(records.first_line(record), records.line_count(record), text)


def _record_text(fields: list[str], fmt: CsvFormat) -> str:
    """One record as the csv module writes it in the file's format (no line end). A field
    holding a line break is quoted whichever line end the file uses."""
    if fields == [""]:
        return '""'  # one empty field, told apart from an empty line
    return fmt.delimiter.join(_field(text, fmt) for text in fields)


def _field(text: str, fmt: CsvFormat) -> str:
    if fmt.quote_all or _needs_quotes(text, fmt.delimiter):
        return '"' + text.replace('"', '""') + '"'
    return text


def _needs_quotes(text: str, delimiter: str) -> bool:
    return delimiter in text or '"' in text or "\n" in text or "\r" in text


def _cells(clean: Mapping[int, np.ndarray], i: int) -> dict[int, str]:
    return {col: texts[i] for col, texts in clean.items() if texts[i] is not None}


def _prepared(values: np.ndarray, complete: bool, fmt: CsvFormat) -> _Column:
    """A column of result texts as written (see ``_clean``) and quoted as fields."""

    def transform(text: str) -> tuple[str, str]:
        cleaned = _clean(text, fmt)
        return cleaned, _field(cleaned, fmt)

    clean, quoted, constant = transformed(
        values, complete, lambda texts: _needs_nothing(texts, fmt), transform
    )
    return _Column(clean, quoted, complete, constant)


_UNSAFE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\r"\ud800-\udfff\ufffe\uffff]')
_STARTS = ("=", "+", "-", "@", "\t", "'")  # a formula look-alike, or apostrophes before one


def _needs_nothing(texts: np.ndarray, fmt: CsvFormat) -> bool:
    """True when every text is written as it is: one look at the joined column (False may
    be a false alarm: those columns go text by text)."""
    delimiter = fmt.delimiter
    joined = delimiter.join(texts.tolist())
    if joined.count(delimiter) != len(texts) - 1:  # a text holds the delimiter: quoted
        return False
    # Printable text has no control characters, line breaks or lone surrogates (one C
    # call); a tab (allowed inside a value) takes the closer look.
    printable = joined.isprintable()
    if not printable and (_UNSAFE.search(joined) or "\n" in joined):
        return False
    if '"' in joined or joined.startswith(_STARTS) or _starts_after(delimiter).search(joined):
        return False
    if fmt.encoding == "cp1252" and not joined.isascii():
        try:
            joined.encode("cp1252")
        except UnicodeEncodeError:
            return False
    return True


@lru_cache(maxsize=8)
def _starts_after(delimiter: str) -> re.Pattern[str]:
    """A text after the first one that starts like a formula (or with apostrophes)."""
    return re.compile(re.escape(delimiter) + "['=+\\-@\t]")


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
