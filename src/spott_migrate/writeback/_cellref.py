"""A1-style cell references: column letters, cell refs and ranges (all 1-based)."""

from __future__ import annotations

from functools import lru_cache

MAX_ROW = 1_048_576
MAX_COL = 16_384  # column XFD

_DIGITS = "0123456789"


def col_letters(index: int) -> str:
    """1 → "A", 27 → "AA"."""
    if not 1 <= index <= MAX_COL:
        raise ValueError(f"column {index} is outside 1..{MAX_COL}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=4096)
def col_index(letters: str) -> int:
    """ "A" → 1, "aa" → 27; ValueError for anything else."""
    if not letters or not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        raise ValueError(f"not a column name: {letters!r}")
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    if index > MAX_COL:
        raise ValueError(f"column {letters!r} is beyond XFD")
    return index


def split_ref(ref: str) -> tuple[int, int]:
    """ "B7" → (row 7, column 2); "$B$7" is accepted too."""
    ref = ref.replace("$", "")
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if not digits or digits[0] == "0":
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(digits), col_index(letters)


def cell_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


Box = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col


def parse_range(ref: str) -> Box:
    """ "A1:D9" or "C3" → a box; ValueError when malformed."""
    first, _, last = ref.strip().partition(":")
    top, left = split_ref(first)
    bottom, right = split_ref(last) if last else (top, left)
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def format_range(box: Box) -> str:
    top, left, bottom, right = box
    start, end = cell_ref(top, left), cell_ref(bottom, right)
    return start if start == end else f"{start}:{end}"


def union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
