"""Finding Spott records from the tenant index, with no request per record.

Three look-ups, all exact, none guessing:

- by a custom attribute that holds the legacy id (``--legacy-id-attribute "Legacy ID"``), for
  any record kind: the crosswalk then comes from Spott itself;
- by e-mail, through :class:`IndexSearch`, which answers the ``search_people`` calls of
  :mod:`.resolve` from the index: any of a candidate's addresses, case-insensitive;
- by phone (``--match phone``), digits only, through the same search (from the index, or
  from ``GET /search/people`` without one).

One hit places the row; several leave it ``ambiguous``; none leaves it ``unresolved`` with
the reason added to what was tried before. Existence checks come from the index too
(:class:`IndexLookup`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..codes import Code
from ..errors import PermanentApiError
from ..tenant.records import phone_digits
from .columns import (
    BUILD_PROBLEM,
    LEGACY_ENTITY,
    LEGACY_ID,
    RESOLVED_BY,
    TARGET_COLUMNS,
    Entity,
)
from .people import first_contacts
from .problems import (
    TARGET_CODES,
    add_reason,
    clear_target_problems,
    code_of,
    refresh,
    take_the_one,
)
from .resolve import SEARCH_LIMIT, PeopleSearch

# Fewer digits than this cannot tell one person from another.
MIN_PHONE_DIGITS = 6
PHONE_ALIASES = (
    "phone",
    "phone_number",
    "phonenumber",
    "mobile",
    "mobile_phone",
    "cell",
    "telephone",
    "tel",
)


class TenantRecords(Protocol):
    """What resolution needs from the tenant index (`IndexStore` has it)."""

    def candidates_with_email(self, email: str) -> list[str]: ...

    def candidates_with_phone(self, phone: str) -> list[str]: ...

    def records_with_attribute(self, kind: Any, label: str, value: str) -> list[str]: ...

    def holds(self, kind: Any, record_id: str) -> bool: ...


class IndexSearch:
    """``search_people`` answered from the index: candidates whose e-mail (case-insensitive)
    or phone digits equal the query, in the shape ``GET /search/people`` answers."""

    def __init__(self, index: TenantRecords) -> None:
        self.index = index
        self.queries = 0

    def search_people(self, query: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
        self.queries += 1
        if "@" in query:
            ids = self.index.candidates_with_email(query)
            return [
                {"entityType": "candidate", "id": i, "emailAddresses": [query.strip().lower()]}
                for i in ids[:limit]
            ]
        ids = self.index.candidates_with_phone(query)
        digits = phone_digits(query)
        return [{"entityType": "candidate", "id": i, "phoneNumbers": [digits]} for i in ids[:limit]]


class IndexLookup:
    """``get_record`` answered from the index: existence checks with no request."""

    def __init__(self, index: TenantRecords, label: str = "the Spott index") -> None:
        self.index = index
        self.label = label

    def get_record(self, kind: str, record_id: str) -> dict[str, Any] | None:
        return {"id": record_id} if self.index.holds(kind, record_id) else None

    def describe_missing(self, kind: str, record_id: str) -> str:
        """How the check found the record missing, for the row's message."""
        return f"not in {self.label}"


def _open_rows(df: pd.DataFrame, kind: Entity) -> pd.Series:
    """Rows of ``kind`` still looking for a record: no id, and no verdict that forbids one."""
    codes = df[BUILD_PROBLEM].map(code_of)
    return (
        (df[LEGACY_ENTITY] == kind)
        & (df[TARGET_COLUMNS[kind]] == "")
        & (df[LEGACY_ID] != "")
        & (~codes.isin(TARGET_CODES) | (codes == Code.UNRESOLVED))
    )


def _place(df: pd.DataFrame, kind: Entity, hits: Mapping[object, str], how: str) -> None:
    if hits:
        rows = list(hits)
        df.loc[rows, TARGET_COLUMNS[kind]] = list(hits.values())
        df.loc[rows, RESOLVED_BY] = how
        clear_target_problems(df, rows)


def resolve_by_attribute(df: pd.DataFrame, index: TenantRecords, label: str) -> pd.DataFrame:
    """Fill target ids from records whose custom attribute ``label`` holds the legacy id."""
    out = df.copy()
    for kind in TARGET_COLUMNS:
        hits: dict[object, str] = {}
        for row in out.index[_open_rows(out, kind)]:
            legacy_id = str(out.at[row, LEGACY_ID])
            found = index.records_with_attribute(kind, label, legacy_id)
            take_the_one(
                out,
                row,
                found,
                hits,
                ambiguous=f"{len(found)} Spott {kind} records have {label} = {legacy_id}",
                unresolved=f"no Spott {kind} has {label} = {legacy_id}",
            )
        _place(out, kind, hits, "attribute")
    return refresh(out)


def candidate_ids_with_phone(items: Sequence[Mapping[str, Any]], phone: str) -> tuple[str, ...]:
    """Ids of the candidates among search hits with a phone number of exactly these digits."""
    wanted = phone_digits(phone)
    ids: list[str] = []
    for item in items:
        if str(item.get("entityType", "")).lower() != "candidate":
            continue
        numbers = item.get("phoneNumbers") or []
        if isinstance(numbers, str):
            numbers = [numbers]
        digits = {
            phone_digits(str(n.get("phoneNumber", "") if isinstance(n, Mapping) else n))
            for n in numbers
        }
        record_id = str(item.get("id") or "")
        if record_id and wanted in digits and record_id not in ids:
            ids.append(record_id)
    return tuple(ids)


def resolve_phones(
    df: pd.DataFrame, phones: Mapping[str, str], search: PeopleSearch
) -> pd.DataFrame:
    """Fill ``candidate_id`` of candidate rows still open by the legacy candidate's phone.

    ``phones`` maps legacy candidate ids to a phone number; each distinct number is searched
    once. Rows found are marked ``resolved_by`` = ``phone``.
    """
    out = df.copy()
    cache: dict[str, tuple[str, ...]] = {}
    hits: dict[object, str] = {}
    for row in out.index[_open_rows(out, "candidate")]:
        phone = phones.get(str(out.at[row, LEGACY_ID]), "").strip()
        digits = phone_digits(phone)
        if not phone:
            add_reason(out, row, Code.UNRESOLVED, "no phone number to search by")
            continue
        if len(digits) < MIN_PHONE_DIGITS:
            add_reason(out, row, Code.UNRESOLVED, f"{phone!r} is not a phone number")
            continue
        if digits not in cache:
            try:
                cache[digits] = candidate_ids_with_phone(
                    search.search_people(phone, limit=SEARCH_LIMIT), phone
                )
            except PermanentApiError as exc:
                add_reason(
                    out, row, Code.UNRESOLVED, f"the phone search for {phone} failed ({exc})"
                )
                continue
        found = cache[digits]
        take_the_one(
            out,
            row,
            found,
            hits,
            ambiguous=f"{len(found)} Spott candidates have the phone number {phone}",
            unresolved=f"no Spott candidate has the phone number {phone}",
        )
    _place(out, "candidate", hits, "phone")
    return refresh(out)


def load_phones(
    path: str | Path,
    *,
    id_column: str | None = None,
    phone_column: str | None = None,
    sheet: str | int | None = 0,
) -> dict[str, str]:
    """Legacy candidate id → phone number, from the people list (``.csv`` or a sheet)."""
    return first_contacts(
        path,
        PHONE_ALIASES,
        phone_column,
        what="the phone number",
        need="a phone column for --match phone",
        id_column=id_column,
        sheet=sheet,
    )
