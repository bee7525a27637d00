"""The tenant commands (``index``, ``verify``, ``doctor``) and the options ``validate`` and
``run`` take to use what they learnt (an index, a tenant profile).

Thin skins over :mod:`spott_migrate.tenant`; errors become a one-line message and exit 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import spott_api
from .config import Settings
from .errors import ApiError, ConfigError
from .tenant.files import (
    DEFAULT_MAX_AGE,
    INDEX_FILE,
    PROFILE_FILE,
    default_index_path,
    default_profile_path,
)

if TYPE_CHECKING:
    from .tenant.index import TenantIndex

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERRUPTED = 130


def warn(text: str) -> None:
    click.echo(f"warning: {text}", err=True)


# ---------------------------------------------------------------------- validate / run options
def index_options(func: F) -> F:
    """``--index FILE``, ``--no-index`` and ``--index-max-age HOURS``."""
    func = click.option(
        "--index-max-age",
        type=click.FloatRange(min=0),
        default=DEFAULT_MAX_AGE.total_seconds() / 3600,
        show_default=True,
        help="Warn when the index is older than this many hours.",
    )(func)
    func = click.option(
        "--no-index", is_flag=True, help=f"Do not use {INDEX_FILE}, even beside the manifest."
    )(func)
    func = click.option(
        "--index",
        "index_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Spott index (spott-migrate index) to check record ids against before anything is"
        f" sent [default: {INDEX_FILE} beside the manifest, when there is one].",
    )(func)
    return func


def open_known(
    manifest: Path,
    index_path: Path | None,
    no_index: bool,
    base_url: str,
    max_age_hours: float,
) -> TenantIndex | None:
    """The index to check ``manifest``'s ids against, or None; warnings go to stderr."""
    if no_index:
        return None
    path = index_path
    if path is None:
        beside = default_index_path(manifest)
        if not beside.is_file():
            return None
        path = beside
    from .tenant.index import open_index

    index = open_index(path, base_url, max_age=dt.timedelta(hours=max_age_hours))
    for text in index.warnings:
        warn(text)
    return index


def tenant_option(func: F) -> F:
    """``--tenant FILE``: the profile ``doctor`` wrote."""
    return click.option(
        "--tenant",
        "tenant_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Tenant profile from spott-migrate doctor [default: spott-tenant.json beside the"
        " manifest, when there is one].",
    )(func)


def tenant_settings(manifest: Path, tenant_path: Path | None, settings: Settings) -> Settings:
    """``settings`` adjusted to the tenant profile (explicit, or beside the manifest)."""
    path = tenant_path or default_profile_path(manifest)
    if tenant_path is None and not path.is_file():
        return settings
    from .tenant.profile import adjust_settings, load_profile

    adjusted, notes = adjust_settings(settings, load_profile(path))
    for note in notes:
        click.echo(f"tenant: {note}", err=True)
    return adjusted


# ---------------------------------------------------------------------- shared options
def _connection_options(func: F) -> F:
    func = click.option(
        "--rate",
        "requests_per_minute",
        type=click.FloatRange(min=1),
        help="Ceiling in requests per minute (default 500).",
    )(func)
    func = click.option(
        "--api-key",
        help="API key (default: $SPOTT_API_KEY). Prefer the variable: it stays out of shell"
        " history.",
    )(func)
    func = click.option(
        "--base-url",
        help=f"API base URL (default {spott_api.DEFAULT_BASE_URL}, or $SPOTT_BASE_URL).",
    )(func)
    return func


def _settings(base_url: str | None, api_key: str | None, rate: float | None) -> Settings:
    settings = Settings.from_env(base_url=base_url, api_key=api_key, requests_per_minute=rate)
    if settings.api_key is None:
        raise ConfigError(f"no API key: pass --api-key or set {spott_api.API_KEY_ENV}")
    return settings


# ---------------------------------------------------------------------- index
_PLURAL = {"candidate": "candidates", "company": "clients", "vacancy": "vacancies"}


@click.command("index")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(INDEX_FILE),
    show_default=True,
    help="The index file to create or refresh.",
)
@click.option(
    "--full", is_flag=True, help="Start over instead of refreshing (sees records deleted since)."
)
@_connection_options
@click.option("--quiet", is_flag=True, help="No progress bars.")
def index_command(
    output: Path,
    full: bool,
    base_url: str | None,
    api_key: str | None,
    requests_per_minute: float | None,
    quiet: bool,
) -> None:
    """Copy the tenant's candidates, clients and vacancies into a local index (SQLite).

    validate, run and build-manifest --index then check ids and find records in it without
    a request per record. Running it again fetches only what changed; an interrupted run
    carries on where it stopped.
    """
    _run_index(output, full, base_url, api_key, requests_per_minute, quiet)


def _run_index(
    output: Path,
    full: bool,
    base_url: str | None,
    api_key: str | None,
    rate: float | None,
    quiet: bool,
) -> None:
    try:
        settings = _settings(base_url, api_key, rate)
        from .client import SpottClient
        from .tenant.index import TqdmIndexProgress, build_index

        with SpottClient(settings=settings) as client:
            progress = None if quiet else TqdmIndexProgress()
            try:
                result = build_index(output, client, full=full, progress=progress)
            except ApiError as exc:
                click.echo(
                    f"error: listing records failed: {exc}; what was stored is kept: run the same"
                    " command again to carry on",
                    err=True,
                )
                sys.exit(2)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted; run the same command again to carry on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    counts = ", ".join(f"{result.counts.get(k, 0):,} {p}" for k, p in _PLURAL.items())
    pages = ", ".join(f"{p} {result.pages.get(k, 0)}" for k, p in _PLURAL.items())
    how = []
    if result.resumed:
        how.append("resumed " + ", ".join(_PLURAL[k] for k in result.resumed))
    if result.incremental:
        how.append("changes only for " + ", ".join(_PLURAL[k] for k in result.incremental))
    note = f" ({'; '.join(how)})" if how else ""
    click.echo(f"index {result.path}: {counts} from {result.base_url}")
    click.echo(f"{result.requests_sent} requests; pages: {pages}{note}")


# ---------------------------------------------------------------------- verify
@click.command("verify")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet to read (default: the first).")
@click.option("--sample", type=click.IntRange(min=1), help="Check N random records instead of all.")
@click.option("--seed", type=int, help="Seed for --sample, to check the same records again.")
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report of the rows that need attention [default: MANIFEST's name + .verification.html].",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The same rows as CSV [default: MANIFEST's name + .verification.csv].",
)
@_connection_options
@click.option("--quiet", is_flag=True, help="No progress bar.")
def verify_command(
    manifest: Path,
    sheet: str | None,
    sample: int | None,
    seed: int | None,
    html: Path | None,
    csv_path: Path | None,
    base_url: str | None,
    api_key: str | None,
    requests_per_minute: float | None,
    quiet: bool,
) -> None:
    """Check in Spott that every assigned row of MANIFEST is there, once.

    Lists each record's attachments (GET /attachments) and finds each row's file by id, else
    by name and size. Writes Spott's permanent id where it differs and spott_verified_at into
    the manifest, and a report of the rows that need attention. Never uploads or assigns.
    Exit 0 when every row checked is present, 1 otherwise.
    """
    from .errors import SpottMigrateError
    from .tenant.verify import verify_manifest

    bar: Any = None
    try:
        settings = _settings(base_url, api_key, requests_per_minute)
        if not quiet:
            from tqdm.auto import tqdm

            bar = tqdm(desc="records", unit=" records")
        result = verify_manifest(
            manifest,
            settings=settings,
            sheet=sheet,
            sample=sample,
            seed=seed,
            html=html,
            csv=csv_path,
            on_record=(lambda: bar.update(1)) if bar is not None else None,
        )
    except SpottMigrateError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if bar is not None:
            bar.close()
    _print_verification(result)
    sys.exit(result.exit_code)


def _print_verification(result: Any) -> None:
    counts = result.counts()
    scope = f"{result.records_checked} of {result.records_total} records"
    if result.sampled:
        scope += " (random sample)"
    click.echo(
        f"verified {len(result.rows)} assigned rows on {scope} in {result.requests_sent} requests"
    )
    for name, n in counts.items():
        click.echo(f"  {name:<24}{n:>6}")
    attention = [r for r in result.rows if r.needs_attention]
    for row in attention[:20]:
        click.echo(f"  row {row.source_row}: {row.verdict.value}: {row.record}: {row.detail}")
    if len(attention) > 20:
        click.echo(f"  … and {len(attention) - 20} more in the report")
    if counts["ids repaired"]:
        click.echo(
            f"spott_attachment_id now holds Spott's permanent id for {counts['ids repaired']} rows"
        )
    if result.written_to:
        click.echo(f"results written to {result.written_to}")
    if result.write_error:
        click.echo(
            f"error: {result.write_error}; the journal has Spott's ids, run verify again to"
            " write them",
            err=True,
        )
    click.echo(f"report: {result.report_html} and {result.report_csv}")


# ---------------------------------------------------------------------- doctor
@click.command("doctor")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(PROFILE_FILE),
    show_default=True,
    help="Where to write the tenant profile that run reads.",
)
@_connection_options
def doctor_command(
    output: Path, base_url: str | None, api_key: str | None, requests_per_minute: float | None
) -> None:
    """Check the first contact with a tenant before the first run.

    Read-only checks of the key and of each endpoint the tool uses, their rate-limit headers
    and latency; then ONE tiny temporary upload (a 1×1 PNG, never assigned) to see how the
    upload answers and which spelling of `unassigned` it takes. Prints each assumption the
    tool makes and what the tenant said, and writes the profile run reads (put it beside the
    manifest, or pass run --tenant). Never assigns anything. Exit 0 when the tool can work
    with the tenant as it is, 1 when some answer differs in a way it cannot adapt to.
    """
    from .errors import SpottMigrateError
    from .tenant.doctor import diagnose
    from .tenant.profile import adjust_settings, save_profile

    try:
        settings = _settings(base_url, api_key, requests_per_minute)
        diagnosis = diagnose(settings)
        written = save_profile(diagnosis.profile, output)
    except ApiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (SpottMigrateError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    profile = diagnosis.profile
    click.echo(
        f"doctor: {profile.base_url}: {diagnosis.requests_sent} requests, one test upload"
        " (never assigned), no assign"
    )
    for finding in diagnosis.findings:
        click.echo(f"  {finding.verdict.value:<10} {finding.assumption}")
        if finding.detail:
            click.echo(f"  {'':<10}   {finding.detail}")
    latency = ", ".join(f"{k} {v:.0f} ms" for k, v in profile.latency_ms.items())
    click.echo(f"latency (median): {latency}")
    headers = ", ".join(f"{k}: {v}" for k, v in sorted(profile.rate_limit_headers.items()))
    click.echo(f"rate-limit headers: {headers or 'none'}")
    _, notes = adjust_settings(settings, profile)
    for note in notes:
        click.echo(f"runs will adapt: {note}")
    click.echo(
        f"wrote {written}; run reads {PROFILE_FILE} beside the manifest (or run --tenant FILE)"
    )
    sys.exit(diagnosis.exit_code)
