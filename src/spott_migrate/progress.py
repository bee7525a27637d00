"""Progress reporting as a small protocol, so the terminal, the notebook and tests can listen.

``TqdmProgress`` draws two bars (files and bytes) with ``tqdm.auto``, which picks the notebook
widget or the terminal bar by itself; ``NullProgress`` listens to nothing. The bars' rate, and
so their ETA, is the run's measured rate over the last seconds (`RateMeter`): when the server
makes the run slow down or lets it speed up, the ETA says so within seconds, where the average
since the start would take minutes and tqdm's own smoothing of update gaps jumps about.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from tqdm.auto import tqdm

#: Seconds of progress the measured rate is taken over.
RATE_WINDOW_SECONDS = 15.0
#: Before this much of a run has gone by there is no measured rate yet.
RATE_MIN_SECONDS = 2.0


class RateMeter:
    """Units per second over the last `RATE_WINDOW_SECONDS` (or since the start, if shorter)."""

    def __init__(
        self,
        window: float = RATE_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window = window
        self._clock = clock
        self._started = clock()
        self._total = 0.0
        self._marks: deque[tuple[float, float]] = deque([(self._started, 0.0)])  # (when, total)
        self._lock = threading.Lock()

    def add(self, amount: float) -> None:
        """``amount`` more units are done (negative: taken back)."""
        with self._lock:
            now = self._clock()
            self._total += amount
            self._marks.append((now, self._total))
            # Keep one mark at or before the window's start, to measure the whole window.
            while len(self._marks) > 1 and now - self._marks[1][0] >= self._window:
                self._marks.popleft()

    def rate(self) -> float | None:
        """Units per second lately; None until `RATE_MIN_SECONDS` of the run have gone by."""
        with self._lock:
            now = self._clock()
            if now - self._started < RATE_MIN_SECONDS:
                return None
            since = max(self._started, now - self._window)
            before = self._marks[0][1]
            for at, total in self._marks:
                if at >= since:
                    break
                before = total
            return max(0.0, (self._total - before) / (now - since))


class _MeasuredBar(tqdm):
    """A tqdm bar whose rate, and so its ETA, comes from a `RateMeter`."""

    def __init__(self, *args: Any, meter: RateMeter, **kwargs: Any) -> None:
        self._meter = meter  # before tqdm's own set-up, which draws the bar once
        super().__init__(*args, **kwargs)

    @property
    def format_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = super().format_dict
        measured = self._meter.rate()
        if measured is not None:
            values["rate"] = measured
        return values


class Progress(Protocol):
    """What the executor tells whoever is watching."""

    def start(self, files: int, total_bytes: int) -> None:
        """The run is about to send ``files`` files, ``total_bytes`` bytes in all."""

    def advance_bytes(self, n: int) -> None:
        """``n`` more bytes went out (negative: a failed attempt's bytes are taken back)."""

    def file_done(self, status: str, code: str | None = None) -> None:
        """One file reached a final status this run (``assigned`` or ``failed``)."""

    def close(self) -> None:
        """The run is over."""


class NullProgress:
    """Reports nothing."""

    def start(self, files: int, total_bytes: int) -> None:
        pass

    def advance_bytes(self, n: int) -> None:
        pass

    def file_done(self, status: str, code: str | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class TqdmProgress:
    """Two tqdm bars: files (with counts per status) and bytes, each with its measured rate
    and the ETA at that rate."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, **tqdm_kwargs: Any) -> None:
        self._kwargs = tqdm_kwargs
        self._clock = clock
        self._files: Any = None
        self._bytes: Any = None
        self._file_rate = RateMeter(clock=clock)
        self._byte_rate = RateMeter(clock=clock)
        self._counts: dict[str, int] = {}

    def start(self, files: int, total_bytes: int) -> None:
        # The run starts now: the meters measure from here, not from when this was made.
        self._file_rate = RateMeter(clock=self._clock)
        self._byte_rate = RateMeter(clock=self._clock)
        self._files = _MeasuredBar(
            total=files,
            desc="files",
            unit="file",
            position=0,
            meter=self._file_rate,
            **self._kwargs,
        )
        self._bytes = _MeasuredBar(
            total=total_bytes,
            desc="bytes",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            position=1,
            meter=self._byte_rate,
            **self._kwargs,
        )

    def advance_bytes(self, n: int) -> None:
        self._byte_rate.add(n)
        if self._bytes is not None:
            self._bytes.update(n)

    def file_done(self, status: str, code: str | None = None) -> None:
        self._counts[status] = self._counts.get(status, 0) + 1
        self._file_rate.add(1)
        if self._files is not None:
            self._files.update(1)
            self._files.set_postfix(self._counts, refresh=False)

    def eta_seconds(self) -> float | None:
        """Seconds until every file is done at the measured rate (what the files bar shows)."""
        rate = self._file_rate.rate()
        if self._files is None or not rate:
            return None
        return max(0.0, (self._files.total - self._files.n) / rate)

    def close(self) -> None:
        for bar in (self._files, self._bytes):
            if bar is not None:
                bar.close()
