"""``spott-migrate build-manifest``: a legacy export in, a manifest out.

A thin skin over `build_manifest`: it reads the side files (crosswalk, people list, rules),
opens a Spott client only when asked to search or check, writes the manifest and prints a
summary. Exit status: 0 when every row can be placed, 1 when some cannot, 2 on bad usage.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import pandas as pd

from .. import spott_api
from ..codes import Code
from ..errors import ApiError, SpottMigrateError
from .attachments_csv import CsvColumns
from .build import LAYOUTS, build_manifest
from .columns import BUILD_PROBLEM, CONVERTED_FROM, NOTE, RESOLVED_BY, TYPE
from .convert import Converter
from .crosswalk import load_crosswalk
from .match import load_phones
from .people import load_emails
from .problems import is_placed, summary
from .rules import TypeRules, load_rules
from .tree import DEFAULT_PATTERN
from .write import write_manifest

EXIT_ALL_PLACED = 0
EXIT_SOME_UNPLACED = 1
EXIT_USAGE = 2


class _ApiFailure(click.ClickException):
    """Spott refused or could not answer a search or check: the build is not finished."""

    exit_code = EXIT_USAGE


def _client(base_url: str, api_key: str | None) -> Any:
    """A `SpottClient`; imported late so building offline never needs the HTTP stack."""
    if not api_key:
        raise click.UsageError(
            f"searching or checking Spott needs an API key: --api-key or {spott_api.API_KEY_ENV}"
        )
    try:
        from ..client import SpottClient
    except ImportError as exc:  # pragma: no cover - the client ships with the package
        raise click.UsageError(f"the Spott client is not available: {exc}") from exc
    return SpottClient(base_url, api_key)


def _index(path: Path, base_url: str, max_age_hours: float) -> Any:
    """The tenant index, opened for look-ups (refused if it is another tenant's)."""
    from ..tenant.index import open_index

    index = open_index(path, base_url, max_age=dt.timedelta(hours=max_age_hours))
    for text in index.warnings:
        click.echo(f"warning: {text}", err=True)
    return index


def _echo_summary(df: pd.DataFrame, output: Path, conversions_wanted: bool) -> None:
    placed = is_placed(df)
    how = Counter(df.loc[placed, RESOLVED_BY])
    how_text = ", ".join(f"{k or 'unknown'} {n}" for k, n in sorted(how.items()))
    click.echo(f"wrote {output}: {len(df)} rows")
    click.echo(
        f"  placed    {int(placed.sum()):>5}" + (f"  (ids by {how_text})" if how_text else "")
    )
    click.echo(f"  unplaced  {int((~placed).sum()):>5}")
    for code, count in summary(df).items():
        click.echo(f"    {code:<24}{count:>5}  fix: {Code(code).hint}")
    types = Counter(df.loc[placed, TYPE])
    if types:
        click.echo("  types     " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    renamed = int((df.loc[placed, NOTE] != "").sum())
    if renamed:
        click.echo(f"  renamed   {renamed:>5} file(s) go as their content (see spott_note)")
    if conversions_wanted:
        converted = int((df[CONVERTED_FROM] != "").sum())
        click.echo(f"  converted {converted:>5} file(s) to PDF")


@click.command("build-manifest")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("manifest.xlsx"),
    show_default=True,
    help="Manifest to write (.xlsx or .csv).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default=None,
    help="tree: a folder per record; csv: an attachments list. Detected when left out.",
)
@click.option(
    "--pattern",
    default=DEFAULT_PATTERN,
    show_default=True,
    help="Tree layout: {entity} folder, {id} legacy id, * any text, ** any folders.",
)
@click.option(
    "--entity",
    type=click.Choice(["candidate", "company", "vacancy"]),
    default=None,
    help="Record kind when the layout does not name it.",
)
@click.option(
    "--csv",
    "csv_names",
    multiple=True,
    metavar="NAME",
    help="Attachments list inside SOURCE (repeatable). Detected when left out.",
)
@click.option(
    "--column",
    "column_pairs",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Header of a field in the attachments list: legacy_id, path, entity, type, name, "
    "email or spott_id (repeatable).",
)
@click.option(
    "--flag",
    "flag_pairs",
    multiple=True,
    metavar="COLUMN=TYPE",
    help="A yes/no column and the type it means, e.g. isLogo=LOGO (repeatable).",
)
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra type rules (CSV pattern,type[,applies_to] or JSON), tried before ours.",
)
@click.option(
    "--default-type",
    default="unassigned",
    show_default=True,
    help="Type for files no rule recognises.",
)
@click.option(
    "--crosswalk",
    "crosswalk_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Legacy id → Spott id mapping (.csv or .xlsx).",
)
@click.option(
    "--emails",
    "emails_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Legacy candidate list with e-mail addresses (.csv or .xlsx).",
)
@click.option(
    "--resolve-emails",
    is_flag=True,
    help="Find unmapped candidates in Spott by exact e-mail (GET /search/people).",
)
@click.option("--check-records", is_flag=True, help="Check every target id exists in Spott first.")
@click.option(
    "--index",
    "index_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tenant index (spott-migrate index): match and check records in it, with no request"
    " per record. Implies the existence check and, unless --match says otherwise, e-mail.",
)
@click.option(
    "--match",
    "matches",
    type=click.Choice(["email", "phone"]),
    multiple=True,
    help="Find unmapped candidates by exact e-mail and/or phone number (repeatable); phone"
    " numbers come from the --emails people list.",
)
@click.option(
    "--legacy-id-attribute",
    metavar="LABEL",
    help="A custom attribute of Spott records that holds the legacy id (needs --index).",
)
@click.option(
    "--index-max-age",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Warn when the index is older than this many hours.",
)
@click.option(
    "--base-url",
    envvar=spott_api.BASE_URL_ENV,
    default=spott_api.DEFAULT_BASE_URL,
    show_default=True,
    show_envvar=True,
    help="Spott API address.",
)
@click.option(
    "--api-key",
    envvar=spott_api.API_KEY_ENV,
    show_envvar=True,
    default=None,
    help="Spott API key (better: set the environment variable).",
)
@click.option(
    "--convert",
    is_flag=True,
    help="Convert .rtf/.txt/.odt/.html… to PDF with LibreOffice, if installed.",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where extracted and converted files go [default: OUTPUT's name + _files].",
)
def build_manifest_command(
    source: Path,
    output: Path,
    force: bool,
    layout: str | None,
    pattern: str,
    entity: str | None,
    csv_names: tuple[str, ...],
    column_pairs: tuple[str, ...],
    flag_pairs: tuple[str, ...],
    rules_file: Path | None,
    default_type: str,
    crosswalk_file: Path | None,
    emails_file: Path | None,
    resolve_emails: bool,
    check_records: bool,
    index_path: Path | None,
    matches: tuple[str, ...],
    legacy_id_attribute: str | None,
    index_max_age: float,
    base_url: str,
    api_key: str | None,
    convert: bool,
    work_dir: Path | None,
) -> None:
    """Build a manifest from a legacy export: SOURCE is a folder, a zip or an attachments CSV.

    Every file becomes a row. Rows that cannot be placed stay in the manifest with a
    reason in spott_build_problem; the exit status is 1 while any such row is left.
    """
    if output.suffix.lower() not in {".xlsx", ".csv"}:
        raise click.BadParameter("the manifest must be .xlsx or .csv", param_hint="--output")
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    try:
        columns = CsvColumns.parse(column_pairs)
        for pair in flag_pairs:
            column, sep, type_ = pair.partition("=")
            if not sep or not column.strip() or spott_api.normalise_type(type_) is None:
                raise click.BadParameter(f"want COLUMN=TYPE, got {pair!r}", param_hint="--flag")
            columns.flags[column.strip()] = type_.strip()
        rules = TypeRules(default=default_type)
        if rules_file:
            rules = rules.extended(load_rules(rules_file))
        crosswalk = load_crosswalk(crosswalk_file) if crosswalk_file else None
        emails = load_emails(emails_file) if emails_file else None
        match = set(matches) | ({"email"} if resolve_emails else set())
        if index_path is not None and not matches:
            match.add("email")
        if legacy_id_attribute and index_path is None:
            raise click.UsageError("--legacy-id-attribute needs --index (spott-migrate index)")
        phones = None
        if "phone" in match:
            if emails_file is None:
                raise click.UsageError("--match phone needs the people list (--emails FILE)")
            phones = load_phones(emails_file)
        converter = _converter() if convert else None
        with ExitStack() as stack:
            client = None
            index = None
            if index_path is not None:
                index = stack.enter_context(_index(index_path, base_url, index_max_age))
            elif match or check_records:
                client = stack.enter_context(_client(base_url, api_key))
            df = build_manifest(
                source,
                layout=layout,  # type: ignore[arg-type]  # click's Choice gives str; it is one of LAYOUTS
                pattern=pattern,
                entity=entity,
                csv_names=csv_names or None,
                columns=columns,
                rules=rules,
                crosswalk=crosswalk,
                emails=emails,
                search=client if match else None,
                lookup=client if check_records else None,
                converter=converter,
                work_dir=work_dir or output.resolve().with_name(output.stem + "_files"),
                index=index,
                match=tuple(sorted(match)),
                phones=phones,
                legacy_id_attribute=legacy_id_attribute,
            )
        write_manifest(df, output)
    except ApiError as exc:
        raise _ApiFailure(f"Spott API: {exc}") from exc
    except SpottMigrateError as exc:
        raise click.UsageError(str(exc)) from exc
    _echo_summary(df, output, converter is not None)
    unplaced = int((df[BUILD_PROBLEM] != "").sum())
    click.get_current_context().exit(EXIT_SOME_UNPLACED if unplaced else EXIT_ALL_PLACED)


def _converter() -> Converter | None:
    try:
        return Converter.detect()
    except SpottMigrateError as exc:
        click.echo(f"warning: {exc}; those files stay listed as extension_not_allowed", err=True)
        return None
