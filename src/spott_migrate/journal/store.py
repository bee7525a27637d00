"""The per-row journal: what has happened to each row, durable across crashes.

SQLite (standard library) in WAL mode with full sync: every state change is one committed
transaction, written *before* the request it announces (intent) and *after* its answer
(outcome). A crash therefore loses at most the answer of requests in flight, and the states say
exactly what the next run must check. The workbook's result columns are a projection of this.

States::

    pending → uploaded(temp id) → assign_sent → assigned(attachment id)
                                              ↘ failed(code)
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import ConfigError
from .sidecars import journal_paths

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    sheet TEXT NOT NULL,
    row_key TEXT NOT NULL,
    source_row INTEGER,
    state TEXT NOT NULL,
    temp_id TEXT,
    upload_name TEXT,
    size INTEGER,
    uploaded_at REAL,
    assign_sent_at REAL,
    attachment_id TEXT,
    code TEXT,
    message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sheet, row_key)
);
"""


class State(StrEnum):
    """Where a row stands."""

    PENDING = "pending"
    UPLOADED = "uploaded"
    ASSIGN_SENT = "assign_sent"
    ASSIGNED = "assigned"
    FAILED = "failed"


_STATES = {s.value: s for s in State}


@dataclass(frozen=True, slots=True)
class Entry:
    """One row's journal record."""

    row_key: str
    source_row: int | None
    state: State
    temp_id: str | None
    upload_name: str | None
    size: int | None
    uploaded_at: float | None
    assign_sent_at: float | None
    attachment_id: str | None
    code: str | None
    message: str | None
    attempts: int
    updated_at: str


def utc_now() -> str:
    """Now, as the ISO-8601 UTC text written to ``spott_updated_at``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_entries(manifest_path: Path, sheet: str | None) -> dict[str, Entry]:
    """All journals' entries merged: an assigned entry wins, else the most recent."""
    merged: dict[str, Entry] = {}
    for path in journal_paths(manifest_path):
        with Journal(path, sheet) as journal:
            for key, entry in journal.entries().items():
                old = merged.get(key)
                if old is None or _rank(entry) > _rank(old):
                    merged[key] = entry
    return merged


def _rank(entry: Entry) -> tuple[bool, str]:
    return entry.state is State.ASSIGNED, entry.updated_at


class Journal:
    """Durable per-row states for one sheet of one manifest. Thread-safe."""

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path = path
        self.sheet = sheet or ""
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            raise ConfigError(
                f"cannot keep the run's journal at {path} ({exc}); the manifest's folder must be "
                "writable: copy the manifest and its files to one that is"
            ) from exc
        # NORMAL survives a killed process (the WAL is in the OS's hands); only an intent is
        # also made to survive power loss (see `record_assign_sent`).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._assigned: dict[str, tuple[int | None, str]] = {}
        self._pending_lock = threading.Lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, sheet={self.sheet!r})"

    def close(self) -> None:
        """Write what is held back, then close the database."""
        self.flush()
        with self._lock:
            self._db.close()

    def entries(self) -> dict[str, Entry]:
        """Every row's entry, by row key."""
        self.flush()
        with self._lock:
            cursor = self._db.execute(
                "SELECT row_key, source_row, state, temp_id, upload_name, size, uploaded_at,"
                " assign_sent_at, attachment_id, code, message, attempts, updated_at"
                " FROM rows WHERE sheet = ?",
                (self.sheet,),
            )
            state = _STATES.__getitem__  # a dict look-up: calling the enum costs ~15× more
            return {r[0]: Entry(r[0], r[1], state(r[2]), *r[3:]) for r in cursor}

    def _write(self, sql: str, params: Iterable[tuple[object, ...]], *, sync: bool = False) -> None:
        with self._lock:
            if sync:
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            if sync:
                self._db.execute("PRAGMA synchronous=NORMAL")

    def _upsert(
        self,
        rows: Iterable[tuple[str, int | None]],
        state: State,
        *,
        sync: bool = False,
        **fields: object,
    ) -> None:
        """Set ``state`` and ``fields`` for rows given as (row key, source row)."""
        names = ", ".join(fields)
        sets = ", ".join(f"{n} = excluded.{n}" for n in fields)
        extra_cols = f", {names}" if fields else ""
        extra_vals = ", ?" * len(fields)
        extra_sets = f", {sets}" if fields else ""
        now = utc_now()
        sql = (
            f"INSERT INTO rows (sheet, row_key, source_row, state, updated_at{extra_cols})"
            f" VALUES (?, ?, ?, ?, ?{extra_vals})"
            " ON CONFLICT (sheet, row_key) DO UPDATE SET state = excluded.state,"
            " source_row = COALESCE(excluded.source_row, rows.source_row),"
            f" updated_at = excluded.updated_at{extra_sets}"
        )
        values = tuple(fields.values())
        self._write(
            sql, ((self.sheet, k, src, state.value, now, *values) for k, src in rows), sync=sync
        )

    def record_uploaded(
        self, uploads: Mapping[str, tuple[int, str, str, int]], *, assign_next: bool = False
    ) -> None:
        """Row key -> (source row, temp id, upload name, size), after a successful upload.

        With ``assign_next`` the rows go straight to ``assign_sent``, synced like any intent:
        the upload's own write then doubles as the intent of the assign that follows, which
        saves a synced write per record. An intent whose assign never went out is harmless:
        recovery checks the record, finds nothing and sends it.
        """
        state = State.ASSIGN_SENT if assign_next else State.UPLOADED
        now = time.time()
        utc = utc_now()
        self._write(
            "INSERT INTO rows (sheet, row_key, source_row, state, temp_id, upload_name, size,"
            " uploaded_at, assign_sent_at, code, message, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)"
            " ON CONFLICT (sheet, row_key) DO UPDATE SET state = excluded.state,"
            " source_row = excluded.source_row, temp_id = excluded.temp_id,"
            " upload_name = excluded.upload_name, size = excluded.size,"
            " uploaded_at = excluded.uploaded_at, assign_sent_at = excluded.assign_sent_at,"
            " code = NULL, message = NULL, updated_at = excluded.updated_at",
            (
                (
                    self.sheet,
                    key,
                    src,
                    state.value,
                    temp,
                    name,
                    size,
                    now,
                    now if assign_next else None,
                    utc,
                )
                for key, (src, temp, name, size) in uploads.items()
            ),
            sync=assign_next,
        )

    def record_not_assigned(self, rows: Iterable[tuple[str, int | None]]) -> None:
        """The assign of these rows did not happen (checked, or provably not processed): back
        to ``uploaded`` with their temporary id, keeping the time of the upload itself."""
        now = utc_now()
        self._write(
            "UPDATE rows SET state = 'uploaded', assign_sent_at = NULL, updated_at = ?,"
            " source_row = COALESCE(?, source_row) WHERE sheet = ? AND row_key = ?",
            ((now, src, self.sheet, key) for key, src in rows),
        )

    def record_assign_sent(self, rows: Iterable[tuple[str, int | None]]) -> None:
        """Intent: the assign call for these rows is about to be sent.

        The one write synced to disk before it returns: if it were lost after the assign went
        through, the next run would not know to check, and could assign again. Every other
        loss (an upload, an outcome) only costs a re-upload or a check.
        """
        self._upsert(rows, State.ASSIGN_SENT, sync=True, assign_sent_at=time.time())

    def record_assigned(self, assigned: Mapping[str, tuple[int | None, str]]) -> None:
        """Row key -> (source row, attachment id), once Spott confirmed the assignment.

        Written behind: kept in memory until :meth:`flush` (the executor flushes a few times a
        second, and every read flushes first). Losing them in a crash is safe: the rows are
        still ``assign_sent``, so the next run checks the record and finds them there.
        """
        with self._pending_lock:  # not the database lock: never wait behind a disk sync
            self._assigned.update(assigned)

    def flush(self) -> None:
        """Write outcomes held back by :meth:`record_assigned`, in one transaction."""
        with self._pending_lock:
            assigned, self._assigned = self._assigned, {}
        if not assigned:
            return
        now = utc_now()
        self._write(
            "UPDATE rows SET state = 'assigned', attachment_id = ?, code = NULL, message = NULL,"
            " source_row = COALESCE(?, source_row), updated_at = ? WHERE sheet = ? AND row_key = ?",
            ((att, src, now, self.sheet, key) for key, (src, att) in assigned.items()),
        )

    def record_failed(
        self, rows: Iterable[tuple[str, int | None]], code: str, message: str
    ) -> None:
        """A definite failure for these rows in this run (a later run may try again)."""
        now = utc_now()
        self._write(
            "INSERT INTO rows (sheet, row_key, source_row, state, code, message, attempts,"
            " updated_at) VALUES (?, ?, ?, 'failed', ?, ?, 1, ?)"
            " ON CONFLICT (sheet, row_key) DO UPDATE SET state = 'failed', temp_id = NULL,"
            " code = excluded.code, message = excluded.message, attempts = rows.attempts + 1,"
            " source_row = COALESCE(excluded.source_row, rows.source_row),"
            " updated_at = excluded.updated_at",
            ((self.sheet, key, src, code, message, now) for key, src in rows),
        )

    def record_note(self, rows: Iterable[tuple[str, int | None]], code: str, message: str) -> None:
        """Say why rows are still not done, without changing their state."""
        now = utc_now()
        self._write(
            "INSERT INTO rows (sheet, row_key, source_row, state, code, message, updated_at)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (sheet, row_key) DO UPDATE SET"
            " code = excluded.code, message = excluded.message, updated_at = excluded.updated_at",
            ((self.sheet, key, src, code, message, now) for key, src in rows),
        )

    def record_pending(self, rows: Iterable[tuple[str, int | None]]) -> None:
        """Forget a temporary upload: the row starts again with a fresh upload."""
        self._upsert(rows, State.PENDING, temp_id=None, upload_name=None, assign_sent_at=None)
