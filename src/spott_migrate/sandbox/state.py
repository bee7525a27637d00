"""Everything the sandbox remembers, behind one lock: uploads, attachments and a request log.

uvicorn serves from its own thread while tests read this object from theirs, so every public
method takes the lock and hands back immutable values or fresh lists.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.sandbox.records import TargetKind


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a trailing ``Z``, as Spott writes dates."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def new_id() -> str:
    return str(uuid.uuid4())


def _attachment_json(a: TempUpload | Attachment) -> dict[str, Any]:
    """The documented attachment shape, the same for temporary and permanent ones."""
    return {
        "attachmentId": a.id,
        "attachmentName": a.name,
        "type": a.type,
        "createdAt": iso_utc(a.created_at),
        "extension": a.extension,
        "size": a.size,
    }


@dataclass(frozen=True)
class TempUpload:
    """A file accepted by ``POST /attachments/temporary``; only its digest is kept."""

    id: str
    name: str
    size: int
    sha256: str
    type: str
    mime: str
    extension: str
    created_at: datetime
    created_monotonic: float

    def to_api(self) -> dict[str, Any]:
        return _attachment_json(self)


@dataclass(frozen=True)
class Attachment:
    """A permanent attachment, linked to every record named in its assign call."""

    id: str
    temp_id: str
    name: str
    type: str
    size: int
    sha256: str
    extension: str
    created_at: datetime
    assigned_at: datetime
    links: tuple[tuple[TargetKind, str], ...]

    def to_api(self) -> dict[str, Any]:
        return _attachment_json(self)


@dataclass(frozen=True)
class AssignItem:
    """One validated entry of an assign body; ``type`` already in its wire spelling."""

    id: str
    type: str
    name: str | None = None


@dataclass(frozen=True)
class LogEntry:
    """One request the API endpoints answered (``/_sandbox/*`` is not logged).

    ``status`` is None when no complete response was sent (dropped connection) and 499 when
    the client went away first. ``faults`` names the fault kinds that fired.
    """

    seq: int
    endpoint: str
    method: str
    path: str
    status: int | None
    elapsed: float
    files: int | None
    faults: tuple[str, ...]
    request_id: str
    at: datetime


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


def _as_json(obj: Any) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in vars(obj).items()}


class SandboxState:
    """Thread-safe store of uploads, permanent attachments and the request log."""

    def __init__(
        self,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._now = now
        self._uploads: dict[str, TempUpload] = {}
        self._assigned: dict[str, str] = {}  # temp id -> permanent id
        self._attachments: dict[str, Attachment] = {}
        self._log: list[LogEntry] = []
        self._counts: Counter[str] = Counter()

    # -- writes (called by the request handlers) --------------------------------------------

    def add_uploads(self, files: Sequence[tuple[str, int, str, str, str, str]]) -> list[TempUpload]:
        """Store (name, size, sha256, type, mime, extension) tuples as new temporary uploads."""
        created_at, mono = self._now(), self._monotonic()
        uploads = [
            TempUpload(new_id(), name, size, digest, type_, mime, ext, created_at, mono)
            for name, size, digest, type_, mime, ext in files
        ]
        with self._lock:
            for upload in uploads:
                self._uploads[upload.id] = upload
        return uploads

    def assign(
        self,
        items: Sequence[AssignItem],
        targets: Sequence[tuple[TargetKind, str]],
        *,
        ttl_seconds: float,
        new_ids: bool,
    ) -> list[Attachment]:
        """Make temporary uploads permanent, all or none; raise `ApiProblem` (404) otherwise.

        Checking and storing happen under one lock so two concurrent assigns of the same
        temporary id cannot both succeed.
        """
        now, mono = self._now(), self._monotonic()
        with self._lock:
            for item in items:
                upload = self._uploads.get(item.id)
                if upload is None:
                    raise ApiProblem(404, f"temporary attachment {item.id} not found")
                if item.id in self._assigned:
                    raise ApiProblem(404, f"temporary attachment {item.id} was already assigned")
                if mono - upload.created_monotonic > ttl_seconds:
                    raise ApiProblem(404, f"temporary attachment {item.id} has expired")
            made = []
            for item in items:
                upload = self._uploads[item.id]
                attachment = Attachment(
                    id=new_id() if new_ids else upload.id,
                    temp_id=upload.id,
                    name=item.name or upload.name,
                    type=item.type,
                    size=upload.size,
                    sha256=upload.sha256,
                    extension=upload.extension,
                    created_at=upload.created_at,
                    assigned_at=now,
                    links=tuple(targets),
                )
                self._assigned[upload.id] = attachment.id
                self._attachments[attachment.id] = attachment
                made.append(attachment)
            return made

    def record(
        self,
        *,
        endpoint: str,
        method: str,
        path: str,
        status: int | None,
        elapsed: float,
        request_id: str,
        files: int | None = None,
        faults: Iterable[str] = (),
    ) -> LogEntry:
        """Append one request to the log."""
        with self._lock:
            entry = LogEntry(
                seq=len(self._log) + 1,
                endpoint=endpoint,
                method=method,
                path=path,
                status=status,
                elapsed=elapsed,
                files=files,
                faults=tuple(faults),
                request_id=request_id,
                at=self._now(),
            )
            self._log.append(entry)
            self._counts[endpoint] += 1
            return entry

    def reset(self) -> None:
        """Forget uploads, attachments and the log (faults live elsewhere)."""
        with self._lock:
            self._uploads.clear()
            self._assigned.clear()
            self._attachments.clear()
            self._log.clear()
            self._counts.clear()

    # -- reads ---------------------------------------------------------------------------------

    def uploads(self) -> list[TempUpload]:
        """Every temporary upload since the last reset, assigned or not, oldest first."""
        with self._lock:
            return list(self._uploads.values())

    def live_uploads(self, ttl_seconds: float) -> list[TempUpload]:
        """Temporary uploads that could still be assigned."""
        mono = self._monotonic()
        with self._lock:
            return [
                u
                for u in self._uploads.values()
                if u.id not in self._assigned and mono - u.created_monotonic <= ttl_seconds
            ]

    def upload(self, temp_id: str) -> TempUpload | None:
        with self._lock:
            return self._uploads.get(temp_id)

    def is_assigned(self, temp_id: str) -> bool:
        with self._lock:
            return temp_id in self._assigned

    def expire(self, temp_id: str | None = None) -> None:
        """Age one (or every) temporary upload past any TTL, so tests need not sleep."""
        with self._lock:
            ids = [temp_id] if temp_id is not None else list(self._uploads)
            for key in ids:
                upload = self._uploads[key]
                self._uploads[key] = replace(upload, created_monotonic=float("-inf"))

    def attachments(self) -> list[Attachment]:
        """Every permanent attachment, in assignment order."""
        with self._lock:
            return list(self._attachments.values())

    def attachments_for(self, kind: TargetKind, record_id: str) -> list[Attachment]:
        """Permanent attachments linked to one record."""
        with self._lock:
            return [a for a in self._attachments.values() if (kind, record_id) in a.links]

    def assignments(self) -> dict[tuple[TargetKind, str], list[Attachment]]:
        """(kind, record id) -> its attachments; an attachment appears under each link."""
        result: dict[tuple[TargetKind, str], list[Attachment]] = {}
        with self._lock:
            for attachment in self._attachments.values():
                for link in attachment.links:
                    result.setdefault(link, []).append(attachment)
        return result

    def query(self, filters: Mapping[TargetKind, str], type_: str | None) -> list[Attachment]:
        """Attachments linked to every given record (AND), optionally of one type."""
        wanted = set(filters.items())
        with self._lock:
            return [
                a
                for a in self._attachments.values()
                if wanted <= set(a.links) and (type_ is None or a.type == type_)
            ]

    def log(self) -> list[LogEntry]:
        with self._lock:
            return list(self._log)

    def count(
        self, endpoint: str | None = None, *, status: int | None = None, fault: str | None = None
    ) -> int:
        """Requests seen by an endpoint (all endpoints if None), optionally by status or fault."""
        with self._lock:
            if status is None and fault is None:
                return self._counts[endpoint] if endpoint else sum(self._counts.values())
            return sum(
                1
                for e in self._log
                if (endpoint is None or e.endpoint == endpoint)
                and (status is None or e.status == status)
                and (fault is None or fault in e.faults)
            )

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready picture of the whole state (what ``GET /_sandbox/state`` returns)."""
        with self._lock:
            uploads = [
                {**_as_json(u), "assigned": u.id in self._assigned} for u in self._uploads.values()
            ]
            attachments = [_as_json(a) for a in self._attachments.values()]
            log = [_as_json(e) for e in self._log]
            counts = dict(self._counts)
        for upload in uploads:
            del upload["created_monotonic"]  # meaningless outside this process
        for attachment in attachments:
            attachment["links"] = [{"kind": k, "recordId": r} for k, r in attachment["links"]]
        groups: dict[tuple[str, str], list[str]] = {}
        for attachment in attachments:
            for link in attachment["links"]:
                groups.setdefault((link["kind"], link["recordId"]), []).append(attachment["id"])
        assignments = [
            {"kind": kind, "recordId": record_id, "attachmentIds": ids}
            for (kind, record_id), ids in groups.items()
        ]
        return {
            "uploads": uploads,
            "attachments": attachments,
            "assignments": assignments,
            "log": log,
            "counts": counts,
        }
