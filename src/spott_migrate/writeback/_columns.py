"""Which column each result name goes to, decided from the header row alone.

Shared by the ``.xlsx`` and ``.csv`` writers: both hand over the header row as
``{1-based column: text}`` and get back where to write and which header cells to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Declared once for the project; re-exported here. Header names match with the reader's own
# rule (case, blanks, "_", "-" and "." ignored), so that "Spott Status" is the column the
# reader reports as spott_status and we never add a second one beside it.
from ..errors import FileLayoutError
from ..manifest.schema import RESULT_COLUMNS, header_key
from ._cellref import MAX_COL

# Headers ``read_results`` returns when the caller does not name the columns.
_OURS = re.compile(r"spott[\s_\-.]", re.IGNORECASE)


# The manifest's structure does not allow the requested read or write. Internal: the public
# functions turn it into ``WriteBackError`` or ``ManifestError``.
LayoutError = FileLayoutError


@dataclass(frozen=True)
class ColumnPlan:
    """Where results go: column of each requested name, and header cells to add."""

    columns: dict[str, int]  # header_key(name) -> 1-based column
    new_headers: dict[int, str]  # 1-based column -> header text to write

    _by_spelling: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def cells(self, values: Mapping[str, str]) -> dict[int, str]:
        """One result row as ``{1-based column: text}``."""
        known = self._by_spelling  # the same few names on every row: normalise each once
        for name in values:
            if name not in known:
                known[name] = self.columns[header_key(name)]
        return {known[name]: text for name, text in values.items()}


def ordered_names(results: Mapping[int, Mapping[str, str]]) -> list[str]:
    """Every column name in ``results``, in the order first seen, one per header key."""
    seen: dict[str, str] = {}
    spelled: set[str] = set()  # fast skip: the same few names repeat on every row
    for values in results.values():
        for name in values:
            if name in spelled:
                continue
            spelled.add(name)
            if not header_key(name):
                raise LayoutError("a result column name is empty")
            seen.setdefault(header_key(name), name)
    return list(seen.values())


def plan_columns(header: Mapping[int, str], names: Iterable[str]) -> ColumnPlan:
    """Reuse a header cell with the same name, else append after the last used header cell."""
    existing: dict[str, int] = {}
    for col in sorted(header):  # the leftmost of duplicate headers wins
        existing.setdefault(header_key(header[col]), col)
    used = [col for col, text in header.items() if text.strip()]
    next_col = max(used, default=0) + 1
    columns: dict[str, int] = {}
    new_headers: dict[int, str] = {}
    for name in names:
        key = header_key(name)
        if key in existing:
            columns[key] = existing[key]
            continue
        if next_col > MAX_COL:
            raise LayoutError(f"no room for column {name!r}: the header row is full")
        existing[key] = columns[key] = next_col
        new_headers[next_col] = name.strip()
        next_col += 1
    return ColumnPlan(columns, new_headers)


def find_columns(header: Mapping[int, str], names: Iterable[str] | None) -> dict[str, int]:
    """Columns to read back: ``names`` where present (keys as given), else every result
    column and every ``spott_*`` header (keys: canonical name, or the lower-cased header)."""
    existing: dict[str, int] = {}
    for col in sorted(header):
        existing.setdefault(header_key(header[col]), col)
    if names is not None:
        return {name: existing[header_key(name)] for name in names if header_key(name) in existing}
    canonical = {header_key(name): name for name in RESULT_COLUMNS}
    found: dict[str, int] = {}
    for col in sorted(header):
        text = header[col].strip()
        key = header_key(text)
        if existing[key] == col and (key in canonical or _OURS.match(text)):
            found[canonical.get(key, text.lower())] = col
    return found
