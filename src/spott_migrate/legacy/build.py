"""A legacy export in, a ready manifest out: the whole build in one call.

Steps, each a plain function of the previous table: rows from the export (folder tree or
attachments list, on disk or zipped) → e-mail addresses from the people list → crosswalk →
e-mail search → existence check → PDF conversion. Every row stays; those that cannot be
placed say why in ``spott_build_problem``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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
) -> pd.DataFrame:
    """Build a manifest from a legacy export: a folder, a zip, or an attachments ``.csv``/``.xlsx``.

    ``layout`` is detected when None: an attachments list at the export's top level means
    ``csv``, anything else ``tree`` (laid out by ``pattern``). Targets are filled from
    ``crosswalk``, then by searching ``search`` for the candidates' e-mails (``emails``
    maps legacy candidate ids to addresses when the export lists them apart); ``lookup``
    checks that every target exists; ``converter`` turns refused formats into PDF. Extracted
    and converted files go below ``work_dir`` (default: beside the source).
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
) -> pd.DataFrame:
    """Fill targets and check files of built rows; the second half of `build_manifest`."""
    out = reset_resolution(df)
    if emails:
        out = attach_emails(out, emails)
    if crosswalk is not None:
        out = apply_crosswalk(out, crosswalk)
    if search is not None:
        out = resolve_emails(out, search)
    out = explain_unresolved(
        out, crosswalk_given=crosswalk is not None, searched=search is not None
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
    found = out[RESOLVED_BY].isin(["crosswalk", "email"])
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
