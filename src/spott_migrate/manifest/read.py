"""Read an ``.xlsx`` or ``.csv`` manifest into a canonical DataFrame.

Every cell becomes text (an Excel number ``123.0`` becomes ``"123"``), headers are matched through
:mod:`.schema`'s aliases, and each row keeps its ``source_row`` so results go back to the right line
however the DataFrame is later filtered or sorted.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from ..columns import all_distinct, filled, many_objects, object_array, shared
from ..errors import FileLayoutError, ManifestError
from . import schema
from .csvformat import csv_delimiter, decode_text
from .csvlines import PlainShape, uniform_columns
from .xlsxguard import guard_sheet

ManifestKind = Literal["xlsx", "csv"]
_OUR_COLUMNS = (*schema.RESULT_COLUMNS, schema.BUILD_PROBLEM)
# Every header text we recognise (normalised), with the column it stands for.
_HEADER_NAMES = {**schema.ALIASES, **{schema.header_key(c): c for c in _OUR_COLUMNS}}


@dataclass
class Manifest:
    """A manifest as read: canonical rows plus what is needed to write results back."""

    path: Path
    kind: ManifestKind
    sheet: str | None
    header_row: int
    rows: pd.DataFrame
    # canonical column -> header text as written in the file
    column_map: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    # (modification time, size, inode) of the file when it was read: a save by the user since
    # then shows as a different signature.
    signature: tuple[int, int, int] | None = None
    # What reading proved about a plain CSV (see ``PlainShape``): its write-back need not
    # measure the file again while it is this version.
    shape: PlainShape | None = None
    _resolved: dict[str, Path] = field(default_factory=dict, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        """Relative file paths start here."""
        return self.path.parent

    def resolve(self, file_path: str) -> Path:
        """The absolute path of a ``file_path`` cell (cached: the same text, the same Path)."""
        cached = self._resolved.get(file_path)
        if cached is None:
            text = file_path.replace("\\", "/")
            p = Path(text)
            cached = p if p.is_absolute() else self.base_dir / p
            self._resolved[file_path] = cached
        return cached

    def file_identity(self, file_path: str) -> str:
        """Which file a ``file_path`` cell names, as comparable text: equal to
        ``os.path.normpath(self.resolve(file_path))``, built from strings alone (``Path``
        objects cost several times more at 100k rows)."""
        return os.path.normpath(os.path.join(self.base_dir, file_path.replace("\\", "/")))

    def unchanged_on_disk(self) -> bool:
        """Whether the file on disk is still the one that was read (no save since)."""
        return self.signature is not None and _signature(self.path) == self.signature

    def take_over(self, other: Manifest) -> None:
        """Become ``other``: the same file read again (after a save by the user)."""
        self.rows, self.header_row, self.signature = other.rows, other.header_row, other.signature
        self.column_map, self.encoding = other.column_map, other.encoding
        self.shape = other.shape
        self._resolved.clear()

    def wrote(self, info: os.stat_result, at: np.ndarray, columns: Mapping[str, Any]) -> None:
        """Our own write is now the file on disk: the rows at positions ``at`` of ``rows`` hold
        ``columns`` (result column -> one text per position)."""
        self.signature = info.st_mtime_ns, info.st_size, info.st_ino
        self.shape = None  # proved of the file as read, not of ours
        everywhere = len(at) == len(self.rows) and bool((at == np.arange(len(at))).all())
        for column, values in columns.items():
            if column not in schema.RESULT_COLUMNS:
                continue
            if everywhere:  # (shared with the caller's results, which pandas keeps read-only)
                updated = np.asarray(values, dtype=object)
            else:
                updated = self.rows[column].to_numpy(dtype=object).copy()
                updated[at] = values
            # Object, as read (pandas would otherwise infer its own string type); ours to
            # hand over without a copy.
            self.rows[column] = pd.Series(updated, index=self.rows.index, dtype=object, copy=False)

    def path_texts(self, file_paths: Sequence[str]) -> list[str]:
        """``str(self.resolve(t))`` of each cell of a column ("" for an empty one), made from
        strings: a ``Path`` per row costs more than the rest of a check at a million rows."""
        if os.name != "posix":
            return [str(self.resolve(t)) if t else "" for t in file_paths]
        base = str(self.base_dir)
        prefix = "" if base == "." else base if base.endswith("/") else base + "/"
        out = posix_folded(file_paths, strip=False)
        if not prefix:
            return [base if t == "." else t for t in out] if "." in out else out
        return [t if not t or t[:1] == "/" else base if t == "." else prefix + t for t in out]

    def identities(self, path_texts: Sequence[str]) -> list[str]:
        """:meth:`file_identity` of each of :meth:`path_texts`' answers ("" stays "")."""
        texts = list(path_texts)
        if _column_is_clean(texts):
            return texts
        normpath = os.path.normpath
        return [normpath(t) if t and _needs_folding(t) else t for t in texts]

    def __len__(self) -> int:
        return len(self.rows)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def read_manifest(
    path: str | Path,
    *,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    header_row: int | None = None,
) -> Manifest:
    """Read a manifest file; raise :class:`ManifestError` with a clear reason if it cannot be used.

    ``column_map`` maps canonical names to the file's own header text, for headers the aliases do
    not recognise. ``header_row`` (1-based) defaults to the first non-empty row.
    """
    path = Path(path)
    if not path.exists():
        raise ManifestError(f"manifest not found: {path}")
    if path.is_dir():
        raise ManifestError(f"{path} is a folder; give the manifest file inside it")
    # Taken before reading: a save during the read then shows as a change later.
    signature = _signature(path)
    with many_objects():  # a million rows of cells, every one of them kept
        return _read(path, sheet, column_map, header_row, signature)


def _read(
    path: Path,
    sheet: str | None,
    column_map: Mapping[str, str] | None,
    header_row: int | None,
    signature: tuple[int, int, int] | None,
) -> Manifest:
    suffix = path.suffix.lower()
    encoding: str | None = None
    if suffix in (".xlsx", ".xlsm"):
        kind: ManifestKind = "xlsx"
        sheet, grid = _read_xlsx_grid(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        kind = "csv"
        if sheet:
            raise ManifestError("--sheet applies to .xlsx manifests only")
        encoding, grid = _read_csv_grid(path)
    elif suffix == ".xls":
        raise ManifestError("legacy .xls manifests are not supported: save it as .xlsx in Excel")
    else:
        raise ManifestError(f"manifest must be .xlsx or .csv, not {suffix or 'no extension'}")

    header_index = _find_header(grid, header_row)
    header = [_cell_text(c) for c in grid[header_index]]
    mapping = _map_columns(header, column_map or {})
    rows = _build_rows(grid, header_index, mapping)
    shape = None
    if isinstance(grid, ColumnGrid) and grid.plain is not None and signature is not None:
        end, within = grid.plain
        shape = PlainShape(end, len(grid.columns), len(grid), within, signature)
    return Manifest(
        path=path,
        kind=kind,
        sheet=sheet,
        header_row=header_index + 1,
        rows=rows,
        column_map={name: header[i] for name, i in mapping.items()},
        encoding=encoding,
        signature=signature,
        shape=shape,
    )


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook, in order; ``[]`` for a CSV."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own error types; all mean "unreadable"
        raise ManifestError(f"cannot read {path.name} as a workbook: {exc}") from exc


def read_header(path: str | Path, sheet: str | None = None) -> list[str]:
    """The header row's non-empty cells as text, found as :func:`read_manifest` finds it.

    For a front-end that offers the headers in a column mapping when the manifest cannot be
    read as it is.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _, grid = _read_xlsx_grid(path, sheet)
    else:
        _, grid = _read_csv_grid(path)
    row = grid[_find_header(grid, None)]
    return [text for text in (_cell_text(c) for c in row) if text]


def _read_xlsx_grid(path: Path, sheet: str | None) -> tuple[str, Grid]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types; all mean "unreadable"
        raise ManifestError(f"cannot read {path.name} as a workbook: {exc}") from exc
    names = list(workbook.sheet_names)
    if sheet is None:
        if not names:
            raise ManifestError(f"{path.name} has no sheets")
        sheet = names[0]
    elif sheet not in names:
        raise ManifestError(f"sheet {sheet!r} not in {path.name}; it has: {', '.join(names)}")
    guard_sheet(path, sheet)  # before calamine: a far-away cell would exhaust memory
    # skip_empty_area=False keeps absolute positions, so list index + 1 is the Excel row number.
    grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return sheet, grid


def _read_csv_grid(path: Path) -> tuple[str, Grid]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    try:
        encoding, text = decode_text(raw)
    except FileLayoutError as exc:
        raise ManifestError(f"cannot read {path.name} as CSV: {exc}") from None
    # The write-back's own choice, so that results land in the columns read here. (The csv
    # module's Sniffer disagreed with it on ~3 % of generated files, and was the one wrong.)
    delimiter = csv_delimiter(text, path.suffix)
    if encoding in _ASCII_KEPT:
        body = raw[len(codecs.BOM_UTF8) :] if encoding == "utf-8-sig" else raw
        plain = uniform_columns(text, body, delimiter, encoding)
        if plain is not None:  # the usual export: no quotes, every line alike
            columns, line_end, within = plain
            padded = _may_be_padded(body, delimiter)
            return encoding, ColumnGrid(columns, padded=padded, plain=(line_end, within))
    try:
        grid: list[list[Any]] = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
        )
    except csv.Error as exc:
        raise ManifestError(f"cannot parse {path.name} as CSV: {exc}") from exc
    return encoding, grid


# Encodings whose bytes show the delimiter and line ends as the text has them.
_ASCII_KEPT = frozenset({"utf-8", "utf-8-sig", "cp1252"})
# The ASCII characters str.strip takes off.
_ASCII_SPACES = frozenset(c for c in range(0x80) if chr(c).isspace())


def _may_be_padded(raw: bytes, delimiter: str) -> bool:
    """False when no field of the file can start or end with a space (nothing for
    ``str.strip`` to do): the file is ASCII and holds no space character but its delimiter and
    line ends. One C pass; True may be a false alarm (a space inside a file name)."""
    if not raw.isascii():
        return True
    spaces = _ASCII_SPACES - {ord(delimiter), 10, 13}
    return bool(raw.translate(None, _all_but(frozenset(spaces))))


@functools.cache
def _all_but(kept: frozenset[int]) -> bytes:
    """Every byte but ``kept``: what ``bytes.translate`` deletes to keep only them."""
    return bytes(b for b in range(256) if b not in kept)


class ColumnGrid(Sequence[list[str]]):
    """A grid held as columns of equal length (object arrays or lists): rows made only when
    one is asked for; a slice of rows is a view (``start``), not a copy of every column.
    ``padded`` False promises that no cell has spaces to strip."""

    def __init__(
        self,
        columns: Sequence[Sequence[str] | np.ndarray],
        start: int = 0,
        *,
        padded: bool = True,
        plain: tuple[str, int] | None = None,
    ) -> None:
        self.columns, self.start, self.padded = columns, start, padded
        self._rows = len(columns[0]) - start if columns else 0
        # (line end, a length no line exceeds) of the plain CSV the columns were read from
        self.plain = plain

    def __len__(self) -> int:
        return self._rows

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnGrid: ...

    def __getitem__(self, index: int | slice) -> list[str] | ColumnGrid:
        if isinstance(index, slice):
            first, stop, step = index.indices(self._rows)
            if step != 1 or stop != self._rows:
                raise ValueError("a column grid is sliced from a row to its end")
            return ColumnGrid(
                self.columns, self.start + first, padded=self.padded, plain=self.plain
            )
        if not -self._rows <= index < self._rows:
            raise IndexError(index)
        row = self.start + (index % self._rows)
        return [column[row] for column in self.columns]

    def column(self, col: int) -> np.ndarray:
        """One column's cells from the first row of this grid on, stripped: an object array
        (a view of the column when there is nothing to strip)."""
        if col >= len(self.columns):
            return filled(self._rows, "")
        cells = self.columns[col]
        column = cells if isinstance(cells, np.ndarray) else object_array(cells)
        column = column[self.start :]
        if not self.padded:
            return column
        # str.strip hands back the same object when there is nothing to strip: cells that
        # are one object stay one.
        return np.fromiter(map(str.strip, column), dtype=object, count=len(column))


# A manifest's cells, row by row (calamine, the csv module) or as columns (a plain CSV).
Grid = Sequence[Sequence[Any]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel stores every number as a float: an id typed as 123 arrives as 123.0.
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _find_header(grid: Grid, header_row: int | None) -> int:
    if header_row is not None:
        if not 1 <= header_row <= len(grid):
            raise ManifestError(f"header row {header_row} is outside the sheet")
        return header_row - 1
    for index, row in enumerate(grid):
        if any(_cell_text(c) for c in row):
            return index
    raise ManifestError("the manifest is empty: no header row found")


def _map_columns(header: list[str], column_map: Mapping[str, str]) -> dict[str, int]:
    by_key: dict[str, int] = {}
    for index, text in enumerate(header):
        if text:
            by_key.setdefault(schema.header_key(text), index)
    mapping: dict[str, int] = {}
    for canonical, given in column_map.items():
        if canonical not in (*schema.CANONICAL_COLUMNS, *_OUR_COLUMNS):
            raise ManifestError(f"unknown column {canonical!r} in column_map")
        index_or_none = by_key.get(schema.header_key(given))
        if index_or_none is None:
            raise ManifestError(f"column_map names {given!r}, but the header has no such column")
        mapping[canonical] = index_or_none
    taken = set(mapping.values())
    for key, index in by_key.items():
        alias_of = _HEADER_NAMES.get(key)
        if alias_of is None or index in taken or alias_of in column_map:
            continue  # an explicit mapping beats an alias
        if alias_of in mapping:
            first = header[mapping[alias_of]]
            raise ManifestError(
                f"columns {first!r} and {header[index]!r} both look like {alias_of}; "
                "rename one or pass a column mapping"
            )
        mapping[alias_of] = index
        taken.add(index)
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in mapping]
    if not any(c in mapping for c in schema.TARGET_COLUMNS):
        missing.append(" or ".join(schema.TARGET_COLUMNS))
    if missing:
        found = ", ".join(repr(h) for h in header if h) or "none"
        raise ManifestError(
            f"the manifest has no column for {', '.join(missing)} (headers found: {found}); "
            "rename the header or pass a column mapping"
        )
    return mapping


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_text(body: Grid, col: int) -> np.ndarray:
    """One column of the grid as text, like :func:`_cell_text` cell by cell, in one pass."""
    if isinstance(body, ColumnGrid):
        return body.column(col)  # the C parser made equal cells one object already
    try:
        values = list(map(operator.itemgetter(col), body))
    except IndexError:  # a short row: its missing cells are empty
        values = [row[col] if col < len(row) else "" for row in body]
    # CSV cells are all str: strip them in C; other values (Excel numbers, dates) per cell.
    try:
        texts = list(map(str.strip, values))
    except TypeError:
        texts = [v.strip() if type(v) is str else _cell_text(v) for v in values]
    return shared(texts)


def _build_rows(grid: Grid, header_index: int, mapping: Mapping[str, int]) -> pd.DataFrame:
    """The canonical frame, built column by column (no per-row objects)."""
    body = grid[header_index + 1 :]
    arrays = {name: _column_text(body, col) for name, col in mapping.items()}
    # Blank lines are spacing, not work. A row with text in a mapped column is not blank; only
    # the rest (rare) are checked cell by cell, unmapped columns included.
    empty = np.ones(len(body), dtype=bool)
    for array in arrays.values():
        empty &= array == ""
    blank = [i for i in np.flatnonzero(empty).tolist() if all(_is_blank(c) for c in body[i])]
    source_rows = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    if blank:
        keep = np.ones(len(body), dtype=bool)
        keep[blank] = False
        source_rows = source_rows[keep]
        arrays = {name: array[keep] for name, array in arrays.items()}
    n = len(source_rows)
    absent = filled(n, "")  # an absent column: one shared ""
    frame = pd.DataFrame(
        {name: arrays.get(name, absent) for name in (*schema.CANONICAL_COLUMNS, *_OUR_COLUMNS)},
        dtype=object,  # text as Python str objects, as before pandas 3 inferred its own dtype
        copy=False,
    )
    frame.insert(0, schema.SOURCE_ROW, pd.Series(source_rows, dtype="int64"))
    keys = _row_keys(
        arrays.get(schema.FILE_PATH, absent).tolist(),
        arrays.get(schema.TYPE, absent).tolist(),
        *(arrays.get(c, absent).tolist() for c in schema.TARGET_COLUMNS),
    )
    frame[schema.ROW_KEY] = _unique(keys)
    return frame


def _unique(keys: list[str]) -> list[str]:
    # A row repeated word for word gets the same key; number the copies so every row has its
    # own (the copies are reported as duplicates and never sent).
    if all_distinct(keys):
        return keys
    seen: dict[str, int] = {}
    out: list[str] = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return out


def normalise_path_text(file_path: str) -> str:
    """A path as written, with separators and dot segments folded, for comparing rows."""
    text = file_path.strip().replace("\\", "/")
    return str(PurePosixPath(text)) if text else ""


def _needs_folding(text: str) -> bool:
    """False when ``PurePosixPath`` (and ``os.path.normpath``) would leave ``text`` as it is:
    no doubled separator, no trailing one, no segment that starts with a dot. (True may
    still leave it unchanged: ``a/.hidden``; those take the slow, exact path.)"""
    return "//" in text or "/." in text or text[:1] == "." or text[-1:] == "/"


def _column_is_clean(texts: list[str]) -> bool:
    """True when no text of the column needs folding: one look over the joined column instead
    of a test per text. False may be a false alarm."""
    joined = "\0".join(texts)  # NUL never appears in a path, so no match spans two texts
    if "\\" in joined or "//" in joined or "/." in joined or "\0." in joined or "/\0" in joined:
        return False
    return joined[:1] != "." and joined[-1:] != "/"


def posix_folded(texts: Iterable[str], *, strip: bool = True) -> list[str]:
    """:func:`normalise_path_text` of each text (``\\`` as ``/``), for a column; with
    ``strip=False`` the text as ``PurePosixPath`` would fold it, surrounding spaces kept."""
    # str.strip hands back the same object when there is nothing to strip: cheap for cells.
    out = list(map(str.strip, texts)) if strip else list(texts)
    if _column_is_clean(out):
        return out
    out = [t.replace("\\", "/") for t in out]
    for i, text in enumerate(out):
        if text and _needs_folding(text):
            out[i] = str(PurePosixPath(text))
    return out


def row_key(file_path: str, type_text: str, *targets: str) -> str:
    """A stable key for one job: which file goes, as which type, to which records."""
    from ..spott_api import normalise_type

    parts: Iterable[str] = (
        normalise_path_text(file_path),
        normalise_type(type_text) or type_text.strip().lower(),
        *(t.strip() for t in targets),
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()


def row_keys(
    file_paths: Sequence[str], type_texts: Sequence[str], *targets: Sequence[str]
) -> list[str]:
    """:func:`row_key` of every row, column by column (equal to it row for row)."""
    return _row_keys(
        list(map(str.strip, file_paths)),
        list(map(str.strip, type_texts)),
        *(list(map(str.strip, column)) for column in targets),
    )


def _row_keys(
    file_paths: Sequence[str], type_texts: Sequence[str], *targets: Sequence[str]
) -> list[str]:
    """:func:`row_keys` of columns whose texts are stripped already."""
    from ..spott_api import normalise_type

    types = {t: normalise_type(t) or t.strip().lower() for t in set(type_texts)}
    columns = [
        posix_folded(file_paths, strip=False),
        [types[t] for t in type_texts],
        *targets,
    ]
    digest = hashlib.blake2b
    return [
        digest("\x1f".join(parts).encode(), digest_size=10).hexdigest()
        for parts in zip(*columns, strict=True)
    ]
