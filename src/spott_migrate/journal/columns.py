"""The journal read as columns: every row's state at once, without an object per row.

A re-run of a mostly finished million-row manifest needs the state of every row, but a Python
object per row (an :class:`Entry`) would cost more than reading the manifest. ``JournalView``
keeps the merged journals as one DataFrame and is also a read-only ``Mapping[str, Entry]``
for callers that look rows up one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import SortedKeys, many_objects, object_array, shared
from .sidecars import journal_paths
from .store import SHEET_ROWS, Entry, Journal, State

# What a check and the result columns read for every row; an Entry's other fields are read
# for the rows looked up one by one.
COLUMNS = ("row_key", "state", "size", "attachment_id", "code", "message", "updated_at")
_STATES = {s.value: s for s in State}
_SHARED = ("state", "code", "message", "updated_at")


def _read_one(path: Path, sheet: str | None) -> pd.DataFrame:
    with Journal(path, sheet) as journal:
        return frame_of(journal)


def frame_of(journal: Journal) -> pd.DataFrame:
    """An open journal's rows as columns (``COLUMNS``), through its own connection."""
    journal.flush()
    with journal._lock, many_objects():
        rows = journal._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM rows {SHEET_ROWS}", (journal.sheet,)
        ).fetchall()
        columns = [[row[i] for row in rows] for i in range(len(COLUMNS))]
        del rows
        data = {
            name: shared(values) if name in _SHARED else object_array(values)
            for name, values in zip(COLUMNS, columns, strict=True)
        }
        # Gone before the collector runs again: it would walk every item of these lists.
        del columns
    return pd.DataFrame(data, columns=list(COLUMNS), dtype=object, copy=False)


def read_journals(
    manifest_path: Path, sheet: str | None, *, besides: Path | None = None
) -> pd.DataFrame:
    """Every journal's rows merged as :func:`load_entries` merges them (an assigned entry wins,
    else the most recent), indexed by row key; the columns are ``COLUMNS``. ``besides`` leaves
    one journal out (a run's own, which it reads through its open connection)."""
    paths = [p for p in journal_paths(manifest_path) if p != besides]
    return merged_frames([_read_one(path, sheet) for path in paths])


def merged_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Journals' frames as one, a row's truth chosen as :func:`load_entries` chooses it."""
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS)).set_index("row_key", drop=False)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(frames) > 1:
        frame = frame.assign(_done=frame["state"] == State.ASSIGNED.value)
        frame = frame.sort_values(["_done", "updated_at"], ascending=False, kind="stable")
        frame = frame.drop_duplicates("row_key").drop(columns="_done")
        # Concatenating may turn a missing value into NaN: back to None, as one journal has it.
        frame = frame.astype(object).where(frame.notna(), None)
    return frame.set_index("row_key", drop=False)


class JournalView(Mapping[str, Entry]):
    """The merged journals of a manifest: columns in ``frame``, an Entry when one is asked for
    (read from the journals then; a view of entries held in memory hands those back)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        manifest_path: Path | None = None,
        sheet: str | None = None,
        entries: Mapping[str, Entry] | None = None,
    ) -> None:
        self.frame = frame
        self._manifest_path, self._sheet, self._entries = manifest_path, sheet, entries
        self._own: Journal | None = None

    @classmethod
    def load(cls, manifest_path: Path, sheet: str | None) -> JournalView:
        """Read every journal of the manifest."""
        frame = read_journals(manifest_path, sheet)
        return cls(frame, manifest_path=manifest_path, sheet=sheet)

    @classmethod
    def live(cls, journal: Journal, others: pd.DataFrame, manifest_path: Path) -> JournalView:
        """A run's view: its own open journal (read through its connection) merged with the
        other journals beside the manifest, read once at the start (``read_journals(...,
        besides=journal.path)``): while the run holds the manifest, nobody else writes them."""
        own = frame_of(journal)
        frame = merged_frames([others.reset_index(drop=True), own] if len(others) else [own])
        view = cls(frame, manifest_path=manifest_path, sheet=journal.sheet)
        view._own = journal
        return view

    @classmethod
    def of(cls, entries: Mapping[str, Entry]) -> JournalView:
        """A view of entries held as objects (a run's own, a test's)."""
        if isinstance(entries, JournalView):
            return entries
        held = list(entries.values())
        with many_objects():
            data = {
                "row_key": object_array([e.row_key for e in held]),
                "state": object_array([e.state.value for e in held]),
                "size": object_array([e.size for e in held]),
                "attachment_id": object_array([e.attachment_id for e in held]),
                "code": object_array([e.code for e in held]),
                "message": object_array([e.message for e in held]),
                "updated_at": object_array([e.updated_at for e in held]),
            }
        frame = pd.DataFrame(data, columns=list(COLUMNS), dtype=object, copy=False)
        return cls(frame.set_index("row_key", drop=False), entries=entries)

    @functools.cached_property
    def key_set(self) -> frozenset[str]:
        """Every row key the journals know, made once (a million of them take a tenth of a
        second, and a check and its report ask several times)."""
        return frozenset(self.frame["row_key"].to_numpy().tolist())

    @functools.cached_property
    def _sorted_keys(self) -> SortedKeys | None:
        return SortedKeys.of(self.frame["row_key"].to_numpy().tolist())

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Each key's row in ``frame`` (-1 where the journals do not know it)."""
        if not len(self.frame):
            return np.full(len(keys), -1, dtype=np.int64)
        listed = keys.tolist()
        found = self._sorted_keys.positions(listed) if self._sorted_keys is not None else None
        if found is None:  # keys of another form: pandas' own look-up
            found = self.frame.index.get_indexer(keys)
        return found

    def keys_in(self, *states: State) -> frozenset[str]:
        """Row keys whose state is one of ``states``."""
        state = self.frame["state"].to_numpy()
        values = [s.value for s in states]
        if len(state) and bool((state == state[0]).all()):  # one state throughout (done)
            return self.key_set if state[0] in values else frozenset()
        wanted = self.frame["state"].isin(values).to_numpy()
        return frozenset(self.frame["row_key"].to_numpy()[wanted].tolist())

    def __getitem__(self, key: str) -> Entry:
        if key not in self.frame.index:
            raise KeyError(key)
        if self._entries is not None:
            return self._entries[key]
        assert self._manifest_path is not None
        found: list[Entry] = []
        if self._own is not None and (mine := _entry_in(self._own, key)) is not None:
            found.append(mine)
        for path in journal_paths(self._manifest_path):
            if self._own is not None and path == self._own.path:
                continue
            entry = _entry(path, self._sheet, key)
            if entry is not None:
                found.append(entry)
        if not found:
            raise KeyError(key)
        return max(found, key=lambda e: (e.state is State.ASSIGNED, e.updated_at))

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame["row_key"].tolist())

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, key: object) -> bool:
        return key in self.frame.index


def _entry(path: Path, sheet: str | None, key: str) -> Entry | None:
    """One row's entry in one journal (the fields in :meth:`Journal.entries`' order)."""
    with Journal(path, sheet) as journal:
        return _entry_in(journal, key)


def _entry_in(journal: Journal, key: str) -> Entry | None:
    return journal.entry(key)
