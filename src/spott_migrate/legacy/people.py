"""E-mail addresses of legacy candidates, from the export's own people list.

Exports carry the people as a table beside the files (``candidates.csv``: legacy id, names,
e-mail). Only candidates are read: e-mail search in Spott resolves candidates, never
companies or vacancies.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .columns import LEGACY_EMAIL, LEGACY_ENTITY, LEGACY_ID, clean_id, entity_of
from .crosswalk import ENTITY_ALIASES, LEGACY_ALIASES
from .tables import find_column, read_table

EMAIL_ALIASES = ("email", "e_mail", "email_address", "emailaddress", "mail", "primary_email")
_PEOPLE_ID_ALIASES = (*LEGACY_ALIASES, "id", "candidate_id", "candidateid", "person_id")


def load_emails(
    path: str | Path,
    *,
    id_column: str | None = None,
    email_column: str | None = None,
    sheet: str | int | None = 0,
) -> dict[str, str]:
    """Legacy candidate id → e-mail address, from a ``.csv`` or a sheet of an ``.xlsx``.

    With several addresses in one cell (``a@x; b@y``) the first is kept: it is the one the
    legacy system listed first, usually the primary one.
    """
    return first_contacts(
        path,
        EMAIL_ALIASES,
        email_column,
        what="the e-mail",
        need="an e-mail column",
        id_column=id_column,
        sheet=sheet,
    )


def first_contacts(
    path: str | Path,
    aliases: tuple[str, ...],
    column: str | None,
    *,
    what: str,
    need: str,
    id_column: str | None,
    sheet: str | int | None,
) -> dict[str, str]:
    """Legacy candidate id → the first of the contacts (e-mail addresses, phone numbers) in the
    column found by ``aliases`` (or named ``column``) of the people list."""
    frame = read_table(path, sheet)
    ids = find_column(frame, _PEOPLE_ID_ALIASES, id_column, what="the legacy id")
    contacts = find_column(frame, aliases, column, what=what)
    if ids is None or contacts is None:
        raise ConfigError(
            f"{path}: need a legacy id column and {need} "
            f"(found: {', '.join(map(str, frame.columns))})"
        )
    kind_col = find_column(frame, ENTITY_ALIASES)
    out: dict[str, str] = {}
    for record in frame.to_dict("records"):
        if kind_col and entity_of(str(record[kind_col])) not in (None, "candidate"):
            continue
        legacy = clean_id(record[ids])
        first = str(record[contacts]).replace(",", ";").split(";")[0].strip()
        if legacy and first and first.lower() != "nan":  # (an empty cell read as a number)
            out.setdefault(legacy, first)
    return out


def attach_emails(df: pd.DataFrame, emails: Mapping[str, str]) -> pd.DataFrame:
    """Fill ``legacy_email`` of candidate rows that have none from a legacy id → e-mail map."""
    out = df.copy()
    rows = (out[LEGACY_ENTITY] == "candidate") & (out[LEGACY_EMAIL] == "")
    out.loc[rows, LEGACY_EMAIL] = [emails.get(i, "") for i in out.loc[rows, LEGACY_ID]]
    return out
