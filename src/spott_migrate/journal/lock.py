"""One writer per manifest, whatever the mode: operating-system locks that die with their process.

A plain run or ``merge`` may touch any row, so it holds the manifest's lock exclusively. Shards
of one split (``--shard K/4`` for every K) own disjoint rows and share that lock, so they can run
side by side; each also holds its own shard's lock exclusively, so no shard runs twice. Shards of
*different* splits (2/4 and 1/3) own overlapping rows: a shard refuses to start while a shard of
another split is running.

The locks are ``filelock``'s: a reader/writer lock (SQLite's own file locking) for the manifest
and plain file locks for shards, so they work on Windows, macOS and Linux alike and are released
by the operating system when a run is killed — there is no stale lock to clear by hand.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import filelock

from ..errors import LockedError
from .sidecars import SHARD_PREFIX, lock_path, shard_lock_paths


class ManifestLock:
    """``with ManifestLock(path):`` holds the manifest for this run, or raises ``LockedError``.

    ``tag`` is a shard's tag (``shard-2-of-4``); without one the lock is exclusive.
    """

    def __init__(self, manifest_path: Path, tag: str | None = None) -> None:
        self.manifest_path = manifest_path
        self.tag = tag
        self.path = lock_path(manifest_path)
        self._manifest: filelock.ReadWriteLock | None = None
        self._shard: filelock.BaseFileLock | None = None

    def __enter__(self) -> ManifestLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the locks this mode needs, without waiting; raise ``LockedError`` if held."""
        try:
            if self.tag is None:
                self._take_manifest(shared=False)
            else:
                # Own shard first, then the others' checks: of two runs starting together, the
                # later check always sees the earlier lock (at worst both refuse; never both run).
                self._take_shard()
                self._take_manifest(shared=True)
                self._refuse_other_splits()
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Give back whatever this object holds."""
        if self._manifest is not None:
            self._manifest.release()
            self._manifest.close()
            self._manifest = None
        if self._shard is not None:
            self._shard.release()
            self._shard = None

    # ------------------------------------------------------------------ steps
    def _take_manifest(self, *, shared: bool) -> None:
        lock: filelock.ReadWriteLock | None = None
        try:
            lock = filelock.ReadWriteLock(self.path, timeout=0, blocking=False, is_singleton=False)
            if shared:
                lock.acquire_read()
            else:
                lock.acquire_write()
        except filelock.Timeout:
            if lock is not None:
                lock.close()
            raise LockedError(self._held_message(shared=shared)) from None
        except OSError as exc:
            raise LockedError(_unwritable(self.path, exc)) from None
        except sqlite3.Error as exc:
            if lock is not None:
                lock.close()
            raise LockedError(
                f"cannot lock {self.manifest_path.name} ({exc}); delete {self.path.name} if it "
                "is not a lock file this version made"
            ) from None
        self._manifest = lock

    def _take_shard(self) -> None:
        assert self.tag is not None
        lock = filelock.FileLock(lock_path(self.manifest_path, self.tag), timeout=0)
        try:
            lock.acquire(blocking=False)
        except filelock.Timeout:  # (a TimeoutError, so an OSError: test it first)
            raise LockedError(
                f"shard {_shard_name(self.tag)} of this manifest is already running elsewhere; "
                "wait for it to finish"
            ) from None
        except OSError as exc:
            raise LockedError(_unwritable(lock_path(self.manifest_path, self.tag), exc)) from None
        self._shard = lock

    def _refuse_other_splits(self) -> None:
        assert self.tag is not None
        count = _shard_count(self.tag)
        for other in shard_lock_paths(self.manifest_path):
            tag = other.name[len(self.manifest_path.name) + 1 :].split(".")[0]
            if _shard_count(tag) == count:
                continue
            probe = filelock.FileLock(other, timeout=0)
            try:
                probe.acquire(blocking=False)
            except filelock.Timeout:
                raise LockedError(
                    f"shard {_shard_name(tag)} of this manifest is running; shards of another "
                    f"split ({_shard_name(self.tag)}) would send some of the same rows — use "
                    "the same N on every machine"
                ) from None
            probe.release()

    def _held_message(self, *, shared: bool) -> str:
        if shared:
            return (
                "another run is using this manifest (a plain run or merge, which shards cannot "
                "run beside); wait for it to finish"
            )
        running = [p for p in shard_lock_paths(self.manifest_path) if _is_held(p)]
        if running:
            tags = [p.name[len(self.manifest_path.name) + 1 :].split(".")[0] for p in running]
            names = ", ".join(_shard_name(t) for t in tags)
            return (
                f"another run is using this manifest (shard {names}); a plain run or merge waits "
                "until the shards are done"
            )
        return "another run is using this manifest; wait for it to finish"


def _unwritable(path: Path, exc: OSError) -> str:
    return (
        f"cannot write in {path.parent}: {exc.strerror or exc}; the run keeps its lock and "
        "journal beside the manifest, so copy the manifest and its files to a writable folder"
    )


def _is_held(path: Path) -> bool:
    probe = filelock.FileLock(path, timeout=0)
    try:
        probe.acquire(blocking=False)
    except filelock.Timeout:
        return True
    probe.release()
    return False


def _shard_count(tag: str) -> int | None:
    found = re.fullmatch(rf"{SHARD_PREFIX}\d+-of-(\d+)", tag)
    return int(found.group(1)) if found else None


def _shard_name(tag: str) -> str:
    found = re.fullmatch(rf"{SHARD_PREFIX}(\d+)-of-(\d+)", tag)
    return f"{found.group(1)}/{found.group(2)}" if found else tag
