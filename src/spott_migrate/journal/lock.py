"""One run per manifest: a lock file beside it, with a way to clear one left by a dead run."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path

from ..errors import LockedError
from .sidecars import lock_path

# A lock from another machine (a shared folder) is only trusted for this long.
FOREIGN_LOCK_MAX_AGE = 24 * 3600.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class ManifestLock:
    """``with ManifestLock(path):`` holds the manifest for this process, or raises LockedError."""

    def __init__(self, manifest_path: Path, tag: str | None = None) -> None:
        self.path = lock_path(manifest_path, tag)
        self._held = False

    def __enter__(self) -> ManifestLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, clearing a stale one (dead pid on this host, or too old elsewhere)."""
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                raise LockedError(self._held_by_message()) from None
            with os.fdopen(fd, "w") as handle:
                json.dump(me, handle)
            self._held = True
            return
        raise LockedError(self._held_by_message())

    def release(self) -> None:
        """Give the lock back (only if this process holds it)."""
        if self._held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self._held = False

    def _owner(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _stale(self) -> bool:
        owner = self._owner()
        if owner is None:
            # Unreadable or half-written: stale once it is older than a few seconds.
            try:
                return time.time() - self.path.stat().st_mtime > 10
            except FileNotFoundError:
                return True
        pid, host = owner.get("pid"), owner.get("host")
        started = float(owner.get("started") or 0)  # type: ignore[arg-type]
        if host == socket.gethostname() and isinstance(pid, int):
            return not _alive(pid)
        return time.time() - started > FOREIGN_LOCK_MAX_AGE

    def _held_by_message(self) -> str:
        owner = self._owner() or {}
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(owner.get("started") or 0)))  # type: ignore[arg-type]
        return (
            f"another run is using this manifest (pid {owner.get('pid')} on {owner.get('host')},"
            f" since {when}); wait for it to finish, or delete {self.path.name} if it is gone"
        )
