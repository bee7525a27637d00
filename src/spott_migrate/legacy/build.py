"""A legacy export in, a ready manifest out: the whole build in one call.

Steps, each a plain function of the previous table: rows from the export (folder tree or
attachments list, on disk or zipped) → e-mail addresses from the people list → crosswalk →
legacy-id custom attribute (index) → e-mail search → phone search → existence check → PDF
conversion. Every row stays; those that cannot be placed say why in ``spott_build_problem``.
With a tenant index, the searches and the check are answered from it: no request per record.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from ..codes import Code
from ..errors import ConfigError
from .attachments_csv import CsvColumns, build_from_attachment_list, find_attachment_lists
from .columns import (
    BUILD_PROBLEM,
    LEGACY_EMAIL,
    LEGACY_ENTITY,
    LEGACY_ID,
    RESOLVED_BY,
    TARGET_COLUMNS,
)
from .convert import Converter, convert_files
from .crosswalk import Crosswalk, apply_crosswalk
from .exists import RecordLookup, check_records
from .export import Export, FolderExport, default_work_dir, open_export
from .match import IndexLookup, IndexSearch, TenantRecords, resolve_by_attribute, resolve_phones
from .people import attach_emails
from .problems import TARGET_CODES, add_reason, code_of, refresh
from .resolve import EmailResolver, PeopleSearch, resolve_emails
from .rules import TypeRules
from .tables import EXCEL_SUFFIXES
from .tree import DEFAULT_PATTERN, build_from_tree

LayoutName = Literal["tree", "csv"]
LAYOUTS: tuple[LayoutName, ...] = ("tree", "csv")


def build_manifest(
    source: str | Path,
    *,
    layout: LayoutName | None = None,
    pattern: str = DEFAULT_PATTERN,
    entity: str | None = None,
    csv_names: Sequence[str] | None = None,
    columns: CsvColumns | None = None,
    rules: TypeRules | None = None,
    crosswalk: Crosswalk | None = None,
    emails: Mapping[str, str] | None = None,
    search: PeopleSearch | EmailResolver | None = None,
    lookup: RecordLookup | None = None,
    converter: Converter | None = None,
    work_dir: str | Path | None = None,
    index: TenantRecords | None = None,
    match: Collection[str] = ("email",),
    phones: Mapping[str, str] | None = None,
    legacy_id_attribute: str | None = None,
) -> pd.DataFrame:
    """Build a manifest from a legacy export: a folder, a zip, or an attachments ``.csv``/``.xlsx``.

    ``layout`` is detected when None: an attachments list at the export's top level means
    ``csv``, anything else ``tree`` (laid out by ``pattern``). Targets are filled from
    ``crosswalk``, then by searching ``search`` for the candidates' e-mails (``emails``
    maps legacy candidate ids to addresses when the export lists them apart); ``lookup``
    checks that every target exists; ``converter`` turns refused formats into PDF. Extracted
    and converted files go below ``work_dir`` (default: beside the source).

    ``index`` (a tenant index, `IndexStore`) answers the searches (those named in ``match``:
    ``email``, ``phone``) and the existence check locally; ``legacy_id_attribute`` names a
    custom attribute of Spott records holding the legacy id; ``phones`` maps legacy candidate
    ids to phone numbers for ``match`` = phone.
    """
    work = Path(work_dir) if work_dir else default_work_dir(source)
    rules = rules or TypeRules()
    with _opened(source, work) as (export, lists):
        names = list(csv_names or lists)
        if layout in (None, "csv") and not names:
            # A wrapping folder is stepped into only if an attachments list is found below it.
            export.find_root(lambda _files: bool(find_attachment_lists(export, columns)))
            names = find_attachment_lists(export, columns)
        chosen = layout or ("csv" if names else "tree")
        if chosen == "csv":
            frames = [
                build_from_attachment_list(export, n, columns=columns, entity=entity, rules=rules)
                for n in _pick_lists(export, names)
            ]
            df = pd.concat(frames, ignore_index=True)
        elif chosen == "tree":
            df = build_from_tree(export, pattern=pattern, entity=entity, rules=rules)
        else:
            raise ConfigError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    return resolve_manifest(
        df,
        crosswalk=crosswalk,
        emails=emails,
        search=search,
        lookup=lookup,
        converter=converter,
        converted_dir=work / "converted",
        index=index,
        match=match,
        phones=phones,
        legacy_id_attribute=legacy_id_attribute,
    )


def resolve_manifest(
    df: pd.DataFrame,
    *,
    crosswalk: Crosswalk | None = None,
    emails: Mapping[str, str] | None = None,
    search: PeopleSearch | EmailResolver | None = None,
    lookup: RecordLookup | None = None,
    converter: Converter | None = None,
    converted_dir: str | Path | None = None,
    index: TenantRecords | None = None,
    match: Collection[str] = ("email",),
    phones: Mapping[str, str] | None = None,
    legacy_id_attribute: str | None = None,
) -> pd.DataFrame:
    """Fill targets and check files of built rows; the second half of `build_manifest`."""
    if legacy_id_attribute and index is None:
        raise ConfigError("matching by a custom attribute needs the tenant index (--index)")
    if index is not None:
        local = IndexSearch(index)
        search = local if search is None and "email" in match else search
        lookup = lookup or IndexLookup(index, getattr(index, "label", "the Spott index"))
    out = reset_resolution(df)
    if emails:
        out = attach_emails(out, emails)
    if crosswalk is not None:
        out = apply_crosswalk(out, crosswalk)
    if legacy_id_attribute and index is not None:
        out = resolve_by_attribute(out, index, legacy_id_attribute)
    if search is not None and "email" in match:
        out = resolve_emails(out, search)
    if "phone" in match:
        phone_search: PeopleSearch | None = (
            IndexSearch(index)
            if index is not None
            else search.search
            if isinstance(search, EmailResolver)
            else search
        )
        if phone_search is None:
            raise ConfigError("matching by phone needs the tenant index or a Spott client")
        out = resolve_phones(out, phones or {}, phone_search)
    out = explain_unresolved(
        out,
        crosswalk_given=crosswalk is not None or bool(legacy_id_attribute),
        searched=search is not None and "email" in match,
    )
    if lookup is not None:
        out = check_records(out, lookup)
    if converter is not None:
        if converted_dir is None:
            raise ConfigError("converting needs a folder for the PDFs (converted_dir)")
        out, _failures = convert_files(out, converter, converted_dir)
    return refresh(out)


def reset_resolution(df: pd.DataFrame) -> pd.DataFrame:
    """Forget what an earlier resolution found, so resolving again starts clean.

    Ids the export gave stay; ids found by crosswalk or e-mail, and the reasons for rows
    that were not found, are dropped. Rows outside the layout keep their problem.
    """
    out = df.copy()
    found = out[RESOLVED_BY].isin(["crosswalk", "attribute", "email", "phone"])
    for column in TARGET_COLUMNS.values():
        out.loc[found, column] = ""
    out.loc[found, RESOLVED_BY] = ""
    codes = out[BUILD_PROBLEM].map(code_of)
    stale = codes.isin([Code.UNRESOLVED, Code.AMBIGUOUS, Code.TARGET_NOT_FOUND])
    out.loc[stale, BUILD_PROBLEM] = ""
    return refresh(out)


def explain_unresolved(df: pd.DataFrame, *, crosswalk_given: bool, searched: bool) -> pd.DataFrame:
    """Give every row without a target a reason that says what to do next."""
    out = df.copy()
    codes = out[BUILD_PROBLEM].map(code_of)
    for kind, column in TARGET_COLUMNS.items():
        rows = (out[LEGACY_ENTITY] == kind) & (out[LEGACY_ID] != "") & (out[column] == "")
        for index in out.index[rows]:
            code = codes[index]
            if code in TARGET_CODES and code is not Code.UNRESOLVED:
                continue
            email = str(out.at[index, LEGACY_EMAIL])
            if not crosswalk_given:
                add_reason(out, index, Code.UNRESOLVED, "no crosswalk was given")
            if kind == "candidate" and email and not searched:
                add_reason(
                    out, index, Code.UNRESOLVED, f"e-mail {email} not searched (--resolve-emails)"
                )
            elif kind != "candidate" and crosswalk_given:
                add_reason(
                    out, index, Code.UNRESOLVED, f"{kind} records are found by crosswalk only"
                )
    return refresh(out)


@contextmanager
def _opened(source: str | Path, work: Path) -> Iterator[tuple[Export, list[str]]]:
    """The source as an export, plus the lists it names; a lone list opens its folder."""
    path = Path(source)
    if path.is_file() and path.suffix.lower() in {".csv", *EXCEL_SUFFIXES}:
        with FolderExport(path.parent) as export:
            yield export, [path.name]
        return
    with open_export(path, work / "extracted") as export:
        yield export, []


def _pick_lists(export: Export, names: Sequence[str]) -> list[str]:
    picked = []
    for name in names:
        found = export.find(name) or export.find(PurePosixPath(name).name)
        if found is None:
            tables = [
                f
                for f in export.files()
                if PurePosixPath(f).suffix.lower() in {".csv", *EXCEL_SUFFIXES}
            ]
            raise ConfigError(
                f"no attachments list {name!r} in {export.label}; tables there: "
                f"{', '.join(tables) or 'none'}"
            )
        picked.append(found)
    if not picked:
        raise ConfigError(
            f"no attachments list found at the top of {export.label}; name it with --csv "
            "or use --layout tree"
        )
    return picked


__all__ = [
    "LAYOUTS",
    "build_manifest",
    "explain_unresolved",
    "reset_resolution",
    "resolve_manifest",
]
