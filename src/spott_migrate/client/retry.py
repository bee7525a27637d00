"""How long to wait before trying a request again, and whether to try at all.

The loop itself is tenacity's; this module supplies the decisions: which errors are worth a
retry, how long ``Retry-After`` says to wait (seconds or an HTTP date; garbage is ignored), and
exponential backoff with full jitter otherwise.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState

from ..errors import OutcomeUnknownError, TransientApiError


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Per-request retry settings."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # A Retry-After above this is not waited out inside the request: the error goes up so the
    # executor can defer that work and keep the worker busy with other rows.
    retry_after_cap: float = 60.0

    def should_retry(self, exc: BaseException, *, blind_only: bool = False) -> bool:
        """Whether ``exc`` is worth another attempt.

        With ``blind_only`` (the assign call) only failures that prove nothing was processed
        qualify: a 429, or an error before any byte was sent.
        """
        if not isinstance(exc, TransientApiError):
            return False
        if exc.retry_after is not None and exc.retry_after > self.retry_after_cap:
            return False
        return not (blind_only and isinstance(exc, OutcomeUnknownError))

    def wait_seconds(
        self, attempt: int, exc: BaseException | None, rng: Callable[[], float]
    ) -> float:
        """Retry-After when the server gave one, else capped exponential backoff, fully jittered."""
        if isinstance(exc, TransientApiError) and exc.retry_after is not None:
            return exc.retry_after
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempt - 1))
        return rng() * ceiling

    def tenacity_wait(
        self, rng: Callable[[], float] = random.random
    ) -> Callable[[RetryCallState], float]:
        """The wait strategy in tenacity's shape."""

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_seconds(state.attempt_number, exc, rng)

        return wait
