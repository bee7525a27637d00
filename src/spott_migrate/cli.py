"""The terminal front-end: each command opens the library, calls one function, and turns our
errors into a one-line message and an exit code.

Exit codes: 0 every row assigned (or already done) · 1 some rows invalid, failed or pending ·
2 usage, configuration or fatal errors (unreadable manifest, 401/403) · 130 stopped by Ctrl-C.

Start-up pays only for what a command uses: the library is imported inside each command, and
commands with heavy dependencies of their own (``build-manifest``) are loaded only when run.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from . import spott_api
from .cli_tenant import (
    doctor_command,
    index_command,
    index_options,
    open_known,
    tenant_option,
    tenant_settings,
    verify_command,
)
from .errors import ConfigError, RunInterrupted, SpottMigrateError, WriteBackError

if TYPE_CHECKING:
    from .pipeline import Check, MigrationReport

EXIT_INTERRUPTED = 130
DEBUG_ENV = "SPOTT_MIGRATE_DEBUG"
P = ParamSpec("P")
R = TypeVar("R")


def _errors_to_exit_codes(func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RunInterrupted as exc:
            from .pipeline import MigrationReport

            if isinstance(exc.report, MigrationReport):
                _print_report(exc.report)
            click.echo(f"interrupted: {exc}", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except SpottMigrateError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            # A bug of ours, not the user's input: still one line, never a traceback that
            # could show a request's headers. SPOTT_MIGRATE_DEBUG=1 shows the traceback.
            if os.environ.get(DEBUG_ENV):
                raise
            text = _without_key(f"{type(exc).__name__}: {exc}")
            click.echo(
                f"error: unexpected failure ({text[:300]}); the journal holds every result so "
                f"far — please report it (set {DEBUG_ENV}=1 for details)",
                err=True,
            )
            sys.exit(2)

    return wrapper


def _without_key(text: str) -> str:
    key = os.environ.get(spott_api.API_KEY_ENV, "").strip()
    return text.replace(key, "********") if key else text


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def _print_check(chk: Check) -> None:
    v, plan = chk.validation, chk.plan.summary()
    click.echo(
        f"{len(chk.manifest)} rows: {v.to_do} to do, {v.invalid_rows} invalid, "
        f"{len(v.done)} already assigned"
    )
    if len(v.problems):
        click.echo("problems:")
        for row in v.problems.itertuples(index=False):
            click.echo(f"  row {row.source_row}: {row.code}: {row.message}")
    if len(v.notices):
        click.echo("notices (these rows go, as shown):")
        for row in v.notices.itertuples(index=False):
            click.echo(f"  row {row.source_row}: {row.code}: {row.message}")
    click.echo(
        f"plan: {plan['files']} files ({_size(plan['bytes'])}) in {plan['upload_requests']} "
        f"uploads + {plan['assign_requests']} assigns = {plan['requests']} requests "
        f"(lower bound {plan['lower_bound']})"
    )
    if plan["lookups"]:
        click.echo(
            f"  of which {plan['lookups']} records looked up in Spott first: an earlier run "
            "left their assign unconfirmed, or the sheet alone marks rows of them assigned"
        )


def _print_report(report: MigrationReport) -> None:
    from .run import Stop

    run = report.run
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.statuses.items()))
    click.echo(f"result: {counts or 'nothing to do'}")
    if run.requests_sent:
        per = ", ".join(f"{k} {v}" for k, v in sorted(run.requests_by_endpoint.items()))
        click.echo(f"requests sent: {run.requests_sent} ({per}) in {run.elapsed:.1f} s")
    if run.failures_by_code:
        codes = ", ".join(f"{k} {v}" for k, v in sorted(run.failures_by_code.items()))
        click.echo(f"failures: {codes}")
    if run.stopped is not None and run.stopped.is_error:
        click.echo(f"stopped: {run.fatal_error}; untouched rows stay pending", err=True)
    elif run.stopped is Stop.BREAKER:
        click.echo("stopped: too many consecutive failures; untouched rows stay pending", err=True)
    if report.written_to:
        click.echo(f"results written to {report.written_to}")
    if report.write_error:
        click.echo(f"error: {report.write_error}", err=True)


class _LazyGroup(click.Group):
    """A group whose listed commands are imported only when one of them is run (or asked for
    its own help); ``--help`` of the group shows their one-line help from here."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # name -> ("module:attribute", one-line help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            target, _ = self.lazy[cmd_name]
            module, _, attribute = target.partition(":")
            try:
                command = getattr(importlib.import_module(module, __package__), attribute)
            except ImportError:  # pragma: no cover - the legacy package ships with the library
                return None
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                stand_in = click.Command(name, help=self.lazy[name][1])  # its help, not imported
                rows.append((name, stand_in.get_short_help_str(limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={
        "build-manifest": (
            ".legacy.cli:build_manifest_command",
            "Build a manifest from a legacy export: SOURCE is a folder, a zip or an"
            " attachments CSV.",
        )
    },
)
@click.version_option(package_name="spott-migrate")
def main() -> None:
    """Move legacy ATS files into Spott from an .xlsx or .csv manifest."""


_STRICT_CONTENT_HELP = (
    "Refuse a file whose content is another accepted format than its name says "
    "(content_mismatch) instead of sending it under its content's name."
)


@main.command("validate")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet to read (default: the first).")
@click.option(
    "--base-url", help="The tenant the index must be of (default: $SPOTT_BASE_URL or Spott's)."
)
@click.option("--strict-content", is_flag=True, help=_STRICT_CONTENT_HELP)
@index_options
@tenant_option
@_errors_to_exit_codes
def validate_command(
    manifest: Path,
    sheet: str | None,
    base_url: str | None,
    strict_content: bool,
    index_path: Path | None,
    no_index: bool,
    index_max_age: float,
    tenant_path: Path | None,
) -> None:
    """Check every row of MANIFEST and show the plan; sends nothing, writes nothing."""
    from .config import Settings
    from .pipeline import check
    from .writeback import check_writable

    base = Settings.from_env(base_url=base_url, strict_content=strict_content or None)
    settings = tenant_settings(manifest, tenant_path, base)
    known = open_known(manifest, index_path, no_index, settings.base_url, index_max_age)
    chk = check(manifest, sheet=sheet, settings=settings, known=known)
    _print_check(chk)
    try:
        check_writable(
            chk.manifest.path, sheet=chk.manifest.sheet, header_row=chk.manifest.header_row
        )
    except WriteBackError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    sys.exit(1 if chk.validation.invalid_rows else 0)


@main.command("run")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet to read (default: the first).")
@click.option(
    "--base-url", help=f"API base URL (default {spott_api.DEFAULT_BASE_URL}, or $SPOTT_BASE_URL)."
)
@click.option(
    "--api-key",
    help="API key (default: $SPOTT_API_KEY). Prefer the variable: it stays out of shell history.",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Requests in flight at once (default 4)."
)
@click.option(
    "--rate",
    "requests_per_minute",
    type=click.FloatRange(min=1),
    help="Ceiling in requests per minute (default 500).",
)
@click.option(
    "--output", type=click.Path(path_type=Path), help="Write results here instead of into MANIFEST."
)
@click.option(
    "--dry-run", is_flag=True, help="Validate and plan only; send nothing, write nothing."
)
@click.option(
    "--limit", type=click.IntRange(min=0), help="Pilot: do only the first N rows still to do."
)
@click.option(
    "--retry-failed", is_flag=True, help="Retry only rows that failed before; start nothing new."
)
@click.option(
    "--shard", help="Only shard K of N (e.g. 2/4); results wait in its journal for `merge`."
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for a connection to Spott (default 10).",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for an answer, e.g. while a large upload is processed (default 120).",
)
@click.option("--strict-content", is_flag=True, help=_STRICT_CONTENT_HELP)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@index_options
@tenant_option
@_errors_to_exit_codes
def run_command(
    manifest: Path,
    sheet: str | None,
    base_url: str | None,
    api_key: str | None,
    concurrency: int | None,
    requests_per_minute: float | None,
    output: Path | None,
    dry_run: bool,
    limit: int | None,
    retry_failed: bool,
    shard: str | None,
    connect_timeout: float | None,
    read_timeout: float | None,
    strict_content: bool,
    quiet: bool,
    index_path: Path | None,
    no_index: bool,
    index_max_age: float,
    tenant_path: Path | None,
) -> None:
    """Upload and assign the files of MANIFEST, writing results back into it.

    Re-running the same manifest skips rows already assigned and retries the rest.
    """
    from .config import Settings
    from .journal import Shard
    from .pipeline import check, migrate
    from .progress import NullProgress, TqdmProgress

    settings = Settings.from_env(
        base_url=base_url,
        api_key=api_key,
        concurrency=concurrency,
        requests_per_minute=requests_per_minute,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        dry_run=dry_run or None,
        strict_content=strict_content or None,
    )
    settings = tenant_settings(manifest, tenant_path, settings)
    known = open_known(manifest, index_path, no_index, settings.base_url, index_max_age)
    if dry_run:
        _print_check(check(manifest, sheet=sheet, settings=settings, known=known))
        return
    if settings.api_key is None:
        raise ConfigError(f"no API key: pass --api-key or set {spott_api.API_KEY_ENV}")
    report = migrate(
        manifest,
        settings=settings,
        sheet=sheet,
        output=output,
        limit=limit,
        only_failed=retry_failed,
        progress=NullProgress() if quiet else TqdmProgress(),
        shard=Shard.parse(shard) if shard else None,
        known=known,
    )
    _print_check(report.check)
    _print_report(report)
    if shard and not output:
        click.echo(f"shard {shard} done; when every shard is, run: spott-migrate merge {manifest}")
    sys.exit(report.exit_code)


@main.command("merge")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet to read (default: the first).")
@click.option(
    "--output", type=click.Path(path_type=Path), help="Write results here instead of MANIFEST."
)
@_errors_to_exit_codes
def merge_command(manifest: Path, sheet: str | None, output: Path | None) -> None:
    """Write the results of every shard (and the main journal) into MANIFEST."""
    from .pipeline import merge

    report = merge(manifest, sheet=sheet, output=output)
    _print_report(report)
    sys.exit(report.exit_code)


@main.command("sandbox")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option(
    "--records", type=click.Path(exists=True, path_type=Path), help="Records store (JSON or CSV)."
)
@click.option(
    "--api-key", default="sandbox-key", show_default=True, help="The key the sandbox accepts."
)
@click.option(
    "--ttl",
    type=float,
    default=3600.0,
    show_default=True,
    help="Lifetime of temporary uploads (s).",
)
@click.option("--shuffle", is_flag=True, help="Answer uploads in a random order.")
@click.option("--fast", is_flag=True, help="httptools + uvloop, for benchmarks.")
def sandbox_command(
    port: int, records: Path | None, api_key: str, ttl: float, shuffle: bool, fast: bool
) -> None:
    """Serve a local Spott-compatible API on 127.0.0.1 (for demos and tests)."""
    from .sandbox import serve

    click.echo(f"sandbox on http://127.0.0.1:{port} (Ctrl-C to stop)")
    serve(
        port=port,
        records=records,
        api_key=api_key,
        fast=fast,
        temp_ttl_seconds=ttl,
        shuffle_uploads=shuffle,
    )


@main.command("demo")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Sample data folder.",
)
@click.option(
    "--workdir", type=click.Path(path_type=Path), default=Path("demo-run"), show_default=True
)
@_errors_to_exit_codes
def demo_command(data: Path | None, workdir: Path) -> None:
    """Run the sample manifest against the embedded sandbox and check the result."""
    from .demo import run_demo
    from .progress import TqdmProgress

    report, agreement = run_demo(data_dir=data, workdir=workdir, progress=TqdmProgress())
    _print_check(report.check)
    _print_report(report)
    click.echo(agreement)


@main.command("types")
def types_command() -> None:
    """List Spott's attachment types (the wire spellings) and the allowed file extensions."""
    click.echo("attachment types: " + ", ".join(spott_api.ATTACHMENT_TYPES))
    click.echo("file extensions:  " + ", ".join(sorted(spott_api.MIME_BY_EXTENSION)))


main.add_command(index_command)
main.add_command(verify_command)
main.add_command(doctor_command)
