"""Cells inside one parsed ``<row>``: read a value, find a column, put a new cell in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias
from xml.sax.saxutils import escape

from ._cellref import cell_ref, split_ref
from ._columns import LayoutError
from ._package import rich_text

# lxml ships no type information: its element is Any to the type checker.
Element: TypeAlias = Any


@dataclass(frozen=True)
class Tags:
    """Clark-notation tag names (and the written prefix) for one SpreadsheetML namespace."""

    prefix: str
    row: str
    c: str
    v: str
    is_: str

    @classmethod
    def of(cls, ns: str, prefix: str) -> Tags:
        return cls(prefix, f"{{{ns}}}row", f"{{{ns}}}c", f"{{{ns}}}v", f"{{{ns}}}is")


def cell_text(cell: Element, tags: Tags, shared: dict[int, str]) -> str:
    """What the cell shows as text (numbers and dates as stored; formulas as their result)."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        node = cell.find(tags.is_)
        return rich_text(node) if node is not None else ""
    raw = cell.findtext(tags.v) or ""
    if kind == "s":
        return shared.get(int(raw), "") if raw.strip().isdigit() else ""
    if kind == "b":
        return {"1": "TRUE", "0": "FALSE"}.get(raw.strip(), raw)
    return raw


def shared_index(cell: Element, tags: Tags) -> int | None:
    """The shared-string index a ``t="s"`` cell points to."""
    if cell.get("t") != "s":
        return None
    raw = (cell.findtext(tags.v) or "").strip()
    return int(raw) if raw.isdigit() else None


_DIGITS = "0123456789"
_COLUMN_OF_LETTERS: dict[str, int] = {}  # "AB" -> 28, filled as columns are met


def column_of(cell: Element) -> int | None:
    """The cell's 1-based column from its ``r``, or None when it has no ``r``."""
    ref = cell.get("r")
    if ref is None:
        return None
    # Hot path (once per cell we look at): a dict hit instead of a full parse.
    col = _COLUMN_OF_LETTERS.get(ref.rstrip(_DIGITS))
    if col is not None:
        return col
    try:
        col = split_ref(ref)[1]
    except ValueError:
        raise LayoutError(f"bad cell reference {ref!r} in the sheet") from None
    _COLUMN_OF_LETTERS[ref.rstrip(_DIGITS).lstrip("$")] = col
    return col


def number_cells(row: Element, tags: Tags, row_number: int) -> None:
    """Give every cell of ``row`` an explicit ``r``.

    A cell without ``r`` sits one column right of the cell before it (ECMA-376 §18.3.1.4);
    making that explicit changes nothing for a reader and lets us insert cells safely.
    """
    col = 0
    for cell in row.iterchildren(tags.c):
        explicit = column_of(cell)
        col = explicit if explicit is not None else col + 1
        cell.set("r", cell_ref(row_number, col))


def find_cell(row: Element, tags: Tags, col: int) -> tuple[Element | None, Element | None]:
    """``(cell at col, cell just left of col)``, scanning from the right end of the row.

    Our columns are usually the row's last ones, so the scan stops after a step or two.
    """
    for cell in row.iterchildren(tags.c, reversed=True):
        here = column_of(cell)
        if here is None:
            number_cells(row, tags, int(row.get("r", "0")))
            return find_cell(row, tags, col)
        if here == col:
            return cell, None
        if here < col:
            return None, cell
    return None, None


def place_cell(
    row: Element, new: Element | None, existing: Element | None, left: Element | None
) -> None:
    """Put ``new`` where :func:`find_cell` said: over ``existing`` (``None`` removes it),
    else right after ``left``, else first in the row.

    Several cells placed into one row must go right-to-left, all with anchors found before
    any was placed: each then lands directly after its anchor, left of those placed before.
    """
    if existing is not None:
        if new is None:
            row.remove(existing)
        else:
            row.replace(existing, new)
    elif new is None:
        return
    elif left is not None:
        left.addnext(new)
    else:
        row.insert(0, new)  # <c> elements come first in a row (before any <extLst>)


# A raw carriage return would become a line feed when the XML is read (line-end
# normalisation); as a character reference it survives.
_TEXT_ENTITIES = {"\r": "&#13;"}


def cell_xml(tags: Tags, ref: str, style: str | None, text: str) -> str:
    """Markup of one result cell: an inline string, so it is never a formula and never
    touches sharedStrings.xml; a cleared cell keeps only its style."""
    p = tags.prefix
    s = style_attribute(style)
    if not text:
        return f'<{p}c r="{ref}"{s}/>'
    return (
        f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is>'
        f'<{p}t xml:space="preserve">{escaped(text)}</{p}t></{p}is></{p}c>'
    )


def style_attribute(style: str | None) -> str:
    """`` s="…"`` for a style id, or nothing."""
    return f' s="{escape(style, {chr(34): "&quot;"})}"' if style is not None else ""


def escaped(text: str) -> str:
    """Cell text as it stands inside ``<t>`` (markup characters and CR as references)."""
    return escape(text, _TEXT_ENTITIES)


def widen_spans(row: Element, cols: list[int]) -> None:
    """Keep the optional ``spans="first:last"`` hint true after adding cells."""
    spans = row.get("spans")
    if not spans or not cols:
        return
    try:
        bounds = [int(n) for part in spans.split() for n in part.split(":")]
    except ValueError:
        del row.attrib["spans"]  # a hint we cannot read is better dropped than left wrong
        return
    low, high = min(bounds + cols), max(bounds + cols)
    if (low, high) != (min(bounds), max(bounds)):
        row.set("spans", f"{low}:{high}")
