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
