"""Keeping under Spott's per-key request rate, shared by every worker thread.

An API key is often shared with the agency's other integrations (job boards, the website), so
429s come in two kinds: *stray* ones, when someone else used the key's budget for a moment, and
a *limit*, when this run is the one sending too fast. Only a limit calls for a lower rate.

- **Ceiling**: a token bucket never lets more than the configured ``per_minute`` start. It is
  never exceeded, whatever the server says.
- **Rate**: each 429 is weighed against the answers around it. A *burst* (about half of the
  last answers refused, or three in a row) or a *persisting share* (a tenth of the last ten
  seconds' answers more than the key's usual share of strays) means a limit. The rate that
  works becomes a little under what the server took in the second before it refused, and the
  rate goes there. After a burst every caller first waits until the first 429's
  ``Retry-After`` may have passed: it counts whole seconds, so servers round it up, and the wait
  ends once a second has passed since the first request the server took in the second before
  it refused (a limit counted per second has room then), though never a second or more early.
  After a persisting share the rate steps a little further under for two seconds. Anything
  less is stray: only the refused request waits, following its own ``Retry-After`` (the retry
  policy). A 429 to a request sent before the last verdict is old news.
- **Probation**: the lower rate is an experiment. A real limit's 429s fall away below it;
  strays come whatever the rate, so when the share of 429s does not fall clearly over the next
  hundred answers the verdict is undone and the rate that worked before is back.
- **Probing**: after two seconds without another limit the rate is back at the rate that works,
  then probes upward, gently at first and faster the longer answers stay clean. A rate held for
  five seconds without a single 429 becomes the rate that works; 429s beyond the usual share
  while probing end the probe, back at the rate that works.
- **Window**: how many requests may be in flight. It grows by one per window of answers and
  shrinks by one when the median latency of the last answers reaches twice the median of the
  last few hundred: a moving percentile, so ordinary network jitter is not read as congestion.
  A request resting before a retry is not in flight, so it does not hold a place.

The limit is per key, not per thread, so one object serves the whole run.
"""

from __future__ import annotations

import itertools
import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

# --- telling a limit from stray 429s
# Chosen so that strays at up to 5 % of answers make a false alarm a few times an hour at most
# (simulated at 8-50 answers a second), while an overshoot of a limit by a tenth is caught.
# A burst: k of the last 2k answers refused, k being the most requests in flight, but three to
# five (each refused request waits out its Retry-After, so a hard limit may refuse only one per
# worker before they all sleep); or three in a row.
_BURST_MIN = 5
_BURST_RUN = 3
_BURST_ANSWERS = 10  # the last answers a burst's first 429 is looked for in
_PERSIST_SECONDS = 10.0
_PERSIST_SHARE = 0.10
_PERSIST_MIN = 10
_PERSIST_ANSWERS = 50  # a share of fewer answers is too noisy to act on
# While probing above the rate that works, a smaller excess over the usual share of 429s in
# the last few seconds (judged as unlikely from chance) ends the probe: just above a limit a
# 429 comes every second or so, and each one is a request that must wait out its Retry-After.
_PROBE_SECONDS = 5.0
_PROBE_SHARE = 0.02
_PROBE_MIN = 3
# After a burst or persisting share, this many answers at the lower rate are the experiment.
_TRIAL_ANSWERS = 100
# What the server takes: the requests it accepted that were sent in the second before it
# began refusing (limits are mostly counted per second or per minute).
_TAKEN_SECONDS = 1.0
_BACKGROUND_SECONDS = 60.0
_BACKGROUND_PRIOR = 100  # answers' worth of "no strays" to start from
_BACKGROUND_MAX = 0.05
_USUAL_PRIOR = 20
# Answers count towards the background while the rate is within this of the rate that works.
_BACKGROUND_BAND = 1.02
# --- what a limit does to the rate
# The rate that works is a little under what the server accepted (sending at exactly its limit
# gets refusals from timing noise alone), and for two seconds the rate steps further under, to
# let the server's bucket refill.
_MARGIN = 0.98
_STEP_UNDER = 0.95
_HOLD_SECONDS = 2.0  # this long without a new limit counts as clean
# A rate probed above the rate that works must go this long without a single 429 to become it:
# just above a limit, 429s come every second or two.
_PROVEN_SECONDS = 5.0
_DEFAULT_PAUSE = 1.0  # a burst of 429s that named no Retry-After
# Growth per second above the rate that works: 0.1 % at first, doubling every 5 clean seconds
# up to 25 %: a limit just found is not hammered (each 429 idles a worker for its Retry-After),
# yet ten times the rate is reached within 45 s of clean answers.
_PROBE = 0.001
_PROBE_DOUBLING_SECONDS = 5.0
_PROBE_MAX = 0.25
# --- the in-flight window
_RECENT = 16  # latencies judged together
_BASELINE = 256  # latencies the baseline median is taken over
_SLOW_FACTOR = 2.0


class Limit(Enum):
    """How 429s were judged to show a real limit."""

    BURST = "burst"  # half of the last answers refused, or several in a row
    PERSISTING = "persisting"  # refused persistently more often than the key's background
    PROBE = "probe"  # refused more than the background since the rate rose above what works


class _Answer:
    """One answer, as the rate control remembers it."""

    __slots__ = ("at", "background", "refused", "rounded", "sent", "wait")

    def __init__(
        self,
        at: float,
        sent: float,
        refused: bool,
        background: bool,
        wait: float = 0.0,
        rounded: bool = False,
    ) -> None:
        self.at = at
        self.sent = sent
        self.refused = refused
        self.background = background
        self.wait = wait  # a 429's Retry-After (or the default pause), in seconds
        # Whole seconds from the server: HTTP's Retry-After has no fractions, so it is rounded
        # up, and "1" may mean a tenth of a second.
        self.rounded = rounded


class _Answers:
    """Recent answers: when each came and its request left, whether it was a 429, and the key's
    background share.

    The *background* is the share of 429s the key gets anyway, measured over the last minute
    on answers that came while the run was at or under the rate that works (not probing above
    it), to requests sent since the last limit. Those 429s are someone else's doing, so they
    are not held against the rate.
    """

    def __init__(self) -> None:
        self._log: deque[_Answer] = deque()
        self._bg_answers = 0
        self._bg_refused = 0

    def add(self, answer: _Answer) -> None:
        self._log.append(answer)
        if answer.background:
            self._bg_answers += 1
            self._bg_refused += answer.refused
        while self._log and answer.at - self._log[0].at > _BACKGROUND_SECONDS:
            self._drop_background(self._log.popleft())

    def tally(
        self, now: float, seconds: float, sent_after: float, most: int | None = None
    ) -> tuple[int, int]:
        """Answers and 429s of the last ``seconds`` (and at most the last ``most`` answers),
        counting only requests sent after ``sent_after``."""
        answers = refused = 0
        for answer in reversed(self._log):
            if answer.at <= now - seconds or answers == most:
                break
            if answer.sent > sent_after:
                answers += 1
                refused += answer.refused
        return answers, refused

    def _recent_refusals(self, most: int, sent_after: float) -> list[_Answer]:
        recent = itertools.islice(reversed(self._log), most)
        return [a for a in recent if a.refused and a.sent > sent_after]

    def taken_before_refusal(self, most: int, sent_after: float) -> tuple[int, int] | None:
        """Answers and 429s to the requests sent in the `_TAKEN_SECONDS` before the earliest
        refused one (sent after ``sent_after``) among the last ``most`` answers; None if there
        is no such refused one."""
        first = min((a.sent for a in self._recent_refusals(most, sent_after)), default=None)
        if first is None:
            return None
        window = [a for a in self._log if first - _TAKEN_SECONDS < a.sent <= first]
        return len(window), sum(a.refused for a in window)

    def first_room(self, most: int, sent_after: float) -> float:
        """When there may be room again, by the earliest 429 (to a request sent after
        ``sent_after``) among the last ``most`` answers: when its ``Retry-After`` said, or, if
        that was rounded up to whole seconds, as soon as a second has passed since the first
        answer the server gave in the second before it refused (a limit counted per second has
        room then), but not before a second less than it said."""
        refusals = self._recent_refusals(most, sent_after)
        if not refusals:
            return 0.0
        first = min(refusals, key=lambda a: a.at + a.wait)
        said = first.at + first.wait
        if not first.rounded:
            return said
        taken = [
            a.at
            for a in self._log
            if not a.refused and first.sent - _TAKEN_SECONDS < a.sent <= first.sent
        ]
        per_second = min(taken, default=said - _TAKEN_SECONDS) + _TAKEN_SECONDS
        return max(said - 1, min(said, per_second))

    def background(self) -> float:
        """The key's share of 429s we did not cause, cautiously: none at first, one in twenty
        at most (a limit we overshoot from the start must not pass for the background)."""
        share = self._bg_refused / (self._bg_answers + _BACKGROUND_PRIOR)
        return min(_BACKGROUND_MAX, share)

    def usual(self) -> float:
        """The share of 429s at the rate that works, as measured (to compare a probe with)."""
        return self._bg_refused / (self._bg_answers + _USUAL_PRIOR)

    def not_background(self, since: float) -> None:
        """The answers since ``since`` showed a limit: they say nothing about the background."""
        for answer in reversed(self._log):
            if answer.at < since:
                break
            self._drop_background(answer)

    def _drop_background(self, answer: _Answer) -> None:
        if answer.background:
            answer.background = False
            self._bg_answers -= 1
            self._bg_refused -= answer.refused


@dataclass
class _Trial:
    """A limit on probation: the lower rate is the experiment. A real limit's 429s fall away
    below it; strays come whatever the rate, and then the verdict is undone."""

    good_rate: float  # before the verdict
    rate: float
    answers: int  # answers and 429s that led to the verdict
    refused: int
    watch_from: float  # answers to requests sent after this are the experiment's

    def undo(self, answers: int, refused: int) -> bool:
        """Whether the share of 429s failed to fall clearly (by two standard errors)."""
        before, after = self.refused / self.answers, refused / answers
        pooled = (self.refused + refused) / (self.answers + answers)
        error = math.sqrt(pooled * (1 - pooled) * (1 / self.answers + 1 / answers))
        return before - after < 2 * error


class _Latency:
    """Latencies of successful answers; every `_RECENT` of them, a verdict on congestion."""

    def __init__(self) -> None:
        self._recent: deque[float] = deque(maxlen=_RECENT)
        self._baseline: deque[float] = deque(maxlen=_BASELINE)
        self._fresh = 0

    def add(self, elapsed: float) -> bool | None:
        """Record one; return whether latency is rising when a group is complete, else None."""
        self._recent.append(elapsed)
        self._baseline.append(elapsed)
        self._fresh += 1
        if self._fresh < _RECENT or len(self._baseline) < 2 * _RECENT:
            return None
        self._fresh = 0
        return statistics.median(self._recent) > _SLOW_FACTOR * statistics.median(self._baseline)


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
        self._floor = self._max_rate / 100
        self.rate = self._max_rate
        self.adaptive = adaptive
        self.max_window = max(1, max_window)
        self._window = float(min(2, self.max_window)) if adaptive else float(self.max_window)
        self._tokens = float(self.burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._paused_until = 0.0
        self._good_rate = self._max_rate
        self._hold_until = self._stamp
        self._marks: deque[tuple[float, float]] = deque()  # (when, rate) while probing upward
        self._probe_since: float | None = None  # when the rate rose above the rate that works
        self._trial: _Trial | None = None
        self.undone = 0  # limits found to be strays after all
        self._evidence_since = self._stamp  # 429s to requests sent before a cut are old news
        self._answers = _Answers()
        self._latency = _Latency()
        self._streak = 0
        self._congested = False
        self.limits_found: list[Limit] = []
        self.stray_429s = 0
        self._resting = 0
        self._lock = threading.Lock()

    @property
    def window(self) -> int:
        """Requests that may be in flight now."""
        with self._lock:
            return max(1, int(self._window))

    @property
    def resting(self) -> int:
        """Requests waiting to be tried again (see :meth:`rest`)."""
        with self._lock:
            return self._resting

    @property
    def good_rate(self) -> float:
        """Requests per second last seen to work (the ceiling until a limit is found)."""
        with self._lock:
            return self._good_rate

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

    def rest(self, seconds: float) -> None:
        """Sleep before a request is tried again. A resting request is not in flight: while it
        waits out a ``Retry-After``, its place in the window may be used by another."""
        with self._lock:
            self._resting += 1
        try:
            self._sleep(seconds)
        finally:
            with self._lock:
                self._resting -= 1

    def observe(
        self, status: int | None, elapsed: float, *, retry_after: float | None = None
    ) -> None:
        """Learn from one answer: its status (None: no answer), how long it took, and for a 429
        the ``Retry-After`` in seconds, if the server gave one."""
        with self._lock:
            now = self._clock()
            # Probing above the rate that works, or sent before the last limit, 429s may be ours.
            sent = now - elapsed
            near = self.rate <= self._good_rate * _BACKGROUND_BAND
            background = sent > self._evidence_since and near
            if status == 429:
                wait = _DEFAULT_PAUSE if retry_after is None else retry_after
                rounded = (
                    retry_after is not None and retry_after >= 1 and float(retry_after).is_integer()
                )
                self._answers.add(_Answer(now, sent, True, background, wait, rounded))
                self._throttled(now)
            elif status is not None and status < 500:
                self._answers.add(_Answer(now, sent, False, background))
                if self.adaptive:
                    self._healthy(elapsed)
            if self._trial is not None:
                self._judge_trial(now)

    # ------------------------------------------------------------------ internals
    def _pause(self, now: float, seconds: float) -> None:
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = 0.0

    def _refill(self, now: float) -> None:
        if self.adaptive and now >= self._hold_until:
            if self.rate < self._good_rate:
                self.rate = self._good_rate  # clean again: straight back to what worked
            elif self.rate < self._max_rate:
                clean = now - self._hold_until
                growth = min(_PROBE_MAX, _PROBE * 2 ** (clean / _PROBE_DOUBLING_SECONDS))
                elapsed = max(0.0, now - max(self._stamp, self._hold_until))
                self.rate = min(self._max_rate, self.rate * (1 + growth) ** elapsed)
            self._prove(now)
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _prove(self, now: float) -> None:
        """A rate held for `_PROVEN_SECONDS` without a 429 becomes the rate that works."""
        marks = self._marks
        if self.rate <= self._good_rate:
            self._probe_since = None
        elif self._probe_since is None:
            self._probe_since = now
        if self.rate > self._good_rate and (not marks or now - marks[-1][0] >= 0.25):
            marks.append((now, self.rate))
        while marks and now - marks[0][0] >= _PROVEN_SECONDS:
            self._good_rate = max(self._good_rate, marks.popleft()[1])

    def _verdict(self, now: float) -> Limit | None:
        since = self._evidence_since
        least = max(_BURST_RUN, min(_BURST_MIN, self.max_window))
        _, refused = self._answers.tally(now, _PERSIST_SECONDS, since, 2 * least)
        if refused >= least:
            return Limit.BURST
        answers, refused = self._answers.tally(now, _PERSIST_SECONDS, since, _BURST_RUN)
        if answers == refused == _BURST_RUN:
            return Limit.BURST
        answers, refused = self._answers.tally(now, _PERSIST_SECONDS, since)
        enough = answers >= _PERSIST_ANSWERS and refused >= _PERSIST_MIN
        if enough and refused >= (self._answers.background() + _PERSIST_SHARE) * answers:
            return Limit.PERSISTING
        if self._probe_since is not None:
            # Strays come whatever our rate; a limit's 429s come once the rate is above it.
            answers, refused = self._answers.tally(
                now, _PROBE_SECONDS, max(since, self._probe_since)
            )
            usual = self._answers.usual()
            expected = usual * answers
            unusual = expected + 2 * math.sqrt(expected * (1 - usual)) + 1
            if refused >= max(_PROBE_MIN, (usual + _PROBE_SHARE) * answers, unusual):
                return Limit.PROBE
        return None

    def _throttled(self, now: float) -> None:
        limit = self._verdict(now)
        self._marks.clear()  # a probed rate that met a 429 is not proven, stray or not
        if limit is None:
            self.stray_429s += 1  # only the refused request waits, in the retry policy
            return
        self.limits_found.append(limit)
        evidence, self._evidence_since = self._evidence_since, now
        self._probe_since = None
        self._answers.not_background(now - _PERSIST_SECONDS)
        if limit is Limit.BURST:
            # Most of what we send is refused: sending more before there is room is waste. The
            # 429s of a burst echo one condition, so the first one's Retry-After says when;
            # each refused request still waits out its own (the retry policy).
            self._pause(now, self._answers.first_room(_BURST_ANSWERS, evidence) - now)
        if not self.adaptive:
            return
        self._refill(now)
        self._marks.clear()  # (the refill may have marked the rate that was just refused)
        if limit is Limit.PROBE:
            # The probe went too far: back to the rate proven last, which stays what works.
            self.rate = self._good_rate
            self._hold_until = now + _HOLD_SECONDS
            return
        self._start_trial(now, evidence)
        taken = self._answers.taken_before_refusal(_BURST_ANSWERS, evidence)
        answers, refused = taken or (0, 0)
        # What the server was taking from us; the key's usual strays would have been taken too.
        strays = min(refused, self._answers.background() * answers)
        accepted = (answers - refused + strays) / _TAKEN_SECONDS
        self._good_rate = max(self._floor, min(self._max_rate, self.rate, _MARGIN * accepted))
        # After a pause the server's budget has refilled already: no need to step under too.
        under = 1.0 if self._paused_until > now else _STEP_UNDER
        self.rate = max(self._floor, under * self._good_rate)
        self._hold_until = max(now + _HOLD_SECONDS, self._paused_until + _HOLD_SECONDS / 2)
        if self._trial is not None:  # the experiment is what is sent after the hold
            self._trial.watch_from = self._hold_until

    def _start_trial(self, now: float, evidence: float) -> None:
        answers, refused = self._answers.tally(now, _PERSIST_SECONDS, evidence)
        trial = self._trial
        if trial is None:
            trial = _Trial(self._good_rate, self.rate, answers, refused, now)
        else:  # a limit again while on probation: the first verdict's rates are still the base
            trial.answers, trial.refused = trial.answers + answers, trial.refused + refused
        self._trial = trial
        trial.watch_from = now  # set again once the hold is known; see _throttled

    def _judge_trial(self, now: float) -> None:
        trial = self._trial
        assert trial is not None
        answers, refused = self._answers.tally(now, _BACKGROUND_SECONDS, trial.watch_from)
        if answers < _TRIAL_ANSWERS:
            return
        self._trial = None
        if trial.answers and trial.undo(answers, refused):
            self.undone += 1
            self._good_rate = max(self._good_rate, trial.good_rate)
            self.rate = max(self.rate, min(trial.rate, self._max_rate))

    def _healthy(self, elapsed: float) -> None:
        rising = self._latency.add(elapsed)
        if rising is not None:
            self._congested = rising
            if rising:
                self._window = max(1.0, self._window - 1)
                self._streak = 0
        if self._congested:
            return  # no growth until a group of answers is back to normal
        self._streak += 1
        if self._streak >= self._window:
            self._streak = 0
            self._window = min(float(self.max_window), self._window + 1)
