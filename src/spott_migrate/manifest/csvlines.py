"""A CSV file's text as lines, and which lines make up each record, without parsing them all.

Records are the ``csv`` module's: a quoted field may span lines, and an empty line is a record
of no fields. A line without a quote character is one whole record (nothing on it can open a
quoted field), so only lines with a quote go through the ``csv`` module, which then takes as
many lines as the record needs. Line ends are those the ``csv`` module sees through a text
file opened with ``newline=""``: ``\\r\\n``, ``\\n`` and ``\\r``.

Both directions use it: the manifest reader (:func:`uniform_columns`) and the write-back.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

_LINE_END = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True)
class PlainShape:
    """What reading a plain CSV proved (no quote anywhere, one kind of line end, every one of
    its ``lines`` as wide, none longer than ``within``), and for which version of the file:
    its ``signature`` (modification time in ns, size, inode) when it was read."""

    line_end: str
    width: int
    lines: int
    within: int
    signature: tuple[int, int, int]


class CsvLines:
    """``bodies[i]`` is line ``i`` without its end, ``end(i)`` its end ("" for a last line
    without one). ``delimiters`` holds the number of delimiters on each line when it was cheap
    to count (see ``_skeleton``), or known (``known``: the text is the file a read proved
    plain; nothing is counted again)."""

    def __init__(
        self,
        text: str,
        *,
        raw: bytes | None = None,
        delimiter: str = ",",
        known: PlainShape | None = None,
    ) -> None:
        self._ends: list[str] = []
        self.delimiters: np.ndarray | None = None
        self.uniform_end: str | None = None
        self._within: int | None = None
        if known is None or not self._as_known(text, known):
            self._measure(text, raw, delimiter)
        self.has_quote = '"' in text
        self._removed: set[int] = set()  # lines now part of the record on an earlier line
        self._end_of: dict[int, str] = {}  # line ends changed by an edit
        # Lines whose new text is made only when written: (first, stop, maker of the text of
        # lines a..b-1, each followed by the uniform line end).
        self._deferred: tuple[int, int, Callable[[int, int], str]] | None = None

    def _as_known(self, text: str, known: PlainShape) -> bool:
        """Lines as ``known`` says they are; False (nothing set) if the text disagrees."""
        bodies = text.split(known.line_end)
        final_end = bodies[-1] == ""
        if final_end:
            bodies.pop()
        if len(bodies) != known.lines or '"' in text:
            return False
        self.bodies, self.final_end = bodies, final_end
        self.uniform_end = known.line_end
        self.delimiters = np.full(len(bodies), known.width - 1, dtype=np.int64)
        self._within = known.within
        return True

    def _measure(self, text: str, raw: bytes | None, delimiter: str) -> None:
        """Lines, their ends and (from ``raw``) their delimiters, found in the text."""
        shape = _Skeleton.of(raw, delimiter) if raw is not None else None
        self.uniform_end = shape.end() if shape is not None else _uniform_end(text)
        if self.uniform_end == "\r\n":
            self.bodies = text.split("\r\n")
            # One kind throughout only if every CR and every LF is part of a pair.
            pairs = len(self.bodies) - 1
            if shape is not None:
                alone = len(shape.cr) != pairs or len(shape.lf) != pairs
            else:
                alone = text.count("\r") != pairs or text.count("\n") != pairs
            if alone:
                self.uniform_end = None
        elif self.uniform_end is not None:
            self.bodies = text.split(self.uniform_end)
        if self.uniform_end is not None:
            if shape is not None:
                self.delimiters = shape.per_line(self.uniform_end)
            self.final_end = self.bodies[-1] == ""
            if self.final_end:
                self.bodies.pop()
                if self.delimiters is not None:
                    self.delimiters = self.delimiters[:-1]
        else:
            parts = _LINE_END.split(text)
            self.bodies, self._ends = parts[0::2], parts[1::2]
            self.final_end = self.bodies[-1] == ""
            if self.final_end:
                self.bodies.pop()
            else:
                self._ends.append("")
        if not text:
            self.bodies, self._ends, self.final_end = [], [], False
        # The csv module's field limit, when no line is longer (found while the whole text is
        # at hand: a find per 64 KB rather than a length per line when the records are read).
        limit = csv.field_size_limit()
        if self.uniform_end is not None and not _may_hold_a_line_over(
            text, self.uniform_end, limit
        ):
            self._within = limit

    def defer(self, start: int, stop: int, make: Callable[[int, int], str]) -> None:
        """Lines ``start`` to ``stop - 1`` become what ``make(a, b)`` says for any part
        ``a..b-1`` of them, each line followed by the file's one kind of line end. Made a
        block at a time while the file is written: a million new lines are never held."""
        assert self.uniform_end is not None and self._deferred is None
        self._deferred = (start, stop, make)

    def replace(self, first: int, count: int, text: str) -> None:
        """Lines ``first`` to ``first + count - 1`` (one record) become ``text``, which takes
        the end of the last of them."""
        if count > 1:
            self._end_of[first] = self.end(first + count - 1)
            self._removed.update(range(first + 1, first + count))
        self.bodies[first] = text

    def end_the_last_line(self, end: str) -> None:
        """Give the last line (of what is left after edits) ``end`` if it has no end."""
        last = len(self.bodies) - 1
        while last in self._removed:
            last -= 1
        if last < 0 or self.end(last):
            return
        if self.uniform_end == end and last == len(self.bodies) - 1:
            self.final_end = True
        else:
            self._end_of[last] = end

    def texts(self, lines_per_piece: int) -> Iterator[str]:
        """The lines with their ends, as text a block of lines at a time."""
        n = len(self.bodies)
        for start in range(0, n, lines_per_piece):
            stop = min(n, start + lines_per_piece)
            if self._deferred is None:
                yield self._text(start, stop)
                continue
            first, last, make = self._deferred
            a, b = max(start, first), min(stop, last)
            if a >= b:  # this block is outside the deferred lines
                yield self._text(start, stop)
                continue
            made = make(a, b)
            if b == n and not self.final_end:
                made = made[: -len(self.uniform_end or "")]
            yield self._text(start, a) + made + self._text(b, stop)

    def _text(self, start: int, stop: int) -> str:
        if start >= stop:
            return ""
        n, bodies, end = len(self.bodies), self.bodies, self.uniform_end
        if end is not None and not self._removed and not self._end_of:
            return end.join(bodies[start:stop]) + (end if stop < n or self.final_end else "")
        removed = self._removed
        return "".join(bodies[i] + self.end(i) for i in range(start, stop) if i not in removed)

    def __len__(self) -> int:
        return len(self.bodies)

    def longer_than(self, limit: int) -> bool:
        """Whether some line (its body) is longer than ``limit`` characters."""
        if self._within is not None and limit >= self._within:
            return False
        return max(map(len, self.bodies), default=0) > limit

    def end(self, i: int) -> str:
        if self._end_of and i in self._end_of:
            return self._end_of[i]
        if self.uniform_end is None:
            return self._ends[i]
        return self.uniform_end if i < len(self.bodies) - 1 or self.final_end else ""


def _uniform_end(text: str) -> str | None:
    """The one kind of line end ``text`` seems to have throughout ("\r\n" is then checked
    against the counts); None when it mixes them."""
    if "\r" not in text:  # `in` is a fast scan; counting is several times slower
        return "\n"
    if "\n" not in text:
        return "\r"
    return "\r\n"


class _Skeleton:
    """A file's delimiters and line-end bytes alone, from its bytes when its encoding keeps
    ASCII as single bytes (UTF-8, Windows-1252): one C call keeps them, NumPy counts the
    small rest, and the delimiters on every line are known without a look at each line."""

    def __init__(self, kept: np.ndarray) -> None:
        self.kept = kept
        self.lf, self.cr = np.flatnonzero(kept == 10), np.flatnonzero(kept == 13)

    @classmethod
    def of(cls, raw: bytes, delimiter: str) -> _Skeleton | None:
        code = ord(delimiter)
        if code > 0x7F:
            return None
        return cls(np.frombuffer(raw.translate(None, _ALL_BUT[code]), dtype=np.uint8))

    def paired(self) -> bool:
        """As many CRs as LFs. (Not proof that each CR ends a CRLF: the bytes deleted between a
        lone CR and a lone LF make them look like a pair here. A reader that splits on every
        line end then finds more lines than this counts, and must check it.)"""
        return len(self.cr) == len(self.lf)

    def end(self) -> str:
        """The line end, if the file has one kind ("\r\n" still to be checked: deleting the
        other bytes may have put a lone CR beside a lone LF)."""
        if not len(self.cr):
            return "\n"
        return "\r" if not len(self.lf) else "\r\n"

    def per_line(self, end: str) -> np.ndarray:
        """Delimiters on each line (the last one after the last line end included)."""
        marks = self.cr if end == "\r" else self.lf
        extra = len(end) - 1  # the CR before each LF is not part of the line
        # Line i runs from just after mark i-1 to just before mark i (and its CR); the end of
        # the file is one more mark. One array, made in place: fresh arrays cost page faults.
        bounds = np.empty(len(marks) + 2, dtype=np.int64)
        bounds[0], bounds[-1] = -1, len(self.kept) + extra
        bounds[1:-1] = marks
        counts = np.diff(bounds)
        counts -= 1 + extra
        return counts


# For each ASCII delimiter: every byte but it, CR and LF (what ``bytes.translate`` deletes).
_ALL_BUT = {code: bytes(b for b in range(256) if b not in (code, 10, 13)) for code in range(0x80)}


class Records:
    """Where each record starts, and the fields of the records that needed the ``csv`` module.

    ``first_line(r)`` / ``line_count(r)`` for 1-based record ``r``; ``parsed`` holds the fields
    of the records read through the ``csv`` module (by record number), every other record is
    the one line it starts on.
    """

    def __init__(self, lines: CsvLines, options: dict[str, Any]) -> None:
        self.lines = lines
        self.delimiter: str = options["delimiter"]
        self.parsed: dict[int, list[str]] = {}
        n = len(lines)
        # Lines the csv module must read: with a quote, or long enough to hold a field over
        # its size limit (which it refuses: so do we).
        limit = csv.field_size_limit()
        bodies = lines.bodies
        special: list[int] = []
        if lines.has_quote or lines.longer_than(limit):
            special = [i for i, body in enumerate(bodies) if '"' in body or len(body) > limit]
        if not special:
            self._starts: np.ndarray | None = None
            self.count = n
            return
        feed = _Feed(lines)
        reader = csv.reader(feed, **options)
        pieces: list[np.ndarray] = []
        at = 0  # the next line not yet in a record
        records = 0
        for i in special:
            if i < at:
                continue  # inside a record that began on an earlier line
            pieces.append(np.arange(at, i, dtype=np.int64))
            records += i - at
            feed.pos = i
            self.parsed[records + 1] = next(reader)
            pieces.append(np.array([i], dtype=np.int64))
            records += 1
            at = feed.pos
        pieces.append(np.arange(at, n, dtype=np.int64))
        self._starts = np.concatenate(pieces)
        self.count = len(self._starts)

    def identity(self) -> bool:
        """Whether record ``r`` is line ``r - 1`` for every record."""
        return self._starts is None

    def first_line(self, record: int) -> int:
        return record - 1 if self._starts is None else int(self._starts[record - 1])

    def first_lines(self, records: np.ndarray) -> np.ndarray:
        return records - 1 if self._starts is None else self._starts[records - 1]

    def line_count(self, record: int) -> int:
        if self._starts is None or record not in self.parsed:
            return 1
        stop = int(self._starts[record]) if record < self.count else len(self.lines)
        return stop - int(self._starts[record - 1])

    def fields(self, record: int) -> list[str]:
        """The record's fields as the ``csv`` module reads them."""
        found = self.parsed.get(record)
        if found is not None:
            return list(found)
        body = self.lines.bodies[self.first_line(record)]
        return body.split(self.delimiter) if body else []


class _Feed:
    """Lines (with their ends) for the csv reader from a position we set between records:
    the reader takes a line only when the record it is reading needs one."""

    def __init__(self, lines: CsvLines) -> None:
        self.lines = lines
        self.pos = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        i = self.pos
        self.pos += 1
        return self.lines.bodies[i] + self.lines.end(i)


def uniform_columns(
    text: str, raw: bytes, delimiter: str, encoding: str
) -> tuple[list[np.ndarray], str, int] | None:
    """The file's fields column by column, when every line is one record with as many fields
    as the first (no quote anywhere, one kind of line end, the same number of delimiters on
    every line, at least two fields): what the ``csv`` module reads, as object arrays, split
    by pandas' C parser (which also makes equal cells of a column one object each). ``raw``
    is the file's bytes in an encoding that keeps ASCII as single bytes (the mark of UTF-8
    taken off), ``encoding`` that encoding. With the columns: the line end, and the length no
    line exceeds (the ``csv`` module's field limit). None for any other file (the ``csv``
    module reads it)."""
    if not text or '"' in text or "\0" in text:
        return None
    shape = _Skeleton.of(raw, delimiter)
    if shape is None:
        return None
    end = shape.end()
    if end == "\r\n" and not shape.paired():
        return None  # a lone CR or LF beside the CRLFs: lines of two kinds
    counts = shape.per_line(end)
    if text.endswith(end):
        counts = counts[:-1]  # the nothing after the last line end
    width = int(counts[0]) + 1
    if width < 2 or not bool((counts == width - 1).all()):
        return None
    limit = csv.field_size_limit()
    if _may_hold_a_line_over(raw, end, limit):
        return None  # a field might exceed the csv module's limit: it says so
    frame = _split(raw, delimiter, encoding)
    if frame.shape != (len(counts), width):
        # Not what the skeleton promised (a lone CR beside a lone LF: the parser splits at
        # both, as the csv module does): let the csv module read it.
        return None
    return [frame[col].to_numpy(dtype=object) for col in frame.columns], end, limit


def _split(raw: bytes, delimiter: str, encoding: str) -> Any:
    """Fields of a quote-free file whose lines all have the same number of delimiters: the C
    parser with every conversion off (no NA, no numbers, quotes as text), so each field is
    its text as the ``csv`` module would give it."""
    import io

    import pandas as pd

    return pd.read_csv(
        io.BytesIO(raw),
        sep=delimiter,
        header=None,
        index_col=False,
        dtype=object,
        na_filter=False,
        quoting=csv.QUOTE_NONE,
        skip_blank_lines=False,
        skipinitialspace=False,
        encoding="utf-8" if encoding == "utf-8-sig" else encoding,
        engine="c",
    )


def _may_hold_a_line_over(data: bytes | str, end: str, limit: int) -> bool:
    """False when no line of ``data`` (bytes, or text) is longer than ``limit``. A line that
    long covers a whole aligned block of ``limit // 2``, so a line end in every such block
    proves there is none (a find per block); a block without one means measuring every
    line."""
    mark = end[-1].encode() if isinstance(data, bytes) else end[-1]
    block = max(limit // 2, 1)
    for start in range(0, len(data) - block + 1, block):
        if data.find(mark, start, start + block) < 0:  # type: ignore[arg-type]
            return _longest_line(data, end) > limit
    return False


def _longest_line(data: bytes | str, end: str) -> int:
    """The longest line's length (in bytes, which is at least its length in characters, or in
    characters); splitting is cheaper than finding the line ends with NumPy (measured: 0.13 s
    against 0.3 s for 100 MB)."""
    if isinstance(data, bytes):
        return max(map(len, data.split(end[-1].encode())))
    return max(map(len, data.split(end[-1])))
