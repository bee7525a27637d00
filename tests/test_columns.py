"""Whole-column helpers: keys found by number agree with a look-up per key, and one object
fills a column."""

from __future__ import annotations

import hashlib
import random

import pandas as pd
import pytest

from spott_migrate.columns import SortedKeys, all_distinct, filled, shared


def key(i: int) -> str:
    return hashlib.blake2b(str(i).encode(), digest_size=10).hexdigest()


@pytest.mark.parametrize("seed", range(100))
def test_positions_by_number_equal_a_look_up_per_key(seed: int) -> None:
    rng = random.Random(seed)
    theirs = list(dict.fromkeys(key(rng.randrange(80)) for _ in range(rng.randrange(60))))
    keys = [key(rng.randrange(80)) for _ in range(rng.randrange(60))]
    found = SortedKeys.of(theirs)
    assert found is not None
    positions = found.positions(keys)
    assert positions is not None
    expected = pd.Index(theirs, dtype=object).get_indexer(pd.Index(keys, dtype=object))
    assert positions.tolist() == expected.tolist()
    assert all_distinct(keys) is (len(set(keys)) == len(keys))


def test_keys_that_share_their_first_64_bits_are_told_apart_or_refused() -> None:
    a, b = "0" * 16 + "0001", "0" * 16 + "0002"
    assert SortedKeys.of([a, b]) is None  # among the sorted ones: only their texts tell
    only_a = SortedKeys.of([a])
    assert only_a is not None
    found = only_a.positions([b, a])
    assert found is not None and found.tolist() == [-1, 0]
    assert all_distinct([a, b]) and not all_distinct([a, a])


@pytest.mark.parametrize("odd", ["abc", key(1) + "-2", " " + key(1)[1:], key(1)[:18] + "zz"])
def test_keys_of_another_form_are_left_to_a_look_up(odd: str) -> None:
    assert SortedKeys.of([key(0), odd]) is None
    found = SortedKeys.of([key(0)])
    assert found is not None and found.positions([odd]) is None
    assert all_distinct([odd, key(0)]) and not all_distinct([odd, odd])


def test_filled_is_one_object_throughout() -> None:
    column = filled(1000, "assigned")
    assert column.dtype == object and len(column) == 1000
    assert len({id(v) for v in column}) == 1
    assert filled(3, None).tolist() == [None, None, None]
    assert filled(0, "x").shape == (0,)
    assert filled(2, ("a", 1)).tolist() == [("a", 1), ("a", 1)]  # a tuple is one value


def test_shared_makes_equal_values_one_object_and_keeps_none() -> None:
    texts = ["".join(["ca", "nd"]) for _ in range(5)] + [None, "x"]  # equal, not one object
    column = shared(texts)
    assert column.tolist() == texts
    assert len({id(v) for v in column[:5]}) == 1
    assert shared([None, None]).tolist() == [None, None]
    assert shared([]).shape == (0,)
    assert len({id(v) for v in shared(["".join("ab") for _ in range(3)])}) == 1
