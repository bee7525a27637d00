"""Column names and record kinds shared by the legacy builders.

The canonical columns are the core manifest's; everything else here is provenance that a
builder adds so a user can see where each row came from and how its target was found.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import pandas as pd

Entity = Literal["candidate", "company", "vacancy"]

ENTITIES: Final[tuple[Entity, ...]] = ("candidate", "company", "vacancy")

# Canonical manifest columns (the core's contract).
FILE_PATH: Final = "file_path"
TYPE: Final = "type"
NAME: Final = "name"
TARGET_COLUMNS: Final[dict[Entity, str]] = {
    "candidate": "candidate_id",
    "company": "company_id",
    "vacancy": "vacancy_id",
}

# Provenance columns.
LEGACY_ENTITY: Final = "legacy_entity"
LEGACY_ID: Final = "legacy_id"
LEGACY_EMAIL: Final = "legacy_email"
SOURCE_PATH: Final = "source_path"
TYPE_RULE: Final = "type_rule"
RESOLVED_BY: Final = "resolved_by"
CONVERTED_FROM: Final = "converted_from"

# The builder's verdict on a row; the core's validator reports it as that row's problem.
BUILD_PROBLEM: Final = "spott_build_problem"
# Result columns, filled for unplaceable rows so the manifest reads right before any run.
STATUS: Final = "spott_status"
ERROR: Final = "spott_error"
# A file kept although its name says another format: "renamed: content is PDF" (the core's
# own result column, which a run writes the same way).
NOTE: Final = "spott_note"

MANIFEST_COLUMNS: Final[tuple[str, ...]] = (
    FILE_PATH,
    TYPE,
    *TARGET_COLUMNS.values(),
    NAME,
    LEGACY_ENTITY,
    LEGACY_ID,
    LEGACY_EMAIL,
    SOURCE_PATH,
    TYPE_RULE,
    RESOLVED_BY,
    CONVERTED_FROM,
    BUILD_PROBLEM,
    STATUS,
    ERROR,
    NOTE,
)

# How legacy systems name the three kinds of record Spott can attach files to. Spott itself
# calls companies "clients" and vacancies "jobs" in places, Bullhorn says clientCorporation
# and jobOrder. Keys are compared after `word_key`.
_ENTITY_ALIASES: Final[dict[str, Entity]] = {
    **dict.fromkeys(
        ("candidate", "candidates", "person", "people", "applicant", "applicants"), "candidate"
    ),
    **dict.fromkeys(
        (
            "company",
            "companies",
            "client",
            "clients",
            "clientcorporation",
            "clientcorporations",
            "account",
            "accounts",
            "organisation",
            "organisations",
            "organization",
            "organizations",
        ),
        "company",
    ),
    **dict.fromkeys(
        (
            "vacancy",
            "vacancies",
            "job",
            "jobs",
            "joborder",
            "joborders",
            "position",
            "positions",
            "requisition",
            "requisitions",
        ),
        "vacancy",
    ),
}


def word_key(text: str) -> str:
    """Lower case, accents stripped, letters and digits only: how headers and names compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain.lower())


def entity_of(text: str) -> Entity | None:
    """The record kind a legacy folder or column value names, or None if it names none."""
    return _ENTITY_ALIASES.get(word_key(text))


def clean_id(value: object) -> str:
    """A legacy or Spott id as text, trimmed; Excel's ``1001.0`` for an integer becomes ``1001``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN: an empty cell
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0", text):
        return text[:-2]
    return "" if text.lower() in {"nan", "none", "null"} else text


def blank_row() -> dict[str, str]:
    """A manifest row with every column present and empty."""
    return dict.fromkeys(MANIFEST_COLUMNS, "")


def manifest_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Rows as a manifest table: the builder columns in their order, every cell a string."""
    frame = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS), dtype=object)
    return frame.fillna("").astype(object)
