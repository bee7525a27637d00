"""Writes from several threads made durable together (a group commit).

Each assign intent must be on disk before its request goes out, and a sync to disk is the
slowest step of a small file's whole trip. Threads that want a sync while another thread's is
under way wait for it to finish; then one of them writes and syncs everything that waited, in
one transaction. Every caller still returns only once its own rows are on disk, or raises the
error of the write that carried them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")


class GroupSync(Generic[Row]):
    """``write(rows)`` (one durable transaction) shared by the threads that call at once."""

    def __init__(self, write: Callable[[Sequence[Row]], None]) -> None:
        self._write = write
        self._changed = threading.Condition()
        self._waiting: list[Row] = []
        self._collecting = 0  # the number of the batch that rows given now go into
        self._finished = -1  # the last batch written (or failed)
        self._busy = False  # a batch is being written
        self._failures: dict[int, BaseException] = {}

    def write(self, rows: Sequence[Row]) -> None:
        """Return once ``rows`` are written, by this thread or by one that took them along."""
        with self._changed:
            self._waiting.extend(rows)
            mine = self._collecting
            while self._finished < mine:
                if not self._busy:  # lead: take every row that waits, ours among them
                    self._busy = True
                    batch, self._waiting = self._waiting, []
                    self._collecting += 1
                    break
                self._changed.wait()
            else:
                failure = self._failures.get(mine)
                if failure is not None:
                    raise failure
                return
        failure = None
        try:
            self._write(batch)
        except BaseException as exc:  # every thread whose rows it carried learns of it
            failure = exc
        with self._changed:
            self._busy, self._finished = False, mine
            if failure is not None:
                self._failures[mine] = failure
            self._changed.notify_all()
        if failure is not None:
            raise failure
