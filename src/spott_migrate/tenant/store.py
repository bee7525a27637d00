"""The index file: one SQLite database of a tenant's candidates, clients and vacancies.

Tables: ``records`` (kind, id, names, ``modifiedAt``), ``emails`` (case-folded), ``phones``
(digits), ``attributes`` (custom attribute label and value, with folded copies to compare),
``scans`` (per kind: where the current listing stands, so an interrupted one resumes, and the
newest ``modifiedAt`` seen, so the next refresh asks only for later changes) and ``meta`` (the
base URL it was made against, when). Each page is stored with its cursor in one transaction:
a crash loses at most the page in flight.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .records import RECORD_KINDS, IndexedRecord, RecordKind, fold_email, fold_text, phone_digits

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id TEXT NOT NULL,
    first_name TEXT NOT NULL, last_name TEXT NOT NULL, name TEXT NOT NULL, modified_at TEXT,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS emails (kind TEXT NOT NULL, id TEXT NOT NULL, email TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS emails_by_address ON emails (email);
CREATE INDEX IF NOT EXISTS emails_by_record ON emails (kind, id);
CREATE TABLE IF NOT EXISTS phones (kind TEXT NOT NULL, id TEXT NOT NULL, digits TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS phones_by_digits ON phones (digits);
CREATE INDEX IF NOT EXISTS phones_by_record ON phones (kind, id);
CREATE TABLE IF NOT EXISTS attributes (
    kind TEXT NOT NULL, id TEXT NOT NULL,
    label TEXT NOT NULL, value TEXT NOT NULL, label_key TEXT NOT NULL, value_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attributes_by_value ON attributes (kind, label_key, value_key);
CREATE INDEX IF NOT EXISTS attributes_by_record ON attributes (kind, id);
CREATE TABLE IF NOT EXISTS scans (
    kind TEXT PRIMARY KEY,
    since TEXT, cursor TEXT, done INTEGER NOT NULL, high_water TEXT,
    started_at TEXT NOT NULL, finished_at TEXT, pages INTEGER NOT NULL, records INTEGER NOT NULL
);
"""
_CHILD_TABLES = ("emails", "phones", "attributes")


def utc_stamp(moment: dt.datetime | None = None) -> str:
    """A moment as ISO-8601 UTC text with ``Z`` (the index's own clock, not Spott's)."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> dt.datetime:
    """The inverse of :func:`utc_stamp` (any ISO-8601 is accepted)."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def normal_base_url(url: str) -> str:
    """A base URL as compared between index, profile and run: no trailing slash, lower host."""
    text = url.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


@dataclass(frozen=True)
class ScanState:
    """Where the listing of one kind stands."""

    kind: RecordKind
    since: str | None
    cursor: str | None
    done: bool
    high_water: str | None
    started_at: str
    finished_at: str | None
    pages: int
    records: int


class IndexStore:
    """The index file, open for reading (``writable=False``) or for building."""

    def __init__(self, path: str | Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        if not writable and not self.path.is_file():
            raise ConfigError(f"no Spott index at {self.path}; build one with spott-migrate index")
        try:
            if writable:
                # The default rollback journal, not WAL: a finished index is one file, which
                # can be copied beside a manifest and opened read-only.
                self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._db.executescript(_SCHEMA)
            else:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(
                    uri, uri=True, isolation_level=None, check_same_thread=False
                )
            self._meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            if writable and not self.path.parent.is_dir():
                raise ConfigError(
                    f"cannot write the index {self.path}: the folder does not exist"
                ) from exc
            raise ConfigError(f"{self.path} is not a Spott index ({exc})") from exc
        if not writable and "base_url" not in self._meta:
            self.close()
            raise ConfigError(f"{self.path} is not a Spott index (it names no base URL)")
        self._ids: dict[str, frozenset[str]] = {}

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        # Look-ups may come from worker threads (existence checks run a few at a time): one
        # connection, one statement at a time.
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"IndexStore({str(self.path)!r})"

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ meta
    @property
    def base_url(self) -> str | None:
        """The API base URL the records came from."""
        return self._meta.get("base_url")

    @property
    def created_at(self) -> str | None:
        return self._meta.get("created_at")

    def start(self, base_url: str) -> None:
        """Name the base URL of a new (or emptied) index."""
        now = utc_stamp()
        values = {
            "base_url": normal_base_url(base_url),
            "created_at": now,
            "schema": SCHEMA_VERSION,
        }
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
        self._meta.update(values)

    def clear(self) -> None:
        """Forget every record, scan and the base URL (a full rebuild)."""
        with self._transaction():
            for table in ("records", *_CHILD_TABLES, "scans", "meta"):
                self._db.execute(f"DELETE FROM {table}")
        self._meta.clear()
        self._ids.clear()

    # ------------------------------------------------------------------ scans
    def scan(self, kind: RecordKind) -> ScanState | None:
        found = self._rows(
            "SELECT kind, since, cursor, done, high_water, started_at, finished_at, pages, records"
            " FROM scans WHERE kind = ?",
            (kind,),
        )
        if not found:
            return None
        row = found[0]
        return ScanState(row[0], row[1], row[2], bool(row[3]), *row[4:])

    def scans(self) -> dict[RecordKind, ScanState]:
        found = {kind: self.scan(kind) for kind in RECORD_KINDS}
        return {k: v for k, v in found.items() if v is not None}

    def begin_scan(self, kind: RecordKind, since: str | None) -> None:
        """A new listing of ``kind`` from the start (changes after ``since`` only, if given)."""
        previous = self.scan(kind)
        high_water = previous.high_water if previous else None
        self._db.execute(
            "INSERT OR REPLACE INTO scans VALUES (?, ?, NULL, 0, ?, ?, NULL, 0, 0)",
            (kind, since, high_water, utc_stamp()),
        )

    def save_page(
        self, kind: RecordKind, records: Sequence[IndexedRecord], next_cursor: str | None
    ) -> None:
        """Store one page's records and the cursor after it, together."""
        newest = max((r.modified_at for r in records if r.modified_at), default=None)
        with self._transaction():
            self._replace(records)
            self._db.execute(
                "UPDATE scans SET cursor = ?, pages = pages + 1, records = records + ?,"
                " high_water = CASE WHEN ? IS NOT NULL AND (high_water IS NULL OR ? > high_water)"
                " THEN ? ELSE high_water END WHERE kind = ?",
                (next_cursor, len(records), newest, newest, newest, kind),
            )
        self._ids.pop(kind, None)

    def finish_scan(self, kind: RecordKind) -> None:
        self._db.execute(
            "UPDATE scans SET done = 1, cursor = NULL, finished_at = ? WHERE kind = ?",
            (utc_stamp(), kind),
        )

    def _replace(self, records: Iterable[IndexedRecord]) -> None:
        records = list(records)
        keys = [(r.kind, r.id) for r in records]
        for table in _CHILD_TABLES:
            self._db.executemany(f"DELETE FROM {table} WHERE kind = ? AND id = ?", keys)
        self._db.executemany(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
            [(r.kind, r.id, r.first_name, r.last_name, r.name, r.modified_at) for r in records],
        )
        self._db.executemany(
            "INSERT INTO emails VALUES (?, ?, ?)",
            [(r.kind, r.id, e) for r in records for e in r.emails],
        )
        self._db.executemany(
            "INSERT INTO phones VALUES (?, ?, ?)",
            [(r.kind, r.id, p) for r in records for p in r.phones],
        )
        self._db.executemany(
            "INSERT INTO attributes VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r.kind, r.id, label, value, fold_text(label), fold_text(value))
                for r in records
                for label, value in r.attributes
            ],
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # ------------------------------------------------------------------ look-ups
    def counts(self) -> dict[RecordKind, int]:
        """Records held per kind."""
        rows = dict(self._rows("SELECT kind, COUNT(*) FROM records GROUP BY kind"))
        return {kind: int(rows.get(kind, 0)) for kind in RECORD_KINDS}

    def ids(self, kind: RecordKind) -> frozenset[str]:
        """Every id of one kind (loaded once: even 100,000 ids are a few MB)."""
        with self._lock:
            if kind not in self._ids:
                rows = self._rows("SELECT id FROM records WHERE kind = ?", (kind,))
                self._ids[kind] = frozenset(r[0] for r in rows)
            return self._ids[kind]

    def holds(self, kind: RecordKind, record_id: str) -> bool:
        return record_id in self.ids(kind)

    def record(self, kind: RecordKind, record_id: str) -> IndexedRecord | None:
        """One record with its e-mails, phones and attributes, or None."""
        found = self._rows(
            "SELECT first_name, last_name, name, modified_at FROM records"
            " WHERE kind = ? AND id = ?",
            (kind, record_id),
        )
        if not found:
            return None
        row = found[0]
        key = (kind, record_id)
        where = "WHERE kind = ? AND id = ?"
        emails = [r[0] for r in self._rows(f"SELECT email FROM emails {where}", key)]
        phones = [r[0] for r in self._rows(f"SELECT digits FROM phones {where}", key)]
        attributes = self._rows(f"SELECT label, value FROM attributes {where}", key)
        return IndexedRecord(
            kind,
            record_id,
            first_name=row[0],
            last_name=row[1],
            name=row[2],
            emails=tuple(emails),
            phones=tuple(phones),
            attributes=tuple((str(a), str(b)) for a, b in attributes),
            modified_at=row[3],
        )

    def candidates_with_email(self, email: str) -> list[str]:
        """Ids of candidates one of whose addresses equals ``email`` (case-insensitive)."""
        rows = self._rows(
            "SELECT DISTINCT id FROM emails WHERE email = ? AND kind = 'candidate' ORDER BY id",
            (fold_email(email),),
        )
        return [r[0] for r in rows]

    def candidates_with_phone(self, phone: str) -> list[str]:
        """Ids of candidates one of whose phone numbers has exactly these digits."""
        digits = phone_digits(phone)
        if not digits:
            return []
        rows = self._rows(
            "SELECT DISTINCT id FROM phones WHERE digits = ? AND kind = 'candidate' ORDER BY id",
            (digits,),
        )
        return [r[0] for r in rows]

    def records_with_attribute(self, kind: RecordKind, label: str, value: str) -> list[str]:
        """Ids of records of ``kind`` whose attribute ``label`` holds ``value`` (any case)."""
        rows = self._rows(
            "SELECT DISTINCT id FROM attributes WHERE kind = ? AND label_key = ? AND value_key = ?"
            " ORDER BY id",
            (kind, fold_text(label), fold_text(value)),
        )
        return [r[0] for r in rows]

    def attribute_labels(self) -> dict[str, int]:
        """Custom attribute labels seen, with how many records carry each."""
        rows = self._rows(
            "SELECT label, COUNT(DISTINCT kind || ':' || id) FROM attributes GROUP BY label_key"
        )
        return {str(label): int(n) for label, n in rows}

    def unknown(self, kind: RecordKind, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` the index does not hold."""
        held = self.ids(kind)
        return {i for i in ids if i not in held}


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
