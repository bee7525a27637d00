"""The shared limiter, rule by rule, on a fake clock.

A hard per-minute ceiling; 429s judged stray or a limit; the rate that worked remembered and
returned to; the in-flight window judged against a moving median, not the best sample.
"""

from __future__ import annotations

import random

import pytest

from spott_migrate.client.throttle import Limit, RateLimiter


class FakeTime:
    """A clock that only moves when someone sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(t: FakeTime, per_minute: float = 6000, **kwargs: object) -> RateLimiter:
    return RateLimiter(per_minute, clock=t.clock, sleep=t.sleep, **kwargs)  # type: ignore[arg-type]


def answer(
    lim: RateLimiter,
    t: FakeTime,
    seconds: float,
    *,
    per_second: float,
    refused: float = 0.0,
    latency: float = 0.05,
    seed: int = 0,
    retry_after: float | None = 1.0,
) -> None:
    """Answers at a steady pace for ``seconds``, a share ``refused`` of them 429s (seeded)."""
    rng = random.Random(seed)
    for _ in range(round(seconds * per_second)):
        t.now += 1 / per_second
        if rng.random() < refused:
            lim.observe(429, 0.01, retry_after=retry_after)
        else:
            lim.observe(201, latency)


def send(
    lim: RateLimiter,
    t: FakeTime,
    seconds: float,
    *,
    refused: float = 0.0,
    seed: int = 0,
    latency: float = 0.05,
    every: int | None = None,
) -> int:
    """Send as fast as the limiter lets, for ``seconds``; a share ``refused`` answered 429
    (seeded), or with ``every`` each ``every``-th. Return how many requests started."""
    rng = random.Random(seed)
    end, count = t.now + seconds, 0
    while t.now < end:
        lim.acquire()
        count += 1
        if (count % every == 0) if every else rng.random() < refused:
            lim.observe(429, 0.01, retry_after=1.0)
        else:
            lim.observe(201, latency)
    return count


def starts_in(lim: RateLimiter, t: FakeTime, seconds: float) -> int:
    """How many requests the limiter lets start in the next ``seconds``."""
    end, count = t.now + seconds, 0
    while True:
        lim.acquire()
        if t.now >= end:
            return count
        count += 1


# -- the ceiling ---------------------------------------------------------------------------------


def test_ceiling_is_never_exceeded_in_any_minute() -> None:
    t = FakeTime()
    lim = limiter(t, 120, burst=5)
    starts = []
    for _ in range(600):
        lim.acquire()
        starts.append(t.now)
    for i, start in enumerate(starts):
        in_window = sum(1 for s in starts[i:] if s < start + 60)
        assert in_window <= 120


def test_the_ceiling_holds_through_probing_after_a_limit() -> None:
    t = FakeTime()
    lim = limiter(t, 1200)
    answer(lim, t, 2, per_second=20, refused=0.5)  # a limit: the rate steps down
    assert lim.limits_found
    answer(lim, t, 120, per_second=20)  # then two clean minutes of probing upward
    assert lim.rate <= 20
    assert starts_in(lim, t, 60) <= 1200


# -- stray 429s ----------------------------------------------------------------------------------


def test_a_stray_429_changes_nothing_for_the_others() -> None:
    t = FakeTime()
    lim = limiter(t)
    answer(lim, t, 3, per_second=20)
    full = lim.rate
    lim.observe(429, 0.01, retry_after=30)
    assert lim.rate == full
    assert lim.limits_found == []
    assert lim.stray_429s == 1
    began = t.now
    lim.acquire()  # nobody else is paused for the stray one's Retry-After
    assert t.now - began < 0.1


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("share", [0.03, 0.05])
def test_stray_429s_at_a_few_percent_keep_the_run_at_its_ceiling(share: float, seed: int) -> None:
    t = FakeTime()
    lim = limiter(t, 1200)  # ceiling 20/s
    sent = send(lim, t, 300, refused=share, seed=seed)
    assert sent >= 0.98 * 300 * 19.6  # the ceiling's rate, less a little under the minute's
    assert len(lim.limits_found) <= 3  # a false alarm, if any, is rare (five minutes here)…
    assert lim.stray_429s >= 0.8 * share * sent  # …and the rest were taken for what they are


@pytest.mark.parametrize("seed", range(3))
def test_even_eight_percent_strays_do_not_make_the_rate_collapse(seed: int) -> None:
    t = FakeTime()
    lim = limiter(t, 1200)
    sent = send(lim, t, 300, refused=0.08, seed=seed)
    assert sent >= 0.75 * 300 * 19.6


# -- a real limit --------------------------------------------------------------------------------


def overshoot(
    lim: RateLimiter, t: FakeTime, *, limit: int, sending: float, retry_after: float = 1
) -> float:
    """Send at ``sending`` a second, well above a server that takes ``limit`` a second: each
    second its first ``limit`` requests are taken, the rest refused (``Retry-After``). Every
    answer comes 50 ms after its request. Stop at the limiter's first verdict; return when the
    first 429 came."""
    found = len(lim.limits_found)
    taken: dict[int, int] = {}
    first_refusal = None
    while len(lim.limits_found) == found:
        t.now += 1 / sending
        second = int(t.now - 0.05)
        taken[second] = taken.get(second, 0) + 1
        status = 201 if taken[second] <= limit else 429
        if status == 429 and first_refusal is None:
            first_refusal = t.now
        lim.observe(status, 0.05, retry_after=retry_after)
    assert first_refusal is not None
    return first_refusal


@pytest.mark.parametrize("pattern", ["RRR", "R.R.R.R", "RR.R..R"])
def test_a_burst_is_a_limit(pattern: str) -> None:
    t = FakeTime()
    lim = limiter(t, 6000, max_window=4)  # ceiling 100/s; four in flight: four of eight
    answer(lim, t, 3, per_second=20)
    for mark in pattern:
        t.now += 0.02
        lim.observe(429 if mark == "R" else 201, 0.05, retry_after=3)
    assert lim.limits_found == [Limit.BURST]


def test_after_a_burst_everyone_waits_for_room_and_the_rate_is_what_the_server_took() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)  # ceiling 100/s
    first_refusal = overshoot(lim, t, limit=20, sending=50, retry_after=3)
    assert lim.limits_found == [Limit.BURST]
    assert lim.good_rate == pytest.approx(0.98 * 20, rel=0.05)  # a little under what it took
    assert lim.rate == pytest.approx(lim.good_rate)  # the pause refills its budget already
    lim.acquire()
    # "3" is rounded up by the server: room may come two seconds on, and everyone waits for that.
    assert t.now == pytest.approx(first_refusal + 2, abs=0.01)


def test_a_burst_with_retry_after_one_waits_only_until_the_servers_second_has_passed() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)
    first_refusal = overshoot(lim, t, limit=20, sending=50, retry_after=1)
    assert lim.limits_found == [Limit.BURST]
    lim.acquire()
    # "1" is rounded up: the second the server counted began with its first answer (at 0.02),
    # so there is room a second after that, sooner than the Retry-After said.
    assert t.now == pytest.approx(1 / 50 + 1, abs=0.01)
    assert t.now < first_refusal + 1
    assert lim.rate == pytest.approx(lim.good_rate)  # the pause refilled the server's budget


def test_a_request_resting_before_its_retry_is_not_in_flight() -> None:
    t = FakeTime()
    lim = limiter(t)
    seen: list[int] = []
    lim._sleep = lambda seconds: seen.append(lim.resting)  # look while asleep
    lim.rest(1.0)
    assert seen == [1]
    assert lim.resting == 0


def test_a_burst_without_retry_after_pauses_briefly() -> None:
    t = FakeTime()
    lim = limiter(t)
    answer(lim, t, 3, per_second=20)
    for _ in range(5):
        t.now += 0.01
        lim.observe(429, 0.01, retry_after=None)
    began = t.now
    lim.acquire()
    assert 0.5 <= t.now - began <= 1.1


def test_a_persisting_share_is_a_limit_without_a_pause_and_the_rate_steps_under() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)
    i = 0
    while not lim.limits_found:  # every fifth answer refused: never a burst
        t.now += 1 / 30
        lim.observe(429 if i % 5 == 4 else 201, 0.05, retry_after=1)
        i += 1
    assert lim.limits_found == [Limit.PERSISTING]
    assert lim.good_rate == pytest.approx(0.98 * 24, rel=0.1)  # 4 in 5 of 30 a second taken
    assert lim.rate == pytest.approx(0.95 * lim.good_rate)
    began = t.now
    lim.acquire()
    assert t.now - began < 0.1


def test_429s_to_requests_sent_before_a_cut_do_not_cut_again() -> None:
    t = FakeTime()
    lim = limiter(t)
    answer(lim, t, 3, per_second=20)
    for _ in range(5):
        t.now += 0.01
        lim.observe(429, 0.01, retry_after=1)
    assert len(lim.limits_found) == 1
    cut = lim.rate
    for _ in range(4):  # the requests that were in flight come back refused too
        t.now += 0.01
        lim.observe(429, 0.2, retry_after=1)
    assert len(lim.limits_found) == 1
    assert lim.rate == cut
    for _ in range(3):  # but refusals of requests sent since are news
        t.now += 0.01
        lim.observe(429, 0.005, retry_after=1)
    assert len(lim.limits_found) == 2


def test_a_cut_that_does_not_lower_the_share_of_429s_is_undone() -> None:
    t = FakeTime()
    lim = limiter(t, 1200)
    send(lim, t, 20)  # at the ceiling, clean
    for _ in range(5):  # an unlucky cluster: taken for a limit
        t.now += 0.01
        lim.observe(429, 0.01, retry_after=0)
    assert lim.limits_found == [Limit.BURST]
    assert lim.good_rate < 19.6
    # Strays whatever the rate (one in twelve): the lower rate did not make them fewer.
    send(lim, t, 10, every=12)
    assert lim.undone == 1
    assert lim.good_rate == pytest.approx(19.6)


def test_a_cut_that_stops_the_429s_is_kept() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)  # ceiling 100/s
    overshoot(lim, t, limit=20, sending=50)
    found = lim.good_rate
    send(lim, t, 10)  # below the limit: no more 429s
    assert lim.undone == 0
    assert lim.good_rate == pytest.approx(found, rel=0.01)


def test_a_probe_above_the_rate_that_works_ends_at_the_first_unusual_429s() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)
    overshoot(lim, t, limit=20, sending=50)
    send(lim, t, 30)  # clean: the rate probes upward, gently; what it held clean is proven
    proven = lim.good_rate
    assert lim.rate > proven
    limits = len(lim.limits_found)
    # Now the probe meets the limit: one in five refused, which the rate that works never got.
    count = 0
    while len(lim.limits_found) == limits:
        lim.acquire()
        count += 1
        lim.observe(429 if count % 5 == 0 else 201, 0.05, retry_after=1)
    assert lim.limits_found[limits:] == [Limit.PROBE]
    assert lim.rate == lim.good_rate == pytest.approx(proven, rel=0.01)  # back, no lower


def test_a_probed_rate_becomes_the_rate_that_works_only_after_five_clean_seconds() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)
    overshoot(lim, t, limit=20, sending=50)
    worked = lim.good_rate
    send(lim, t, 30)
    assert lim.good_rate > worked  # promoted while clean
    send(lim, t, 1)
    lim.observe(429, 0.01, retry_after=1)  # rates held five clean seconds before still count
    proven = lim.good_rate
    for _ in range(6):  # a 429 a second: nothing more is proven, though the probe goes on
        send(lim, t, 1)
        lim.observe(429, 0.01, retry_after=1)
    assert lim.good_rate == proven
    assert lim.rate > proven


# -- returning to the rate that worked -----------------------------------------------------------


def test_back_to_the_rate_that_worked_two_seconds_after_a_limit() -> None:
    t = FakeTime()
    lim = limiter(t, 6000)
    i = 0
    while not lim.limits_found:  # a persisting share: the rate steps under the rate that works
        t.now += 1 / 30
        lim.observe(429 if i % 5 == 4 else 201, 0.05, retry_after=1)
        i += 1
    worked = lim.good_rate
    assert lim.rate < worked
    answer(lim, t, 2.1, per_second=20)  # clean answers
    lim.acquire()
    assert lim.rate >= worked


def test_a_false_alarm_costs_seconds_not_minutes() -> None:
    t = FakeTime()
    lim = limiter(t, 1200)  # ceiling 20/s, reached at once
    ceiling_rate = lim.rate
    answer(lim, t, 3, per_second=ceiling_rate)
    for _ in range(5):  # an unlucky cluster of strays
        t.now += 0.01
        lim.observe(429, 0.01, retry_after=1)
    assert lim.rate < ceiling_rate
    send(lim, t, 20)  # clean answers, as fast as the limiter lets them go
    assert lim.rate == pytest.approx(ceiling_rate)


def test_probing_upward_speeds_up_the_longer_answers_stay_clean() -> None:
    t = FakeTime()
    lim = limiter(t, 60_000)  # ceiling 1000/s
    answer(lim, t, 3, per_second=20)
    for _ in range(3):  # the server refuses: a limit at about 20 a second
        t.now += 0.005
        lim.observe(429, 0.01, retry_after=0)
    found = lim.good_rate
    rates = []
    for _ in range(45):  # then clean answers, second after second
        send(lim, t, 1)
        rates.append(lim.rate)
    assert rates[9] < 1.05 * found  # ten seconds on: still close to the limit just found
    assert rates[39] > 2 * found  # forty seconds: more than twice as fast
    assert rates[44] > 10 * found


# -- the in-flight window ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_window_grows_to_its_maximum_under_ordinary_jitter(seed: int) -> None:
    t = FakeTime()
    lim = limiter(t, 60_000, max_window=8)
    rng = random.Random(seed)
    for _ in range(2000):  # latency uniform 0-200 ms, plus 5 ms of service
        t.now += 0.01
        lim.observe(201, 0.005 + rng.uniform(0, 0.2))
    assert lim.window == 8


def test_window_shrinks_when_the_median_latency_doubles() -> None:
    t = FakeTime()
    lim = limiter(t, 60_000, max_window=6)
    rng = random.Random(1)
    for _ in range(300):
        lim.observe(201, rng.uniform(0.05, 0.15))
    assert lim.window == 6
    for _ in range(64):  # the server starts queueing: every answer takes 3× as long
        lim.observe(201, rng.uniform(0.25, 0.35))
    assert lim.window < 6


def test_a_single_slow_answer_does_not_shrink_the_window() -> None:
    t = FakeTime()
    lim = limiter(t, 60_000, max_window=6)
    for _ in range(100):
        lim.observe(201, 0.02)
    lim.observe(201, 0.5)  # 25× the rest
    for _ in range(20):
        lim.observe(201, 0.02)
    assert lim.window == 6


def test_not_adaptive_keeps_both_at_their_ceilings_but_honours_a_burst() -> None:
    t = FakeTime()
    lim = limiter(t, 600, max_window=4, adaptive=False)
    full = lim.rate
    answer(lim, t, 3, per_second=5)
    for _ in range(5):
        t.now += 0.01
        lim.observe(429, 0.01, retry_after=3)
    assert lim.window == 4
    assert lim.rate == full
    began = t.now
    lim.acquire()
    assert t.now - began == pytest.approx(2, abs=0.05)  # "3": room may come two seconds on
