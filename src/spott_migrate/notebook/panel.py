"""The control panel: a whole migration, visible and controllable from one notebook cell.

    from spott_migrate.notebook import Panel
    Panel("manifest.xlsx")

It is a thin front-end: :class:`~.session.Session` makes the same library calls as the CLI
(:func:`~spott_migrate.check`, :func:`~spott_migrate.migrate`), the views only draw. Every button
has a method of the same meaning (:meth:`Panel.run_all`, :meth:`Panel.pause`, …), so a script or
a test can drive the panel exactly as a person would.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..config import Settings
from ..errors import ManifestError, SpottMigrateError
from ..journal import State
from ..pipeline import Check, MigrationReport
from ..report import all_figures, rows_frame, write_html
from ..tenant.verify import Verification
from . import display
from .headers import guess_mapping, header_cells, missing_columns, sheet_names
from .keyfield import KeyField
from .memory import ColumnMemory
from .pace import Pace
from .progress import LiveProgress
from .session import RunEnd, RunOutcome, Session
from .views.common import Cause, Note, heading
from .views.controls import RunControls
from .views.mapping import MappingView
from .views.plan import PlanView
from .views.plots import PlotsView
from .views.problems import ProblemsView
from .views.progress import ProgressView
from .views.results import ResultsView
from .views.source import SourceView
from .views.strict import StrictContentSwitch
from .wording import counts, ending, verification

P = ParamSpec("P")
R = TypeVar("R")


def _panel(args: tuple[object, ...]) -> Panel:
    """The panel a decorated method was called on (its first argument)."""
    panel = args[0]
    assert isinstance(panel, Panel)
    return panel


# Runs whose requests got answers: only they tell how fast this Spott is.
_PACED = frozenset({RunEnd.FINISHED, RunEnd.WITH_FAILURES, RunEnd.CANCELLED})


def _shown_errors(where: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Button handlers report errors in the panel: ipywidgets would swallow them silently.

    ``where`` names the section whose note shows the error: the one whose button was pressed,
    so each message appears once, next to what it is about.
    """

    def decorate(method: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                return method(*args, **kwargs)
            except SpottMigrateError as exc:
                _panel(args)._fail(str(exc), where)
            except Exception as exc:  # shown, not hidden: the user has no other way to see it
                _panel(args)._fail(f"unexpected {type(exc).__name__}: {exc}", where)
            return None

        return wrapper

    return decorate


class Panel:
    """One-cell migration: manifest, columns, check, plan, run (pilot/all/failed), results, plots.

    ``settings`` defaults to :meth:`Settings.from_env`; the API key comes from it (e.g.
    ``SPOTT_API_KEY``) or from the password box, and is never displayed. Uploaded manifests are
    saved to ``upload_dir`` (default: the current folder), where their files must be.
    """

    def __init__(
        self,
        manifest: str | Path | None = None,
        *,
        sheet: str | None = None,
        settings: Settings | None = None,
        upload_dir: str | Path | None = None,
        pilot_rows: int = 10,
        plots: bool = True,
    ) -> None:
        base = settings or Settings.from_env()
        key_source = "settings" if settings is not None else "environment"
        # The key lives in the KeyField only; every other copy of the settings is keyless.
        self._key = KeyField(base.secret, source=key_source)
        self._base = base.with_(api_key=None)
        self._session = Session()
        self._plots_on = plots
        # Button states change from the notebook's thread and from the run's thread; the lock
        # and `_active` keep a late Pause from leaving "paused" buttons after the run ended.
        self._state_lock = threading.Lock()
        self._active = False
        self._progress: LiveProgress | None = None
        self._pace = Pace()  # how fast this Spott answered in the runs so far
        self._figures: dict[str, Figure] = {}
        self.report: MigrationReport | None = None
        self.last_error: str | None = None
        self._quiet = False  # set while the panel itself changes the sheet dropdown

        self.source = SourceView(str(manifest or ""), Path(upload_dir) if upload_dir else None)
        self.mapping = MappingView()
        self.problems = ProblemsView()
        self.strict_content = StrictContentSwitch(self._base)
        self.plan = PlanView()
        self.controls = RunControls(self._base, self._key, pilot_rows)
        self.progress = ProgressView()
        self.results = ResultsView()
        self.plots = PlotsView()
        self.widget = widgets.VBox(
            [
                widgets.HTML(display.TITLE),
                heading(1, "Manifest"),
                self.source.widget,
                heading(2, "Columns"),
                self.mapping.widget,
                heading(3, "Check"),
                self.strict_content.widget,
                self.problems.widget,
                heading(4, "Plan"),
                self.plan.widget,
                heading(5, "Run"),
                self.controls.widget,
                self.progress.widget,
                heading(6, "Results"),
                self.results.widget,
                heading(7, "Plots"),
                self.plots.widget,
            ],
            layout=widgets.Layout(width="100%", max_width="72em"),
        )
        self._name_parts()
        self._wire()
        self._enable()
        if manifest is not None:
            self.load(sheet=sheet)

    # -- display ---------------------------------------------------------------------------
    def _ipython_display_(self) -> None:
        """In a notebook: the panel, after a note that only shows when the panel cannot."""
        display.show(self.widget, self._static_text())

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return display.bundle(self.widget, self._static_text(), **kwargs)

    def _static_text(self) -> str:
        return (
            f"{self!r}: run this cell again for the live panel; the results so far are in the "
            "manifest and its journal"
        )

    def __repr__(self) -> str:
        path = str(self._session.path) if self._session.path else None
        key = "set" if self._key.secret else "missing"
        return f"Panel(manifest={path!r}, sheet={self._session.sheet!r}, key={key})"

    def all_widgets(self) -> Iterator[widgets.Widget]:
        """Every widget in the panel, depth first (for tests and for saving state)."""
        stack: list[widgets.Widget] = [self.widget]
        while stack:
            widget = stack.pop()
            yield widget
            stack.extend(reversed(list(getattr(widget, "children", ()))))

    def _name_parts(self) -> None:
        display.name_parts(
            {
                "spott-panel": self.widget,
                "spott-source-note": self.source.note,
                "spott-mapping-note": self.mapping.note,
                "spott-check-summary": self.problems.summary,
                "spott-plan": self.plan.widget,
                "spott-run-note": self.controls.note,
                "spott-key-status": self.controls.key.status,
                "spott-run-status": self.progress.line,
                "spott-run-counts": self.progress.statuses,
                "spott-files-bar": self.progress.files,
                "spott-result-counts": self.results.counts,
                "spott-results": self.results.table,
                "spott-report-note": self.results.export_note,
                "spott-report-link": self.results.export_link,
            }
        )

    # -- wiring ----------------------------------------------------------------------------
    def _wire(self) -> None:
        self.source.load.on_click(lambda _b: self.load())
        self.source.upload.observe(self._on_upload, names="value")
        self.source.sheet.observe(self._on_sheet, names="value")
        self.mapping.apply.on_click(lambda _b: self.apply_mapping())
        self.problems.again.on_click(lambda _b: self.validate())
        self.results.export.on_click(lambda _b: self.export_report())
        self.results.verify.on_click(lambda _b: self.verify())
        self._key.on_change = self._on_key
        self.strict_content.checkbox.observe(self._on_strict_content, names="value")
        buttons = self.controls.buttons
        buttons["pilot"].on_click(lambda _b: self.run_pilot())
        buttons["all"].on_click(lambda _b: self.run_all())
        buttons["failed"].on_click(lambda _b: self.rerun_failed())
        buttons["pause"].on_click(lambda _b: self.pause())
        buttons["resume"].on_click(lambda _b: self.resume())
        buttons["cancel"].on_click(lambda _b: self.cancel())

    def _on_upload(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.load()

    def _on_strict_content(self, _change: dict[str, Any]) -> None:
        # The check and every later run use the switch's choice; check again unless running.
        self._base = self.strict_content.settings(self._base)
        if self._session.checked is not None and not self._active:
            self.validate()

    def _on_sheet(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] and change["new"] != self._session.sheet:
            self.load(sheet=change["new"])

    def _on_key(self, is_set: bool) -> None:
        if is_set:
            self.controls.note.settled(Cause.KEY)

    # -- 1 and 2: manifest and columns ------------------------------------------------------
    @property
    def checked(self) -> Check | None:
        """The latest check of the manifest (refreshed after every run)."""
        return self._session.checked

    @_shown_errors("source")
    def load(self, path: str | Path | None = None, sheet: str | None = None) -> None:
        """Read the manifest named in the path box (or uploaded), then check it."""
        self.last_error = None
        self._not_while_running()
        self.source.note.clear()
        if path is not None:
            self.source.path.value = str(path)
        self.source.save_upload()  # an uploaded file replaces the path box's value
        if not self.source.path.value.strip():
            raise ManifestError("enter the manifest's path, or upload it")
        target = Path(self.source.path.value.strip()).expanduser()
        if not target.is_file():
            raise ManifestError(f"no file at {target}")
        sheets = sheet_names(target)
        chosen = sheet or (self.source.sheet.value if self.source.sheet.value in sheets else None)
        self._quiet = True
        try:
            self.source.set_sheets(sheets, chosen)
        finally:
            self._quiet = False
        sheet = self.source.sheet.value if sheets else None
        headers = header_cells(target, sheet)
        remembered = ColumnMemory.beside(target).get(sheet, headers)
        mapping = {**guess_mapping(headers), **remembered}
        self.mapping.show(headers, mapping)
        self._session.select(target, sheet)  # so Apply knows the file even if reading fails
        self._enable()
        missing = missing_columns(mapping)
        if missing:  # a question for section 2, not an error of the file
            self.last_error = "no column chosen for " + ", ".join(missing)
            self.source.say(f"found {target.name}: its columns need choosing below", "warn")
            self.mapping.say(f"{self.last_error}: choose them above, then Apply mapping", "error")
            return
        try:
            manifest = self._session.load(target, sheet, remembered)
        except ManifestError:
            self.mapping.say("check the columns above, then Apply mapping", "warn")
            raise
        self.mapping.show(headers, manifest.column_map)
        note = "columns found by their names"
        if remembered:
            note = "remembered mapping applied: " + ", ".join(
                f"{c} ← {h!r}" for c, h in remembered.items()
            )
        self.mapping.say(note, "ok")
        self._loaded(target.name, len(manifest))

    @_shown_errors("mapping")
    def apply_mapping(self, mapping: dict[str, str] | None = None) -> None:
        """Read the manifest with the dropdowns' mapping (or ``mapping``), remember it, check."""
        self.last_error = None
        self._not_while_running()
        self.mapping.note.clear()
        path, sheet = self._session.path, self.source.sheet.value or None
        if path is None:
            raise ManifestError("load a manifest first")
        if mapping is not None:
            for column, header in mapping.items():
                self.mapping.dropdowns[column].value = header
        chosen = self.mapping.chosen()
        missing = missing_columns(chosen)
        if missing:
            raise ManifestError("still no column chosen for " + ", ".join(missing))
        manifest = self._session.load(path, sheet, chosen)
        # Keep only what the aliases would not find again: the choices made by hand.
        guessed = guess_mapping(header_cells(path, sheet))
        by_hand = {c: h for c, h in chosen.items() if guessed.get(c) != h}
        ColumnMemory.beside(path).remember(sheet, by_hand)
        self.mapping.say("mapping applied and remembered for this manifest", "ok")
        self._loaded(path.name, len(manifest))

    def _loaded(self, name: str, rows: int) -> None:
        """A manifest was read: say so, check it, and drop what only waited for it."""
        self.source.say(f"loaded {name}: {rows} rows, and checked them (section 3)", "ok")
        self.controls.note.settled(Cause.MANIFEST)
        self.controls.note.clear_problem()  # whatever the run area warned of was the old file
        self.results.export_note.clear_problem()
        self.validate()

    # -- 3 and 4: check and plan ------------------------------------------------------------
    @_shown_errors("problems")
    def validate(self) -> Check | None:
        """Check the manifest again from disk: problems, plan, and results so far."""
        self._not_while_running()
        checked = self._refresh()
        self.results.show(rows_frame(checked))
        return checked

    def _refresh(self) -> Check:
        checked = self._session.validate(self._base)
        self.problems.show(checked)
        self.plan.show(checked, self._base, self._pace)
        with self._state_lock:
            if not self._active:
                self._ready()
        return checked

    def _ready(self) -> None:
        """Buttons for a panel with no run going (call with the state lock held)."""
        checked = self._session.checked
        if checked is None:
            self.controls.set_state("empty")
        else:
            self.controls.set_state(
                "ready", failed_rows=self._session.failed_rows(), to_send=checked.plan.files
            )
        self._enable()

    def _enable(self) -> None:
        """Load, Apply, Check again and Export: usable when not running and there is input."""
        busy = self._active
        self.source.load.disabled = busy
        self.mapping.apply.disabled = busy or self._session.path is None
        self.problems.again.disabled = busy or self._session.manifest is None
        self.results.export.disabled = busy or (
            self.report is None and self._session.checked is None
        )
        self.results.verify.disabled = busy or not self._has_assigned_rows()

    def _has_assigned_rows(self) -> bool:
        checked = self._session.checked
        if checked is None:
            return False
        return bool(checked.validation.done) or any(
            e.state is State.ASSIGNED for e in checked.entries.values()
        )

    # -- 5: running -------------------------------------------------------------------------
    @_shown_errors("controls")
    def run_pilot(self, rows: int | None = None) -> None:
        """Run the first ``rows`` rows still to do (default: the pilot-rows box)."""
        if rows is not None:
            self.controls.pilot_rows.value = rows
        self._start(limit=int(self.controls.pilot_rows.value))

    @_shown_errors("controls")
    def run_all(self) -> None:
        """Run every row still to do."""
        self._start()

    @_shown_errors("controls")
    def rerun_failed(self) -> None:
        """Retry only the rows that failed before; start nothing new."""
        self._start(only_failed=True)

    def _start(self, *, limit: int | None = None, only_failed: bool = False) -> None:
        self.last_error = None
        if self._session.checked is None:
            self._fail("load and check a manifest first", "controls", Cause.MANIFEST)
            return
        settings = self.controls.settings(self._base)
        if not settings.api_key:
            self._fail("enter the API key first (it is never shown)", "controls", Cause.KEY)
            return
        self._progress = LiveProgress(self.progress.update)
        self.progress.reset()
        what = "failed rows" if only_failed else (f"pilot of {limit} rows" if limit else "run")
        with self._state_lock:
            # Said before the thread starts, so it can never land after the run's own summary.
            self.controls.say(f"{what} started", "info")
            self._session.start(
                settings,
                progress=self._progress,
                limit=limit,
                only_failed=only_failed,
                on_done=self._on_done,
            )
            # Under the lock: even a run with nothing to do cannot end before this is set.
            self._active = True
            self.controls.set_state("running")
            self._enable()

    def pause(self) -> None:
        """Send no new requests until :meth:`resume`; requests in flight finish."""
        with self._state_lock:
            if not self._active:
                return
            self._session.pause()
            if self._progress is not None:
                self._progress.pause()
            self.controls.set_state("paused")
        self.controls.say("paused: requests in flight finish, no new ones until Resume", "warn")

    def resume(self) -> None:
        """Carry on after :meth:`pause`."""
        with self._state_lock:
            if not self._active:
                return
            self._session.resume()
            if self._progress is not None:
                self._progress.resume()
            self.controls.set_state("running")
        self.controls.say("running", "info")

    def cancel(self) -> None:
        """Stop: requests in flight finish, rows not reached stay pending, results written back."""
        with self._state_lock:
            if not self._active:
                return
            self._session.cancel()
            self.controls.set_state("stopping")
        self.controls.say("cancelling: waiting for requests in flight…", "warn")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run (and the panel's refresh after it) is over; False on timeout."""
        return self._session.wait(timeout)

    def wait_paused(self, timeout: float | None = None) -> bool:
        """Block until a paused run has the answer of every request it sent; False on timeout."""
        return self._session.wait_paused(timeout)

    @property
    def running(self) -> bool:
        """True while a run is going (paused or not)."""
        return self._session.running

    def _on_done(self, outcome: RunOutcome) -> None:
        # Called from the run's thread once migrate() has returned or raised.
        try:
            self._show_outcome(outcome)
        except Exception as exc:  # the run is over either way; say what went wrong after it
            text = f"the run finished, but showing it failed: {type(exc).__name__}: {exc}"
            self._fail(text, "controls")
        finally:
            with self._state_lock:
                self._active = False
                self._ready()

    def _show_outcome(self, outcome: RunOutcome) -> None:
        end, report = outcome.end, outcome.report
        told = ending(outcome)
        snap = self._progress.snapshot() if self._progress is not None else None
        if snap is not None:
            self.progress.finish(snap, told, nothing_to_do=end is RunEnd.NOTHING_TO_DO)
        if told.tone == "error":
            self.last_error = told.sentence
        if end is RunEnd.KEY_REFUSED:
            self._key.forget()  # a refused key is no use; ask for it again
        if report is None:
            self.controls.note.clear()  # the status line says what happened
            return
        self.report = report
        if end in _PACED:  # a run that failed to get through says nothing of the pace
            self._pace = self._pace.after(report.run)
        self.results.show(rows_frame(report), str(report.written_to or ""))
        if self._plots_on:
            self._figures = all_figures(report)
            self.plots.show(self._figures)
        try:
            self._refresh()
        except SpottMigrateError as exc:
            self.problems.summary.say(f"could not check again: {exc}", "error")
        self.controls.say(counts(outcome), "info")

    # -- 6: results --------------------------------------------------------------------------
    @_shown_errors("export")
    def export_report(self, path: str | Path | None = None) -> Path | None:
        """Write the HTML run report (default: ``<manifest>-report.html`` beside the manifest).

        The panel shows a link to it, which JupyterLab opens in a tab.
        """
        self.results.export_note.clear()
        outcome: MigrationReport | Check | None = self.report or self._session.checked
        if outcome is None:
            raise SpottMigrateError("nothing to report yet: load a manifest first")
        source = (outcome.check if isinstance(outcome, MigrationReport) else outcome).manifest.path
        target = Path(path) if path else source.with_name(f"{source.stem}-report.html")
        figures = self._figures if outcome is self.report and self._figures else None
        written = write_html(outcome, target, figures=figures)
        self.results.written(written)
        return written

    @_shown_errors("verify")
    def verify(self) -> None:
        """Ask Spott whether each assigned row's attachment is on its record (``verify``).

        Runs in the background like a run; Spott's permanent ids and ``spott_verified_at`` are
        written back, and the rows that need attention go to a report linked here.
        """
        self.results.verify_note.clear()
        if self._session.checked is None:
            raise SpottMigrateError("load and check a manifest first")
        settings = self.controls.settings(self._base)
        if not settings.api_key:
            self._fail("enter the API key first (it is never shown)", "verify", Cause.KEY)
            return
        with self._state_lock:
            self.results.verify_note.say("verifying: listing each record's attachments…", "info")
            self._session.verify(settings, on_done=self._on_verified)
            self._active = True
            self.controls.set_state("busy")
            self._enable()

    def _on_verified(self, found: Verification | str) -> None:
        # Called from the verification's thread.
        try:
            if isinstance(found, str):
                self._fail(f"could not verify: {found}", "verify")
            else:
                summary, tone = verification(found)
                attention = found.report_html if tone != "ok" else None
                self.results.verified(summary, tone, attention)
                self.results.show(rows_frame(self._refresh()))  # ids repaired, times written
        except Exception as exc:  # shown, not hidden: the user has no other way to see it
            self._fail(f"verifying finished, but showing it failed: {exc}", "verify")
        finally:
            with self._state_lock:
                self._active = False
                self._ready()

    def _not_while_running(self) -> None:
        if self._session.running:
            raise SpottMigrateError("a run is going: wait for it, or cancel it, first")

    def _fail(self, text: str, where: str, cause: Cause | None = None) -> None:
        """Show an error once, in the note of the section it is about."""
        self.last_error = text
        self._notes[where].say(text, "error", cause)

    @property
    def _notes(self) -> dict[str, Note]:
        return {
            "source": self.source.note,
            "mapping": self.mapping.note,
            "problems": self.problems.summary,
            "controls": self.controls.note,
            "export": self.results.export_note,
            "verify": self.results.verify_note,
        }
