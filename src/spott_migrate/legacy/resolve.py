"""Finding Spott candidates by e-mail, through ``GET /search/people``.

The search is fuzzy and also returns client contacts, so its answer is only a shortlist: a
hit counts when it is a candidate and one of its addresses equals the e-mail, ignoring case.
No hit leaves the row unresolved, several leave it ambiguous; nothing is ever guessed. Each
distinct address is searched once (the cache lives as long as the resolver); throttling and
retries belong to the client, and an outage stops the build rather than leaving every row
"unresolved".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import pandas as pd

from ..codes import Code
from ..errors import PermanentApiError
from .columns import BUILD_PROBLEM, LEGACY_EMAIL, LEGACY_ENTITY, RESOLVED_BY, TARGET_COLUMNS
from .problems import TARGET_CODES, add_reason, clear_target_problems, code_of, refresh

SEARCH_LIMIT = 25  # the documented default page of /search/people


class PeopleSearch(Protocol):
    """What resolution needs from a Spott client (`SpottClient` has it)."""

    def search_people(self, query: str, limit: int = 25) -> list[dict[str, Any]]:
        """The raw items of ``GET /search/people?query=…&limit=…``."""
        ...


@dataclass(frozen=True)
class EmailMatch:
    """What a search for one address found."""

    outcome: Literal["found", "unresolved", "ambiguous"]
    ids: tuple[str, ...] = ()
    reason: str = ""


def _addresses(item: Mapping[str, Any]) -> list[str]:
    # The documented field is a list of strings; some renderings wrap each in an object.
    raw = item.get("emailAddresses") or item.get("emails") or []
    if isinstance(raw, str):
        raw = [raw]
    out = []
    for entry in raw:
        if isinstance(entry, Mapping):
            entry = entry.get("email") or entry.get("emailAddress") or ""
        out.append(str(entry).strip().lower())
    return out


def candidate_ids_with_email(items: Sequence[Mapping[str, Any]], email: str) -> tuple[str, ...]:
    """Ids of the candidates among search hits that have exactly this address (any case)."""
    wanted = email.strip().lower()
    ids: list[str] = []
    for item in items:
        if str(item.get("entityType", "")).lower() != "candidate":
            continue
        record_id = str(item.get("id") or "")
        if record_id and wanted in _addresses(item) and record_id not in ids:
            ids.append(record_id)
    return tuple(ids)


class EmailResolver:
    """Looks up candidates by e-mail, each distinct address once."""

    def __init__(self, search: PeopleSearch, *, limit: int = SEARCH_LIMIT) -> None:
        self.search = search
        self.limit = limit
        self.cache: dict[str, EmailMatch] = {}
        self.searches = 0

    def resolve(self, email: str) -> EmailMatch:
        """The Spott candidate with this address, or why there is not exactly one."""
        key = email.strip().lower()
        if key in self.cache:
            return self.cache[key]
        if "@" not in key or " " in key:
            return EmailMatch("unresolved", reason=f"{email!r} is not an e-mail address")
        try:
            self.searches += 1
            items = self.search.search_people(key, limit=self.limit)
        except PermanentApiError as exc:
            # Spott refused this one query (an odd address): that row stays unresolved. Not
            # cached, so the next build asks again. Outages and auth failures propagate: the
            # client has retried already, and every other search would fail the same way.
            return EmailMatch("unresolved", reason=f"the e-mail search for {key} failed ({exc})")
        ids = candidate_ids_with_email(items, key)
        if len(ids) == 1:
            match = EmailMatch("found", ids)
        elif ids:
            match = EmailMatch(
                "ambiguous",
                ids,
                f"{len(ids)} Spott candidates have the e-mail {key}: {', '.join(ids)}",
            )
        else:
            match = EmailMatch("unresolved", reason=f"no Spott candidate has the e-mail {key}")
        self.cache[key] = match
        return match


def resolve_emails(df: pd.DataFrame, resolver: EmailResolver | PeopleSearch) -> pd.DataFrame:
    """Fill ``candidate_id`` of unresolved candidate rows by their ``legacy_email``.

    Rows already resolved, and rows whose crosswalk entry is ambiguous, are left alone; the
    ids found are marked ``resolved_by`` = ``email``.
    """
    if not isinstance(resolver, EmailResolver):
        resolver = EmailResolver(resolver)
    out = df.copy()
    column = TARGET_COLUMNS["candidate"]
    codes = out[BUILD_PROBLEM].map(code_of)
    open_rows = (
        (out[LEGACY_ENTITY] == "candidate")
        & (out[column] == "")
        & (~codes.isin(TARGET_CODES) | (codes == Code.UNRESOLVED))
    )
    hits: dict[object, str] = {}
    for index in out.index[open_rows]:
        email = str(out.at[index, LEGACY_EMAIL]).strip()
        if not email:
            add_reason(out, index, Code.UNRESOLVED, "no e-mail address to search by")
            continue
        match = resolver.resolve(email)
        if match.outcome == "found":
            hits[index] = match.ids[0]
        elif match.outcome == "ambiguous":
            add_reason(out, index, Code.AMBIGUOUS, match.reason)
        else:
            add_reason(out, index, Code.UNRESOLVED, match.reason)
    if hits:
        found_rows = list(hits)
        out.loc[found_rows, column] = list(hits.values())
        out.loc[found_rows, RESOLVED_BY] = "email"
        clear_target_problems(out, found_rows)
    return refresh(out)
