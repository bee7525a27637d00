"""Reading the small tables of an export (attachment lists, crosswalks, people) as text.

Legacy exports come from Windows tools as often as not: semicolon-separated, cp1252-encoded,
with a byte-order mark. Every cell is read as a string, so ids like ``007`` keep their zeros.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .columns import word_key

_DELIMITERS = ",;\t|"
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1252, the legacy default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv_bytes(data: bytes, label: str) -> pd.DataFrame:
    """A CSV's cells as strings; the delimiter is sniffed from the first lines."""
    text = decode(data)
    head = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise ConfigError(f"cannot read {label} as CSV: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_table(path: str | Path, sheet: str | int | None = 0) -> pd.DataFrame:
    """One sheet of an ``.xlsx`` or a ``.csv`` file, every cell a string."""
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_sheets(path, [sheet] if sheet is not None else None)[0][1]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return read_csv_bytes(data, str(path))


def read_sheets(
    path: str | Path, sheets: Iterable[str | int] | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """Sheets of a workbook as ``(sheet name, table)``; all of them when ``sheets`` is None."""
    try:
        frames: Mapping[str, pd.DataFrame] = pd.read_excel(
            path,
            sheet_name=None if sheets is None else list(sheets),
            dtype=str,
            keep_default_na=False,
            engine="openpyxl",
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    out = []
    for name, frame in frames.items():
        frame.columns = [str(c).strip() for c in frame.columns]
        out.append((str(name), frame))
    return out


def find_column(
    frame: pd.DataFrame, aliases: Iterable[str], explicit: str | None = None, *, what: str = ""
) -> str | None:
    """The header that holds a field: ``explicit`` if given (it must exist), else an alias.

    Headers and aliases compare after `word_key`, so ``Legacy ID`` finds ``legacy_id``.
    """
    by_key = {word_key(str(c)): str(c) for c in frame.columns}
    if explicit:
        found = by_key.get(word_key(explicit))
        if found is None:
            columns = ", ".join(map(str, frame.columns))
            raise ConfigError(f"no column {explicit!r} for {what or 'this field'}; have: {columns}")
        return found
    for alias in aliases:
        found = by_key.get(word_key(alias))
        if found is not None:
            return found
    return None
