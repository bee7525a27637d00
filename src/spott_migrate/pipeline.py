"""The whole job in two calls: :func:`check` (no network) and :func:`migrate`.

The CLI and the notebook panel are thin skins over these; so are the tests.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .client import SpottClient
from .codes import format_error
from .collisions import SameSizeFiles
from .columns import among, distinct
from .config import Settings
from .errors import RunInterrupted, WriteBackError
from .jobs import FileJob
from .journal import (
    Entry,
    Journal,
    JournalView,
    ManifestLock,
    Shard,
    State,
    journal_path,
    load_entries,
    utc_now,
)
from .manifest import Manifest, read_manifest
from .manifest import schema as s
from .plan import Plan, make_plan
from .probe import probe_paths
from .progress import NullProgress, Progress
from .run import Executor, RunControl, RunResult
from .validation import Validation, validate_table
from .writeback import write_results


@dataclass
class Check:
    """A manifest read, validated and planned, before any network call."""

    manifest: Manifest
    validation: Validation
    # Every journal's rows (a JournalView from check(); any mapping of entries will do).
    entries: Mapping[str, Entry] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    # Planned on first use: a run plans again after recovery, so it never needs this one.
    _plan: Plan | None = field(default=None, repr=False)

    @property
    def plan(self) -> Plan:
        """The upload and assign requests for the rows still to do."""
        if self._plan is None:
            uploaded = JournalView.of(self.entries).keys_in(State.UPLOADED, State.ASSIGN_SENT)
            self._plan = make_plan(self.validation.todo, self.settings, uploaded=uploaded)
        return self._plan

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
        if self.run.stopped in ("fatal",) or self.write_error:
            return 2
        return 0 if self.ok else 1


def _done_keys(manifest: Manifest, entries: Mapping[str, Entry]) -> set[str]:
    done = JournalView.of(entries).keys_in(State.ASSIGNED)
    rows = manifest.rows
    # A manifest carried to another machine has no journal: trust its own "assigned" marks.
    status = rows[s.STATUS].to_numpy()
    marked = status == s.ASSIGNED
    for i in np.flatnonzero(~marked & (status != "")).tolist():  # other spellings, one by one
        marked[i] = status[i].lower() == s.ASSIGNED
    marked &= rows[s.ATTACHMENT_ID].to_numpy() != ""
    return done | set(rows[s.ROW_KEY].to_numpy()[marked].tolist())


def check(
    path: str | Path,
    *,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    manifest: Manifest | None = None,
) -> Check:
    """Read, probe, validate and plan a manifest. Touches no network and writes nothing."""
    settings = settings or Settings()
    manifest = manifest or read_manifest(path, sheet=sheet, column_map=column_map)
    entries = JournalView.load(manifest.path, manifest.sheet)
    done = _done_keys(manifest, entries)
    rows = manifest.rows
    todo = np.flatnonzero(~among(rows[s.ROW_KEY].to_numpy(), done))
    # Each distinct file once, by the text of its resolved path; -1 for a row without one.
    positions, unique = distinct(manifest.path_texts(rows[s.FILE_PATH].to_numpy()[todo].tolist()))
    same_size = SameSizeFiles(manifest, todo, positions, entries)
    table = probe_paths(unique, hash_if=same_size)
    del unique
    content = same_size.content(table)
    validation = validate_table(
        manifest, table, todo, positions, done=frozenset(done), content=content
    )
    return Check(manifest, validation, entries, settings)


def project_results(
    manifest: Manifest, validation: Validation, entries: Mapping[str, Entry]
) -> pd.DataFrame:
    """The result columns for every row that is not already done: a view of the journal.

    Column by column: only rows with an error to word (invalid, failed, a note) are formatted
    one by one.
    """
    rows = manifest.rows
    keys = rows[s.ROW_KEY]
    n = len(rows)
    journal = JournalView.of(entries).frame
    at = journal.index.get_indexer(keys) if len(journal) else np.full(n, -1)
    known = at >= 0

    def entry_column(name: str) -> np.ndarray:
        column = np.full(n, None, dtype=object)
        column[known] = journal[name].to_numpy()[at[known]]
        return column

    state = entry_column("state")
    now = utc_now()
    status = np.full(n, s.PENDING, dtype=object)
    attachment = np.full(n, "", dtype=object)
    error = np.full(n, "", dtype=object)
    updated = np.full(n, now, dtype=object)
    updated[known] = entry_column("updated_at")[known]
    assigned = state == State.ASSIGNED.value
    status[assigned] = s.ASSIGNED
    ids = entry_column("attachment_id")
    attachment[assigned] = [i or "" for i in ids[assigned]]
    status[state == State.FAILED.value] = s.FAILED
    error[state == State.ASSIGN_SENT.value] = (
        "not confirmed yet; the next run checks Spott before sending anything"
    )
    codes, messages = entry_column("code"), entry_column("message")
    worded = known & ~assigned & (state != State.ASSIGN_SENT.value)
    worded &= (codes != None) | (state == State.FAILED.value)  # noqa: E711 (element-wise)
    for i in np.flatnonzero(worded).tolist():
        code = codes[i] or ("retries_exhausted" if state[i] == State.FAILED.value else None)
        error[i] = format_error(code, messages[i] or "") if code else ""
    problems = validation.problems_by_row()
    if problems:
        for i in np.flatnonzero(keys.isin(problems.keys()).to_numpy()).tolist():
            status[i], attachment[i], updated[i] = s.INVALID, "", now
            error[i] = "; ".join(format_error(c, m) for c, m in problems[keys.iat[i]])
    # Rows assigned in an earlier run elsewhere (no entry here): leave the user's cells alone.
    keep = known | ~among(keys.to_numpy(), validation.done) if validation.done else None
    out = pd.DataFrame(
        {
            s.SOURCE_ROW: rows[s.SOURCE_ROW].to_numpy(dtype=np.int64),
            s.ROW_KEY: keys.to_numpy(),
            s.STATUS: status,
            s.ATTACHMENT_ID: attachment,
            s.ERROR: error,
            s.UPDATED_AT: updated,
        }
    )
    return out if keep is None or keep.all() else out[keep].reset_index(drop=True)


def write_back(manifest: Manifest, results: pd.DataFrame, output: Path | None = None) -> Path:
    """Write the result columns into the manifest (or ``output``), atomically.

    Into the manifest itself only rows whose result changed are written; when none did, the
    file is left alone (a re-run of a finished manifest does not even rewrite it).
    """
    if output is None:
        results = _changed(manifest, results)
        if results.empty:
            return manifest.path
    # Column by column: a dict per row from `to_dict("records")` costs ~10× more at 100k rows.
    texts = [results[c].astype(str).tolist() for c in s.RESULT_COLUMNS]
    cells = {
        int(row): dict(zip(s.RESULT_COLUMNS, values, strict=True))
        for row, *values in zip(results[s.SOURCE_ROW].tolist(), *texts, strict=True)
    }
    return write_results(
        manifest.path, cells, sheet=manifest.sheet, header_row=manifest.header_row, output=output
    )


def _changed(manifest: Manifest, results: pd.DataFrame) -> pd.DataFrame:
    compared = [s.STATUS, s.ATTACHMENT_ID, s.ERROR]
    current = manifest.rows[[s.SOURCE_ROW, *compared]]
    both = results.merge(current, on=s.SOURCE_ROW, how="left", suffixes=("", "_now"))
    same = pd.Series(True, index=both.index)
    for column in compared:
        same &= both[column].astype(str) == both[f"{column}_now"].fillna("").astype(str)
    return results[~same.to_numpy()]


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
) -> MigrationReport:
    """Validate, upload, assign and write results back. Re-running does only what is left.

    ``limit`` runs a pilot on the first N rows still to do; ``only_failed`` retries rows that
    failed before and starts nothing new; ``shard`` does only its share of the rows and keeps
    its results in its own journal (see :func:`merge`). Invalid rows are never sent.
    """
    settings = settings or Settings.from_env()
    path = Path(path)
    out_path = Path(output) if output else None
    tag = shard.tag if shard else None
    with ManifestLock(path, tag):
        chk = check(path, sheet=sheet, column_map=column_map, settings=settings)
        manifest, validation = chk.manifest, chk.validation
        jobs = _select_jobs(chk, limit=limit, only_failed=only_failed, shard=shard)
        run_result, interrupted = RunResult(), False
        with Journal(journal_path(path, tag), manifest.sheet) as journal:
            if not settings.dry_run and jobs:
                try:
                    chk, run_result = _execute(
                        chk,
                        jobs,
                        journal,
                        settings,
                        client=client,
                        progress=progress,
                        control=control,
                        output=out_path,
                        write=shard is None,
                    )
                except _Interrupted as stop:
                    chk, run_result, interrupted = stop.check, stop.result, True
        ran = bool(jobs) and not settings.dry_run
        entries = load_entries(path, manifest.sheet) if ran else chk.entries
        results = project_results(manifest, validation, entries)
        written, error = None, None
        # A shard never writes the shared manifest (shards would overwrite each other's
        # cells); its results wait in its journal for `merge`, or go to its own --output.
        if not settings.dry_run and (shard is None or out_path is not None):
            try:
                written = write_back(manifest, results, out_path)
            except WriteBackError as exc:
                error = f"{exc} — every result is kept in {journal_path(path, tag)}"
        report = MigrationReport(
            chk, run_result, _statuses(results, validation, entries), results, written, error
        )
        if interrupted:
            where = written or journal_path(path, tag)
            raise RunInterrupted(f"stopped by the user; results so far are in {where}", report)
        return report


def merge(
    path: str | Path, *, sheet: str | None = None, output: str | Path | None = None
) -> MigrationReport:
    """Write every journal's results (the main one and each shard's) into the manifest."""
    path = Path(path)
    with ManifestLock(path):
        chk = check(path, sheet=sheet)
        results = project_results(chk.manifest, chk.validation, chk.entries)
        written = write_back(chk.manifest, results, Path(output) if output else None)
        statuses = _statuses(results, chk.validation, chk.entries)
        return MigrationReport(chk, RunResult(), statuses, results, written)


def _statuses(
    results: pd.DataFrame, validation: Validation, entries: Mapping[str, Entry]
) -> dict[str, int]:
    statuses = Counter({str(k): int(n) for k, n in results[s.STATUS].value_counts().items()})
    # Rows done in an earlier run that the journals do not know (e.g. another machine).
    if validation.done:
        known = JournalView.of(entries).frame.index.to_numpy()  # distinct keys
        statuses[s.ASSIGNED] += len(validation.done) - int(among(known, validation.done).sum())
    return {k: v for k, v in statuses.items() if v}


def _select_jobs(
    chk: Check, *, limit: int | None, only_failed: bool, shard: Shard | None
) -> list[FileJob]:
    jobs = chk.validation.todo.jobs()
    if shard is not None:
        jobs = [j for j in jobs if shard.owns(j.row_key)]
    if only_failed:
        rows = chk.manifest.rows
        failed = JournalView.of(chk.entries).keys_in(State.FAILED)
        failed |= set(rows.loc[rows[s.STATUS] == s.FAILED, s.ROW_KEY])
        jobs = [j for j in jobs if j.row_key in failed]
    if limit is not None:
        jobs = sorted(jobs, key=lambda j: j.source_row)[: max(0, limit)]
    return jobs


class _Interrupted(Exception):
    def __init__(self, check: Check, result: RunResult) -> None:
        self.check, self.result = check, result


def _execute(
    chk: Check,
    jobs: list[FileJob],
    journal: Journal,
    settings: Settings,
    *,
    client: SpottClient | None,
    progress: Progress | None,
    control: RunControl | None,
    output: Path | None,
    write: bool,
) -> tuple[Check, RunResult]:
    """Recover what an earlier run left mid-way, plan the rest, run it."""
    manifest, validation = chk.manifest, chk.validation
    api = client or SpottClient(settings=settings)

    def checkpoint() -> None:
        # A checkpoint that cannot be written is not fatal: the journal has every result.
        if write:
            entries = load_entries(manifest.path, manifest.sheet)
            with contextlib.suppress(WriteBackError, OSError):
                write_back(manifest, project_results(manifest, validation, entries), output)

    try:
        executor = Executor(
            api,
            journal,
            settings,
            progress=progress or NullProgress(),
            control=control,
            on_checkpoint=checkpoint,
        )
        ready = executor.recover(jobs, journal.entries())
        entries = journal.entries()
        # Assigned rows are done; rows whose assign could not be checked are left alone until
        # Spott can be asked (never re-sent blind).
        settled = (State.ASSIGNED, State.ASSIGN_SENT)
        jobs = [j for j in jobs if _state(entries, j.row_key) not in settled]
        plan = make_plan(jobs, settings, uploaded=ready)
        chk = Check(manifest, validation, entries, settings, _plan=plan)
        try:
            return chk, executor.run(plan)
        except KeyboardInterrupt:
            # Ctrl-C: in-flight requests were settled; the caller writes back, then says so.
            executor.result.stopped = "interrupted"
            raise _Interrupted(chk, executor.result) from None
    finally:
        if client is None:
            api.close()


def _state(entries: Mapping[str, Entry], key: str) -> State | None:
    entry = entries.get(key)
    return entry.state if entry else None
