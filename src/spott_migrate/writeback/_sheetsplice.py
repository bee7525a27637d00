"""Result cells into a worksheet's bytes: spliced in where the rows allow it, lxml elsewhere.

Most rows of a manifest end with their last cell before our columns (our cells go after it)
or with our own cells from an earlier write (they are replaced). For those rows nothing is
parsed: our cells are spliced into the sheet's bytes and every other byte of the row stays as
it was. The new sheet is made a block of rows at a time while the package is written, so a
million rows are never held twice. Any other row (cells without plain references, extensions,
a row format of its own, rows the sheet does not have yet, the header) is parsed and edited
with lxml (``_sheetedit``). Every check happens while the edit is planned, before any file is
created: making the new bytes afterwards cannot fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat

import numpy as np

from ._cellref import MAX_COL, Box, col_index, col_letters
from ._cells import Tags, escaped, style_attribute
from ._sheetedit import BATCH_ROWS, Styles, edit_batch, grown_head, has_row_format
from ._sheetxml import RowSpan, SheetXml
from ._table import present, transformed
from ._text import EXCEL_MAX_CHARS, to_cell_text

# Rows made per piece of the new sheet: a few megabytes, handed to the compressor at once.
CHUNK_ROWS = 8_192

_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SPANS = re.compile(rb"""\sspans\s*=\s*(["'])([^"']*)\1""")
_AFTER_CELL_NAME = (b" ", b"\t", b"\n", b"\r", b"/", b">")


@dataclass(frozen=True)
class CellTexts:
    """One result column: its texts as the cells will show them (``to_cell_text``) and as they
    stand in the XML; ``None`` where a row leaves the cell alone."""

    texts: np.ndarray
    escaped: np.ndarray
    complete: bool  # no None
    constant: str | None  # the escaped text of every row, when it is one

    @classmethod
    def of(cls, values: np.ndarray, complete: bool) -> CellTexts:
        def transform(value: str) -> tuple[str, str]:
            shown = to_cell_text(value)
            return shown, escaped(shown)

        texts, marked, constant = transformed(values, complete, _plain, transform)
        return cls(texts, marked, complete, constant)


def _plain(texts: np.ndarray) -> bool:
    """True when every text is shown and written as it is (one look at the joined column;
    False may be a false alarm: those columns go text by text)."""
    joined = "<".join(texts.tolist())
    if joined.count("<") != len(texts) - 1 or "&" in joined or ">" in joined or "_x" in joined:
        return False
    # Printable: no control character, line break, lone surrogate or non-character.
    if not joined.isprintable():
        return False
    return len(joined) <= EXCEL_MAX_CHARS // 2 or max(map(len, texts)) <= EXCEL_MAX_CHARS // 2


@dataclass(frozen=True)
class _Cells:
    """Our columns, one text per row of the table (``rows``: its row numbers, in order)."""

    rows: np.ndarray
    columns: dict[int, CellTexts]  # 1-based column -> texts
    targets: list[int]  # the columns, in order
    tags: Tags

    def updates(self, position: int) -> dict[int, str]:
        """One table row as ``{column: shown text}``, without the cells it leaves alone."""
        out: dict[int, str] = {}
        for col, cells in self.columns.items():
            text = cells.texts[position]
            if text is not None:
                out[col] = text
        return out

    def written(self, position: int) -> list[int]:
        """The columns the row sets (a text, or "" to clear)."""
        return [c for c in self.targets if self.columns[c].texts[position] is not None]


@dataclass
class SheetEdit:
    """The planned new sheet, made piece by piece by :meth:`pieces`; ``size`` is at least its
    length (the zip writer decides from it whether the member needs zip64 records)."""

    sheet: SheetXml
    head: bytes
    events: list[_Replaced | _Spliced]
    size: int

    def pieces(self) -> Iterator[bytes]:
        data = self.sheet.data
        yield self.head
        pos = self.sheet.body_start
        for event in self.events:
            yield from event.pieces(data, pos)
            pos = event.end
        yield data[pos:]


@dataclass
class _Replaced:
    """Bytes ``start``..``end`` of the sheet become ``text`` (rows edited with lxml)."""

    start: int
    end: int
    text: bytes

    def pieces(self, data: bytes, pos: int) -> Iterator[bytes]:
        yield data[pos : self.start] + self.text


@dataclass
class _Spliced:
    """Spliced rows ``first``..``stop - 1`` (consecutive in the sheet): each keeps its bytes
    up to ``cuts[k]``, gets our cells, and keeps its bytes from ``ends[k]`` on."""

    rows: _SplicedRows
    first: int
    stop: int

    @property
    def start(self) -> int:
        return int(self.rows.cuts[self.first])

    @property
    def end(self) -> int:
        return int(self.rows.ends[self.stop - 1])

    def pieces(self, data: bytes, pos: int) -> Iterator[bytes]:
        rows = self.rows
        for a in range(self.first, self.stop, CHUNK_ROWS):
            b = min(self.stop, a + CHUNK_ROWS)
            befores = [pos, *rows.ends[a : b - 1].tolist()]
            gaps = [data[x:y] for x, y in zip(befores, rows.cuts[a:b].tolist(), strict=True)]
            if rows.openers is not None:
                rows.openers.rewrite(data, gaps, befores, a, b)
            made = rows.make(a, b)
            yield b"".join(chain.from_iterable(zip(gaps, *made, strict=True)))
            pos = int(rows.ends[b - 1])


@dataclass
class _SplicedRows:
    """Every spliced row, in sheet order (positions ``k``): our cells replace
    ``data[cuts[k]:ends[k]]``; ``make(a, b)`` gives them, part by part, for rows a..b-1."""

    cuts: np.ndarray
    ends: np.ndarray
    make: Callable[[int, int], list[Iterable[bytes]]]
    openers: _Openers | None  # when start tags carry a spans hint to widen


@dataclass
class _Openers:
    """The spliced rows' start tags (``data[starts[k]:ends[k]]``) and the columns each row
    writes, for the ``spans`` hint."""

    starts: np.ndarray
    ends: np.ndarray
    written: Callable[[int], list[int]]  # spliced row k -> columns it sets

    def rewrite(self, data: bytes, gaps: list[bytes], befores: list[int], a: int, b: int) -> None:
        for i, (start, end) in enumerate(
            zip(self.starts[a:b].tolist(), self.ends[a:b].tolist(), strict=True)
        ):
            tag = data[start:end]
            grown = _grown_spans(tag, self.written(a + i))
            if grown is not tag:
                cut = befores[i] + len(gaps[i])
                gaps[i] = data[befores[i] : start] + grown + data[end:cut]


def plan_edit(
    sheet: SheetXml,
    rows: np.ndarray,
    columns: Mapping[int, CellTexts],
    header_cells: Mapping[int, str],
    styles: Styles,
) -> SheetEdit:
    """Plan writing ``columns`` (one text per row of ``rows``: data rows, in order) and the
    new ``header_cells`` (shown texts) into ``sheet``; raises ``LayoutError`` for what cannot
    be written."""
    tags = Tags.of(sheet.ns, sheet.prefix)
    _patterns(tags.prefix)
    cells = _Cells(rows, dict(columns), sorted(columns), tags)
    index = sheet.rows.index_of(rows) if len(rows) else np.zeros(0, dtype=np.int64)
    kind, tail_cut, tail_end = _classify(sheet, cells, index)
    events: list[_Replaced | _Spliced] = []
    size = len(sheet.data)
    positions = np.flatnonzero(kind == _SPLICE)
    if len(positions):
        spliced, added = _spliced_rows(sheet, cells, index, positions, tail_cut, tail_end, styles)
        size += added
        # Each run of rows next to each other in the sheet and in the table (so no other
        # edit falls between them) is one event.
        apart = (np.diff(index[positions]) != 1) | (np.diff(positions) != 1)
        breaks = (np.flatnonzero(apart) + 1).tolist()
        for first, stop in zip([0, *breaks], [*breaks, len(positions)], strict=True):
            events.append(_Spliced(spliced, first, stop))
    slow = np.flatnonzero(kind == _SLOW).tolist()
    replaced = _slow_events(sheet, cells, index, slow, header_cells, styles)
    size += sum(len(event.text) for event in replaced)
    events.extend(replaced)
    events.sort(key=lambda event: event.start)
    head = grown_head(sheet, _written_box(cells, styles.header_row, header_cells))
    size += len(head) - sheet.body_start
    return SheetEdit(sheet, head, events, size)


_SPLICE, _SLOW, _NOTHING = 0, 1, 2


def _classify(
    sheet: SheetXml, cells: _Cells, index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per table row: spliced, edited with lxml, or nothing to do (a row the sheet does not
    have, given only empty texts); and for spliced rows, the bytes our cells replace."""
    n = len(cells.rows)
    kind = np.full(n, _SLOW, dtype=np.int8)
    cut = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    if not n:
        return kind, cut, end
    missing = index < 0
    if missing.any():
        anything = np.zeros(n, dtype=bool)
        for column in cells.columns.values():
            anything |= present(column.texts) & np.asarray(column.texts != "", dtype=bool)
        kind[missing & ~anything] = _NOTHING
    data, rows = sheet.data, sheet.rows
    candidate = ~missing
    at = index[candidate]
    candidate[candidate] = rows.explicit[at] & (rows.closes[at] >= 0)
    body = (sheet.body_start, sheet.body_end)
    if data.find(b"extLst", *body) != -1:
        for i in np.flatnonzero(candidate).tolist():
            j = int(index[i])
            if data.find(b"extLst", int(rows.starts[j]), int(rows.ends[j])) != -1:
                candidate[i] = False
    if data.find(b"customFormat", *body) != -1:
        for i in np.flatnonzero(candidate).tolist():
            tag = _start_tag(data, int(rows.starts[int(index[i])]), cells.tags)
            if tag is None or _row_formatted(data[tag[0] : tag[1]]):
                candidate[i] = False
    positions = np.flatnonzero(candidate)
    if not len(positions):
        return kind, cut, end
    at = index[positions]
    starts, closes = rows.starts[at], rows.closes[at]
    usual = _usual_tails(data, starts, closes, cells)
    kind[positions[usual]] = _SPLICE
    cut[positions[usual]] = end[positions[usual]] = closes[usual]
    for k in np.flatnonzero(~usual).tolist():
        found = _tail(data, int(starts[k]), int(closes[k]), cells)
        if found is not None:
            i = int(positions[k])
            kind[i], cut[i], end[i] = _SPLICE, found[0], found[1]
    return kind, cut, end


def _usual_tails(data: bytes, starts: np.ndarray, closes: np.ndarray, cells: _Cells) -> np.ndarray:
    """Per row: whether its last cell (a plain reference, ending right before ``</row>``) is
    left of our first column: our cells then simply go before ``</row>``. One search per row
    for the last ``<c``, the rest on all rows at once with NumPy."""
    tags = cells.tags
    opening = f'<{tags.prefix}c r="'.encode()
    closing = f"</{tags.prefix}c>".encode()
    rfind, anything = data.rfind, _CELL_OPEN[tags.prefix]
    last = np.fromiter(
        (rfind(anything, s, c) for s, c in zip(starts.tolist(), closes.tolist(), strict=True)),
        dtype=np.int64,
        count=len(starts),
    )
    view = np.frombuffer(data, dtype=np.uint8)
    usual = last >= 0
    # The last "<c" starts a cell written <c r="...">, and a cell's end tag ends the row.
    heads = view[last[usual][:, None] + np.arange(len(opening))]
    usual[usual] = (heads == np.frombuffer(opening, dtype=np.uint8)).all(axis=1)
    ending = view[closes[usual][:, None] - len(closing) + np.arange(len(closing))]
    usual[usual] = (ending == np.frombuffer(closing, dtype=np.uint8)).all(axis=1)
    col = _columns_at(view, last, len(opening), usual)
    return usual & (col > 0) & (col < cells.targets[0])


def _columns_at(view: np.ndarray, at: np.ndarray, skip: int, where: np.ndarray) -> np.ndarray:
    """The column of the cell reference at ``at + skip`` ("AB12" -> 28) where ``where``; 0
    where it is not one to three capital letters followed by a digit."""
    col = np.zeros(len(at), dtype=np.int64)
    picked = np.flatnonzero(where)
    if not len(picked):
        return col
    text = view[(at[picked] + skip)[:, None] + np.arange(4)].astype(np.int64)
    letter = (text >= 65) & (text <= 90)
    digit = (text >= 48) & (text <= 57)
    value = np.zeros(len(picked), dtype=np.int64)
    active = np.ones(len(picked), dtype=bool)
    good = np.zeros(len(picked), dtype=bool)
    for k in range(4):
        if k:
            good |= active & digit[:, k]
        active &= letter[:, k]
        value[active] = value[active] * 26 + text[active, k] - 64
    value[~good | (value > MAX_COL)] = 0
    col[picked] = value
    return col


def _tail(
    data: bytes, start: int, close: int, cells: _Cells
) -> tuple[int, int, dict[int, tuple[int, int, str | None]]] | None:
    """Where our cells go in the row ``data[start:close]`` (``</row>`` at ``close``): the bytes
    ``cut..end`` they replace, and our cells already there (column -> start, end, style).
    None when the row's end is not ours alone (another cell among ours, something that is not
    a cell, a cell without a plain reference): lxml edits such a row."""
    tags = cells.tags
    opened = _start_tag(data, start, tags)
    if opened is None:
        return None
    low, first, wanted = opened[1], cells.targets[0], set(cells.targets)
    cell_close = f"</{tags.prefix}c>".encode()
    existing: dict[int, tuple[int, int, str | None]] = {}
    pos = close
    while (found := _last_cell(data, tags.prefix, low, pos)) is not None:
        tag = _CELL_TAG[tags.prefix].match(data, found, pos)
        if tag is None:
            return None
        end = tag.end() if tag.group(2) else data.find(cell_close, tag.end(), pos)
        if end < 0:
            return None
        end += 0 if tag.group(2) else len(cell_close)
        if data[end:pos].strip():
            return None
        attributes = _attributes(tag.group(1))
        ref, style = attributes.get("r"), attributes.get("s")
        if ref is None or (style is not None and "&" in style):
            return None
        letters = ref.rstrip("0123456789")
        try:
            col = col_index(letters)
        except ValueError:
            return None
        if not ref[len(letters) :].isdigit():
            return None
        if col < first:
            return (close, close, existing) if not existing else (pos, close, existing)
        if col not in wanted:
            return None
        existing[col] = (found, end, style)
        pos = found
    if data[low:pos].strip():
        return None
    return (close, close, existing) if not existing else (pos, close, existing)


def _last_cell(data: bytes, prefix: str, low: int, high: int) -> int | None:
    """Start of the last ``<c`` element in ``data[low:high]`` (not ``<color`` and the like)."""
    opening = _CELL_OPEN[prefix]
    while (at := data.rfind(opening, low, high)) != -1:
        after = at + len(opening)
        if data[after : after + 1] in _AFTER_CELL_NAME:
            return at
        high = at
    return None


_CELL_OPEN: dict[str, bytes] = {}
_CELL_TAG: dict[str, re.Pattern[bytes]] = {}
_ROW_TAG: dict[str, re.Pattern[bytes]] = {}


def _patterns(prefix: str) -> None:
    """The patterns for a namespace prefix ("" or "x:"), made once."""
    if prefix in _CELL_OPEN:
        return
    p = re.escape(prefix.encode())
    _CELL_TAG[prefix] = re.compile(rb"<" + p + rb"c\b(" + _ATTRS + rb")(/?)>")
    _ROW_TAG[prefix] = re.compile(rb"<" + p + rb"row\b(" + _ATTRS + rb")(/?)>")
    _CELL_OPEN[prefix] = f"<{prefix}c".encode()


def _start_tag(data: bytes, start: int, tags: Tags) -> tuple[int, int] | None:
    """(start, end) of the start tag of the row at ``start``; None for ``<row/>``."""
    found = _ROW_TAG[tags.prefix].match(data, start)
    return None if found is None or found.group(2) else (found.start(), found.end())


def _attributes(text: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(text):
        out.setdefault(name.decode(), (double or single).decode())
    return out


def _row_formatted(tag: bytes) -> bool:
    attributes = _attributes(tag)
    return has_row_format(attributes.get("customFormat"), attributes.get("s"))


def _grown_spans(tag: bytes, cols: list[int]) -> bytes:
    """The row's start tag with its ``spans`` hint covering ``cols`` (the same object when it
    needs nothing; a hint we cannot read is dropped, as the lxml edit drops it)."""
    found = _SPANS.search(tag)
    if found is None or not cols:
        return tag
    try:
        bounds = [int(n) for part in found.group(2).decode().split() for n in part.split(":")]
    except ValueError:
        return tag[: found.start()] + tag[found.end() :]
    low, high = min(bounds + cols), max(bounds + cols)
    if (low, high) == (min(bounds), max(bounds)):
        return tag
    return tag[: found.start(2)] + f"{low}:{high}".encode() + tag[found.end(2) :]


def _spliced_rows(
    sheet: SheetXml,
    cells: _Cells,
    index: np.ndarray,
    positions: np.ndarray,
    cut: np.ndarray,
    end: np.ndarray,
    styles: Styles,
) -> tuple[_SplicedRows, int]:
    """The spliced rows (table ``positions``) and the maker of their cells; and a bound on
    the bytes the cells add."""
    data, rows = sheet.data, sheet.rows
    at = index[positions]
    starts, closes = rows.starts[at], rows.closes[at]
    cuts, ends = cut[positions], end[positions]
    replacing = cuts != closes  # our cells are there already: made row by row
    numbers = cells.rows[positions]
    template = _Template(cells, {col: styles.for_column(col) for col in cells.targets}, data)

    def make(a: int, b: int) -> list[Iterable[bytes]]:
        if not replacing[a:b].any():
            return template.parts(numbers[a:b], positions[a:b])
        return [
            [
                template.row(int(numbers[k]), int(positions[k]), int(starts[k]), int(closes[k]))
                for k in range(a, b)
            ]
        ]

    openers = None
    if data.find(b"spans", sheet.body_start, sheet.body_end) != -1:
        tag_ends = []
        for s in starts.tolist():
            tag = _start_tag(data, s, cells.tags)
            assert tag is not None  # checked when the rows were classified
            tag_ends.append(tag[1])
        everywhere = all(cells.columns[c].complete for c in cells.targets)

        def written(k: int) -> list[int]:
            return cells.targets if everywhere else cells.written(int(positions[k]))

        openers = _Openers(starts, np.array(tag_ends, dtype=np.int64), written)
    bound = template.bound(positions) + (16 * len(positions) if openers is not None else 0)
    return _SplicedRows(cuts, ends, make, openers), bound


@dataclass
class _Template:
    """Our new cells of a row: constant markup, the row number, the texts of each column."""

    cells: _Cells
    styles: dict[int, str | None]  # the style of a new cell, per column
    data: bytes

    @cached_property
    def _pieces(self) -> list[str | int]:
        """One row's new cells as markup, where a column's text (that column), the row number
        (-1) or a whole cell chosen per row (-2 - column) goes between."""
        p = self.cells.tags.prefix
        out: list[str | int] = []
        for col in self.cells.targets:
            column = self.cells.columns[col]
            letters, style = col_letters(col), style_attribute(self.styles[col])
            inline = f'"{style} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            ending = f"</{p}t></{p}is></{p}c>"
            if column.constant is not None:
                if column.constant:
                    out += [f'<{p}c r="{letters}', -1, inline + column.constant + ending]
                elif style:
                    out += [f'<{p}c r="{letters}', -1, f'"{style}/>']
            elif column.complete and bool((column.texts != "").all()):
                out += [f'<{p}c r="{letters}', -1, inline, col, ending]
            else:
                out.append(-2 - col)
        folded: list[str | int] = []
        for piece in out:
            if isinstance(piece, str) and folded and isinstance(folded[-1], str):
                folded[-1] += piece
            else:
                folded.append(piece)
        return folded

    def parts(self, numbers: np.ndarray, at: np.ndarray) -> list[Iterable[bytes]]:
        """One iterable per part, for the rows numbered ``numbers`` (table positions ``at``)
        that get new cells after their last one."""
        count = len(numbers)
        out: list[Iterable[bytes]] = []
        shown: list[bytes] | None = None
        for piece in self._pieces:
            if isinstance(piece, str):
                out.append(repeat(piece.encode(), count))
            elif piece == -1:
                shown = shown or _encoded([str(n) for n in numbers.tolist()])
                out.append(shown)
            elif piece >= 0:
                out.append(_encoded(self.cells.columns[piece].escaped[at].tolist()))
            else:
                col = -2 - piece
                texts = self.cells.columns[col].texts[at].tolist()
                style = self.styles[col]
                out.append(
                    [
                        self._cell(col, number, text, style).encode()
                        for number, text in zip(numbers.tolist(), texts, strict=True)
                    ]
                )
        return out or [repeat(b"", count)]

    def row(self, number: int, position: int, start: int, close: int) -> bytes:
        """One row's cells, replacing our cells already at its end (their styles kept)."""
        found = _tail(self.data, start, close, self.cells)
        assert found is not None  # checked when the rows were classified
        existing = found[2]
        made: list[str] = []
        for col in self.cells.targets:
            text = self.cells.columns[col].texts[position]
            here = existing.get(col)
            if text is None:
                if here is not None:  # the row leaves this cell alone: as it was
                    made.append(self.data[here[0] : here[1]].decode())
                continue
            style = here[2] if here is not None else self.styles[col]
            made.append(self._cell(col, number, text, style))
        return "".join(made).encode()

    def _cell(self, col: int, number: int, text: str | None, style: str | None) -> str:
        """A cell as ``cell_xml`` makes it; nothing for an empty one without a style."""
        if text is None or (not text and style is None):
            return ""
        p = self.cells.tags.prefix
        ref, s = f"{col_letters(col)}{number}", style_attribute(style)
        if not text:
            return f'<{p}c r="{ref}"{s}/>'
        return (
            f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is>'
            f'<{p}t xml:space="preserve">{escaped(text)}</{p}t></{p}is></{p}c>'
        )

    def bound(self, at: np.ndarray) -> int:
        """At least the bytes the new cells of the rows at table positions ``at`` take."""
        p = self.cells.tags.prefix
        markup = f'<{p}c r="" s="" t="inlineStr"><{p}is><{p}t xml:space="preserve"></{p}t>'
        per_cell = len(markup) + len(f"</{p}is></{p}c>") + 3 + 7 + 16  # letters, row, style
        texts = 0
        everything = len(at) == len(self.cells.rows)
        for column in self.cells.columns.values():
            if column.constant is not None:
                texts += 4 * len(column.constant) * len(at)
                continue
            sample = column.escaped if everything else column.escaped[at]
            if not column.complete:
                sample = sample[present(sample)]
            # UTF-8 takes at most 4 bytes a character (and a style we keep is in per_cell).
            texts += 4 * sum(map(len, sample.tolist()))
        return per_cell * len(self.cells.targets) * len(at) + texts


def _encoded(texts: list[str]) -> list[bytes]:
    """Texts as UTF-8 in one C call for the lot (none holds a NUL: XML cannot)."""
    if not texts:
        return []
    return "\0".join(texts).encode().split(b"\0")


def _slow_events(
    sheet: SheetXml,
    cells: _Cells,
    index: np.ndarray,
    slow: list[int],
    header_cells: Mapping[int, str],
    styles: Styles,
) -> list[_Replaced]:
    """Rows edited with lxml, in batches of rows next to each other in the sheet (a row the
    sheet does not have yet goes where its number puts it)."""
    rows = sheet.rows
    header = styles.header_row
    updates: dict[int, dict[int, str]] = {}
    items: list[tuple[int, int]] = []  # (row number, index in the sheet or -1)
    if header_cells:
        (at,) = rows.index_of(np.array([header])).tolist()
        items.append((header, at))
        updates[header] = dict(header_cells)
    for k in slow:
        number = int(cells.rows[k])
        items.append((number, int(index[k])))
        updates[number] = cells.updates(k)
    events: list[_Replaced] = []
    batch: list[tuple[RowSpan | None, int]] = []
    first_own = 0  # sheet row index where the batch starts (for one made of new rows)
    next_own = -1  # sheet row index right after the batch's last item
    tags = Tags.of(sheet.ns, sheet.prefix)

    def flush() -> None:
        if not batch:
            return
        present_spans = [span for span, _ in batch if span is not None]
        if present_spans:
            start, end = present_spans[0].start, present_spans[-1].end
        else:
            start = end = int(rows.ends[first_own - 1]) if first_own > 0 else sheet.body_start
        text = edit_batch(sheet, tags, sheet.data[start:end], list(batch), updates, styles)
        events.append(_Replaced(start, end, text))
        batch.clear()

    for number, at in items:
        own = at if at >= 0 else int(np.searchsorted(rows.numbers, number))
        if batch and (own != next_own or len(batch) >= BATCH_ROWS):
            flush()
        if not batch:
            first_own = own
        batch.append((rows[at] if at >= 0 else None, number))
        next_own = at + 1 if at >= 0 else own
    flush()
    return events


def _written_box(cells: _Cells, header: int, header_cells: Mapping[int, str]) -> Box | None:
    """The box of the non-empty cells we write (the dimension must cover it)."""
    low_row = high_row = low_col = high_col = None
    for col, column in cells.columns.items():
        texts = column.texts
        written = np.flatnonzero(present(texts) & np.asarray(texts != "", dtype=bool))
        if not len(written):
            continue
        first, last = int(cells.rows[written[0]]), int(cells.rows[written[-1]])
        low_row = first if low_row is None else min(low_row, first)
        high_row = last if high_row is None else max(high_row, last)
        low_col = col if low_col is None else min(low_col, col)
        high_col = col if high_col is None else max(high_col, col)
    for col, text in header_cells.items():
        if text:
            low_row = header if low_row is None else min(low_row, header)
            high_row = header if high_row is None else max(high_row, header)
            low_col = col if low_col is None else min(low_col, col)
            high_col = col if high_col is None else max(high_col, col)
    if low_row is None or high_row is None or low_col is None or high_col is None:
        return None
    return low_row, low_col, high_row, high_col
