"""Switchable faults: rules that decide, per request, whether and how the sandbox misbehaves.

A rule names an endpoint (``upload``, ``assign``, ``list``, ``search``, ``record`` or ``*``),
a kind, and when it fires:

- ``times=N``: on the next N matching requests;
- ``every=K``: on every Kth matching request;
- ``probability=p`` (with ``seed`` for repeatable runs): at random;
- none of them: on every matching request.

``after=M`` lets the first M matching requests through before any of that counts.
``slow`` waits ``delay`` seconds plus, with ``jitter``, a uniform random 0..``jitter`` more
(seeded like ``probability``): network latency. ``rate_limit`` ignores the triggers: it fires
whenever ``rate`` requests a second were already let through for its endpoint within the last
``window`` seconds (a sliding window, default one second; ``rate=20, window=60`` is 1,200 a
minute), and answers 429 with a ``Retry-After`` saying when the oldest of them leaves the window
(whole seconds, at least one), unless ``retry_after`` fixes the header.

Several rules may fire on one request: ``slow`` delays add up, and the first other rule in
insertion order decides what happens; a ``times`` rule is only used up when it is the one
that decides (or is a ``slow`` rule that fired).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spott_migrate.errors import ConfigError

FAULT_KINDS = (
    "status_before",
    "status_after",
    "drop_before",
    "drop_after",
    "slow",
    "bad_json",
    "rate_limit",
)
FAULT_ENDPOINTS = ("upload", "assign", "list", "search", "record", "*")
#: Kinds that answer without the request being processed.
BEFORE_KINDS = frozenset({"status_before", "drop_before", "rate_limit"})

_DEFAULT_STATUS = {"status_before": 503, "status_after": 504}
_SPEC_KEYS = frozenset(
    {
        "endpoint",
        "kind",
        "status",
        "retry_after",
        "delay",
        "jitter",
        "rate",
        "window",
        "times",
        "every",
        "probability",
        "seed",
        "after",
    }
)


def _check_int(name: str, value: Any, minimum: int) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"fault {name} must be an integer")
    if value is not None and value < minimum:
        raise ConfigError(f"fault {name} must be at least {minimum}")


def _check_number(name: str, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConfigError(f"fault {name} must be a number")


@dataclass
class FaultRule:
    """One fault rule; build it with `Faults.add` so it is validated."""

    endpoint: str
    kind: str
    status: int | None = None
    retry_after: str | None = None
    delay: float | None = None
    jitter: float | None = None
    rate: float | None = None
    window: float | None = None
    times: int | None = None
    every: int | None = None
    probability: float | None = None
    seed: int | None = None
    after: int = 0
    seen: int = field(default=0, init=False)
    applied: int = field(default=0, init=False)
    _rng: random.Random = field(init=False, repr=False)
    _window: deque[float] = field(default_factory=deque, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.endpoint not in FAULT_ENDPOINTS:
            raise ConfigError(f"fault endpoint must be one of {FAULT_ENDPOINTS}")
        if self.kind not in FAULT_KINDS:
            raise ConfigError(f"fault kind must be one of {FAULT_KINDS}")
        _check_int("status", self.status, 200)
        # The answer carries the error envelope, so statuses without a body cannot be used.
        if self.status is not None and (self.status > 599 or self.status in (204, 304)):
            raise ConfigError("fault status must be 200-599 and allow a body (not 204/304)")
        if self.status is None:
            self.status = _DEFAULT_STATUS.get(self.kind)
        if isinstance(self.retry_after, int | float) and not isinstance(self.retry_after, bool):
            self.retry_after = str(self.retry_after)  # a convenience for Python callers
        if self.retry_after is not None and not isinstance(self.retry_after, str):
            raise ConfigError("fault retry_after must be a string (the raw header value)")
        for name in ("delay", "jitter", "rate", "window", "probability"):
            _check_number(name, getattr(self, name))
        for name, minimum in (("times", 1), ("every", 1), ("after", 0), ("seed", -(2**63))):
            _check_int(name, getattr(self, name), minimum)
        triggers = [n for n in ("times", "every", "probability") if getattr(self, n) is not None]
        if len(triggers) > 1:
            raise ConfigError(f"give at most one of times/every/probability, not {triggers}")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ConfigError("fault probability must be between 0 and 1")
        if self.kind == "slow":
            self.delay = 1.0 if self.delay is None else float(self.delay)
            if self.delay < 0:
                raise ConfigError("slow fault delay must not be negative")
        if self.jitter is not None and (self.kind != "slow" or self.jitter < 0):
            raise ConfigError("jitter is for slow faults, and must not be negative")
        if self.window is not None and (self.kind != "rate_limit" or self.window <= 0):
            raise ConfigError("window is for rate_limit faults, and must be positive")
        if self.kind == "rate_limit":
            if self.rate is None or self.rate <= 0:
                raise ConfigError("rate_limit fault needs a positive rate (requests per second)")
            if triggers:
                raise ConfigError("rate_limit fires by rate; do not give times/every/probability")
            self.window = 1.0 if self.window is None else float(self.window)
        self._rng = random.Random(self.seed)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> FaultRule:
        """Build a rule from a JSON-style mapping with the same keys as `Faults.add`."""
        if not isinstance(spec, Mapping):
            raise ConfigError("a fault must be a JSON object")
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise ConfigError(f"unknown fault keys: {sorted(unknown)}")
        if "kind" not in spec:
            raise ConfigError("a fault needs a 'kind'")
        return cls(**{"endpoint": "*", **spec})

    def matches(self, endpoint: str) -> bool:
        return self.endpoint in ("*", endpoint)

    def due(self, now: float) -> bool:
        """Count one matching request and say whether this rule fires on it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.kind == "rate_limit":
            return not self._admit(now)
        if self.times is not None:
            return self.applied < self.times
        if self.every is not None:
            return (self.seen - self.after) % self.every == 0
        if self.probability is not None:
            return self._rng.random() < self.probability
        return True

    def _admit(self, now: float) -> bool:
        window = self._window
        assert self.rate is not None and self.window is not None
        while window and now - window[0] >= self.window:
            window.popleft()
        if len(window) >= max(1, int(self.rate * self.window)):
            return False
        window.append(now)
        return True

    def delay_now(self) -> float:
        """A ``slow`` rule's delay for one request, its jitter drawn."""
        assert self.delay is not None
        return self.delay + (self._rng.uniform(0, self.jitter) if self.jitter else 0.0)

    def retry_after_at(self, now: float) -> str | None:
        """The ``Retry-After`` header of this rule's answer: as given, or for ``rate_limit``
        the whole seconds until the oldest request in the window leaves it."""
        if self.retry_after is not None or self.kind != "rate_limit":
            return self.retry_after
        assert self.window is not None
        free_in = self.window - (now - self._window[0]) if self._window else 0.0
        return str(max(1, math.ceil(free_in)))

    def to_spec(self) -> dict[str, Any]:
        """The rule's settings and counters, JSON-ready."""
        spec = {k: getattr(self, k) for k in sorted(_SPEC_KEYS)}
        return {k: v for k, v in spec.items() if v is not None} | {
            "seen": self.seen,
            "applied": self.applied,
        }


@dataclass(frozen=True)
class FaultPlan:
    """What the faults say about one request."""

    delay: float = 0.0
    action: FaultRule | None = None
    fired: tuple[str, ...] = ()
    retry_after: str | None = None  # the header of the deciding rule's answer


class Faults:
    """The live rule list; safe to change from any thread while the server runs."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._clock = clock

    def add(
        self,
        endpoint: str,
        kind: str,
        *,
        status: int | None = None,
        retry_after: str | None = None,
        delay: float | None = None,
        jitter: float | None = None,
        rate: float | None = None,
        window: float | None = None,
        times: int | None = None,
        every: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        after: int = 0,
    ) -> FaultRule:
        """Add a rule and return it (its ``seen``/``applied`` counters stay live)."""
        rule = FaultRule(
            endpoint=endpoint,
            kind=kind,
            status=status,
            retry_after=retry_after,
            delay=delay,
            jitter=jitter,
            rate=rate,
            window=window,
            times=times,
            every=every,
            probability=probability,
            seed=seed,
            after=after,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def extend(self, specs: Iterable[Mapping[str, Any]]) -> list[FaultRule]:
        """Add several rules from JSON-style mappings; none is added if any is invalid."""
        rules = [FaultRule.from_spec(spec) for spec in specs]
        with self._lock:
            self._rules.extend(rules)
        return rules

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_spec() for rule in self._rules]

    def __len__(self) -> int:
        with self._lock:
            return len(self._rules)

    def decide(self, endpoint: str) -> FaultPlan:
        """Consult every rule for one request to ``endpoint``."""
        now = self._clock()
        delay, action, fired = 0.0, None, []
        with self._lock:
            for rule in self._rules:
                if not rule.matches(endpoint) or not rule.due(now):
                    continue
                if rule.kind == "slow":
                    delay += rule.delay_now()
                elif action is None:
                    action = rule
                else:
                    continue  # shadowed by an earlier rule: not used up
                rule.applied += 1
                fired.append(rule.kind)
            retry_after = action.retry_after_at(now) if action else None
        return FaultPlan(delay=delay, action=action, fired=tuple(fired), retry_after=retry_after)
