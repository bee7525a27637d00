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

from ..columns import many_objects
from ..errors import ConfigError, JournalError
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


# Every field of an Entry, in its order.
ENTRY_FIELDS = (
    "row_key, source_row, state, temp_id, upload_name, size, uploaded_at, assign_sent_at,"
    " attachment_id, code, message, attempts, updated_at"
)
# All rows of one sheet. NOT INDEXED: walking the table beats walking the (sheet, row_key)
# index and looking each row up (measured on a million rows: 0.9 s against 2.2 s).
SHEET_ROWS = "NOT INDEXED WHERE sheet = ?"
_KEYS_PER_QUERY = 500  # well under SQLite's limit on ? parameters


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


def load_entries(
    manifest_path: Path, sheet: str | None, *, besides: Path | None = None
) -> dict[str, Entry]:
    """All journals' entries merged: an assigned entry wins, else the most recent.

    ``besides`` leaves one journal out (a run's own, which it reads live).
    """
    merged: dict[str, Entry] = {}
    for path in journal_paths(manifest_path):
        if besides is not None and path == besides:
            continue
        with Journal(path, sheet) as journal:
            merge_entries(merged, journal.entries())
    return merged


def merge_entries(into: dict[str, Entry], entries: Mapping[str, Entry]) -> dict[str, Entry]:
    """Fold ``entries`` into ``into`` (an assigned entry wins, else the most recent)."""
    for key, entry in entries.items():
        old = into.get(key)
        if old is None or rank(entry) > rank(old):
            into[key] = entry
    return into


def rank(entry: Entry) -> tuple[bool, str]:
    """Which of two journals' entries for a row tells the truth: assigned first, then newest."""
    return entry.state is State.ASSIGNED, entry.updated_at


class Journal:
    """Durable per-row states for one sheet of one manifest. Thread-safe."""

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path = path
        self.sheet = sheet or ""
        self._lock = threading.Lock()
        if path.is_dir():
            raise ConfigError(
                f"cannot keep the run's journal at {path}: it is a folder; move it aside"
            )
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                raise JournalError(_damaged_message(path, exc)) from None
            raise ConfigError(
                f"cannot keep the run's journal at {path} ({exc}); the manifest's folder must be "
                "writable: copy the manifest and its files to one that is"
            ) from None
        try:
            # NORMAL survives a killed process (the WAL is in the OS's hands); only an intent is
            # also made to survive power loss (see `record_assign_sent`).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise _journal_error(path, exc) from None
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
        """Every row's entry, by row key (in the order the rows were first recorded)."""
        self.flush()
        with self._lock, many_objects():
            try:
                cursor = self._db.execute(
                    f"SELECT {ENTRY_FIELDS} FROM rows {SHEET_ROWS}", (self.sheet,)
                )
                state = _STATES.__getitem__  # a dict look-up: calling the enum costs ~15× more
                return {r[0]: Entry(r[0], r[1], state(r[2]), *r[3:]) for r in cursor}
            except (sqlite3.DatabaseError, KeyError) as exc:
                raise _journal_error(self.path, exc) from None

    def entry(self, key: str) -> Entry | None:
        """One row's entry, or None."""
        return self.entries_of([key]).get(key)

    def entries_of(self, keys: Iterable[str]) -> dict[str, Entry]:
        """The entries of the rows with these keys (those the journal has)."""
        self.flush()
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Entry] = {}
        with self._lock:
            try:
                for start in range(0, len(wanted), _KEYS_PER_QUERY):
                    chunk = wanted[start : start + _KEYS_PER_QUERY]
                    cursor = self._db.execute(
                        f"SELECT {ENTRY_FIELDS} FROM rows WHERE sheet = ? AND row_key IN"
                        f" ({', '.join('?' * len(chunk))})",
                        (self.sheet, *chunk),
                    )
                    for r in cursor:
                        found[r[0]] = Entry(r[0], r[1], _STATES[r[2]], *r[3:])
            except (sqlite3.DatabaseError, KeyError) as exc:
                raise _journal_error(self.path, exc) from None
        return found

    def _write(self, sql: str, params: Iterable[tuple[object, ...]], *, sync: bool = False) -> None:
        """One transaction; a disk that is full or failing stops the run (``JournalError``).

        Nothing is sent after a failed write: an intent that is not on disk must not be
        followed by its request.
        """
        with self._lock:
            try:
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
            except sqlite3.DatabaseError as exc:
                raise _journal_error(self.path, exc) from None

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

    def record_marked(self, marked: Mapping[str, tuple[int, str]]) -> None:
        """Row key -> (source row, attachment id) of rows the sheet marks assigned, trusted
        because no journal existed (a manifest carried here from another machine)."""
        now = utc_now()
        self._write(
            "INSERT INTO rows (sheet, row_key, source_row, state, attachment_id, code, message,"
            " updated_at) VALUES (?, ?, ?, 'assigned', ?, NULL, NULL, ?)"
            " ON CONFLICT (sheet, row_key) DO NOTHING",
            ((self.sheet, key, src, att, now) for key, (src, att) in marked.items()),
        )

    def adopt(self, entries: Iterable[Entry]) -> None:
        """Copy entries from another journal (a shard's, an earlier plain run's) into this one,
        where they say more than this one does, so that this run acts on what they recorded."""
        offered = list(entries)
        if not offered:
            return  # (a re-run with nothing to do reads none of its own million entries)
        mine = self.entries_of(e.row_key for e in offered)
        newer = [e for e in offered if e.row_key not in mine or rank(e) > rank(mine[e.row_key])]
        if not newer:
            return
        self._write(
            "INSERT OR REPLACE INTO rows (sheet, row_key, source_row, state, temp_id,"
            " upload_name, size, uploaded_at, assign_sent_at, attachment_id, code, message,"
            " attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    self.sheet,
                    e.row_key,
                    e.source_row,
                    e.state.value,
                    e.temp_id,
                    e.upload_name,
                    e.size,
                    e.uploaded_at,
                    e.assign_sent_at,
                    e.attachment_id,
                    e.code,
                    e.message,
                    e.attempts,
                    e.updated_at,
                )
                for e in newer
            ),
            sync=True,  # adopted intents are intents like any other
        )

    def record_pending(self, rows: Iterable[tuple[str, int | None]]) -> None:
        """Forget a temporary upload: the row starts again with a fresh upload."""
        self._upsert(rows, State.PENDING, temp_id=None, upload_name=None, assign_sent_at=None)


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _damaged_message(path: Path, exc: BaseException) -> str:
    return (
        f"the run's journal {path.name} is damaged ({exc}); move it aside and re-run: rows "
        "whose assign was in doubt are then checked against Spott before anything is sent"
    )


def _journal_error(path: Path, exc: BaseException) -> JournalError:
    """One clear sentence for a journal that cannot be written or read."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.DatabaseError) and _damaged(exc):
        return JournalError(_damaged_message(path, exc))
    if isinstance(exc, KeyError):
        return JournalError(
            f"the run's journal {path.name} holds a state this version does not know"
        )
    if "full" in text:
        return JournalError(
            f"the disk holding {path.name} is full; free some space and re-run (nothing was "
            "sent after the last step the journal recorded)"
        )
    if "readonly" in text or "read-only" in text:
        return JournalError(
            f"the run's journal {path.name} cannot be written: the folder is read-only"
        )
    return JournalError(f"the run's journal {path.name} cannot be written or read: {exc}")
