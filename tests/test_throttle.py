"""The shared limiter: a hard per-minute ceiling, AIMD on rate and on requests in flight."""

from __future__ import annotations

from spott_migrate.client.throttle import RateLimiter


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_ceiling_is_never_exceeded_in_any_minute() -> None:
    t = FakeTime()
    limiter = RateLimiter(120, burst=5, clock=t.clock, sleep=t.sleep)
    starts = []
    for _ in range(600):
        limiter.acquire()
        starts.append(t.now)
    for i, start in enumerate(starts):
        in_window = sum(1 for s in starts[i:] if s < start + 60)
        assert in_window <= 120


def test_429_cuts_rate_to_under_what_was_accepted_then_it_recovers() -> None:
    t = FakeTime()
    limiter = RateLimiter(6000, max_window=8, clock=t.clock, sleep=t.sleep)
    for _ in range(40):  # 20 answers a second were accepted for 2 s
        limiter.acquire()
        limiter.observe(201, 0.01)
        t.now += 0.05
    full = limiter.rate
    limiter.observe(429, 0.01)
    assert limiter.rate <= 0.85 * 20 + 1e-9 < full
    assert limiter.window == 4  # halved from 8
    cut = limiter.rate
    t.now += 60
    limiter.acquire()
    assert limiter.rate > cut * 1.5  # probes upward while healthy


def test_window_grows_when_healthy_and_shrinks_when_latency_climbs() -> None:
    t = FakeTime()
    limiter = RateLimiter(60000, max_window=6, clock=t.clock, sleep=t.sleep)
    assert limiter.window == 2
    for _ in range(50):
        limiter.observe(201, 0.02)
    assert limiter.window == 6
    t.now += 5
    limiter.observe(201, 0.5)  # 25× slower than the best seen
    assert limiter.window == 5


def test_not_adaptive_keeps_both_at_their_ceilings() -> None:
    limiter = RateLimiter(600, max_window=4, adaptive=False)
    limiter.observe(429, 0.01)
    assert limiter.window == 4
