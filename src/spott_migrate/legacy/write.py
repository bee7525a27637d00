"""Writing a built manifest as ``.xlsx`` (sheet ``Attachments``) or UTF-8 ``.csv``.

File paths are written relative to the manifest's folder when the files live below it, so
the manifest and the export can be moved together; otherwise they stay absolute. The file is
written next to its final name and then moved into place, so a crash never leaves half a
manifest.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from ..errors import ConfigError
from .columns import CONVERTED_FROM, FILE_PATH

SHEET = "Attachments"


def _relative(value: str, folder: Path) -> str:
    if not value:
        return value
    path = Path(value)
    if not path.is_absolute():
        return value
    try:
        return path.resolve().relative_to(folder).as_posix()
    except ValueError:
        return value


def for_manifest_at(df: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """A copy with file paths made relative to the folder a manifest at ``path`` will be in."""
    folder = Path(path).resolve().parent
    out = df.copy()
    for column in (FILE_PATH, CONVERTED_FROM):
        if column in out.columns:
            out[column] = [_relative(str(v), folder) for v in out[column]]
    return out


def write_manifest(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (``.xlsx`` or ``.csv``), replacing the file atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise ConfigError(f"{path}: a manifest is written as .xlsx or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    table = for_manifest_at(df, path).fillna("")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            table.to_csv(temp, index=False, encoding="utf-8")
        else:
            _write_xlsx(table, Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([str(c) for c in table.columns])
    for values in table.itertuples(index=False):
        sheet.append([None if v == "" else str(v) for v in values])
    # openpyxl takes any text starting with "=" for a formula; ours are always plain text.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    book.save(path)
