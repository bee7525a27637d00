"""A :class:`~spott_migrate.progress.Progress` that keeps live counts for a display to draw.

The executor reports from its worker threads; this object counts under a lock and hands a frozen
:class:`ProgressSnapshot` to ``on_update`` at most every ``min_interval`` seconds (and always at
start and close), so a fast run does not flood the notebook's front-end with widget messages.
An update held back by that limit is sent when the interval is over, so the display never stays
behind, e.g. when the last request before a pause finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ProgressSnapshot:
    """The run's numbers at one moment."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_sent: int = 0
    by_status: Mapping[str, int] = field(default_factory=dict)
    by_code: Mapping[str, int] = field(default_factory=dict)
    # Seconds the run has been going, not counting time spent paused.
    elapsed: float = 0.0
    paused: bool = False
    started: bool = False
    finished: bool = False

    @property
    def fraction(self) -> float:
        """How far along, 0..1: the mean of the bytes and the files fractions.

        Bytes lead (uploads) and files lag (a file is done once assigned), so their mean moves
        more evenly than either alone.
        """
        by_bytes = self.bytes_sent / self.bytes_total if self.bytes_total else 1.0
        by_files = self.files_done / self.files_total if self.files_total else 1.0
        return max(0.0, min(1.0, (by_bytes + by_files) / 2))

    @property
    def bytes_per_second(self) -> float:
        """Average upload rate so far."""
        return self.bytes_sent / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds still to go at the pace so far; None before there is a pace."""
        if self.finished:
            return 0.0
        done = self.fraction
        if done <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed * (1 - done) / done


class LiveProgress:
    """Counts files (per status and per code) and bytes; tells ``on_update`` as it goes."""

    def __init__(
        self,
        on_update: Callable[[ProgressSnapshot], None] | None = None,
        *,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_update = on_update
        self._min_interval = min_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._files_total = 0
        self._bytes_total = 0
        self._files_done = 0
        self._bytes_sent = 0
        self._by_status: dict[str, int] = {}
        self._by_code: dict[str, int] = {}
        self._started_at: float | None = None
        self._paused_at: float | None = None
        self._paused_for = 0.0
        self._finished = False
        self._last_sent = float("-inf")
        self._flush: threading.Timer | None = None

    # -- the Progress protocol (called by the executor) ---------------------------------------
    def start(self, files: int, total_bytes: int) -> None:
        with self._lock:
            self._files_total, self._bytes_total = files, total_bytes
            self._started_at = self._clock()
        self._emit(force=True)

    def advance_bytes(self, n: int) -> None:
        with self._lock:
            self._bytes_sent = max(0, self._bytes_sent + n)
        self._emit()

    def file_done(self, status: str, code: str | None = None) -> None:
        with self._lock:
            self._files_done += 1
            self._by_status[status] = self._by_status.get(status, 0) + 1
            if code:
                self._by_code[code] = self._by_code.get(code, 0) + 1
        self._emit()

    def close(self) -> None:
        with self._lock:
            if self._flush is not None:  # the final update below says everything
                self._flush.cancel()
                self._flush = None
            if self._paused_at is not None:
                self._paused_for += self._clock() - self._paused_at
                self._paused_at = None
            self._finished = True
        self._emit(force=True)

    # -- pause bookkeeping (called by whoever pauses the run) ----------------------------------
    def pause(self) -> None:
        """The run is paused: stop the clock, so the ETA does not count the wait."""
        with self._lock:
            if self._paused_at is None and not self._finished:
                self._paused_at = self._clock()
        self._emit(force=True)

    def resume(self) -> None:
        """The run goes on."""
        with self._lock:
            if self._paused_at is not None:
                self._paused_for += self._clock() - self._paused_at
                self._paused_at = None
        self._emit(force=True)

    # -- reading -------------------------------------------------------------------------------
    def snapshot(self) -> ProgressSnapshot:
        """The numbers now."""
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> ProgressSnapshot:
        now = self._paused_at if self._paused_at is not None else self._clock()
        elapsed = 0.0
        if self._started_at is not None:
            elapsed = max(0.0, now - self._started_at - self._paused_for)
        return ProgressSnapshot(
            files_total=self._files_total,
            files_done=self._files_done,
            bytes_total=self._bytes_total,
            bytes_sent=min(self._bytes_sent, self._bytes_total) if self._bytes_total else 0,
            by_status=MappingProxyType(dict(self._by_status)),
            by_code=MappingProxyType(dict(self._by_code)),
            elapsed=elapsed,
            paused=self._paused_at is not None,
            started=self._started_at is not None,
            finished=self._finished,
        )

    def _emit(self, *, force: bool = False) -> None:
        if self._on_update is None:
            return
        with self._lock:
            now = self._clock()
            wait = self._min_interval - (now - self._last_sent)
            if not force and wait > 0:
                if self._flush is None:  # send it once the interval is over
                    self._flush = threading.Timer(wait, self._flush_now)
                    self._flush.daemon = True
                    self._flush.start()
                return
            self._last_sent = now
            snap = self._snapshot_locked()
        self._on_update(snap)

    def _flush_now(self) -> None:
        with self._lock:
            self._flush = None
        self._emit(force=True)
