"""How a CSV file is written: encoding, delimiter, quoting, line ends — detected once, reused
for writing the copy, so the file changes only where we add results."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._columns import LayoutError

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_RECORDS = 50
_CHUNK = 1 << 20


@dataclass(frozen=True)
class CsvFormat:
    encoding: str  # "utf-8-sig" (with BOM), "utf-8" or "cp1252"
    delimiter: str
    quote_all: bool  # every field quoted, as some exporters do
    line_end: str
    final_line_end: bool  # whether the last record ends with a line end

    @property
    def errors(self) -> str:
        # cp1252 leaves five byte values undefined; surrogateescape carries such bytes through
        # untouched instead of failing on a file that Excel and others read happily.
        return "surrogateescape" if self.encoding == "cp1252" else "strict"

    def writer_options(self, *, line_end: bool = True) -> dict[str, Any]:
        return {
            "delimiter": self.delimiter,
            "quotechar": '"',
            "doublequote": True,
            "quoting": csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL,
            "lineterminator": self.line_end if line_end else "",
        }

    def reader_options(self) -> dict[str, Any]:
        return {"delimiter": self.delimiter, "quotechar": '"', "doublequote": True}


def detect_format(path: Path, header_row: int) -> CsvFormat:
    encoding, sample, last_byte = _encoding(path)
    text = sample.decode(encoding, "surrogateescape" if encoding == "cp1252" else "ignore")
    if len(sample) == _SAMPLE_BYTES:  # drop a record that may be cut off
        text = text[: max(text.rfind("\n"), text.rfind("\r"), 0)]
    delimiter = csv_delimiter(text, path.suffix)
    return CsvFormat(
        encoding=encoding,
        delimiter=delimiter,
        quote_all=_quotes_all(text, delimiter, header_row),
        line_end=_line_end(text),
        final_line_end=last_byte in (b"\n", b"\r", b""),
    )


def _encoding(path: Path) -> tuple[str, bytes, bytes]:
    """BOM → utf-8-sig; valid UTF-8 throughout → utf-8; anything else → cp1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = True
    sample = b""
    last = b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            if not sample:
                sample = chunk[:_SAMPLE_BYTES]
            last = chunk[-1:]
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
        if valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LayoutError("UTF-16 CSV files are not supported; save the file as UTF-8 CSV")
    if sample.startswith(codecs.BOM_UTF8):
        if not valid:
            raise LayoutError("the file starts with a UTF-8 mark but is not valid UTF-8")
        return "utf-8-sig", sample[len(codecs.BOM_UTF8) :], last
    return ("utf-8" if valid else "cp1252"), sample, last


def csv_delimiter(text: str, suffix: str = ".csv") -> str:
    """The delimiter of CSV ``text`` (its start will do): tab for ``.tsv``, else the candidate
    that splits the first records into the most consistent, widest rows.

    The manifest reader uses it too: reading and writing back must split records alike.
    """
    if suffix.lower() == ".tsv":
        return "\t"
    if len(text) > _SAMPLE_BYTES:  # the start is enough; end it on a whole record
        text = text[:_SAMPLE_BYTES]
        text = text[: max(text.rfind("\n"), text.rfind("\r"), 0)]
    return _delimiter(text)


def _delimiter(text: str) -> str:
    """The candidate that splits the first records into the most consistent, widest rows."""
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        try:
            records = csv.reader(io.StringIO(text), delimiter=candidate)
            widths = [len(r) for r in itertools.islice(records, _SAMPLE_RECORDS) if r]
        except csv.Error:
            continue
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        score = (agreeing, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _quotes_all(text: str, delimiter: str, header_row: int) -> bool:
    """True when the header line quotes every field (a QUOTE_ALL exporter)."""
    lines = re.split(r"\r\n|\n|\r", text)
    if len(lines) < header_row:
        return False
    d = re.escape(delimiter)
    field = r'"(?:[^"]|"")*"'
    return re.fullmatch(f"{field}(?:{d}{field})*", lines[header_row - 1]) is not None


def _line_end(text: str) -> str:
    """The first line end in the file (the csv module writes one kind throughout)."""
    found = re.search(r"\r\n|\n|\r", text)
    return found.group(0) if found else "\r\n"
