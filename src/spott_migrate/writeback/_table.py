"""Results as columns: the rows they go to and, for each result column, one text per row.

A million results held as a dict per row cost more than writing them into the file, so the
writers take whole columns. ``None`` in a column leaves that row's cell alone (the row does
not set it); ``""`` clears the cell.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import FileLayoutError, WriteBackError
from ..manifest.schema import header_key
from ._cellref import MAX_ROW


@dataclass(frozen=True)
class ResultTable:
    """``rows[i]`` (a 1-based row or record number) gets ``columns[name][i]`` for each name."""

    rows: np.ndarray  # integers, each row once
    columns: dict[str, np.ndarray]  # result column name -> object array of str or None
    # Columns whose maker vouches that every row holds a ``str`` (no None): they skip the
    # checks a column of unknown texts goes through.
    complete: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        for name, values in self.columns.items():
            if len(values) != len(self.rows):
                raise ValueError(f"column {name!r}: {len(values)} texts for {len(self.rows)} rows")

    @classmethod
    def of(cls, rows: object, columns: Mapping[str, object]) -> ResultTable:
        """A table from any sequences (a DataFrame's columns, lists), texts as they are."""
        return cls(np.asarray(rows), {str(n): object_array(v) for n, v in columns.items()})

    @classmethod
    def from_mapping(cls, results: Mapping[int, Mapping[str, str]]) -> ResultTable:
        """``{row: {column: text}}`` as a table; a column a row does not name is ``None`` there.

        Spellings the header rule makes one column (``Spott Status``, ``spott_status``) are one
        column under the first spelling seen; within a row the last one given wins.
        """
        keys: dict[str, str] = {}  # spelling -> header key (the same few names on every row)
        names: dict[str, str] = {}  # header key -> the first spelling seen
        rows: list[object] = []
        texts: dict[str, list[object]] = {}
        for i, (row, values) in enumerate(results.items()):
            rows.append(row)
            for name, text in values.items():
                key = keys.get(name)
                if key is None:
                    key = keys[name] = header_key(str(name))
                    names.setdefault(key, str(name))
                column = texts.get(key)
                if column is None:
                    column = texts[key] = [None] * len(results)
                column[i] = "" if text is None else text
        array = np.empty(len(rows), dtype=object)
        array[:] = rows
        return cls(array, {names[key]: object_array(column) for key, column in texts.items()})

    def __len__(self) -> int:
        return len(self.rows)

    def names(self) -> list[str]:
        """The column names in order, as ``ordered_names`` gives them for a mapping."""
        if any(not header_key(name) for name in self.columns):
            raise FileLayoutError("a result column name is empty")
        return list(self.columns)

    def present(self, name: str) -> np.ndarray:
        """Per row: whether it sets this column's cell."""
        if name in self.complete:
            return np.ones(len(self.rows), dtype=bool)
        return present(self.columns[name])

    def any_text(self, start: int = 0) -> np.ndarray:
        """Per row from position ``start`` on: whether it sets some cell to a non-empty text."""
        out = np.zeros(len(self.rows) - start, dtype=bool)
        for values in self.columns.values():
            part = values[start:]
            out |= present(part) & np.asarray(part != "", dtype=bool)
        return out

    def row(self, i: int) -> dict[str, str]:
        """Row ``i`` (a position) as ``{column: text}``, without the cells it leaves alone."""
        return {n: v[i] for n, v in self.columns.items() if v[i] is not None}

    def _sorted(self) -> ResultTable:
        order = np.argsort(self.rows, kind="stable")
        columns = {n: v[order] for n, v in self.columns.items()}
        return ResultTable(self.rows[order], columns, self.complete)


def checked(results: Mapping[int, Mapping[str, str]] | ResultTable, header_row: int) -> ResultTable:
    """The results as a table of int rows below the header and str texts in row order, rows
    that set nothing dropped, each row once (the last one given wins, as in a dict); raises
    ``WriteBackError`` for what cannot be written."""
    if header_row < 1:
        raise WriteBackError(f"header_row must be 1 or more, not {header_row}")
    table = results if isinstance(results, ResultTable) else ResultTable.from_mapping(results)
    rows = _int_rows(table.rows)
    outside = (rows <= header_row) | (rows > MAX_ROW)
    if outside.any():
        bad = int(rows[np.flatnonzero(outside)[0]])
        raise WriteBackError(f"row {bad} is outside the data rows ({header_row + 1}..{MAX_ROW})")
    columns: dict[str, np.ndarray] = {}
    given: dict[str, np.ndarray | None] = {}  # None: every row gives a text
    for name, values in table.columns.items():
        # A column its maker vouches for (str on every row) is taken as it is.
        texts, everywhere = (values, True) if name in table.complete else _texts(values)
        columns[name] = texts
        given[name] = None if everywhere else present(texts)
        if not name.strip():
            where = np.flatnonzero(present(texts))
            first = int(rows[where[0]]) if len(where) else 0
            raise WriteBackError(f"row {first}: a result column name is empty")
    columns, given = _merge_spellings(columns, given)
    keep: np.ndarray | None = None
    if all(mask is not None for mask in given.values()):  # else some column is on every row
        keep = np.zeros(len(rows), dtype=bool)
        for mask in given.values():
            assert mask is not None
            keep |= mask
    increasing = len(rows) < 2 or bool((np.diff(rows) > 0).all())
    if not increasing:
        # The same row twice: the last one wins, as in a dict built from the rows in order.
        _, last = np.unique(rows[::-1], return_index=True)
        if len(last) < len(rows):
            once = np.zeros(len(rows), dtype=bool)
            once[len(rows) - 1 - last] = True
            keep = once if keep is None else keep & once
    if keep is not None and not keep.all():
        rows = rows[keep]
        columns = {n: v[keep] for n, v in columns.items()}
        given = {n: None if m is None else m[keep] for n, m in given.items()}
    complete = frozenset(n for n, mask in given.items() if mask is None or mask.all())
    out = ResultTable(rows, columns, complete)
    return out if increasing else out._sorted()


def present(values: np.ndarray) -> np.ndarray:
    """Per text of a column: not ``None`` (a column of texts has no other missing value)."""
    return np.asarray(values != None, dtype=bool)  # noqa: E711 (element-wise)


def one_text(texts: np.ndarray) -> bool:
    """Whether every text is the first one (a status, a time of the whole run)."""
    if not len(texts) or texts[-1] != texts[0] or texts[len(texts) // 2] != texts[0]:
        return False  # the usual answer for ids, found without a look at every row
    return bool((texts == texts[0]).all())


def transformed(
    values: np.ndarray,
    complete: bool,
    plain: Callable[[np.ndarray], bool],
    transform: Callable[[str], tuple[str, str]],
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """A result column made ready to write: each text as written and as it stands in the file
    (``transform``), ``None`` kept where a row leaves the cell alone; and the one text of every
    row, when it is one. A column ``plain`` says needs nothing (the usual case) is used as it is,
    and equal texts are transformed once (statuses and times repeat on many rows)."""
    given = None if complete else present(values)
    texts = values if given is None else values[given]
    single = complete and one_text(texts)
    if not len(texts) or plain(texts[:1] if single else texts):
        return values, values, str(texts[0]) if single else None
    shown, stored = values.copy(), values.copy()
    seen: dict[str, tuple[str, str]] = {}
    where = range(len(values)) if given is None else np.flatnonzero(given).tolist()
    for i in where:
        text = values[i]
        done = seen.get(text)
        if done is None:
            done = seen[text] = transform(text)
        shown[i], stored[i] = done
    return shown, stored, str(stored[0]) if single else None


def object_array(values: object) -> np.ndarray:
    """``values`` as a one-dimensional object array (handed back if it is one)."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    seq = list(values)  # type: ignore[call-overload]
    array = np.empty(len(seq), dtype=object)
    array[:] = seq
    return array


def _int_rows(rows: np.ndarray) -> np.ndarray:
    if rows.dtype.kind in "iu":
        return rows.astype(np.int64, copy=False)
    out = np.empty(len(rows), dtype=np.int64)
    for i, key in enumerate(rows.tolist()):
        try:
            out[i] = operator.index(key)
        except TypeError:
            raise WriteBackError(f"row numbers must be integers, not {key!r}") from None
    return out


def _texts(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Every text a ``str``, as ``str(text)`` makes it (``None`` stays: the cell is left), and
    whether every row has one."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values, True
    texts = [v if v is None or type(v) is str else str(v) for v in values.tolist()]
    return object_array(texts), None not in texts


def _merge_spellings(
    columns: dict[str, np.ndarray], given: dict[str, np.ndarray | None]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray | None]]:
    """Columns whose names the header rule makes one (``Spott Status``, ``spott_status``) as
    one column under the first name; a later column's texts win where it has any."""
    first: dict[str, str] = {}
    merged: dict[str, np.ndarray] = {}
    merged_given: dict[str, np.ndarray | None] = {}
    for name, values in columns.items():
        into = first.setdefault(header_key(name), name)
        if into == name:
            merged[name], merged_given[name] = values, given[name]
            continue
        mask = given[name]
        if mask is None:
            merged[into], merged_given[into] = values, None
            continue
        combined = merged[into].copy()
        combined[mask] = values[mask]
        before = merged_given[into]
        merged[into], merged_given[into] = combined, None if before is None else before | mask
    return merged, merged_given
