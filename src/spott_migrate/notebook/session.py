"""The migration behind the panel: the library calls the CLI makes, with the run in a thread.

:class:`Session` knows nothing about widgets. It reads and checks the manifest with
:func:`~spott_migrate.check` and runs :func:`~spott_migrate.migrate` in a background thread with
a :class:`~spott_migrate.RunControl`, so the caller's thread (the notebook's) stays free to
pause, resume or cancel; all three take effect at request boundaries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..config import Settings
from ..errors import AuthError, NoAnswerError, RunInterrupted, SpottMigrateError, UnreachableError
from ..manifest import Manifest, read_manifest
from ..pipeline import Check, MigrationReport, check, migrate
from ..progress import Progress
from ..run import RunControl, Stop
from ..tenant.known import KnownRecords
from ..tenant.verify import Verification, verify_manifest


class RunEnd(Enum):
    """How a run ended, in the terms the panel tells a person."""

    FINISHED = "finished"  # every row it sent is assigned
    WITH_FAILURES = "with failures"  # it ran to the end, and some rows failed
    NOTHING_TO_DO = "nothing to do"  # there was nothing to send
    CANCELLED = "cancelled"
    UNREACHABLE = "unreachable"  # not one request got through: a wrong URL, no network
    KEY_REFUSED = "key refused"
    FATAL = "fatal"  # the API said stop for another reason
    BREAKER = "breaker"  # too many network or server failures in a row
    ERROR = "error"  # no report: the run could not start, or broke


@dataclass(frozen=True)
class RunOutcome:
    """How a background run ended: a report, an error message, or both (cancel, Ctrl-C)."""

    report: MigrationReport | None
    error: str | None = None
    # What was asked: "pilot", "all" or "failed".
    kind: str = "all"
    # Where the run sent its requests, for messages such as "could not reach …".
    base_url: str = ""

    @property
    def cancelled(self) -> bool:
        """True when the run stopped because someone cancelled it."""
        return self.end is RunEnd.CANCELLED

    @property
    def end(self) -> RunEnd:
        """How the run ended."""
        return run_end(self.report)


def run_end(report: MigrationReport | None) -> RunEnd:
    """How a run ended, from its report: its typed stop and the class of its fatal cause."""
    if report is None:
        return RunEnd.ERROR
    run = report.run
    if run.stopped in (Stop.CANCELLED, Stop.INTERRUPTED):
        return RunEnd.CANCELLED
    if run.stopped is not None and run.stopped.is_error:
        if isinstance(run.fatal_cause, AuthError):
            return RunEnd.KEY_REFUSED
        if isinstance(run.fatal_cause, UnreachableError | NoAnswerError):
            return RunEnd.UNREACHABLE
        return RunEnd.FATAL
    if run.stopped is Stop.BREAKER:
        return RunEnd.BREAKER
    if run.requests_sent == 0 and run.assigned == 0 and run.failed == 0:
        return RunEnd.NOTHING_TO_DO
    return RunEnd.WITH_FAILURES if run.failed else RunEnd.FINISHED


class Session:
    """One manifest (path, sheet, column mapping) and at most one run of it at a time."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.sheet: str | None = None
        self.column_map: dict[str, str] = {}
        self.manifest: Manifest | None = None
        self.checked: Check | None = None
        # What the tenant is known to hold (e.g. `open_index(...)`): checks and runs then
        # refuse rows naming records it does not have, before anything is sent.
        self.known: KnownRecords | None = None
        self._control: RunControl | None = None
        self._thread: threading.Thread | None = None

    # -- reading and checking ------------------------------------------------------------------
    def select(self, path: Path, sheet: str | None = None) -> None:
        """Point at a manifest (and sheet) without reading it; forgets the previous one."""
        self.path, self.sheet = path, sheet
        self.manifest, self.checked, self.column_map = None, None, {}

    def load(
        self, path: Path, sheet: str | None = None, column_map: Mapping[str, str] | None = None
    ) -> Manifest:
        """Read the manifest (raises :class:`ManifestError` with the reason if it cannot)."""
        manifest = read_manifest(path, sheet=sheet, column_map=column_map or None)
        self.path, self.sheet = path, manifest.sheet
        self.column_map = dict(column_map or {})
        self.manifest, self.checked = manifest, None
        return manifest

    def validate(self, settings: Settings) -> Check:
        """Read, probe, validate and plan again from disk (the user may have fixed the file)."""
        if self.path is None:
            raise SpottMigrateError("load a manifest first")
        self.checked = check(
            self.path,
            sheet=self.sheet,
            column_map=self.column_map or None,
            settings=settings,
            known=self.known,
        )
        self.manifest = self.checked.manifest
        return self.checked

    def failed_rows(self) -> int:
        """Rows that failed in an earlier run: what "re-run failed rows" would retry."""
        return len(self.checked.failed_rows) if self.checked is not None else 0

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while a run's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(
        self,
        settings: Settings,
        *,
        progress: Progress,
        limit: int | None = None,
        only_failed: bool = False,
        on_done: Callable[[RunOutcome], None] | None = None,
    ) -> None:
        """Start :func:`migrate` in a background thread; it calls ``on_done`` at the end."""
        if self.path is None:
            raise SpottMigrateError("load a manifest first")
        if self.running:
            raise SpottMigrateError("a run is already going; pause or cancel it first")
        kind = "failed" if only_failed else ("pilot" if limit is not None else "all")
        url = settings.base_url
        control = RunControl()
        path, sheet, column_map = self.path, self.sheet, dict(self.column_map) or None
        known = self.known

        def work() -> None:
            try:
                report = migrate(
                    path,
                    settings=settings,
                    sheet=sheet,
                    column_map=column_map,
                    progress=progress,
                    control=control,
                    limit=limit,
                    only_failed=only_failed,
                    known=known,
                )
                outcome = RunOutcome(report, kind=kind, base_url=url)
            except RunInterrupted as exc:
                done = exc.report if isinstance(exc.report, MigrationReport) else None
                outcome = RunOutcome(done, str(exc), kind, url)
            except SpottMigrateError as exc:
                outcome = RunOutcome(None, str(exc), kind, url)
            except Exception as exc:  # a thread's exception would vanish; show it instead
                outcome = RunOutcome(None, f"unexpected {type(exc).__name__}: {exc}", kind, url)
            if on_done is not None:
                on_done(outcome)

        self._control = control
        self._thread = threading.Thread(target=work, name="spott-panel-run", daemon=True)
        self._thread.start()

    def verify(self, settings: Settings, *, on_done: Callable[[Verification | str], None]) -> None:
        """Reconcile the assigned rows against Spott (:func:`verify_manifest`) in a background
        thread; ``on_done`` gets the verification, or the error's sentence."""
        if self.path is None:
            raise SpottMigrateError("load a manifest first")
        if self.running:
            raise SpottMigrateError("a run is going: wait for it, or cancel it, first")
        path, sheet = self.path, self.sheet

        def work() -> None:
            found: Verification | str
            try:
                found = verify_manifest(path, settings=settings, sheet=sheet)
            except SpottMigrateError as exc:
                found = str(exc)
            except Exception as exc:  # a thread's exception would vanish; show it instead
                found = f"unexpected {type(exc).__name__}: {exc}"
            on_done(found)

        self._control = None
        self._thread = threading.Thread(target=work, name="spott-panel-verify", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """No new requests until :meth:`resume` (requests in flight finish)."""
        if self._control is not None:
            self._control.pause()

    def resume(self) -> None:
        """Carry on after :meth:`pause`."""
        if self._control is not None:
            self._control.resume()

    def cancel(self) -> None:
        """Stop the run: requests in flight finish, rows not reached stay pending."""
        if self._control is not None:
            self._control.cancel()

    def wait_paused(self, timeout: float | None = None) -> bool:
        """Block until the paused run has no request on the wire; False on timeout."""
        return self._control is not None and self._control.wait_idle(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run's thread (and its ``on_done``) has finished; False on timeout."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
