"""The whole job in two calls: :func:`check` (no network) and :func:`migrate`.

The CLI and the notebook panel are thin skins over these; so are the tests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .client import SpottClient
from .collisions import SameSizeFiles
from .columns import among, distinct
from .config import Settings
from .errors import RunInterrupted, SpottMigrateError, WriteBackError
from .jobs import JobTable
from .journal import (
    Entry,
    Journal,
    JournalView,
    ManifestLock,
    Shard,
    State,
    journal_path,
    journal_paths,
    read_journals,
)
from .leftover import plan_what_is_left
from .manifest import Manifest, read_manifest
from .manifest import schema as s
from .plan import Plan
from .probe import probe_paths
from .progress import NullProgress, Progress
from .results import project_results, write_back
from .run import Executor, RunControl, RunResult, Stop
from .tenant.known import KnownRecords, flag_unknown_targets
from .validation import Validation, validate_table
from .writeback import check_writable

__all__ = ["Check", "MigrationReport", "check", "merge", "migrate", "project_results", "write_back"]


@dataclass
class Check:
    """A manifest read, validated and planned, before any network call."""

    manifest: Manifest
    validation: Validation
    # Every journal's rows (a JournalView from check(); any mapping of entries will do).
    entries: Mapping[str, Entry] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    # Rows the sheet marks assigned that the journal does not know (row key -> the sheet's
    # attachment id): the run asks Spott about them before sending anything.
    claims: dict[str, str] = field(default_factory=dict)
    # Planned on first use: a run plans again after recovery, so it never needs this one.
    _plan: Plan | None = field(default=None, repr=False)
    # Each manifest row's row in ``entries.frame`` (-1: none), found by the check; the
    # projection of results over these entries uses it again.
    journal_rows: np.ndarray | None = field(default=None, repr=False)

    def rows_in(self, entries: Mapping[str, Entry]) -> np.ndarray | None:
        """``journal_rows`` when ``entries`` are the check's own, else None (to be found)."""
        return self.journal_rows if entries is self.entries else None

    @property
    def plan(self) -> Plan:
        """The requests for the rows still to do: look-ups first, then uploads and assigns.

        Made by the same function a run plans with, so a dry run shows what the run does.
        """
        if self._plan is None:
            self._plan = plan_what_is_left(
                self.validation.todo, self.entries, self.claims, self.settings
            )
        return self._plan

    def with_plan(self, plan: Plan) -> Check:
        """This check with the plan of the rows a run chose (a pilot, a shard, failed rows)."""
        return dataclasses.replace(self, _plan=plan)

    @functools.cached_property
    def failed_rows(self) -> frozenset[str]:
        """Rows still to do that failed in an earlier run (what ``--retry-failed`` retries):
        the journal says so, or the sheet does (a manifest carried without its journal)."""
        failed = JournalView.of(self.entries).keys_in(State.FAILED)
        rows = self.manifest.rows
        failed |= set(rows.loc[rows[s.STATUS] == s.FAILED, s.ROW_KEY])
        return frozenset(failed & set(self.validation.todo.row_key)) if failed else frozenset()

    def summary(self) -> dict[str, int]:
        """Row counts and plan numbers in one dict."""
        return {"rows": len(self.manifest), **self.validation.summary(), **self.plan.summary()}


@dataclass
class MigrationReport:
    """What :func:`migrate` did, for printing, plotting and tests."""

    check: Check
    run: RunResult
    statuses: dict[str, int]
    results: pd.DataFrame
    written_to: Path | None
    write_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when every row is assigned."""
        return set(self.statuses) <= {s.ASSIGNED} and self.write_error is None

    @property
    def exit_code(self) -> int:
        """0 all assigned, 1 some rows invalid/failed/pending, 2 fatal or not written back."""
        if (self.run.stopped is not None and self.run.stopped.is_error) or self.write_error:
            return 2
        return 0 if self.ok else 1


def _done_and_claims(
    manifest: Manifest, view: JournalView, *, journaled: bool
) -> tuple[frozenset[str], np.ndarray, np.ndarray, dict[str, str]]:
    """Rows already done (their keys, and which rows they are), each row's place in the
    journal (-1: none), and rows the sheet alone says are done (key -> attachment id).

    The journal is the truth: a row's ``assigned`` mark in the sheet counts only where the
    journal agrees, or where there is no journal at all (a manifest carried to another
    machine). A mark the journal does not know is a claim, checked against Spott in the run.
    """
    done = view.keys_in(State.ASSIGNED)
    rows = manifest.rows
    keys = rows[s.ROW_KEY].to_numpy()
    at = view.positions(keys)
    status = rows[s.STATUS].to_numpy()
    marked = status == s.ASSIGNED
    for i in np.flatnonzero(~marked & (status != "")).tolist():  # other spellings, one by one
        marked[i] = status[i].lower() == s.ASSIGNED
    marked &= rows[s.ATTACHMENT_ID].to_numpy() != ""
    if not journaled:
        done = done | set(keys[marked].tolist())
        return done, among(keys, done), at, {}
    known = at >= 0
    done_rows = known if done is view.key_set else among(keys, done)
    unknown = marked & ~known
    ids = rows[s.ATTACHMENT_ID].to_numpy()[unknown]
    return done, done_rows, at, dict(zip(keys[unknown].tolist(), ids.tolist(), strict=True))


def check(
    path: str | Path,
    *,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    known: KnownRecords | None = None,
) -> Check:
    """Read, probe, validate and plan a manifest. Touches no network and writes nothing.

    ``known`` (e.g. a `TenantIndex`): rows naming a record it does not hold are
    ``target_not_found``, so they are never uploaded.
    """
    settings = settings or Settings()
    manifest = read_manifest(path, sheet=sheet, column_map=column_map)
    entries = JournalView.load(manifest.path, manifest.sheet)
    journaled = bool(journal_paths(manifest.path))
    done, done_rows, at, claims = _done_and_claims(manifest, entries, journaled=journaled)
    rows = manifest.rows
    todo = np.flatnonzero(~done_rows)
    # Each distinct file once, by the text of its resolved path; -1 for a row without one.
    positions, unique = distinct(manifest.path_texts(rows[s.FILE_PATH].to_numpy()[todo].tolist()))
    same_size = SameSizeFiles(manifest, todo, positions, entries)
    table = probe_paths(unique, hash_if=same_size)
    del unique
    content = same_size.content(table)
    validation = validate_table(
        manifest,
        table,
        todo,
        positions,
        done=done,
        content=content,
        strict=settings.strict_content,
    )
    if known is not None:
        validation = flag_unknown_targets(manifest, validation, known)
    return Check(manifest, validation, entries, settings, claims, journal_rows=at)


def migrate(
    path: str | Path,
    *,
    settings: Settings | None = None,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    output: str | Path | None = None,
    progress: Progress | None = None,
    control: RunControl | None = None,
    client: SpottClient | None = None,
    limit: int | None = None,
    only_failed: bool = False,
    shard: Shard | None = None,
    known: KnownRecords | None = None,
) -> MigrationReport:
    """Validate, upload, assign and write results back. Re-running does only what is left.

    ``limit`` runs a pilot on the first N rows still to do; ``only_failed`` retries rows that
    failed before and starts nothing new; ``shard`` does only its share of the rows and keeps
    its results in its own journal (see :func:`merge`); ``known`` as for :func:`check`.
    Invalid rows are never sent.
    """
    settings = settings or Settings.from_env()
    path = Path(path)
    out_path = Path(output) if output else None
    tag = shard.tag if shard else None
    # A shard never writes the shared manifest (shards would overwrite each other's cells);
    # its results wait in its journal for `merge`, or go to its own --output.
    writes = not settings.dry_run and (shard is None or out_path is not None)
    with ManifestLock(path, tag):
        # read → probe → validate
        chk = check(path, sheet=sheet, column_map=column_map, settings=settings, known=known)
        manifest, validation = chk.manifest, chk.validation
        selected = _select(chk, limit=limit, only_failed=only_failed, shard=shard)
        # plan: the same function as the check's own plan, on the rows this run does
        plan = plan_what_is_left(selected, chk.entries, chk.claims, settings)
        chk = chk.with_plan(plan)
        if settings.dry_run:
            results = project_results(manifest, validation, chk.entries, at=chk.journal_rows)
            statuses = _statuses(results, validation, chk.entries, shard)
            return MigrationReport(chk, RunResult(), statuses, results, None)
        if len(selected) and writes:
            # Before anything is sent: results that could not be written would be stuck.
            check_writable(
                path, sheet=manifest.sheet, header_row=manifest.header_row, output=out_path
            )
        # run, journaled (its own journal opened once; the others read once, as they stand)
        own = journal_path(path, tag)
        trusting = not len(chk.entries) and bool(validation.done)  # marks to record, see below
        if not len(selected) and not trusting:
            # Nothing to send: the check's view of the journals is the whole truth.
            return _report(chk, RunResult(), chk.entries, out_path if writes else None, own, shard)
        others = read_journals(path, manifest.sheet, besides=own)
        with Journal(own, manifest.sheet) as journal:
            _take_over(journal, chk, selected)
            run_result = RunResult()
            if len(selected):
                run_result = _execute(
                    chk,
                    journal,
                    others,
                    settings,
                    client=client,
                    progress=progress,
                    control=control,
                    output=out_path if writes else None,
                    write=writes,
                )
            entries = JournalView.live(journal, others, path)
        return _report(chk, run_result, entries, out_path if writes else None, own, shard)


def _report(
    chk: Check,
    run_result: RunResult,
    entries: Mapping[str, Entry],
    output: Path | None,
    own: Path,
    shard: Shard | None,
) -> MigrationReport:
    """Write back (unless a shard keeps its results in its journal), then say what happened."""
    manifest, validation = chk.manifest, chk.validation
    results = project_results(manifest, validation, entries, at=chk.rows_in(entries))
    written, error = None, None
    if shard is None or output is not None:
        try:
            written = write_back(manifest, results, output)
        except WriteBackError as exc:
            error = f"{exc} — every result is kept in {own}"
    statuses = _statuses(results, validation, entries, shard)
    report = MigrationReport(chk, run_result, statuses, results, written, error)
    if run_result.stopped is Stop.INTERRUPTED:
        where = written or own
        raise RunInterrupted(f"stopped by the user; results so far are in {where}", report)
    return report


def _take_over(journal: Journal, chk: Check, selected: JobTable) -> None:
    """Make this run's journal know what concerns its rows before anything is sent.

    What other journals recorded for these rows (a shard's intent, an earlier plain run's
    upload) is copied in, so this run acts on it (looks the record up) instead of sending again.
    Rows the sheet marks assigned while no journal existed are trusted, and recorded as such:
    from now on a journal exists and would otherwise no longer vouch for them.
    """
    view = JournalView.of(chk.entries)
    started = view.keys_in(State.UPLOADED, State.ASSIGN_SENT, State.FAILED, State.PENDING)
    keys = started & set(selected.row_key)
    if keys:
        journal.adopt(view[k] for k in keys)
    trusted = chk.validation.done - view.key_set
    if trusted:
        rows = chk.manifest.rows[chk.manifest.rows[s.ROW_KEY].isin(trusted)]
        marks = zip(rows[s.ROW_KEY], rows[s.SOURCE_ROW], rows[s.ATTACHMENT_ID], strict=True)
        journal.record_marked({key: (int(src), att) for key, src, att in marks})


def merge(
    path: str | Path, *, sheet: str | None = None, output: str | Path | None = None
) -> MigrationReport:
    """Write every journal's results (the main one and each shard's) into the manifest."""
    path = Path(path)
    with ManifestLock(path):
        chk = check(path, sheet=sheet)
        results = project_results(chk.manifest, chk.validation, chk.entries, at=chk.journal_rows)
        written = write_back(chk.manifest, results, Path(output) if output else None)
        statuses = _statuses(results, chk.validation, chk.entries)
        return MigrationReport(chk, RunResult(), statuses, results, written)


def _statuses(
    results: pd.DataFrame,
    validation: Validation,
    entries: Mapping[str, Entry],
    shard: Shard | None = None,
) -> dict[str, int]:
    """Rows per status; a shard counts only its own rows (the others are other shards' work)."""
    if shard is not None:
        results = results[results[s.ROW_KEY].map(shard.owns)]
    statuses = Counter({str(k): int(n) for k, n in results[s.STATUS].value_counts().items()})
    # Rows done in an earlier run that the journals do not know (e.g. another machine).
    known = JournalView.of(entries).key_set
    if validation.done and validation.done is not known:  # (the same set: none unknown)
        unknown = validation.done - known
        statuses[s.ASSIGNED] += sum(1 for k in unknown if shard is None or shard.owns(k))
    return {k: v for k, v in statuses.items() if v}


def _select(chk: Check, *, limit: int | None, only_failed: bool, shard: Shard | None) -> JobTable:
    """The rows this run does, as positions in the check's table (no FileJob made yet)."""
    todo = chk.validation.todo
    keys = todo.row_key
    positions = list(range(len(todo)))
    if shard is not None:
        positions = [i for i in positions if shard.owns(keys[i])]
    if only_failed:
        failed = chk.failed_rows
        positions = [i for i in positions if keys[i] in failed]
    if limit is not None:
        positions = sorted(positions, key=lambda i: int(todo.source_row[i]))[: max(0, limit)]
    return todo if len(positions) == len(todo) else todo.take(positions)


def _execute(
    chk: Check,
    journal: Journal,
    others: pd.DataFrame,
    settings: Settings,
    *,
    client: SpottClient | None,
    progress: Progress | None,
    control: RunControl | None,
    output: Path | None,
    write: bool,
) -> RunResult:
    """Carry the check's plan out; Ctrl-C ends it as ``Stop.INTERRUPTED`` (written back after)."""
    manifest, validation = chk.manifest, chk.validation
    api = client or SpottClient(settings=settings)

    def checkpoint() -> None:
        # A checkpoint that cannot be written is not fatal: the journal has every result.
        if write:
            entries = JournalView.live(journal, others, manifest.path)
            with contextlib.suppress(SpottMigrateError, OSError):
                write_back(manifest, project_results(manifest, validation, entries), output)

    executor = Executor(
        api,
        journal,
        settings,
        progress=progress or NullProgress(),
        control=control,
        on_checkpoint=checkpoint,
    )
    try:
        return executor.run(chk.plan, chk.entries, chk.claims)
    except KeyboardInterrupt:
        # Ctrl-C: in-flight requests were settled; the caller writes back, then says so.
        executor.result.stopped = Stop.INTERRUPTED
        return executor.result
    finally:
        if client is None:
            api.close()
