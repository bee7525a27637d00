"""Why a row cannot be placed: one ``code: message`` per row, in ``spott_build_problem``.

A row can be wrong in two ways at once (no Spott record *and* a ``.rtf`` file). Only one
problem fits the column, so target problems outrank file problems: a file can be converted,
but a row without a record can never be placed. File problems are never stored for good;
they are derived from the file again after each step (`refresh`), so a step that resolves
a target or converts a file cannot lose the other kind of problem.

The file's content decides, as in the core's check: a ``.txt`` that holds a PDF is kept, with
``spott_note`` saying it goes as a PDF, and so is a ``.png`` that holds a GIF.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from .. import renaming, spott_api
from ..codes import Code, format_error
from ..probe import FileProbe, probe_file
from .columns import (
    BUILD_PROBLEM,
    ERROR,
    FILE_PATH,
    LEGACY_ENTITY,
    LEGACY_ID,
    NOTE,
    SOURCE_PATH,
    STATUS,
)

TARGET_CODES = frozenset(
    {Code.UNRESOLVED, Code.AMBIGUOUS, Code.TARGET_NOT_FOUND, Code.TARGET_MISSING}
)

# Extensions LibreOffice turns into PDF; the rest of Spott's refusals need a person.
LIBREOFFICE_EXTENSIONS = frozenset(
    {".rtf", ".txt", ".odt", ".html", ".htm", ".xls", ".ods", ".ppt", ".pptx", ".odp", ".wpd"}
)
_MANUAL_FIXES = {
    ".msg": "save the e-mail as PDF from the mail program",
    ".eml": "save the e-mail as PDF from the mail program",
    ".zip": "unpack the archive and list its files one per row",
    ".csv": "open it in a spreadsheet and save as .xlsx",
}


def code_of(problem: str) -> Code | None:
    """The code at the start of a ``code: message`` text, or None for an empty cell."""
    head = problem.split(":", 1)[0].strip()
    try:
        return Code(head)
    except ValueError:
        return None


def extension_fix(extension: str) -> str:
    """A suggested fix for a file Spott will not take, by its extension."""
    ext = extension.lower()
    if ext in LIBREOFFICE_EXTENSIONS:
        return "convert it to PDF (build-manifest --convert, needs LibreOffice) or save it as PDF"
    return _MANUAL_FIXES.get(ext, "save it as PDF")


def file_problem(file_path: str, source_path: str = "") -> str:
    """The problem with a row's file itself, or ``""``."""
    return _file_verdict(file_path, source_path)[0]


def file_note(file_path: str) -> str:
    """``renamed: content is …`` for a file whose content Spott takes under another name."""
    return _file_verdict(file_path)[1]


def content_accepted(file_path: str) -> bool:
    """Whether the file's content is a format Spott takes, whatever its name says."""
    return bool(file_path) and renaming.is_accepted(_probe(file_path).sniffed_mime)


def _probe(file_path: str) -> FileProbe:
    # Every step of a build refreshes every row: sniff each file once, again only if it changed.
    try:
        info = os.stat(file_path)
    except OSError:
        return probe_file(Path(file_path))  # says missing or unreadable, and why
    return _probe_unchanged(file_path, info.st_size, info.st_mtime_ns, info.st_ino)


@functools.lru_cache(maxsize=1 << 16)
def _probe_unchanged(file_path: str, _size: int, _mtime_ns: int, _inode: int) -> FileProbe:
    return probe_file(Path(file_path))


def _file_verdict(file_path: str, source_path: str = "") -> tuple[str, str]:
    """(problem, note) of a row's file: one look at the disk for both."""
    if not file_path:
        return "", ""
    path = Path(file_path)
    ext = path.suffix.lower()
    probe = _probe(file_path)
    content = probe.sniffed_mime if probe.readable else None
    if renaming.is_accepted(content):
        assert content is not None
        renamed = not renaming.names_format(path.name, content)
        return "", renaming.note(content) if renamed else ""
    if ext not in spott_api.MIME_BY_EXTENSION:
        shown = ext or "files without an extension"
        return format_error(
            Code.EXTENSION_NOT_ALLOWED,
            f"Spott does not accept {shown}; {extension_fix(ext)}",
        ), ""
    if not probe.is_file:
        where = source_path or file_path
        return format_error(Code.FILE_MISSING, f"not found in the export: {where}"), ""
    return "", ""  # content the core's check refuses says why at validation


def _keep_detail(held: str, derived: str) -> str:
    # A step may have said more about the same problem (why a conversion failed): keep that.
    if held and derived and code_of(held) is code_of(derived):
        return held
    return derived


def set_problem(
    df: pd.DataFrame, index: Iterable[object], code: Code, messages: str | Sequence[str]
) -> None:
    """Record a target problem on the given rows (in place); it outranks any file problem.

    ``messages`` is one text for all rows, or a sequence aligned with ``index``.
    """
    rows = list(index)
    if not rows:
        return
    if code not in TARGET_CODES:
        raise ValueError(f"{code} is derived from the file, not set by hand")
    texts = [messages] * len(rows) if isinstance(messages, str) else list(messages)
    df.loc[rows, BUILD_PROBLEM] = [format_error(code, str(m)) for m in texts]


def clear_target_problems(df: pd.DataFrame, index: Iterable[object]) -> None:
    """Forget the target problems of the given rows (in place), e.g. once a target is found."""
    rows = list(index)
    if not rows:
        return
    codes = df.loc[rows, BUILD_PROBLEM].map(code_of)
    df.loc[codes[codes.isin(TARGET_CODES)].index, BUILD_PROBLEM] = ""


def refresh(df: pd.DataFrame) -> pd.DataFrame:
    """Re-derive file problems and mirror every problem into the result columns (in place).

    Rows whose problem is a target problem keep it; the others get their file's problem, if
    any (keeping a more detailed message a step wrote for the same code).
    Placeable rows get empty ``spott_status``/``spott_error``; the core fills them in a run.
    """
    codes = df[BUILD_PROBLEM].map(code_of)
    derive = ~codes.isin(TARGET_CODES)
    files = zip(df[FILE_PATH], df[SOURCE_PATH], strict=True)
    verdicts = [_file_verdict(str(p), str(s)) for p, s in files]
    df[NOTE] = [note for _, note in verdicts]
    if derive.any():
        df.loc[derive, BUILD_PROBLEM] = [
            _keep_detail(str(held), problem)
            for held, (problem, _), keep in zip(df[BUILD_PROBLEM], verdicts, derive, strict=True)
            if keep
        ]
    bad = df[BUILD_PROBLEM] != ""
    df[STATUS] = bad.map({True: "invalid", False: ""})
    df[ERROR] = df[BUILD_PROBLEM]
    return df


def summary(df: pd.DataFrame) -> dict[str, int]:
    """How many rows carry each problem code (placeable rows are not counted)."""
    codes = df[BUILD_PROBLEM].map(code_of).dropna()
    return {str(code): int(n) for code, n in codes.value_counts().sort_index().items()}


def is_placed(df: pd.DataFrame) -> pd.Series:
    """True for rows the builder could place: a target, a type, a file Spott accepts."""
    return df[BUILD_PROBLEM] == ""


def take_the_one(
    df: pd.DataFrame,
    index: object,
    found: Sequence[str],
    hits: dict[object, str],
    *,
    ambiguous: str,
    unresolved: str,
) -> None:
    """A look-up's verdict for one row: its record in ``hits`` when exactly one was found,
    else the reason (``ambiguous`` with the ids found appended, or ``unresolved``)."""
    if len(found) == 1:
        hits[index] = found[0]
    elif found:
        add_reason(df, index, Code.AMBIGUOUS, f"{ambiguous}: {', '.join(found)}")
    else:
        add_reason(df, index, Code.UNRESOLVED, unresolved)


def add_reason(df: pd.DataFrame, index: object, code: Code, reason: str) -> None:
    """Record why a row's record was not found (in place), keeping earlier reasons.

    The message names the record once (``candidate 1006: not in crosswalk.csv; no Spott
    candidate has the e-mail …``), so a user reads every lookup that was tried.
    """
    current = str(df.at[index, BUILD_PROBLEM])
    held = code_of(current)
    if held in TARGET_CODES and held is not Code.UNRESOLVED and held is not code:
        return  # an ambiguity or a missing record says more than "not found"
    if held is Code.UNRESOLVED or held is code:
        text = f"{current.split(': ', 1)[1]}; {reason}"
    else:
        text = f"{df.at[index, LEGACY_ENTITY]} {df.at[index, LEGACY_ID]}: {reason}"
    df.at[index, BUILD_PROBLEM] = format_error(code, text)


__all__ = [
    "LIBREOFFICE_EXTENSIONS",
    "TARGET_CODES",
    "add_reason",
    "clear_target_problems",
    "code_of",
    "content_accepted",
    "extension_fix",
    "file_note",
    "file_problem",
    "is_placed",
    "refresh",
    "set_problem",
    "summary",
]
