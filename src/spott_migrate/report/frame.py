"""One table row per manifest row, with what plots and reports need.

A run's outcome is spread over the manifest (type, targets, file), the results (status, error)
and the file system (size); :func:`rows_frame` joins them once so every plot reads one table.
It accepts a :class:`MigrationReport` (after a run) or a :class:`Check` (before one: valid rows
show as pending).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import spott_api
from ..codes import Code
from ..manifest import schema as s
from ..pipeline import Check, MigrationReport, project_results
from ..plan import Plan, make_plan
from ..run import RunResult

Outcome = MigrationReport | Check

ROW_COLUMNS = (
    s.SOURCE_ROW,
    s.ROW_KEY,
    s.FILE_PATH,
    "type",
    "target",
    "status",
    "code",
    "error",
    "attachment_id",
    "size",
)
_KINDS = {s.CANDIDATE_ID: "candidate", s.COMPANY_ID: "company", s.VACANCY_ID: "vacancy"}
_CODES = frozenset(c.value for c in Code)


def check_of(outcome: Outcome) -> Check:
    """The :class:`Check` behind an outcome."""
    return outcome.check if isinstance(outcome, MigrationReport) else outcome


def run_of(outcome: Outcome | RunResult) -> RunResult:
    """The run of an outcome; an empty one for a check that was never run."""
    if isinstance(outcome, RunResult):
        return outcome
    return outcome.run if isinstance(outcome, MigrationReport) else RunResult()


def results_of(outcome: Outcome) -> pd.DataFrame:
    """The result columns per row: the report's own, or the journal's view for a check."""
    if isinstance(outcome, MigrationReport):
        return outcome.results
    return project_results(outcome.manifest, outcome.validation, outcome.entries)


def still_to_do(outcome: Outcome) -> Plan:
    """What is left to send: the check's plan before a run, the rows not assigned after it.

    After a run, the check's plan is the one the run started from; the rows it assigned are
    done, so only the valid rows still pending or failed are planned again.
    """
    chk = check_of(outcome)
    if not isinstance(outcome, MigrationReport):
        return chk.plan
    results = outcome.results
    assigned = set(results.loc[results[s.STATUS] == s.ASSIGNED, s.ROW_KEY])
    jobs = chk.validation.jobs
    return make_plan(jobs[~jobs[s.ROW_KEY].isin(assigned)], chk.settings)


def code_of(error: str) -> str:
    """The reason code at the front of a ``spott_error`` text, or ``''``."""
    head = error.split(":", 1)[0].strip()
    return head if head in _CODES else ""


def type_label(text: str) -> str:
    """The wire type of a ``type`` cell, ``(unknown)`` or ``(none)``."""
    if not text:
        return "(none)"
    return spott_api.normalise_type(text) or "(unknown)"


def target_label(row: pd.Series) -> str:
    """Which kinds of record a row goes to: ``candidate``, ``company+vacancy``, ``(none)``."""
    kinds = [kind for column, kind in _KINDS.items() if row[column]]
    return "+".join(kinds) or "(none)"


def _size(resolve: Callable[[str], Path], file_text: str) -> float:
    if not file_text:
        return float("nan")
    path = resolve(file_text)
    try:
        return float(path.stat().st_size) if path.is_file() else float("nan")
    except OSError:
        return float("nan")


def rows_frame(outcome: Outcome) -> pd.DataFrame:
    """Every manifest row with its type, target kind, status, reason code, error and size."""
    chk = check_of(outcome)
    manifest = chk.manifest
    rows = manifest.rows
    results = results_of(outcome).set_index(s.ROW_KEY)
    out: list[dict[str, object]] = []
    for row in rows.to_dict("records"):
        key = row[s.ROW_KEY]
        if key in results.index:
            result = results.loc[key]
            status, error = str(result[s.STATUS]), str(result[s.ERROR])
            attachment = str(result[s.ATTACHMENT_ID])
        else:
            # Not projected: assigned in an earlier run, the manifest's own cells still hold it.
            status, error, attachment = s.ASSIGNED, "", str(row[s.ATTACHMENT_ID])
        out.append(
            {
                s.SOURCE_ROW: int(row[s.SOURCE_ROW]),
                s.ROW_KEY: key,
                s.FILE_PATH: row[s.FILE_PATH],
                "type": type_label(row[s.TYPE]),
                "target": target_label(pd.Series(row)),
                "status": status,
                "code": code_of(error),
                "error": error,
                "attachment_id": attachment,
                "size": _size(manifest.resolve, row[s.FILE_PATH]),
            }
        )
    return pd.DataFrame(out, columns=list(ROW_COLUMNS))


def failure_counts(outcome: Outcome) -> pd.DataFrame:
    """Rows per (status, code) for invalid, failed and coded pending rows.

    An invalid row with two problems counts under both codes, since each needs its own fix.
    Rows merely not started yet (pending, no code) are not failures and are left out.
    """
    frame = rows_frame(outcome)
    problems = check_of(outcome).validation.problems
    invalid_keys = set(frame.loc[frame["status"] == s.INVALID, s.ROW_KEY])
    invalid = problems[problems["row_key"].isin(invalid_keys)].drop_duplicates(["row_key", "code"])
    parts = [invalid.assign(status=s.INVALID)[["status", "code"]]]
    failed = frame["status"] == s.FAILED
    coded_pending = (frame["status"] == s.PENDING) & (frame["code"] != "")
    others = frame[failed | coded_pending]
    parts.append(others.assign(code=others["code"].replace("", "(no code)"))[["status", "code"]])
    merged = pd.concat(parts, ignore_index=True)
    counts = merged.groupby(["status", "code"], sort=False).size().rename("rows").reset_index()
    return counts.sort_values(["rows", "code"], ascending=[False, True], ignore_index=True)
