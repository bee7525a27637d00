"""The order in which a plan's steps are started: pure bookkeeping, no HTTP, no threads.

The executor asks :meth:`StepQueue.next_step` whenever a worker is free and reports back with
:meth:`StepQueue.finished`. The rules, each written once:

- a step put off by a long ``Retry-After`` goes first once it is due;
- an assign goes as soon as every upload it waits for is done (temporary uploads expire);
- otherwise the next upload in plan order;
- an assign whose files all travel in one upload batch *rides* with that batch (the worker that
  uploads the batch assigns it straight after), so it is never queued on its own;
- a step put off ``MAX_DEFERRALS`` times is given up for this run (its rows stay as they are).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..plan import AssignGroup, Plan, Step, UploadBatch

# How often a step put off by a long Retry-After is tried again within one run.
MAX_DEFERRALS = 3


@dataclass(frozen=True, slots=True)
class Started:
    """A step handed to a worker, with how often it had been put off before."""

    step: Step
    deferrals: int = 0


@dataclass(frozen=True, slots=True)
class PutOff:
    """A step to try again ``seconds`` from now, and why (a ``Retry-After`` too long to wait)."""

    step: Step
    seconds: float
    reason: str


@dataclass(order=True)
class _Due:
    at: float
    order: int  # ties keep the order they were put off in
    started: Started = field(compare=False)


def riding_groups(plan: Plan) -> dict[int, list[AssignGroup]]:
    """Upload batch index -> the assigns that ride with it (all their files are in it)."""
    riders: dict[int, list[AssignGroup]] = {}
    for group in plan.groups:
        if len(group.after) == 1:
            riders.setdefault(next(iter(group.after)), []).append(group)
    return riders


class StepQueue:
    """The steps of one plan still to start, in the order the rules above give."""

    def __init__(self, plan: Plan, riders: Mapping[int, Sequence[AssignGroup]]) -> None:
        self._plan_order: deque[Step] = deque(plan.steps)
        self._riding = {g.index for groups in riders.values() for g in groups}
        self._waiting: list[AssignGroup] = []  # assigns whose uploads are not all done
        self._due: list[_Due] = []  # steps put off, by when they may go again
        self._uploaded: set[int] = set()
        self._counter = itertools.count()

    def __bool__(self) -> bool:
        return bool(self._plan_order or self._waiting or self._due)

    def next_due_in(self, now: float) -> float | None:
        """Seconds until the earliest step put off may go (None: nothing is put off)."""
        return max(0.0, self._due[0].at - now) if self._due else None

    def next_step(self, now: float) -> Started | None:
        """The step to start now, or None when nothing can start yet."""
        if self._due and self._due[0].at <= now:
            return heapq.heappop(self._due).started
        self._park_leading_assigns()
        ready = next((g for g in self._waiting if g.after <= self._uploaded), None)
        if ready is not None:
            self._waiting.remove(ready)
            return Started(ready)
        while self._plan_order:
            step = self._plan_order.popleft()
            if isinstance(step, UploadBatch):
                return Started(step)
            self._park(step)
        return None

    def finished(self, started: Started, put_off: Iterable[PutOff], now: float) -> list[PutOff]:
        """Record a step's end; queue what it put off. Returns the steps given up for good."""
        given_up: list[PutOff] = []
        itself_put_off = False
        for later in put_off:
            tries = started.deferrals + 1 if later.step is started.step else 1
            if tries >= MAX_DEFERRALS:
                given_up.append(later)
                continue
            itself_put_off |= later.step is started.step
            due = _Due(now + later.seconds, next(self._counter), Started(later.step, tries))
            heapq.heappush(self._due, due)
        if isinstance(started.step, UploadBatch) and not itself_put_off:
            self._uploaded.add(started.step.index)
        return given_up

    def _park_leading_assigns(self) -> None:
        # Assigns that come next in plan order follow uploads already started: wait beside.
        while self._plan_order and isinstance(self._plan_order[0], AssignGroup):
            group = self._plan_order.popleft()
            assert isinstance(group, AssignGroup)
            self._park(group)

    def _park(self, group: AssignGroup) -> None:
        """An assign waits for its uploads, unless it rides with its one batch."""
        if group.index not in self._riding:
            self._waiting.append(group)
