"""Retry decisions: Retry-After parsing and which errors are retried blind."""

from __future__ import annotations

import datetime as dt

import pytest

from spott_migrate.client.retry import RetryPolicy, parse_retry_after
from spott_migrate.errors import OutcomeUnknownError, PermanentApiError, TransientApiError

NOW = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("Thu, 01 Jan 2026 12:00:10 GMT", 10.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("-5", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_blind_retry_only_when_not_processed() -> None:
    policy = RetryPolicy(retry_after_cap=60)
    assert policy.should_retry(TransientApiError("429", status=429, retry_after=1), blind_only=True)
    assert not policy.should_retry(OutcomeUnknownError("504", status=504), blind_only=True)
    assert policy.should_retry(OutcomeUnknownError("504", status=504))
    assert not policy.should_retry(PermanentApiError("400", status=400))
    assert not policy.should_retry(TransientApiError("429", status=429, retry_after=3600))


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(backoff_base=1, backoff_max=8)
    assert policy.wait_seconds(10, None, lambda: 1.0) == 8
    assert policy.wait_seconds(2, None, lambda: 0.5) == 1.0
    assert policy.wait_seconds(1, TransientApiError("x", retry_after=7), lambda: 0.0) == 7
