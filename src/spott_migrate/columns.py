"""Small helpers for working on whole columns (NumPy arrays of Python objects)."""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd


def object_array(values: Sequence[Any]) -> np.ndarray:
    """``values`` as a 1-D object array (never a 2-D one, whatever the items are)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def group_codes(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    """One int64 per row, equal for rows equal in every column, numbered in order of first
    appearance. A column that is empty text throughout is skipped (it cannot tell rows
    apart)."""
    codes = np.zeros(n, dtype=np.int64)
    for column in columns:
        if not (column != "").any():
            continue
        these, uniques = pd.factorize(column, sort=False)
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + these, sort=False)
    return codes


def distinct(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each text's position among the distinct non-empty ones (-1 for ""), and those texts in
    order of first appearance."""
    codes, uniques = pd.factorize(object_array(texts), sort=False)
    found: list[str] = uniques.tolist()
    if "" in found:
        empty = found.index("")
        del found[empty]
        codes = np.where(codes == empty, -1, np.where(codes > empty, codes - 1, codes))
    return codes.astype(np.int64), found


def among(values: np.ndarray | pd.Series, members: Collection[Any]) -> np.ndarray:
    """Element-wise ``value in members`` for a Python set (a look-up per value: cheaper than
    pandas' ``isin``, which first turns the set into an array)."""
    if not members:
        return np.zeros(len(values), dtype=bool)
    found = members.__contains__
    return np.fromiter(map(found, values), dtype=bool, count=len(values))


@contextmanager
def many_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million objects that all stay alive are made
    (rows of a query, a column's strings): each collection it starts meanwhile walks every
    object made so far and frees none. Measured: reading a million journal rows took twice as
    long with it running."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _hex_codes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Row keys of 20 hex digits (80 bits of a digest) as two integer columns: the first 64
    bits and the last 16; None when some key is not of that form (a copy's ``-2``)."""
    joined = "".join(keys)
    if len(joined) != _KEY_DIGITS * len(keys):
        return None
    try:
        raw = bytes.fromhex(joined)
    except ValueError:
        return None
    if len(raw) != _KEY_DIGITS // 2 * len(keys):  # fromhex skips spaces between bytes
        return None
    grid = np.frombuffer(raw, dtype=np.uint8).reshape(len(keys), _KEY_DIGITS // 2)
    high = np.ascontiguousarray(grid[:, :8]).view(">u8").ravel()
    low = np.ascontiguousarray(grid[:, 8:]).view(">u2").ravel()
    return high, low


_KEY_DIGITS = 20


class SortedKeys:
    """Distinct row keys as numbers, sorted once, to find where other keys stand among them
    with NumPy. A hash look-up per key costs more at a million keys: each one is a cache miss
    when the two lists come in different orders (a journal is in the order of the run)."""

    def __init__(self, high: np.ndarray, low: np.ndarray, order: np.ndarray) -> None:
        self._low, self._order = low, order
        self._sorted = high[order]

    @classmethod
    def of(cls, keys: Sequence[str]) -> SortedKeys | None:
        """None when some key is not 20 hex digits, or two share their first 64 bits (then
        only the texts tell them apart)."""
        codes = _hex_codes(keys)
        if codes is None:
            return None
        high, low = codes
        order = np.argsort(high)
        found = cls(high, low, order)
        if len(high) > 1 and bool((found._sorted[1:] == found._sorted[:-1]).any()):
            return None
        return found

    def positions(self, keys: Sequence[str]) -> np.ndarray | None:
        """Each key's position in the keys this was made of (-1 where absent); None when
        some key is not 20 hex digits."""
        codes = _hex_codes(keys)
        if codes is None:
            return None
        high, low = codes
        out = np.full(len(high), -1, dtype=np.int64)
        if not len(self._sorted) or not len(high):
            return out
        # Looked up in sorted order, so the search walks the sorted keys once.
        order = np.argsort(high)
        wanted = high[order]
        at = np.searchsorted(self._sorted, wanted)
        at[at == len(self._sorted)] = 0
        match = self._sorted[at] == wanted
        where = self._order[at]
        match &= self._low[where] == low[order]
        out[order[match]] = where[match]
        return out


def all_distinct(keys: Sequence[str]) -> bool:
    """Whether no key appears twice (sorted as numbers when they are digests: no set of a
    million texts)."""
    codes = _hex_codes(keys)
    if codes is not None:
        high = np.sort(codes[0])
        if not bool((high[1:] == high[:-1]).any()):
            return True
    return len(set(keys)) == len(keys)


def shared(values: Sequence[Any]) -> np.ndarray:
    """``values`` as an object array in which equal values are one object each (a type, a
    state or a time repeated over a million rows would otherwise be a million strings);
    ``None`` stays ``None``."""
    if not len(values) or values.count(values[0]) == len(values):  # one value throughout
        return filled(len(values), values[0] if len(values) else None)
    codes, uniques = pd.factorize(object_array(values), sort=False)
    if not len(uniques):  # all None
        return filled(len(values), None)
    out: np.ndarray = np.asarray(uniques, dtype=object)[codes]
    out[codes < 0] = None
    return out


def filled(n: int, value: object) -> np.ndarray:
    """An object array of ``n`` times the one object ``value``. (``np.full`` with a text makes
    a new string per element: a million copies of "assigned".)"""
    array = np.empty(n, dtype=object)
    array.fill(value)
    return array
