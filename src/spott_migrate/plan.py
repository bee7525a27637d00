"""Planning: turn valid rows into the fewest requests the API allows.

Pure: a list of steps in execution order, each an upload batch (≤ 10 files of one ``type``,
under a byte cap) or an assign group (one call per target record, sent as soon as the last of
its files is uploaded). Per-type buffers fill up to ten files before they are sent, so uploads
stay close to the lower bound Σ⌈files of a type / 10⌉; a buffer that has waited while many
later files were planned is sent part-full, so no record's temporary uploads wait long.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace

import pandas as pd

from .config import Settings
from .jobs import FileJob, Target
from .manifest import schema as s
from .renaming import name_for_content


@dataclass(frozen=True, slots=True)
class UploadBatch:
    """One ``POST /attachments/temporary`` request."""

    index: int
    wire_type: str
    jobs: tuple[FileJob, ...]

    @property
    def size(self) -> int:
        """Bytes of file content in the batch."""
        return sum(j.size for j in self.jobs)


@dataclass(frozen=True, slots=True)
class AssignGroup:
    """One ``POST /attachments/temporary/assign`` request: every file of one target record."""

    index: int
    target: Target
    jobs: tuple[FileJob, ...]
    # Upload batches that must finish first (empty when all files were uploaded earlier).
    after: frozenset[int]


Step = UploadBatch | AssignGroup


@dataclass(frozen=True)
class Plan:
    """Steps in execution order, with the numbers a user wants before pressing go."""

    steps: tuple[Step, ...]
    files: int
    bytes: int
    lower_bound: int
    files_by_type: dict[str, int] = field(default_factory=dict)

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
        """Requests the plan sends when nothing fails."""
        return len(self.steps)

    def estimate_seconds(self, settings: Settings, bytes_per_second: float = 5e6) -> float:
        """A rough wall-clock estimate: the rate limit or the bandwidth, whichever binds."""
        by_rate = self.requests / settings.requests_per_minute * 60
        return max(by_rate, self.bytes / bytes_per_second)

    def summary(self) -> dict[str, int]:
        """The plan in numbers."""
        return {
            "files": self.files,
            "bytes": self.bytes,
            "upload_requests": len(self.batches),
            "assign_requests": len(self.groups),
            "requests": self.requests,
            "lower_bound": self.lower_bound,
        }


def jobs_from_frame(frame: pd.DataFrame) -> list[FileJob]:
    """FileJobs from validation's ``jobs`` table."""
    ids = zip(*(frame[c] for c in s.TARGET_COLUMNS), strict=True)
    targets = [
        tuple((s.TARGET_FIELDS[c], str(v)) for c, v in zip(s.TARGET_COLUMNS, row, strict=True) if v)
        for row in ids
    ]
    return [
        FileJob(
            row_key=key,
            source_row=int(source_row),
            path=path,
            wire_type=wire_type,
            target=target,
            display_name=display,
            size=int(size),
            mime=mime,
            mtime_ns=int(mtime),
        )
        for key, source_row, path, wire_type, target, display, size, mime, mtime in zip(
            frame[s.ROW_KEY],
            frame[s.SOURCE_ROW],
            frame["path"],
            frame["wire_type"],
            targets,
            frame["display_name"],
            frame["size"],
            frame["mime"],
            frame["mtime_ns"],
            strict=True,
        )
    ]


def make_plan(
    jobs: pd.DataFrame | list[FileJob],
    settings: Settings,
    *,
    uploaded: Collection[str] = (),
) -> Plan:
    """Plan uploads and assigns for ``jobs``; rows in ``uploaded`` only need their assign."""
    file_jobs = jobs_from_frame(jobs) if isinstance(jobs, pd.DataFrame) else list(jobs)
    uploaded_set = set(uploaded)
    by_target: dict[Target, list[FileJob]] = {}
    for job in file_jobs:
        by_target.setdefault(job.target, []).append(job)
    steps = list(_steps(by_target, uploaded_set, settings))
    per_type = Counter(j.wire_type for j in file_jobs if j.row_key not in uploaded_set)
    cap = settings.max_files_per_upload
    lower = sum(math.ceil(n / cap) for n in per_type.values()) + len(by_target)
    return Plan(
        steps=tuple(steps),
        files=len(file_jobs),
        bytes=sum(j.size for j in file_jobs if j.row_key not in uploaded_set),
        lower_bound=lower,
        files_by_type=dict(per_type),
    )


def _steps(
    by_target: dict[Target, list[FileJob]], uploaded: set[str], settings: Settings
) -> Iterator[Step]:
    buffers: dict[str, list[FileJob]] = {}
    buffer_bytes: dict[str, int] = {}
    opened_at: dict[str, int] = {}  # files planned when the buffer got its first file
    batch_of: dict[str, int] = {}  # row key -> batch index, once sent
    # Files of each target not yet in a sent batch; a target at zero is ready to assign.
    unsent = {t: sum(j.row_key not in uploaded for j in jobs) for t, jobs in by_target.items()}
    ready: list[Target] = []
    counter = {"batches": 0, "groups": 0}
    planned = 0

    def emit(wire_type: str) -> UploadBatch:
        jobs = _with_upload_names(buffers.pop(wire_type))
        buffer_bytes.pop(wire_type, None)
        opened_at.pop(wire_type, None)
        batch = UploadBatch(counter["batches"], wire_type, jobs)
        counter["batches"] += 1
        for job in jobs:
            batch_of[job.row_key] = batch.index
            unsent[job.target] -= 1
            if unsent[job.target] == 0:
                ready.append(job.target)
        return batch

    def assigns() -> Iterator[AssignGroup]:
        for target in ready:
            jobs = by_target[target]
            after = frozenset(batch_of[j.row_key] for j in jobs if j.row_key in batch_of)
            yield AssignGroup(counter["groups"], target, tuple(jobs), after)
            counter["groups"] += 1
        ready.clear()

    for target, jobs in by_target.items():
        if unsent[target] == 0:
            ready.append(target)  # everything uploaded by an earlier run
        for job in jobs:
            if job.row_key in uploaded:
                continue
            kind = job.wire_type
            if kind in buffers and buffer_bytes[kind] + job.size > settings.batch_byte_cap:
                yield emit(kind)
            buffers.setdefault(kind, []).append(job)
            buffer_bytes[kind] = buffer_bytes.get(kind, 0) + job.size
            opened_at.setdefault(kind, planned)
            planned += 1
            if len(buffers[kind]) >= settings.max_files_per_upload:
                yield emit(kind)
        for kind in [t for t, at in opened_at.items() if planned - at > settings.flush_after_files]:
            yield emit(kind)
        yield from assigns()
    for kind in sorted(buffers, key=lambda t: opened_at.get(t, 0)):
        yield emit(kind)
    yield from assigns()


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
