"""Validation: every problem of every row, found before any network call.

Pure: it reads the manifest's rows and the file probes and returns a table; it never raises for
bad data and never touches the network or the disk. Like pandera's lazy mode, all checks run and
the caller decides what to do with the failures.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import renaming, spott_api
from .codes import Code
from .manifest import Manifest
from .manifest import schema as s
from .probe import FileProbe

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
    # Valid rows still to do, ready for planning (columns JOB_COLUMNS).
    jobs: pd.DataFrame
    # Row keys of rows that were already assigned and are not checked again.
    done: frozenset[str]
    # One line per valid row that goes with a change (e.g. ``renamed_to_content``).
    notices: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(NOTICE_COLUMNS))
    )

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
        counts = {"to_do": len(self.jobs), "invalid": self.invalid_rows, "done": len(self.done)}
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
    ``strict_content`` refuses it as today.
    """
    problems: list[tuple[int, str, str, str]] = []
    notices: list[tuple[int, str, str, str, str]] = []
    jobs: list[tuple[object, ...]] = []
    done_set = frozenset(done)
    rows = manifest.rows
    is_done = rows[s.ROW_KEY].isin(done_set).to_numpy()
    # Content digests by file identity (see Manifest.file_identity): done rows need no Path.
    content = {os.path.normpath(p): h for p, h in (hashes or {}).items()}
    # (file or content, targets) -> (first row, already done). Done rows go in first, wherever
    # they stand: a row to do that repeats one of them is a duplicate even if it comes earlier.
    seen: dict[tuple[object, ...], tuple[int, bool]] = {}
    done_rows = rows[is_done]
    columns = [done_rows[c] for c in (s.FILE_PATH, s.SOURCE_ROW, *s.TARGET_COLUMNS)]
    for text, source_row, *done_targets in zip(*columns, strict=True):
        if text and any(done_targets):
            identity = manifest.file_identity(text)
            seen.setdefault(
                (content.get(identity, identity), tuple(done_targets)), (source_row, True)
            )
    for record in rows[~is_done].itertuples(index=False):
        row = record._asdict()
        key = row[s.ROW_KEY]
        source_row = int(row[s.SOURCE_ROW])
        text = row[s.FILE_PATH]
        targets = tuple(row[c] for c in s.TARGET_COLUMNS)
        path = manifest.resolve(text) if text else None
        found = _row_problems(manifest, row, probes, strict_content)
        if path is not None and any(targets):
            identity = manifest.file_identity(text)
            dup_key = (content.get(identity, identity), targets)
            if dup_key in seen:
                first, first_done = seen[dup_key]
                found.append(
                    (
                        Code.DUPLICATE_ROW,
                        _duplicate_message(first, first_done, by_content=identity in content),
                    )
                )
            else:
                seen[dup_key] = (source_row, False)
        if found:
            problems.extend((source_row, key, code.value, message) for code, message in found)
            continue
        assert path is not None  # rows without a path always have a problem
        probe = probes[path]
        wire_type = spott_api.normalise_type(row[s.TYPE])
        display = row[s.NAME] or path.name
        # A valid row's content is a format Spott takes: it is sent as that, whatever its name.
        mime = str(canonical_mime(probe.sniffed_mime))
        if not renaming.names_format(path.name, mime):
            display = renaming.name_for_content(display, mime)
            notices.append(_renamed_notice(source_row, key, path, mime))
        jobs.append(
            (key, source_row, path, wire_type, *targets, display, probe.size, mime, probe.mtime_ns)
        )
    return Validation(
        problems=pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS)),
        jobs=pd.DataFrame(jobs, columns=list(JOB_COLUMNS)),
        done=done_set & frozenset(rows[s.ROW_KEY]),
        notices=pd.DataFrame(notices, columns=list(NOTICE_COLUMNS)),
    )


def _renamed_notice(
    source_row: int, key: str, path: Path, mime: str
) -> tuple[int, str, str, str, str]:
    named = path.suffix.lower() or "without an extension"
    sent = renaming.name_for_content(path.name, mime)
    message = f"named {named} but the content is {renaming.label(mime)}; sent as {sent}"
    return (source_row, key, Code.RENAMED_TO_CONTENT.value, message, renaming.note(mime))


def _duplicate_message(first_row: int, first_done: bool, *, by_content: bool) -> str:
    what = "the same file content" if by_content else "the same file"
    done = ", already assigned" if first_done else ""
    return f"{what} goes to the same record in row {int(first_row)}{done}"


def _row_problems(
    manifest: Manifest, row: Mapping[str, str], probes: Mapping[Path, FileProbe], strict: bool
) -> list[tuple[Code, str]]:
    found: list[tuple[Code, str]] = []
    found.extend(_build_problem(row))
    file_text = row[s.FILE_PATH]
    if not file_text:
        found.append((Code.PATH_MISSING, "file_path is empty"))
    else:
        found.extend(_file_problems(manifest.resolve(file_text), file_text, probes, strict))
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


def _file_problems(
    path: Path, file_text: str, probes: Mapping[Path, FileProbe], strict: bool
) -> list[tuple[Code, str]]:
    probe = probes[path]
    if not probe.exists:
        why = f" ({probe.error})" if probe.error else ""
        return [(Code.FILE_MISSING, f"no file at {file_text}{why}")]
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
    suffix = path.suffix.lower()
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
