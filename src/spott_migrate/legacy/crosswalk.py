"""The crosswalk: legacy record ids mapped to Spott ids, per record kind.

A crosswalk is what the earlier data migration left behind: a CSV or a workbook with a legacy
id and a Spott id per row, and the record kind either in a column, in the sheet's name
(``Candidates``, ``Clients`` …) or given by the caller. A legacy id mapped to two different
Spott ids is a conflict, reported as ``ambiguous`` — never settled by picking one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .columns import (
    LEGACY_ENTITY,
    LEGACY_ID,
    RESOLVED_BY,
    TARGET_COLUMNS,
    Entity,
    clean_id,
    entity_of,
)
from .problems import clear_target_problems, refresh, take_the_one
from .tables import EXCEL_SUFFIXES, find_column, read_sheets, read_table

LEGACY_ALIASES = (
    "legacy_id",
    "legacy",
    "old_id",
    "source_id",
    "external_id",
    "externalid",
    "ats_id",
    "legacy_record_id",
)
SPOTT_ALIASES = ("spott_id", "spott", "spott_record_id", "new_id", "target_id", "crm_id")
ENTITY_ALIASES = ("entity", "legacy_entity", "record_type", "kind", "object", "type")


@dataclass(frozen=True)
class Crosswalk:
    """Legacy id → Spott ids, keyed by record kind (None: the mapping holds for any kind)."""

    ids: Mapping[tuple[Entity | None, str], tuple[str, ...]] = field(default_factory=dict)
    source: str = "crosswalk"

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[Entity | None, str, str]], source: str = "crosswalk"
    ) -> Crosswalk:
        """From ``(kind, legacy id, Spott id)`` triples; empty ids are skipped."""
        found: dict[tuple[Entity | None, str], list[str]] = defaultdict(list)
        for kind, legacy, spott in pairs:
            legacy, spott = clean_id(legacy), clean_id(spott)
            if legacy and spott and spott not in found[(kind, legacy)]:
                found[(kind, legacy)].append(spott)
        return cls({k: tuple(v) for k, v in found.items() if v}, source)

    def lookup(self, kind: Entity, legacy_id: str) -> tuple[str, ...]:
        """Every Spott id the crosswalk gives this record: none, one, or (a conflict) several."""
        return self.ids.get((kind, legacy_id)) or self.ids.get((None, legacy_id)) or ()

    def __len__(self) -> int:
        return len(self.ids)


def load_crosswalk(
    path: str | Path,
    *,
    entity: str | None = None,
    legacy_column: str | None = None,
    spott_column: str | None = None,
    entity_column: str | None = None,
) -> Crosswalk:
    """Read a crosswalk from a ``.csv`` or from every sheet of an ``.xlsx``.

    The record kind of a row comes from its entity column if there is one, else from the
    sheet's name, else from ``entity``; failing all three the mapping holds for any kind.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets = read_sheets(path)
    else:
        sheets = [("", read_table(path))]
    default = entity_of(entity) if entity else None
    if entity and default is None:
        raise ConfigError(f"unknown record kind {entity!r}")
    pairs: list[tuple[Entity | None, str, str]] = []
    for sheet, frame in sheets:
        if frame.empty:
            continue
        where = f"{path.name}{f' sheet {sheet!r}' if sheet else ''}"
        legacy = find_column(frame, LEGACY_ALIASES, legacy_column, what="the legacy id")
        spott = find_column(frame, SPOTT_ALIASES, spott_column, what="the Spott id")
        if legacy is None or spott is None:
            if len(sheets) > 1 and not (legacy_column or spott_column):
                continue  # other sheets of a workbook (notes, lookups) are not ours
            raise ConfigError(
                f"{where}: need a legacy id column and a Spott id column "
                f"(found: {', '.join(map(str, frame.columns))})"
            )
        kind_col = find_column(frame, ENTITY_ALIASES, entity_column, what="the record kind")
        sheet_kind = entity_of(sheet) if sheet else None
        for record in frame.to_dict("records"):
            kind = entity_of(str(record[kind_col])) if kind_col else None
            pairs.append((kind or sheet_kind or default, record[legacy], record[spott]))
    if not pairs:
        raise ConfigError(f"{path}: no crosswalk rows found")
    return Crosswalk.from_pairs(pairs, path.name)


def apply_crosswalk(df: pd.DataFrame, crosswalk: Crosswalk) -> pd.DataFrame:
    """Fill the target id of every row the crosswalk knows; report the others.

    Rows that already have an id (``resolved_by`` = ``given``) are left alone. A missing
    mapping is ``unresolved`` (an e-mail search may still find the record); two mappings
    for one legacy id are ``ambiguous``.
    """
    out = df.copy()
    for kind, column in TARGET_COLUMNS.items():
        rows = out[(out[LEGACY_ENTITY] == kind) & (out[LEGACY_ID] != "") & (out[column] == "")]
        hits: dict[object, str] = {}
        for index, legacy_id in rows[LEGACY_ID].items():
            found = crosswalk.lookup(kind, legacy_id)
            take_the_one(
                out,
                index,
                found,
                hits,
                ambiguous=f"{crosswalk.source} maps it to {len(found)} Spott ids",
                unresolved=f"not in {crosswalk.source}",
            )
        if hits:
            found_rows = list(hits)
            out.loc[found_rows, column] = list(hits.values())
            out.loc[found_rows, RESOLVED_BY] = "crosswalk"
            clear_target_problems(out, found_rows)
    return refresh(out)
