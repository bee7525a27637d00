"""Checking target ids against what a tenant is known to hold, before anything is sent.

A small step after validation: every row still to do whose candidate, company or vacancy id
is not among the known records gets ``target_not_found`` and leaves the jobs, so its file is
never uploaded. The known records come from anything with ``unknown(kind, ids)`` and a
``label`` (the index, `TenantIndex`, has both); without them, validation is as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Protocol

import pandas as pd

from ..codes import Code
from ..manifest import Manifest
from ..manifest import schema as s
from ..validation import PROBLEM_COLUMNS, Validation

_KIND_OF_COLUMN = {s.CANDIDATE_ID: "candidate", s.COMPANY_ID: "company", s.VACANCY_ID: "vacancy"}


class KnownRecords(Protocol):
    """The records a tenant holds, as far as the caller knows them."""

    @property
    def label(self) -> str:
        """Where the knowledge comes from, for messages (e.g. the index and its age)."""
        ...

    def unknown(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` are not known records of ``kind`` (candidate, company, vacancy)."""
        ...


def flag_unknown_targets(
    manifest: Manifest, validation: Validation, known: KnownRecords
) -> Validation:
    """``validation`` with a ``target_not_found`` problem for each row to do that names a
    record ``known`` does not hold; those rows are no longer jobs."""
    rows = manifest.rows[~manifest.rows[s.ROW_KEY].isin(validation.done)]
    already = set(
        validation.problems.loc[
            validation.problems["code"] == Code.TARGET_NOT_FOUND.value, "row_key"
        ]
    )
    found: list[tuple[int, str, str, str]] = []
    for column, kind in _KIND_OF_COLUMN.items():
        named = rows[rows[column] != ""]
        missing = known.unknown(kind, set(named[column]))
        if not missing:
            continue
        hits = named[named[column].isin(missing) & ~named[s.ROW_KEY].isin(already)]
        for source_row, key, record_id in zip(
            hits[s.SOURCE_ROW], hits[s.ROW_KEY], hits[column], strict=True
        ):
            message = f"{kind} {record_id} is not in {known.label}"
            found.append((int(source_row), key, Code.TARGET_NOT_FOUND.value, message))
    if not found:
        return validation
    added = pd.DataFrame(found, columns=list(PROBLEM_COLUMNS))
    problems = pd.concat([validation.problems, added], ignore_index=True)
    # Keep each row's problems together, in row order, as validation itself lists them.
    problems = problems.sort_values("source_row", kind="stable", ignore_index=True)
    flagged = {key for _, key, _, _ in found}
    todo = validation.todo
    kept = [i for i, key in enumerate(todo.row_key) if key not in flagged]
    notices = validation.notices[~validation.notices["row_key"].isin(flagged)]
    return dataclasses.replace(validation, problems=problems, todo=todo.take(kept), notices=notices)
