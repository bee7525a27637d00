"""Stable reason codes: the same strings appear in the CLI, the notebook and the manifest.

A code is part of the public interface (users filter on it in Excel), so codes are only ever
added, never renamed. Each carries a short explanation and, where one exists, how to fix it.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Why a row is invalid or failed, or (a notice) what was changed for it to go."""

    # manifest / row content
    PATH_MISSING = "path_missing"
    TYPE_MISSING = "type_missing"
    TYPE_UNKNOWN = "type_unknown"
    TARGET_MISSING = "target_missing"
    DUPLICATE_ROW = "duplicate_row"
    # the file on disk
    FILE_MISSING = "file_missing"
    NOT_A_FILE = "not_a_file"
    FILE_UNREADABLE = "file_unreadable"
    FILE_EMPTY = "file_empty"
    FILE_TOO_LARGE = "file_too_large"
    EXTENSION_NOT_ALLOWED = "extension_not_allowed"
    CONTENT_NOT_ALLOWED = "content_not_allowed"
    CONTENT_MISMATCH = "content_mismatch"
    FILE_CHANGED = "file_changed"
    # records (legacy resolution and existence checks)
    TARGET_NOT_FOUND = "target_not_found"
    UNRESOLVED = "unresolved"
    AMBIGUOUS = "ambiguous"
    # the run
    UPLOAD_REJECTED = "upload_rejected"
    UPLOAD_UNMATCHED = "upload_unmatched"
    ASSIGN_REJECTED = "assign_rejected"
    RETRIES_EXHAUSTED = "retries_exhausted"
    # notices: the row is valid and goes, with a change the user should know of
    RENAMED_TO_CONTENT = "renamed_to_content"

    @property
    def hint(self) -> str:
        """How a user can fix a row with this code."""
        return _HINTS.get(self, "")


_HINTS: dict[Code, str] = {
    Code.PATH_MISSING: "fill in file_path",
    Code.TYPE_MISSING: "fill in type (e.g. CV, COVER_LETTER, LOGO)",
    Code.TYPE_UNKNOWN: "use one of Spott's attachment types (spott-migrate types lists them)",
    Code.TARGET_MISSING: "fill in candidate_id, company_id or vacancy_id",
    Code.DUPLICATE_ROW: "remove the repeated row",
    Code.FILE_MISSING: "check the path; relative paths start at the manifest's folder",
    Code.NOT_A_FILE: "point file_path at a file, not a folder",
    Code.FILE_UNREADABLE: "check the file's permissions",
    Code.FILE_EMPTY: "replace the empty file or drop the row",
    Code.FILE_TOO_LARGE: "Spott takes at most 50 MB per file; compress or split it",
    Code.EXTENSION_NOT_ALLOWED: "convert it to PDF (build-manifest --convert) or drop the row",
    Code.CONTENT_NOT_ALLOWED: "the file's content is not a type Spott accepts; convert it to PDF",
    Code.CONTENT_MISMATCH: "the extension does not match the content; rename or replace the file",
    Code.FILE_CHANGED: "the file changed after the check (still being copied?); re-run when done",
    Code.TARGET_NOT_FOUND: "check the record id in Spott",
    Code.UNRESOLVED: "add the record to the crosswalk or fill in its Spott id",
    Code.AMBIGUOUS: "several Spott records match; fill in the id by hand",
    Code.UPLOAD_REJECTED: "Spott refused the file; open it to check it is not corrupt",
    Code.UPLOAD_UNMATCHED: "re-run; the file is uploaded alone next time",
    Code.ASSIGN_REJECTED: "Spott refused the assignment; check the record id and type",
    Code.RETRIES_EXHAUSTED: "re-run later (spott-migrate run --retry-failed)",
    Code.RENAMED_TO_CONTENT: (
        "nothing to do: it is sent under its content's extension (--strict-content refuses it)"
    ),
}


def format_error(code: Code | str, message: str) -> str:
    """The text written to the manifest's ``spott_error`` column: ``code: message``."""
    return f"{Code(code).value}: {message}"
