"""The two public entry points: check arguments, choose the format, keep the file safe."""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from ..errors import ManifestError, WriteBackError
from ..manifest.csvlines import PlainShape
from ._atomic import ensure_backup, probe_writable, replace_atomically
from ._columns import LayoutError
from ._csvfile import read_csv, write_csv
from ._locks import raise_if_open_elsewhere
from ._table import ResultTable, checked
from ._xlsx import prepared_xlsx, read_xlsx

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
# What a file we cannot understand raises on its way through zipfile, lxml and codecs
# (NotImplementedError: a zip compression method Python lacks, such as Deflate64).
_UNREADABLE = (
    LayoutError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    etree.XMLSyntaxError,
    UnicodeError,
    NotImplementedError,
)


def write_results(
    path: Path,
    results: Mapping[int, Mapping[str, str]] | ResultTable,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    output: Path | None = None,
    backup: bool = True,
    unchanged: Callable[[], bool] | None = None,
    replaced: Callable[[os.stat_result], None] | None = None,
    shape: PlainShape | None = None,
) -> Path:
    """Write ``results`` (source row → {column: text}, or the same as columns in a
    ``ResultTable``) into the manifest; return the file written.

    Writes ``path`` itself (after a one-time backup to ``<stem>.orig<suffix>``), or ``output``
    when given, leaving ``path`` untouched. The file is replaced atomically. Raises
    ``WriteBackError`` with the reason and the path when it cannot be written. ``unchanged``
    is asked right before the file is replaced: when it says the manifest changed meanwhile,
    nothing is replaced and ``ManifestChangedError`` is raised. ``replaced`` receives the
    new file's status once it is in place. ``shape``: what reading a plain CSV manifest proved
    (used only while the file is that version).
    """
    path = Path(path)
    kind = _kind(path, WriteBackError)
    rows = checked(results, header_row)
    # Write through symlinks to the real file instead of replacing the link with a file.
    source = Path(os.path.realpath(path))
    if not source.is_file():
        raise WriteBackError(f"cannot write results: manifest {path} does not exist")
    chosen = Path(output) if output is not None else None
    in_place = chosen is None or _same_file(source, chosen)
    target = source if in_place or chosen is None else chosen
    if in_place and not len(rows):
        return path
    raise_if_open_elsewhere(target)
    prepared: AbstractContextManager[Callable[[BinaryIO], None]]
    try:
        if kind == "xlsx":
            prepared = prepared_xlsx(source, rows, sheet=sheet, header_row=header_row)
        else:
            csv_write = partial(write_csv, source, results=rows, header_row=header_row, shape=shape)
            prepared = nullcontext(csv_write)
        with prepared as write, ThreadPoolExecutor(1) as beside:
            # Back up only once we know the file can be written (a file we cannot parse is
            # refused above without leaving anything behind). The copy and its sync run in a
            # thread while the new file is made (both wait on the disk more than on Python);
            # the new file replaces the manifest only once the backup is safe.
            copying = beside.submit(ensure_backup, source) if in_place and backup else None

            def ready() -> bool:
                if copying is not None:
                    copying.result()  # its error, if any, is this write's
                return unchanged is None or unchanged()

            # (Leaving the executor waits for the copy: none is written after we return.)
            written = replace_atomically(target, write, mode_of=source, unchanged=ready)
    except _UNREADABLE as exc:
        raise WriteBackError(f"cannot write results into {path}: {exc}") from exc
    except OSError as exc:
        raise WriteBackError(f"writing results to {target} failed: {exc}") from exc
    if replaced is not None:
        replaced(written)
    return path if in_place else target


def check_writable(
    path: Path, *, sheet: str | None = None, header_row: int = 1, output: Path | None = None
) -> None:
    """Raise ``WriteBackError`` now if results could not be written later.

    Asked before a run sends anything, so that a workbook with a damaged part, an ``--output``
    of the wrong kind or a folder we may not write in is found while nothing is at stake. It
    does the write's own preparation (the sheet is parsed, every other part decompressed) and
    creates and removes a temporary file where the results will go.
    """
    path = Path(path)
    kind = _kind(path, WriteBackError)
    target = Path(output) if output is not None else path
    if output is not None and _kind(target, WriteBackError) != kind:
        raise WriteBackError(
            f"--output {target.name}: results go into a copy of the manifest, so it must be a "
            f"{path.suffix} file like {path.name}"
        )
    source = Path(os.path.realpath(path))
    try:
        if kind == "xlsx":
            with zipfile.ZipFile(source) as package:
                _check_every_part(package, path)
            with prepared_xlsx(source, checked({}, header_row), sheet=sheet, header_row=header_row):
                pass
        else:
            read_csv(source, header_row=header_row, columns=())
    except WriteBackError:
        raise
    except (zlib.error, EOFError) as exc:
        raise WriteBackError(_damaged(path, None, exc)) from exc
    except _UNREADABLE as exc:
        raise WriteBackError(f"results could not be written into {path.name}: {exc}") from exc
    except OSError as exc:
        raise WriteBackError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    probe_writable(target.parent if target.parent != Path("") else Path("."))


def _check_every_part(package: zipfile.ZipFile, path: Path) -> None:
    """Decompress every member once (its CRC is checked at the end): what the copy will do."""
    for info in package.infolist():
        try:
            with package.open(info) as stream:
                while stream.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise WriteBackError(_damaged(path, info.filename, exc)) from None


def _damaged(path: Path, part: str | None, exc: BaseException | None = None) -> str:
    where = f"part {part}" if part else f"a part ({exc})"
    return (
        f"{where} of {path.name} is damaged, so results could not be written back into it; "
        "open it in Excel and save it again (Excel repairs it), or save it as CSV"
    )


def read_results(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int = 1,
    columns: Iterable[str] | None = None,
) -> dict[int, dict[str, str]]:
    """Result cells by source row, for rows that have any; raises ``ManifestError``.

    ``columns`` names the columns to read (keys as given). By default: the result columns in
    any spelling the reader accepts (keyed by their canonical names) and every other header
    starting with ``spott_`` (keyed by its lower-cased text). Values are text as stored: a
    number a user typed comes back as its stored digits.
    """
    path = Path(path)
    kind = _kind(path, ManifestError)
    if header_row < 1:
        raise ManifestError(f"header_row must be 1 or more, not {header_row}")
    try:
        if kind == "xlsx":
            return read_xlsx(path, sheet=sheet, header_row=header_row, columns=columns)
        return read_csv(path, header_row=header_row, columns=columns)
    except _UNREADABLE as exc:
        raise ManifestError(f"cannot read results from {path}: {exc}") from exc
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc


def _kind(path: Path, error: type[Exception]) -> str:
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise error(f"{path}: only .xlsx/.xlsm and .csv/.tsv manifests are supported")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
