"""A run's ending in words a consultant reads at a glance: one state word, one sentence, a tone.

The run status line shows the word and the sentence; the note under the buttons shows the counts
and where the results were written. Nothing here reads error texts: :func:`~.session.run_end`
decides how the run ended.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..manifest import schema as s
from ..tenant.verify import RowVerdict, Verification
from .session import RunEnd, RunOutcome

_WHAT = {"pilot": "pilot", "failed": "re-run of failed rows", "all": "run"}


@dataclass(frozen=True)
class Ending:
    """What the run status line says when a run is over."""

    word: str  # "finished", "stopped", "cancelled", "failed"
    sentence: str
    tone: str  # "ok", "warn" or "error"


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def ending(outcome: RunOutcome) -> Ending:
    """How ``outcome`` ended, told plainly."""
    end, report = outcome.end, outcome.report
    if report is None or end is RunEnd.ERROR:
        return Ending("failed", outcome.error or "the run stopped before it began", "error")
    run = report.run
    told = {
        RunEnd.FINISHED: Ending("finished", "every row sent is assigned", "ok"),
        RunEnd.NOTHING_TO_DO: Ending("finished", "nothing left to send", "ok"),
        RunEnd.WITH_FAILURES: Ending(
            "finished",
            f"{_rows(run.failed)} failed: the error column says why; "
            "fix what it names, then Re-run failed rows",
            "warn",
        ),
        RunEnd.CANCELLED: Ending(
            "cancelled", "rows not reached stay pending; Run all carries on later", "warn"
        ),
        RunEnd.UNREACHABLE: Ending(
            "stopped",
            f"could not reach Spott at {outcome.base_url or 'the Spott URL'}: no request got "
            "through. Check the Spott URL and the network, then run again",
            "error",
        ),
        RunEnd.KEY_REFUSED: Ending(
            "stopped",
            "Spott refused the API key: nothing more was sent. Enter the key again",
            "error",
        ),
        RunEnd.FATAL: Ending(
            "stopped", f"Spott asked to stop: {run.fatal_error or 'no reason given'}", "error"
        ),
        RunEnd.BREAKER: Ending(
            "stopped",
            "too many network or server errors in a row; rows not reached stay pending. "
            "Run again later",
            "error",
        ),
    }[end]
    if report.write_error:
        told = Ending(told.word, f"{told.sentence}; but {report.write_error}", "error")
    return told


def counts(outcome: RunOutcome) -> str:
    """The rows per status after the run, and where the results went."""
    report = outcome.report
    if report is None:
        return ""
    order: list[str] = [
        st for st in (s.ASSIGNED, s.FAILED, s.PENDING, s.INVALID) if st in report.statuses
    ]
    order += sorted(st for st in report.statuses if st not in order)
    numbers = " · ".join(f"{st} {report.statuses[st]}" for st in order)
    written = f"; results written back to {report.written_to.name}" if report.written_to else ""
    return f"{_WHAT[outcome.kind]} over at {time.strftime('%H:%M:%S')}: {numbers}{written}"


def verification(found: Verification) -> tuple[str, str]:
    """What a verification found, in one sentence, and its tone."""
    n = found.counts()
    present = n[RowVerdict.PRESENT.value]
    missing, twice = n[RowVerdict.MISSING.value], n[RowVerdict.DUPLICATED.value]
    unchecked = n[RowVerdict.UNCHECKED.value]
    sample = (
        f" (a sample of {found.records_checked} of {found.records_total} records)"
        if found.sampled
        else ""
    )
    repaired = n["ids repaired"]
    fixed = f"; {repaired} ids Spott changed are updated in the sheet" if repaired else ""
    if not (missing or twice or unchecked):
        return f"Spott holds all {_rows(present)} assigned{sample}{fixed}", "ok"
    parts = [f"{present} present"]
    parts += [f"{missing} missing"] if missing else []
    parts += [f"{twice} present more than once"] if twice else []
    parts += [f"{unchecked} not checked (Spott did not answer)"] if unchecked else []
    tone = "error" if missing or twice else "warn"
    return f"{', '.join(parts)}{sample}{fixed}", tone
