"""Checking, before a run, that every target id is a record Spott has.

``GET /candidates/{id}``, ``/clients/{id}`` and ``/vacancies/{id}`` answer one id each, so the
check is batched the only way the API allows: each distinct id is fetched once, a few at a
time. A record that is not there makes its rows ``target_not_found``; the upload would
otherwise fail only at the assign step, after the file was sent.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pandas as pd

from ..codes import Code
from .columns import BUILD_PROBLEM, LEGACY_ID, RESOLVED_BY, TARGET_COLUMNS, Entity
from .problems import TARGET_CODES, code_of, refresh, set_problem

DEFAULT_WORKERS = 4
_ENDPOINT = {"candidate": "/candidates", "company": "/clients", "vacancy": "/vacancies"}


class RecordLookup(Protocol):
    """What the existence check needs from a Spott client (`SpottClient` has it)."""

    def get_record(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """The record of this kind (``candidate``, ``company``, ``vacancy``), None if absent."""
        ...


def check_records(
    df: pd.DataFrame,
    lookup: RecordLookup,
    *,
    workers: int = DEFAULT_WORKERS,
    cache: MutableMapping[tuple[str, str], bool] | None = None,
) -> pd.DataFrame:
    """Mark rows whose target id does not exist in Spott as ``target_not_found``.

    ``cache`` (kind, id) → exists can be shared between calls. API errors other than "not
    found" propagate: a check that could not be made must not pass as a check that passed.
    """
    out = df.copy()
    cache = {} if cache is None else cache
    codes = out[BUILD_PROBLEM].map(code_of)
    checkable = ~codes.isin(TARGET_CODES)
    wanted: set[tuple[Entity, str]] = set()
    for kind, column in TARGET_COLUMNS.items():
        ids = out.loc[checkable & (out[column] != ""), column]
        wanted.update((kind, str(i)) for i in ids)
    todo = sorted(k for k in wanted if k not in cache)
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            answers = pool.map(lambda key: lookup.get_record(*key) is not None, todo)
            cache.update(zip(todo, answers, strict=True))
    for kind, column in TARGET_COLUMNS.items():
        rows = out.loc[checkable & (out[column] != "")]
        missing = [i for i, rid in rows[column].items() if not cache[(kind, str(rid))]]
        if missing:
            set_problem(
                out,
                missing,
                Code.TARGET_NOT_FOUND,
                [
                    _message(
                        kind,
                        str(out.at[i, column]),
                        str(out.at[i, LEGACY_ID]),
                        str(out.at[i, RESOLVED_BY]),
                        getattr(lookup, "describe_missing", None),
                    )
                    for i in missing
                ],
            )
    return refresh(out)


_HOW = {
    "crosswalk": "id from the crosswalk",
    "attribute": "id found by custom attribute",
    "email": "id found by e-mail",
    "phone": "id found by phone",
    "given": "id given in the export",
}


def _message(
    kind: Entity,
    record_id: str,
    legacy_id: str,
    resolved_by: str,
    describe: Callable[[str, str], str] | None = None,
) -> str:
    notes = [f"legacy id {legacy_id}"] if legacy_id else []
    if resolved_by in _HOW:
        notes.append(_HOW[resolved_by])
    note = f" ({', '.join(notes)})" if notes else ""
    # A lookup may say how it decided (an index names itself); the API is asked by id.
    how = (
        describe(kind, record_id)
        if describe
        else f"GET {_ENDPOINT[kind]}/{record_id} found nothing"
    )
    return f"{kind} {record_id} does not exist in Spott: {how}{note}"
