"""The unit of work every stage after validation hands on: one file for one or more records.

Validation hands on a :class:`JobTable` (columns, one entry per valid row still to do); a
:class:`FileJob` is made from it only for a row that is actually sent, when the run gets to it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import schema as s
from .renaming import name_for_content, names_format

# (assign field, record id) pairs, e.g. (("candidateId", "cand-1"),)
Target = tuple[tuple[str, str], ...]
_FIELDS = tuple(s.TARGET_FIELDS[c] for c in s.TARGET_COLUMNS)
# A column of text: a list, or a NumPy object array taken from the manifest without a copy.
Texts = Sequence[str] | np.ndarray


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


def target_of(ids: Sequence[str]) -> Target:
    """The target of a row from its (candidate, company, vacancy) ids; empty ids drop out."""
    return tuple((f, str(v)) for f, v in zip(_FIELDS, ids, strict=True) if v)


@dataclass(frozen=True)
class JobTable:
    """Valid rows still to do, as columns; position ``i`` is one row.

    ``names`` holds the manifest's display names ("" means the file's own name). A table made
    from FileJobs (:meth:`from_jobs`) hands those same objects back.
    """

    row_key: Texts
    source_row: Sequence[int] | np.ndarray
    path: Texts
    wire_type: Sequence[str]
    ids: tuple[Texts, Texts, Texts]  # candidate, company, vacancy
    names: Texts
    size: Sequence[int] | np.ndarray
    # The MIME type of each file's content: what it is sent as, whatever its name says.
    mime: Sequence[str]
    mtime: Sequence[int] | np.ndarray = ()
    _jobs: Sequence[FileJob] | None = None

    def __len__(self) -> int:
        return len(self.row_key)

    def target(self, i: int) -> Target:
        """Position ``i``'s target records."""
        if self._jobs is not None:
            return self._jobs[i].target
        return target_of([column[i] for column in self.ids])

    def display_name(self, i: int) -> str:
        """The name the attachment gets in Spott: the manifest's, or the file's own, with the
        extension of its content when the name says another format."""
        if self._jobs is not None:
            return self._jobs[i].display_name
        own = os.path.basename(self.path[i])
        name = self.names[i] or own
        if names_format(own, self.mime[i]):
            return name
        return name_for_content(name, self.mime[i])

    def job(self, i: int) -> FileJob:
        """Position ``i`` as a :class:`FileJob`."""
        if self._jobs is not None:
            return self._jobs[i]
        return FileJob(
            row_key=self.row_key[i],
            source_row=int(self.source_row[i]),
            path=Path(self.path[i]),
            wire_type=self.wire_type[i],
            target=self.target(i),
            display_name=self.display_name(i),
            size=int(self.size[i]),
            mime=self.mime[i],
            mtime_ns=int(self.mtime[i]) if len(self.mtime) else 0,
        )

    def jobs(self) -> list[FileJob]:
        """Every row as a FileJob (for small tables and for callers that want them all)."""
        if self._jobs is not None:
            return list(self._jobs)
        return [self.job(i) for i in range(len(self))]

    def take(self, positions: Sequence[int]) -> JobTable:
        """The rows at ``positions``, in that order."""

        def pick(column: Sequence[Any] | np.ndarray) -> list[Any]:
            return [column[i] for i in positions]

        return JobTable(
            pick(self.row_key),
            pick(self.source_row),
            pick(self.path),
            pick(self.wire_type),
            (pick(self.ids[0]), pick(self.ids[1]), pick(self.ids[2])),
            pick(self.names),
            pick(self.size),
            pick(self.mime),
            mtime=pick(self.mtime) if len(self.mtime) else (),
            _jobs=pick(self._jobs) if self._jobs is not None else None,
        )

    @classmethod
    def from_jobs(cls, jobs: Sequence[FileJob]) -> JobTable:
        """A table over ready-made FileJobs."""
        jobs = list(jobs)
        by_field = [dict(j.target) for j in jobs]
        cand, comp, vac = ([t.get(f, "") for t in by_field] for f in _FIELDS)
        ids = (cand, comp, vac)
        return cls(
            [j.row_key for j in jobs],
            [j.source_row for j in jobs],
            [str(j.path) for j in jobs],
            [j.wire_type for j in jobs],
            ids,
            [j.display_name for j in jobs],
            [j.size for j in jobs],
            [j.mime for j in jobs],
            mtime=[j.mtime_ns for j in jobs],
            _jobs=jobs,
        )
