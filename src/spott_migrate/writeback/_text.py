"""Turning result values into text a spreadsheet shows as-is, and back.

Two formats, two hazards:

* ``.xlsx``: XML 1.0 forbids most control characters (lxml refuses them and Excel calls the
  file corrupt), Excel reads ``_xHHHH_`` inside any string as an escaped character, and a cell
  holds at most 32,767 characters.
* ``.csv``: the file cannot hold a formula, but Excel evaluates a field starting with ``=``,
  ``+``, ``-``, ``@`` (or tab / carriage return) when it opens the CSV — the classic CSV-injection
  hole. We prefix such values with one apostrophe, which Excel shows literally and never
  evaluates. The rule is reversible (see :func:`csv_guard`), so ``read_results`` returns exactly
  what was written.
"""

from __future__ import annotations

import re
from functools import lru_cache

EXCEL_MAX_CHARS = 32_767

# Everything outside the XML 1.0 ``Char`` production, lone surrogates included.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")

_FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def xml_safe(text: str) -> str:
    """Drop the characters an XML 1.0 document cannot contain."""
    return _NOT_XML_CHAR.sub("", text) if _NOT_XML_CHAR.search(text) else text


@lru_cache(maxsize=1024)  # statuses and timestamps repeat on thousands of rows
def to_cell_text(text: str) -> str:
    """A value as it must appear inside ``<t>`` so that Excel displays ``text`` unchanged."""
    text = xml_safe(text)
    # Excel counts UTF-16 code units; cut there and drop a half surrogate pair if we split one.
    if len(text) > EXCEL_MAX_CHARS // 2:
        units = text.encode("utf-16-le", "surrogatepass")
        if len(units) > 2 * EXCEL_MAX_CHARS:
            text = units[: 2 * (EXCEL_MAX_CHARS - 1)].decode("utf-16-le", "ignore") + "…"
    # A literal "_x0041_" would be shown as "A": escape its underscore as "_x005F_".
    return _ESCAPE_LOOKALIKE.sub("_x005F_", text) if "_x" in text else text


def from_cell_text(text: str) -> str:
    """Undo Excel's ``_xHHHH_`` escapes (the inverse of :func:`to_cell_text`'s escaping)."""
    if "_x" not in text:
        return text
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


def _starts_like_formula(text: str) -> bool:
    return text.lstrip("'")[:1] in _FORMULA_TRIGGERS


def csv_guard(text: str) -> str:
    """Prefix ``'`` when Excel would evaluate ``text``.

    Text already starting with apostrophes before a trigger gets one more, so that
    :func:`csv_unguard` can always strip exactly one: the encoding is lossless.
    """
    return "'" + text if text and _starts_like_formula(text) else text


def csv_unguard(text: str) -> str:
    """Inverse of :func:`csv_guard`."""
    if text.startswith("'") and _starts_like_formula(text):
        return text[1:]
    return text
