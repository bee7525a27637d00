"""The unit of work every stage after validation hands on: one file for one or more records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# (assign field, record id) pairs, e.g. (("candidateId", "cand-1"),)
Target = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FileJob:
    """One valid row: a file to upload and assign."""

    row_key: str
    source_row: int
    path: Path
    wire_type: str
    target: Target
    display_name: str
    size: int
    mime: str
    # The file name sent in the multipart header: ASCII-safe and unique within its batch.
    upload_name: str = ""
    # The file's modification time when it was checked (ns; 0: not known). Just before the
    # file is sent, size and time are compared again: a file still being copied or synced is
    # not what the check approved.
    mtime_ns: int = 0
