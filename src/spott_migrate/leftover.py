"""What is left to do, decided in one place: the check's plan and the run's plan are one.

From the journals' entries and the sheet's own marks, each row still to do is one of:

- **fresh**: nothing was sent, or its temporary upload is too old to assign — upload, assign;
- **assign only**: an upload whose temporary id is still good — only the assign is left;
- **looked up first**: its assign may have gone through unconfirmed (``assign_sent``), or the
  sheet alone calls it assigned (a claim) — its record is looked up in Spott before anything of
  it is sent; what Spott holds is marked assigned, the rest goes on as planned.

A dry run and the run that follows it plan with this same function, so what the dry run shows is
what the run does (rows Spott turns out to hold simply drop out of their steps).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .config import Settings
from .jobs import JobTable
from .journal import Entry, JournalView, State
from .plan import Plan, make_plan


@dataclass(frozen=True)
class Leftover:
    """Row keys by what is left of them (rows in neither set are fresh)."""

    assign_only: frozenset[str]
    looked_up: frozenset[str]


def what_is_left(
    entries: Mapping[str, Entry],
    claims: Collection[str],
    settings: Settings,
    *,
    now: float | None = None,
) -> Leftover:
    """Decide per row from its journal entry (only rows with a temporary upload are read)."""
    moment = time.time() if now is None else now
    view = JournalView.of(entries)
    assign_only: set[str] = set()
    looked_up = set(claims)
    for key in view.keys_in(State.UPLOADED, State.ASSIGN_SENT):
        entry = view[key]
        if entry.state is State.ASSIGN_SENT:
            looked_up.add(key)  # never sent again blind
        young = entry.uploaded_at is None or moment - entry.uploaded_at <= settings.temp_ttl_seconds
        if entry.temp_id and young:
            assign_only.add(key)
    return Leftover(frozenset(assign_only), frozenset(looked_up))


def plan_what_is_left(
    jobs: JobTable,
    entries: Mapping[str, Entry],
    claims: Collection[str],
    settings: Settings,
    *,
    now: float | None = None,
) -> Plan:
    """The plan for ``jobs`` given what the journals and the sheet say of them."""
    left = what_is_left(entries, claims, settings, now=now)
    keys = set(jobs.row_key) if left.assign_only or left.looked_up else set()
    return make_plan(
        jobs,
        settings,
        uploaded=left.assign_only & keys,
        looked_up=left.looked_up & keys,
    )
