"""How a CSV file is written: encoding, delimiter, quoting, line ends — decided here, once, for
both directions: the manifest reader splits records with it, and the write-back writes its copy
with it, so the file changes only where we add results and both read the same columns.

Encodings: UTF-8 (with or without its mark), UTF-16 with a byte-order mark (little- or
big-endian, what Excel's "Unicode text" writes), and Windows-1252 for anything else that is not
clearly UTF-16. Whatever cannot be decoded is refused with a sentence that says how to save it.
"""

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

from ..errors import FileLayoutError

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_RECORDS = 50
_CHUNK = 1 << 20


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAVE_AS = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"


@dataclass(frozen=True)
class CsvFormat:
    # Python's codec: "utf-8-sig" (UTF-8 with its mark), "utf-8", "utf-16" (marked, either
    # byte order: the codec reads the mark) or "cp1252".
    encoding: str
    delimiter: str
    quote_all: bool  # every field quoted, as some exporters do
    line_end: str
    final_line_end: bool  # whether the last record ends with a line end
    # For "utf-16": the byte order of the original, kept when the copy is written.
    byte_order: str = ""

    @property
    def write_encoding(self) -> str:
        """The codec for writing a copy: the original's encoding and byte order."""
        return f"utf-16-{self.byte_order}" if self.encoding == "utf-16" else self.encoding

    @property
    def mark(self) -> bytes:
        """Bytes a copy starts with that the write codec does not add itself."""
        if self.encoding != "utf-16":
            return b""
        return codecs.BOM_UTF16_LE if self.byte_order == "le" else codecs.BOM_UTF16_BE

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
    """The format of the CSV at ``path`` (raises ``FileLayoutError`` if it cannot be decoded)."""
    encoding, sample, last_byte, order = _encoding(path)
    text = sample.decode(encoding, "surrogateescape" if encoding == "cp1252" else "ignore")
    if len(sample) == _SAMPLE_BYTES:  # drop a record that may be cut off
        text = text[: max(text.rfind("\n"), text.rfind("\r"), 0)]
    delimiter = csv_delimiter(text, path.suffix)
    final = last_byte in (b"\n", b"\r", b"") if encoding != "utf-16" else last_byte in _UTF16_ENDS
    return CsvFormat(
        encoding=encoding,
        delimiter=delimiter,
        quote_all=_quotes_all(text, delimiter, header_row),
        line_end=_line_end(text),
        final_line_end=final,
        byte_order=order,
    )


_UTF16_ENDS = (b"\n\x00", b"\r\x00", b"\x00\n", b"\x00\r", b"")


def decode_text(raw: bytes) -> tuple[str, str]:
    """(Python codec, text) of a whole CSV file held in memory, by the rules above.

    Strict, unlike the write-back (which carries bytes it does not understand through
    untouched): text the reader cannot decode would end up in file names and record ids.
    """
    encoding, _ = encoding_of(raw, valid_utf8=_valid_utf8(raw))
    try:
        return encoding, raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileLayoutError(
            f"byte {exc.start} cannot be decoded as {encoding}; {_SAVE_AS}"
        ) from None


def encoding_of(head: bytes, *, valid_utf8: bool) -> tuple[str, str]:
    """(codec, UTF-16 byte order or "") from a file's first bytes and whether all of it is
    valid UTF-8; raises ``FileLayoutError`` for what cannot be read safely."""
    for mark, name in _BOMS:
        if head.startswith(mark):
            if name == "utf-8-sig":
                if not valid_utf8:
                    raise FileLayoutError(
                        f"the file starts with a UTF-8 mark but is not valid UTF-8; {_SAVE_AS}"
                    )
                return name, ""
            return "utf-16", name[-2:]
    if valid_utf8 and b"\x00" not in head:
        return "utf-8", ""
    if b"\x00" in head:
        # Text with NUL bytes and no mark: UTF-16 or UTF-32 without a byte-order mark, or not
        # text at all. Windows-1252 would read it as garbage columns: refuse.
        raise FileLayoutError(
            f"the file holds NUL bytes: it is not plain CSV text (UTF-16 without a byte-order "
            f"mark, or a binary file); {_SAVE_AS}"
        )
    return "cp1252", ""


def _valid_utf8(raw: bytes) -> bool:
    if raw.isascii():  # a quarter of the time of decoding it
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoding(path: Path) -> tuple[str, bytes, bytes, str]:
    """(codec, first bytes after any mark, last bytes, UTF-16 byte order), streaming the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = True
    sample = b""
    last = b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            if not sample:
                sample = chunk[:_SAMPLE_BYTES]
            last = (last + chunk)[-2:]
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
    encoding, order = encoding_of(sample, valid_utf8=valid)
    if encoding == "utf-16":
        body = sample[2:]
        return (
            encoding,
            (codecs.BOM_UTF16_LE if order == "le" else codecs.BOM_UTF16_BE)
            + body[: len(body) // 2 * 2],
            last,
            order,
        )
    if encoding == "utf-8-sig":
        return encoding, sample[len(codecs.BOM_UTF8) :], last[-1:], ""
    return encoding, sample, last[-1:], ""


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
            records = csv.reader(io.StringIO(text, newline=""), delimiter=candidate)
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
