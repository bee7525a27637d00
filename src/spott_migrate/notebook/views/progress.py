"""The live part of section 5: files and bytes bars, the run status line, counts per status/code."""

from __future__ import annotations

import threading
from html import escape

import ipywidgets as widgets

from ...report import fmt
from ..progress import ProgressSnapshot
from ..wording import Ending
from .common import code_chips, status_badges, wrapping_row

_BAR_STYLES = {"ok": "success", "warn": "warning", "error": "danger"}
_LINE_COLOURS = {"ok": "#007a57", "warn": "#8a5a00", "error": "#b34400", "info": "#333333"}


class ProgressView:
    """Two bars, the run status line and two lines of counts, redrawn from snapshots.

    Snapshots arrive from the run's worker threads; a lock keeps two redraws from interleaving.
    When the run is over, :meth:`finish` draws its ending, which no later snapshot overwrites.
    """

    def __init__(self) -> None:
        self.files = widgets.IntProgress(
            value=0, min=0, max=1, description="files", layout=widgets.Layout(width="32em")
        )
        self.bytes = widgets.FloatProgress(
            value=0, min=0, max=1, description="bytes", layout=widgets.Layout(width="32em")
        )
        self.files_text = widgets.Label()
        self.bytes_text = widgets.Label()
        self.line = widgets.HTML()
        self.statuses = widgets.HTML()
        self.codes = widgets.HTML()
        self._lock = threading.Lock()
        self._over = False
        self.line.value = "no run yet in this panel"
        self.widget = widgets.VBox(
            [
                wrapping_row([self.files, self.files_text]),
                wrapping_row([self.bytes, self.bytes_text]),
                self.line,
                self.statuses,
                self.codes,
            ]
        )

    def update(self, snap: ProgressSnapshot) -> None:
        """Redraw from one snapshot of a run that is going (or paused)."""
        with self._lock:
            if self._over:
                return  # a throttled update arriving after the ending must not undo it
            self._bars(snap, "warn" if snap.paused else "info")
            state = "paused" if snap.paused else "running"
            eta = f" · ETA {fmt.duration(snap.eta_seconds)}"
            self.line.value = (
                f"<b>{state}</b> · {fmt.duration(snap.elapsed)} elapsed · "
                f"{fmt.rate(snap.bytes_per_second)}{eta}"
            )
            left = max(0, snap.files_total - snap.files_done)
            self.statuses.value = status_badges(
                snap.by_status, extra={"to go": left} if left else None
            )
            self.codes.value = code_chips(snap.by_code)

    def finish(self, snap: ProgressSnapshot, end: Ending, *, nothing_to_do: bool = False) -> None:
        """Draw how the run ended: bars as far as it got, coloured by how it went."""
        with self._lock:
            self._over = True
            self._bars(snap, end.tone, nothing_to_do=nothing_to_do)
            colour = _LINE_COLOURS.get(end.tone, "#333333")
            self.line.value = (
                f'<span style="color:{colour}"><b>{escape(end.word)}</b> · '
                f"{escape(end.sentence)}</span> · {fmt.duration(snap.elapsed)} elapsed · "
                f"{fmt.size(snap.bytes_sent)} sent"
            )
            left = max(0, snap.files_total - snap.files_done)
            self.statuses.value = status_badges(
                snap.by_status, extra={"not reached": left} if left else None
            )
            self.codes.value = code_chips(snap.by_code)

    def reset(self) -> None:
        """Empty bars, before a run starts."""
        with self._lock:
            self._over = False
            self._bars(ProgressSnapshot(), "info")
            self.line.value = "<b>starting</b>…"
            self.statuses.value = self.codes.value = ""

    def _bars(self, snap: ProgressSnapshot, tone: str, *, nothing_to_do: bool = False) -> None:
        if nothing_to_do:  # all of nothing is done: full bars, not empty ones that look stuck
            self.files.max, self.files.value = 1, 1
            self.bytes.max, self.bytes.value = 1.0, 1.0
        else:
            self.files.max = max(1, snap.files_total)
            self.files.value = min(snap.files_done, self.files.max)
            self.bytes.max = float(max(1, snap.bytes_total))
            self.bytes.value = float(min(snap.bytes_sent, snap.bytes_total))
        self.files_text.value = f"{snap.files_done} / {snap.files_total}"
        self.bytes_text.value = f"{fmt.size(snap.bytes_sent)} / {fmt.size(snap.bytes_total)}"
        self.files.bar_style = self.bytes.bar_style = _BAR_STYLES.get(tone, "info")
