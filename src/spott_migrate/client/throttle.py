"""Keeping under Spott's per-key request rate, shared by every worker thread.

Two limits, both adjusted as answers come in (AIMD: additive increase, multiplicative decrease):

- **rate**: a token bucket never lets more than the configured ceiling start per minute. After a
  429 the rate drops to a little under what the server was actually accepting, and everyone
  pauses for the ``Retry-After``; while all is well it creeps back up by 1 % a second.
- **window**: how many requests may be in flight. It starts at two, grows by one per window of
  quick successes, shrinks by one when latency climbs well above its best, and halves on a 429.

The limit is per key, not per thread, so one object serves the whole run.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# After one decrease, no other for this long: one overload shows up in several answers.
_COOLDOWN = 1.0
# Latency this many times the best seen counts as "rising".
_SLOW_FACTOR = 2.5


class RateLimiter:
    """Blocks callers so that at most ``per_minute`` requests start per minute."""

    def __init__(
        self,
        per_minute: float,
        *,
        max_window: int = 4,
        adaptive: bool = True,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ceiling = per_minute / 60.0
        self.burst = max(1, burst)
        # Refill a little under the ceiling so that neither a burst nor a server counting in
        # one-second windows sees it exceeded.
        self._max_rate = max(
            self.ceiling * 0.5, min(self.ceiling - self.burst / 60.0, 0.98 * self.ceiling)
        )
        self.rate = self._max_rate
        self.adaptive = adaptive
        self.max_window = max(1, max_window)
        self._window = float(min(2, self.max_window)) if adaptive else float(self.max_window)
        self._tokens = float(self.burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._paused_until = 0.0
        self._last_cut = -_COOLDOWN
        self._best_latency: float | None = None
        self._streak = 0
        self._accepted: deque[float] = deque()  # times of recent successful answers
        self._lock = threading.Lock()

    @property
    def window(self) -> int:
        """Requests that may be in flight now."""
        with self._lock:
            return max(1, int(self._window))

    def acquire(self) -> None:
        """Wait for a token (and for any pause to end)."""
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = self._paused_until - now
                if wait <= 0:
                    if self._tokens >= 1 - 1e-9:  # float error must not spin forever
                        self._tokens -= 1
                        return
                    wait = (1 - self._tokens) / self.rate
            self._sleep(min(wait, 1.0))

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (after a 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._tokens = 0.0

    def observe(self, status: int | None, elapsed: float) -> None:
        """Learn from one answer: its status (None: no answer) and how long it took."""
        if not self.adaptive:
            return
        with self._lock:
            now = self._clock()
            if status == 429:
                self._throttled(now)
            elif status is not None and status < 500:
                self._healthy(now, elapsed)

    def _refill(self, now: float) -> None:
        if self.adaptive and self.rate < self._max_rate and now - self._last_cut > _COOLDOWN:
            grown = self.rate * (1.01 ** (now - self._stamp))
            self.rate = min(self._max_rate, grown)
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _throttled(self, now: float) -> None:
        if now - self._last_cut < _COOLDOWN:
            return
        self._last_cut = now
        while self._accepted and now - self._accepted[0] > 2.0:
            self._accepted.popleft()
        accepted_rate = len(self._accepted) / 2.0
        # Just under what the server was taking, rather than blindly half: a gentler sawtooth.
        target = 0.85 * accepted_rate if accepted_rate else self.rate * 0.5
        self.rate = max(self._max_rate / 100, min(self.rate, target))
        self._window = max(1.0, self._window / 2)
        self._streak = 0

    def _healthy(self, now: float, elapsed: float) -> None:
        self._accepted.append(now)
        if len(self._accepted) > 4096:
            self._accepted.popleft()
        best = self._best_latency
        self._best_latency = elapsed if best is None else min(elapsed, best * 1.001)
        if best is not None and elapsed > _SLOW_FACTOR * best and self._window > 1:
            if now - self._last_cut >= _COOLDOWN:
                self._last_cut = now
                self._window = max(1.0, self._window - 1)
            return
        self._streak += 1
        if self._streak >= self._window:
            self._streak = 0
            self._window = min(float(self.max_window), self._window + 1)
