"""Validation: every problem of every row, found before any network call.

Pure: it reads the manifest's rows and the file probes and returns a table; it never raises for
bad data and never touches the network or the disk. Like pandera's lazy mode, all checks run and
the caller decides what to do with the failures.

Column by column: whole columns are tested at once for the conditions under which a row is
certainly fine (its file a readable, allowed, non-empty file whose content is what its name
says, a known type, a target, no duplicate). Only the rows that fail one of those tests go
through the row-by-row checks below, which decide every code and message.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import renaming, spott_api
from .codes import Code
from .columns import group_codes, object_array
from .jobs import JobTable
from .manifest import Manifest
from .manifest import schema as s
from .probe import FileProbe, Found, ProbeTable

PROBLEM_COLUMNS = ("source_row", "row_key", "code", "message")
# Rows that go with a change worth telling: the problems' columns plus the spott_note text.
NOTICE_COLUMNS = (*PROBLEM_COLUMNS, "note")
JOB_COLUMNS = (
    s.ROW_KEY,
    s.SOURCE_ROW,
    "path",
    "wire_type",
    *s.TARGET_COLUMNS,
    "display_name",
    "size",
    "mime",
    "mtime_ns",
)
_MIME_ALIASES = {"image/vnd.microsoft.icon": "image/x-icon", "image/jpg": "image/jpeg"}


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a manifest."""

    # One line per problem: a row may have several.
    problems: pd.DataFrame
    # Valid rows still to do, ready for planning, as columns.
    todo: JobTable
    # Row keys of rows that were already assigned and are not checked again.
    done: frozenset[str]
    # One line per valid row that goes with a change (e.g. ``renamed_to_content``).
    notices: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(NOTICE_COLUMNS))
    )

    @functools.cached_property
    def jobs(self) -> pd.DataFrame:
        """The rows still to do as a table (columns JOB_COLUMNS), for reports and notebooks."""
        todo = self.todo
        n = len(todo)
        return pd.DataFrame(
            {
                s.ROW_KEY: list(todo.row_key),
                s.SOURCE_ROW: np.asarray(todo.source_row, dtype=np.int64),
                "path": [Path(p) for p in todo.path],
                "wire_type": list(todo.wire_type),
                **{c: list(ids) for c, ids in zip(s.TARGET_COLUMNS, todo.ids, strict=True)},
                "display_name": [todo.display_name(i) for i in range(n)],
                "size": np.asarray(todo.size, dtype=np.int64),
                "mime": list(todo.mime),
                "mtime_ns": np.asarray(todo.mtime if len(todo.mtime) else [0] * n, dtype=np.int64),
            },
            columns=list(JOB_COLUMNS),
        )

    @property
    def to_do(self) -> int:
        """How many valid rows are still to do."""
        return len(self.todo)

    @property
    def invalid_rows(self) -> int:
        """How many rows have at least one problem."""
        return int(self.problems["row_key"].nunique()) if len(self.problems) else 0

    def problems_by_row(self) -> dict[str, list[tuple[str, str]]]:
        """Row key -> [(code, message), …] in the order found."""
        grouped: dict[str, list[tuple[str, str]]] = {}
        for key, code, message in zip(
            self.problems["row_key"], self.problems["code"], self.problems["message"], strict=True
        ):
            grouped.setdefault(key, []).append((code, message))
        return grouped

    def summary(self) -> dict[str, int]:
        """Counts of rows: to do, invalid, already done, and problems per code."""
        counts = {"to_do": self.to_do, "invalid": self.invalid_rows, "done": len(self.done)}
        for code, n in self.problems["code"].value_counts().items():
            counts[str(code)] = int(n)
        for code, n in self.notices["code"].value_counts().items():
            counts[str(code)] = int(n)
        return counts

    def notes_by_row(self) -> dict[str, str]:
        """Row key -> the ``spott_note`` text of rows sent with a change."""
        return dict(zip(self.notices["row_key"], self.notices["note"], strict=True))


def canonical_mime(mime: str | None) -> str | None:
    """Fold MIME spellings that mean the same format."""
    return _MIME_ALIASES.get(mime, mime) if mime else mime


def validate(
    manifest: Manifest,
    probes: Mapping[Path, FileProbe],
    *,
    done: Collection[str] = (),
    hashes: Mapping[Path, str] | None = None,
    strict_content: bool = False,
) -> Validation:
    """Check every row not in ``done``; return the problems table and the jobs for the rest.

    ``probes`` must hold a probe for each resolved ``file_path``; ``hashes`` (optional) lets
    the same content under two paths for one record count as a duplicate too. A file whose
    content Spott accepts under another name is sent as its content (a notice), unless
    ``strict_content`` refuses it.
    """
    rows = manifest.rows
    done_set = frozenset(done)
    todo = np.flatnonzero(~rows[s.ROW_KEY].isin(done_set).to_numpy())
    table = ProbeTable.from_probes(probes)
    at = {p: i for i, p in enumerate(table.paths)}
    paths = manifest.path_texts(rows[s.FILE_PATH].to_numpy()[todo].tolist())
    positions = [at[p] if p else -1 for p in paths]
    content = {os.path.normpath(p): h for p, h in (hashes or {}).items()}
    return validate_table(
        manifest, table, todo, positions, done=done_set, content=content, strict=strict_content
    )


def validate_table(
    manifest: Manifest,
    table: ProbeTable,
    todo: np.ndarray,
    positions: Sequence[int] | np.ndarray,
    *,
    done: frozenset[str],
    content: Mapping[str, str],
    strict: bool = False,
) -> Validation:
    """:func:`validate` on columns: ``todo`` are the rows to check (positions in
    ``manifest.rows``), ``positions`` each one's probe in ``table`` (-1: no path), and
    ``content`` digests by file identity (see :meth:`Manifest.file_identity`)."""
    rows = manifest.rows

    def column(name: str) -> np.ndarray:
        return _pick(rows[name].to_numpy(), todo)

    where = np.asarray(positions, dtype=np.int64)
    has_path = where >= 0
    file_ok, mimes, renamed = _files_ok(table, strict)
    ok = has_path.copy()
    ok[has_path] = file_ok[where[has_path]]
    types = column(s.TYPE)
    wire_of = {t: spott_api.normalise_type(t) if t else None for t in set(types.tolist())}
    wire = [wire_of[t] for t in types.tolist()]
    ok &= np.fromiter((w is not None for w in wire), dtype=bool, count=len(wire))
    ids = [column(c) for c in s.TARGET_COLUMNS]
    has_target = (ids[0] != "") | (ids[1] != "") | (ids[2] != "")
    ok &= has_target & (column(s.BUILD_PROBLEM) == "")
    repeats = _repeats(manifest, todo, where, table, has_path & has_target, content)
    if repeats:
        ok[list(repeats)] = False

    problems: list[tuple[int, str, str, str]] = []
    keys, sources = column(s.ROW_KEY), column(s.SOURCE_ROW)
    names = column(s.NAME)
    cells = {c: column(c) for c in _ROW_COLUMNS}
    for i in np.flatnonzero(~ok).tolist():
        row = {c: cells[c][i] for c in _ROW_COLUMNS}
        probe = table.probe(int(where[i])) if where[i] >= 0 else None
        found = _row_problems(row, probe, strict)
        if i in repeats:
            found.append((Code.DUPLICATE_ROW, repeats[i]))
        if found:
            problems.extend((int(sources[i]), keys[i], code.value, msg) for code, msg in found)
        else:
            ok[i] = True  # the row checks found nothing the column tests feared
    chosen = np.flatnonzero(ok)
    at = where[chosen]
    disk = [table.on_disk(i) for i in at.tolist()] if table.renamed else None
    every = len(chosen) == len(todo)  # then the columns need no copy
    chosen_names = names if every else names[chosen]
    if table.renamed:
        # A file found under another Unicode form keeps the sheet's spelling as its name.
        chosen_names = chosen_names.copy()
        for i, position in enumerate(at.tolist()):
            if position in table.renamed and not chosen_names[i]:
                chosen_names[i] = os.path.basename(table.paths[position])
    todo_table = JobTable(
        row_key=keys if every else keys[chosen],
        source_row=sources if every else sources[chosen],
        path=disk if disk is not None else object_array(table.paths)[at],
        wire_type=[wire[i] or "" for i in chosen.tolist()],
        ids=(ids[0], ids[1], ids[2]) if every else (ids[0][chosen], ids[1][chosen], ids[2][chosen]),
        names=chosen_names,
        size=table.size[at],
        mime=[mimes[i] or "" for i in at.tolist()],
        mtime=table.mtime[at] if len(table.mtime) else (),
    )
    notices = [
        _renamed_notice(int(todo_table.source_row[k]), todo_table.row_key[k], table, position)
        for k, position in enumerate(at.tolist())
        if position in renamed
    ]
    return Validation(
        problems=pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS)),
        todo=todo_table,
        done=_done_in_sheet(rows[s.ROW_KEY].to_numpy(), todo, done),
        notices=pd.DataFrame(notices, columns=list(NOTICE_COLUMNS)),
    )


def _done_in_sheet(keys: np.ndarray, todo: np.ndarray, done: frozenset[str]) -> frozenset[str]:
    """The keys of the rows not checked: the done ones that the sheet has (the journal may
    know more). ``done`` itself when it is exactly those (every row done, no other key): its
    users then know it for the journal's own set."""
    if not done:
        return frozenset()
    if not len(todo) and len(done) == len(keys):  # row keys are unique: the same set
        return done
    skipped = np.ones(len(keys), dtype=bool)
    skipped[todo] = False
    return frozenset(keys[skipped].tolist())


def _renamed_notice(
    source_row: int, key: str, table: ProbeTable, position: int
) -> tuple[int, str, str, str, str]:
    path = Path(table.on_disk(position))
    mime = table.mime[position] or ""
    named = path.suffix.lower() or "without an extension"
    sent = renaming.name_for_content(path.name, mime)
    message = f"named {named} but the content is {renaming.label(mime)}; sent as {sent}"
    return (source_row, key, Code.RENAMED_TO_CONTENT.value, message, renaming.note(mime))


_ROW_COLUMNS = (s.FILE_PATH, s.TYPE, *s.TARGET_COLUMNS, s.NAME, s.BUILD_PROBLEM)


def _files_ok(table: ProbeTable, strict: bool) -> tuple[np.ndarray, list[str | None], set[int]]:
    """Per probed path: certainly fine to send (see the module's note); the MIME type it goes
    as (its content's); and the paths whose content another name says (they go renamed)."""
    expected = table.expected
    size = table.size
    fine = (table.found == Found.FILE) & (size > 0)
    fine &= size <= spott_api.MAX_FILE_BYTES
    promised = object_array(expected)
    sniffed = object_array(table.mime)
    same = (sniffed == promised) & (promised != None)  # noqa: E711 (element-wise)
    mimes: list[str | None] = list(expected)
    renamed: set[int] = set()
    for i in np.flatnonzero(fine & ~same).tolist():
        content = canonical_mime(table.mime[i])
        if expected[i] is not None and content == canonical_mime(expected[i]):
            same[i] = True  # spellings that mean the same format
        elif not strict and renaming.is_accepted(content):
            same[i] = True  # content decides, the name follows
            mimes[i] = content
            renamed.add(i)
    return fine & same, mimes, renamed


def _repeats(
    manifest: Manifest,
    todo: np.ndarray,
    where: np.ndarray,
    table: ProbeTable,
    keyed: np.ndarray,
    content: Mapping[str, str],
) -> dict[int, str]:
    """Rows to do that repeat an earlier row or an assigned one: position -> message.

    Same file (or the same content) for the same records. Rows already done count first,
    wherever they stand: a row to do that repeats one of them is a duplicate even if it comes
    earlier in the sheet.
    """
    rows = manifest.rows
    chosen = np.flatnonzero(keyed)
    if not len(chosen):
        return {}
    # What each row sends, as file identities (one per probed path), or digests where hashed.
    identities = object_array(manifest.identities(table.paths))
    what = identities.copy()
    for i in table.digests:
        what[i] = content.get(identities[i], identities[i])
    todo_what = what[where[chosen]]
    todo_ids = [_pick(rows[c].to_numpy(), todo)[chosen] for c in s.TARGET_COLUMNS]
    done_what, done_ids, done_sources = _done_keyed(manifest, todo, todo_ids, content)
    n_done = len(done_what)
    columns = [
        np.concatenate([done_what, todo_what]) if n_done else todo_what,
        *(np.concatenate([d, t]) if n_done else t for d, t in zip(done_ids, todo_ids, strict=True)),
    ]
    codes = group_codes(columns, n_done + len(chosen))
    repeated = pd.Series(codes).duplicated(keep="first").to_numpy()[n_done:]
    if not repeated.any():
        return {}
    # The first row of each repeated code: +row to do, -row done.
    sources = _pick(rows[s.SOURCE_ROW].to_numpy(), todo)[chosen]
    numbers = np.concatenate([-np.asarray(done_sources, dtype=np.int64), sources])
    wanted = set(codes[n_done:][repeated].tolist())
    first: dict[int, int] = {}
    for code, number in zip(codes.tolist(), numbers.tolist(), strict=True):
        if code in wanted:
            first.setdefault(code, number)
    found: dict[int, str] = {}
    for i in np.flatnonzero(repeated).tolist():
        row = first[int(codes[n_done + i])]
        by_content = identities[where[chosen[i]]] in content
        found[int(chosen[i])] = _duplicate_message(abs(row), row < 0, by_content=by_content)
    return found


def _pick(column: np.ndarray, todo: np.ndarray) -> np.ndarray:
    return column if len(todo) == len(column) else column[todo]


def _done_keyed(
    manifest: Manifest,
    todo: np.ndarray,
    todo_ids: list[np.ndarray],
    content: Mapping[str, str],
) -> tuple[np.ndarray, list[np.ndarray], list[int]]:
    """Done rows with a file and a target that a row to do also has: what each sends (as in
    :func:`_repeats`), their target ids and their row numbers."""
    rows = manifest.rows
    empty = np.empty(0, dtype=object)
    if len(todo) == len(rows):
        return empty, [empty, empty, empty], []
    done = np.ones(len(rows), dtype=bool)
    done[todo] = False
    texts = rows[s.FILE_PATH].to_numpy()[done]
    ids = [rows[c].to_numpy()[done] for c in s.TARGET_COLUMNS]
    keep = texts != ""
    has_target = np.zeros(len(texts), dtype=bool)
    for column in ids:
        has_target |= column != ""
    keep &= has_target
    targets = pd.MultiIndex.from_arrays([c[keep] for c in ids])
    shared = targets.isin(pd.MultiIndex.from_arrays(todo_ids))
    identities = manifest.identities(manifest.path_texts(texts[keep][shared].tolist()))
    what = object_array([content.get(i, i) for i in identities])
    sources = rows[s.SOURCE_ROW].to_numpy()[done][keep][shared].tolist()
    return what, [c[keep][shared] for c in ids], sources


def _duplicate_message(first_row: int, first_done: bool, *, by_content: bool) -> str:
    what = "the same file content" if by_content else "the same file"
    done = ", already assigned" if first_done else ""
    return f"{what} goes to the same record in row {int(first_row)}{done}"


def _row_problems(
    row: Mapping[str, str], probe: FileProbe | None, strict: bool = False
) -> list[tuple[Code, str]]:
    found: list[tuple[Code, str]] = []
    found.extend(_build_problem(row))
    file_text = row[s.FILE_PATH]
    if not file_text or probe is None:
        found.append((Code.PATH_MISSING, "file_path is empty"))
    else:
        found.extend(_file_problems(probe, file_text, strict))
    type_text = row[s.TYPE]
    if not type_text:
        found.append((Code.TYPE_MISSING, "type is empty"))
    elif spott_api.normalise_type(type_text) is None:
        close = difflib.get_close_matches(type_text.upper(), spott_api.ATTACHMENT_TYPES, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        found.append((Code.TYPE_UNKNOWN, f"{type_text!r} is not a Spott attachment type{hint}"))
    if not any(row[c] for c in s.TARGET_COLUMNS):
        found.append((Code.TARGET_MISSING, "no candidate_id, company_id or vacancy_id"))
    # A builder's problem and our own check can name the same thing: report each code once.
    unique: dict[Code, str] = {}
    for code, message in found:
        unique.setdefault(code, message)
    return list(unique.items())


# Builder codes about finding the record: void once the user fills in an id by hand.
_RECORD_CODES = frozenset({Code.UNRESOLVED, Code.AMBIGUOUS, Code.TARGET_MISSING})


def _build_problem(row: Mapping[str, str]) -> list[tuple[Code, str]]:
    text = row.get(s.BUILD_PROBLEM, "")
    if not text:
        return []
    code_text, _, message = text.partition(":")
    try:
        code = Code(code_text.strip())
    except ValueError:
        return [(Code.UNRESOLVED, text)]
    if code in _RECORD_CODES and any(row[c] for c in s.TARGET_COLUMNS):
        return []
    return [(code, message.strip() or text)]


def _suggested(file_text: str, name: str) -> str:
    """``file_text`` with its last part replaced by ``name``, as the user would write it."""
    cut = max(file_text.rfind("/"), file_text.rfind("\\"))
    return file_text[: cut + 1] + name


def _file_problems(probe: FileProbe, file_text: str, strict: bool) -> list[tuple[Code, str]]:
    if not probe.exists:
        why = f" ({probe.error})" if probe.error else ""
        hint = (
            f"; did you mean {_suggested(file_text, probe.suggestion)}?" if probe.suggestion else ""
        )
        return [(Code.FILE_MISSING, f"no file at {file_text}{why}{hint}")]
    if not probe.is_file:
        return [(Code.NOT_A_FILE, f"{file_text} is a folder or device, not a file")]
    if not probe.readable:
        return [(Code.FILE_UNREADABLE, f"cannot read {file_text}: {probe.error}")]
    if probe.size == 0:
        return [(Code.FILE_EMPTY, f"{file_text} is empty (0 bytes)")]
    found: list[tuple[Code, str]] = []
    if probe.size > spott_api.MAX_FILE_BYTES:
        found.append(
            (Code.FILE_TOO_LARGE, f"{probe.size / 1e6:.1f} MB is over Spott's 50 MB per file")
        )
    suffix = probe.path.suffix.lower()
    expected = canonical_mime(spott_api.MIME_BY_EXTENSION.get(suffix))
    sniffed = canonical_mime(probe.sniffed_mime)
    if renaming.is_accepted(sniffed) and (sniffed == expected or not strict):
        return found  # as named, or sent under its content's name (a notice)
    if expected is None:
        label = suffix or "no extension"
        fix = "; convert it to PDF first" if suffix in spott_api.CONVERTIBLE_EXTENSIONS else ""
        found.append((Code.EXTENSION_NOT_ALLOWED, f"Spott does not accept {label} files{fix}"))
    elif sniffed is None:
        found.append(
            (
                Code.CONTENT_NOT_ALLOWED,
                f"the content of {file_text} is not a recognised {suffix} file",
            )
        )
    elif renaming.is_accepted(sniffed):  # strict: an accepted format, but not the named one
        found.append(
            (
                Code.CONTENT_MISMATCH,
                f"named {suffix} but the content is {renaming.label(sniffed)}",
            )
        )
    else:
        found.append(
            (
                Code.CONTENT_NOT_ALLOWED,
                f"named {suffix} but the content is {renaming.label(sniffed)}, "
                "which Spott does not accept",
            )
        )
    return found
