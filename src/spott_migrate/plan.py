"""Planning: turn valid rows into the fewest requests the API allows.

Pure: a sequence of steps in execution order, each an upload batch (≤ 10 files of one ``type``,
under a byte cap) or an assign group (one call per target record, sent as soon as the last of
its files is uploaded). Per-type buffers fill up to ten files before they are sent, so uploads
stay close to the lower bound Σ⌈files of a type / 10⌉; a buffer that has waited while many
later files were planned is sent part-full, so no record's temporary uploads wait long.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import overload

import numpy as np
import pandas as pd

from .columns import among, group_codes
from .config import Settings
from .jobs import FileJob, JobTable, Target
from .manifest import schema as s
from .renaming import name_for_content


class _LazyJobs:
    """A step's FileJobs, given, or made by ``make`` only when ``jobs`` is first read (a plan
    from a :class:`JobTable` makes them, upload names and all, when the run gets to them)."""

    __slots__ = ("_jobs", "_make")

    def __init__(
        self, jobs: tuple[FileJob, ...], make: Callable[[], tuple[FileJob, ...]] | None
    ) -> None:
        self._jobs: tuple[FileJob, ...] | None = None if make is not None else tuple(jobs)
        self._make = make

    @property
    def jobs(self) -> tuple[FileJob, ...]:
        """The step's files (for a batch, with their upload names)."""
        if self._jobs is None:
            assert self._make is not None
            self._jobs, self._make = self._make(), None
        return self._jobs


class UploadBatch(_LazyJobs):
    """One ``POST /attachments/temporary`` request; its files are made when the run gets to it."""

    __slots__ = ("index", "wire_type")

    def __init__(
        self,
        index: int,
        wire_type: str,
        jobs: tuple[FileJob, ...] = (),
        *,
        make: Callable[[], tuple[FileJob, ...]] | None = None,
    ) -> None:
        super().__init__(jobs, make)
        self.index = index
        self.wire_type = wire_type

    @property
    def size(self) -> int:
        """Bytes of file content in the batch."""
        return sum(j.size for j in self.jobs)

    def __repr__(self) -> str:
        return f"UploadBatch(index={self.index}, wire_type={self.wire_type!r})"

    # A step is its place in its plan: the same step read twice compares equal.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UploadBatch):
            return NotImplemented
        return (self.index, self.wire_type) == (other.index, other.wire_type)

    def __hash__(self) -> int:
        return hash(("upload", self.index))


class AssignGroup:
    """One ``POST /attachments/temporary/assign`` request: every file of one target record."""

    __slots__ = ("_jobs", "_make", "after", "index", "target")

    def __init__(
        self,
        index: int,
        target: Target,
        jobs: tuple[FileJob, ...] = (),
        after: frozenset[int] = frozenset(),
        *,
        make: Callable[[], tuple[FileJob, ...]] | None = None,
    ) -> None:
        self.index = index
        self.target = target
        # Upload batches that must finish first (empty when all files were uploaded earlier).
        self.after = after
        self._jobs: tuple[FileJob, ...] | None = None if make is not None else tuple(jobs)
        self._make = make

    @property
    def jobs(self) -> tuple[FileJob, ...]:
        """Every file of the record in this plan."""
        if self._jobs is None:
            assert self._make is not None
            self._jobs, self._make = self._make(), None
        return self._jobs

    def __repr__(self) -> str:
        return f"AssignGroup(index={self.index}, target={self.target!r}, after={set(self.after)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssignGroup):
            return NotImplemented
        return (self.index, self.target) == (other.index, other.target)

    def __hash__(self) -> int:
        return hash(("assign", self.index))


Step = UploadBatch | AssignGroup


class Lookup(_LazyJobs):
    """One record to look up in Spott (``GET /attachments``) before anything of it is sent:
    rows whose assign may have gone through unconfirmed, or that the sheet alone calls assigned.
    """

    __slots__ = ("index", "target")

    def __init__(
        self,
        index: int,
        target: Target,
        jobs: tuple[FileJob, ...] = (),
        *,
        make: Callable[[], tuple[FileJob, ...]] | None = None,
    ) -> None:
        super().__init__(jobs, make)
        self.index = index
        self.target = target

    def __repr__(self) -> str:
        return f"Lookup(index={self.index}, target={self.target!r})"


class _Layout:
    """A plan as indices into its JobTable: the steps in order, the batches' and records' jobs.

    ``order[k] >= 0`` is upload batch ``order[k]``; ``order[k] < 0`` the assign of record
    ``-order[k] - 1``. Steps are made from it when read, FileJobs when a step's jobs are.
    """

    def __init__(self, table: JobTable) -> None:
        self.table = table
        self.order = array("l")
        self.batch_type: list[str] = []
        self.batch_jobs = array("l")  # job positions, batch after batch
        self.batch_start = array("l", [0])
        self.batch_of = array("l")  # job position -> its batch (-1: uploaded before)
        self.by_record = np.zeros(0, dtype=np.int64)  # job positions, record after record
        self.record_start = np.zeros(1, dtype=np.int64)
        self._groups_before: array[int] | None = None

    def __len__(self) -> int:
        return len(self.order)

    def step(self, k: int) -> Step:
        code = self.order[k]
        if code >= 0:
            return UploadBatch(
                code, self.batch_type[code], make=functools.partial(self._batch_jobs, code)
            )
        record = -code - 1
        jobs = self.jobs_of(record)
        after = frozenset(b for b in (self.batch_of[j] for j in jobs) if b >= 0)
        index = self._group_index(k)
        make = functools.partial(self._record_jobs, record)
        return AssignGroup(index, self.table.target(jobs[0]), after=after, make=make)

    def _group_index(self, k: int) -> int:
        # Assign steps are numbered in plan order; the numbers are counted once, when needed.
        if self._groups_before is None:
            counts = array("l")
            seen = 0
            for code in self.order:
                counts.append(seen)
                seen += code < 0
            self._groups_before = counts
        return self._groups_before[k]

    def _batch_jobs(self, batch: int) -> tuple[FileJob, ...]:
        start, end = self.batch_start[batch], self.batch_start[batch + 1]
        return _with_upload_names([self.table.job(j) for j in self.batch_jobs[start:end]])

    @property
    def records(self) -> int:
        return len(self.record_start) - 1

    def jobs_of(self, record: int) -> list[int]:
        start, end = self.record_start[record], self.record_start[record + 1]
        return [int(i) for i in self.by_record[start:end]]

    def _record_jobs(self, record: int) -> tuple[FileJob, ...]:
        return tuple(self.table.job(j) for j in self.jobs_of(record))


class _Steps(Sequence[Step]):
    """The steps of a plan, made one by one as they are read (a million-row plan's steps and
    FileJobs would otherwise all be made before the first request)."""

    def __init__(self, layout: _Layout) -> None:
        self._layout = layout

    def __len__(self) -> int:
        return len(self._layout)

    @overload
    def __getitem__(self, k: int) -> Step: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Step, ...]: ...
    def __getitem__(self, k: int | slice) -> Step | tuple[Step, ...]:
        if isinstance(k, slice):
            return tuple(self._layout.step(i) for i in range(len(self))[k])
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._layout.step(k)

    def __iter__(self) -> Iterator[Step]:
        return (self._layout.step(k) for k in range(len(self)))


@dataclass(frozen=True)
class Plan:
    """Steps in execution order, with the numbers a user wants before pressing go."""

    steps: Sequence[Step]
    files: int
    bytes: int
    lower_bound: int
    files_by_type: dict[str, int] = field(default_factory=dict)
    upload_requests: int = -1
    assign_requests: int = -1
    # Records looked up in Spott before any step goes (each one list request, or more pages).
    lookups: Sequence[Lookup] = ()
    # Rows whose temporary upload is still good: only their assign is left to send.
    assign_only: frozenset[str] = frozenset()

    @property
    def batches(self) -> list[UploadBatch]:
        """The upload steps."""
        return [st for st in self.steps if isinstance(st, UploadBatch)]

    @property
    def groups(self) -> list[AssignGroup]:
        """The assign steps."""
        return [st for st in self.steps if isinstance(st, AssignGroup)]

    @property
    def requests(self) -> int:
        """Requests the plan sends when nothing fails (a look-up counted as one page)."""
        return len(self.lookups) + len(self.steps)

    def counts(self) -> tuple[int, int]:
        """(upload requests, assign requests), without making the steps."""
        if self.upload_requests >= 0 and self.assign_requests >= 0:
            return self.upload_requests, self.assign_requests
        uploads = sum(isinstance(st, UploadBatch) for st in self.steps)
        return uploads, len(self.steps) - uploads

    def estimate_seconds(self, settings: Settings, bytes_per_second: float = 5e6) -> float:
        """A rough wall-clock estimate: the rate limit or the bandwidth, whichever binds."""
        by_rate = self.requests / settings.requests_per_minute * 60
        return max(by_rate, self.bytes / bytes_per_second)

    def summary(self) -> dict[str, int]:
        """The plan in numbers."""
        uploads, assigns = self.counts()
        return {
            "files": self.files,
            "bytes": self.bytes,
            "upload_requests": uploads,
            "assign_requests": assigns,
            "lookups": len(self.lookups),
            "requests": self.requests,
            "lower_bound": self.lower_bound,
        }


def jobs_from_frame(frame: pd.DataFrame) -> list[FileJob]:
    """FileJobs from validation's ``jobs`` table."""
    return _table_from_frame(frame).jobs()


def _table_from_frame(frame: pd.DataFrame) -> JobTable:
    return JobTable(
        row_key=frame[s.ROW_KEY].tolist(),
        source_row=[int(r) for r in frame[s.SOURCE_ROW]],
        path=[str(p) for p in frame["path"]],
        wire_type=frame["wire_type"].tolist(),
        ids=(
            [str(v) if v else "" for v in frame[s.CANDIDATE_ID]],
            [str(v) if v else "" for v in frame[s.COMPANY_ID]],
            [str(v) if v else "" for v in frame[s.VACANCY_ID]],
        ),
        names=frame["display_name"].tolist(),
        size=[int(n) for n in frame["size"]],
        mime=frame["mime"].tolist(),
        mtime=[int(n) for n in frame["mtime_ns"]] if "mtime_ns" in frame else (),
    )


def make_plan(
    jobs: JobTable | pd.DataFrame | Sequence[FileJob],
    settings: Settings,
    *,
    uploaded: Collection[str] = (),
    looked_up: Collection[str] = (),
) -> Plan:
    """Plan uploads and assigns for ``jobs``; rows in ``uploaded`` only need their assign, and
    the records of rows in ``looked_up`` are looked up in Spott before anything is sent."""
    if isinstance(jobs, JobTable):
        table = jobs
    elif isinstance(jobs, pd.DataFrame):
        table = _table_from_frame(jobs)
    else:
        table = JobTable.from_jobs(jobs)
    uploaded_set = set(uploaded)
    sent_before = [k in uploaded_set for k in table.row_key] if uploaded_set else None
    layout = _lay_out(table, sent_before, settings)
    sizes, types = np.asarray(table.size, dtype=np.int64), table.wire_type
    if sent_before is None:
        per_type = Counter(types)
        total = int(sizes.sum())
    else:
        fresh = np.flatnonzero(~np.asarray(sent_before, dtype=bool))
        per_type = Counter(types[i] for i in fresh.tolist())
        total = int(sizes[fresh].sum())
    cap = settings.max_files_per_upload
    records = layout.records
    lower = sum(math.ceil(n / cap) for n in per_type.values()) + records
    return Plan(
        steps=_Steps(layout),
        files=len(table),
        bytes=total,
        lower_bound=lower,
        files_by_type=dict(per_type),
        upload_requests=len(layout.batch_type),
        assign_requests=records,
        lookups=_lookups(table, set(looked_up)) if looked_up else (),
        assign_only=frozenset(uploaded_set),
    )


def _lookups(table: JobTable, keys: set[str]) -> tuple[Lookup, ...]:
    """One look-up per record with rows in ``keys``, in the order the records first appear."""
    wanted = np.flatnonzero(among(np.asarray(table.row_key, dtype=object), keys)).tolist()
    by_target: dict[Target, list[int]] = {}
    for j in wanted:
        by_target.setdefault(table.target(j), []).append(j)
    return tuple(
        Lookup(i, target, make=functools.partial(_jobs_at, table, tuple(positions)))
        for i, (target, positions) in enumerate(by_target.items())
    )


def _jobs_at(table: JobTable, positions: tuple[int, ...]) -> tuple[FileJob, ...]:
    return tuple(table.job(j) for j in positions)


def _records(table: JobTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Records in order of first appearance: each job's record, the job positions grouped by
    record (sheet order within one), and where each record's group starts (and the end)."""
    n = len(table)
    columns = [np.asarray(column, dtype=object) for column in table.ids]
    record = group_codes(columns, n)
    by_record = np.argsort(record, kind="stable")
    starts = np.zeros(int(record.max()) + 2 if n else 1, dtype=np.int64)
    if n:
        np.cumsum(np.bincount(record), out=starts[1:])
    return record, by_record, starts


def _lay_out(table: JobTable, sent_before: list[bool] | None, settings: Settings) -> _Layout:
    """The steps, as :class:`_Layout` indices.

    Per-type buffers fill up to ten files (or the byte cap) before they are sent; a buffer that
    has waited while ``flush_after_files`` later files were planned is sent part-full; a
    record's assign follows as soon as the last of its files is in a sent batch.
    """
    layout = _Layout(table)
    record, by_record, starts = _records(table)
    layout.by_record, layout.record_start = by_record, starts
    n, records = len(table), len(starts) - 1
    batch_of = layout.batch_of = array("l", [-1]) * n
    record_at = record.tolist()
    if sent_before is None:
        unsent = np.diff(starts).tolist()
    else:
        fresh = ~np.asarray(sent_before, dtype=bool)
        unsent = np.bincount(record[fresh], minlength=records).tolist()
    positions, bounds = by_record.tolist(), starts.tolist()
    sizes, types = np.asarray(table.size, dtype=np.int64).tolist(), table.wire_type
    cap_files, cap_bytes = settings.max_files_per_upload, settings.batch_byte_cap
    flush_after = settings.flush_after_files
    buffers: dict[str, list[int]] = {}
    buffer_bytes: dict[str, int] = {}
    opened_at: dict[str, int] = {}  # files planned when the buffer got its first file
    ready: list[int] = []
    order = layout.order
    batch_type, batch_jobs, batch_start = layout.batch_type, layout.batch_jobs, layout.batch_start
    planned = 0

    def emit(kind: str) -> None:
        jobs = buffers.pop(kind)
        del buffer_bytes[kind], opened_at[kind]
        batch = len(batch_type)
        batch_type.append(kind)
        batch_jobs.extend(jobs)
        batch_start.append(len(batch_jobs))
        order.append(batch)
        for j in jobs:
            batch_of[j] = batch
            owner = record_at[j]
            unsent[owner] -= 1
            if unsent[owner] == 0:
                ready.append(owner)

    for this in range(records):
        if unsent[this] == 0:
            ready.append(this)  # everything uploaded by an earlier run
        for j in positions[bounds[this] : bounds[this + 1]]:
            if sent_before is not None and sent_before[j]:
                continue
            kind, size = types[j], sizes[j]
            buffer = buffers.get(kind)
            if buffer is None:
                buffer = buffers[kind] = [j]
                buffer_bytes[kind] = size
                opened_at[kind] = planned
            elif buffer_bytes[kind] + size > cap_bytes:
                emit(kind)
                buffer = buffers[kind] = [j]
                buffer_bytes[kind] = size
                opened_at[kind] = planned
            else:
                buffer.append(j)
                buffer_bytes[kind] += size
            planned += 1
            if len(buffer) >= cap_files:
                emit(kind)
        for kind in [t for t, at in opened_at.items() if planned - at > flush_after]:
            emit(kind)
        if ready:
            order.extend(-r - 1 for r in ready)
            ready.clear()
    for kind in sorted(buffers, key=lambda t: opened_at.get(t, 0)):
        emit(kind)
    order.extend(-r - 1 for r in ready)
    return layout


_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]+")


def ascii_file_name(name: str) -> str:
    """A multipart-safe file name: accents folded, other non-ASCII and quotes replaced."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, ext = folded.rpartition(".")
    if not dot:
        stem, ext = folded, ""
    stem = _UNSAFE.sub("_", stem).strip(" _") or "file"
    ext = _UNSAFE.sub("", ext)
    return f"{stem}.{ext}" if ext else stem


def _with_upload_names(jobs: list[FileJob]) -> tuple[FileJob, ...]:
    # Upload results are matched back by name and size, so names must be unique in a batch.
    used: set[str] = set()
    named: list[FileJob] = []
    for job in jobs:
        # Sent under its content's extension when the name says another format.
        base = ascii_file_name(name_for_content(job.path.name, job.mime))
        name, n = base, 1
        while name.lower() in used:
            n += 1
            stem, dot, ext = base.rpartition(".")
            name = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
        used.add(name.lower())
        named.append(replace(job, upload_name=name))
    return tuple(named)
