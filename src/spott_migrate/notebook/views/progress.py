"""The live part of section 5: files and bytes bars, ETA, counts per status and per code."""

from __future__ import annotations

import threading

import ipywidgets as widgets

from ...report import fmt
from ..progress import ProgressSnapshot
from .common import code_chips, status_badges


class ProgressView:
    """Two bars and two lines of counts, redrawn from :class:`ProgressSnapshot`s.

    Snapshots arrive from the run's worker threads; a lock keeps two redraws from interleaving.
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
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.files, self.files_text]),
                widgets.HBox([self.bytes, self.bytes_text]),
                self.line,
                self.statuses,
                self.codes,
            ]
        )

    def update(self, snap: ProgressSnapshot, *, label: str | None = None) -> None:
        """Redraw from one snapshot; ``label`` overrides the state word (e.g. ``cancelled``)."""
        with self._lock:
            self.files.max = max(1, snap.files_total)
            self.files.value = min(snap.files_done, self.files.max)
            self.bytes.max = float(max(1, snap.bytes_total))
            self.bytes.value = float(min(snap.bytes_sent, snap.bytes_total))
            self.files_text.value = f"{snap.files_done} / {snap.files_total}"
            self.bytes_text.value = f"{fmt.size(snap.bytes_sent)} / {fmt.size(snap.bytes_total)}"
            state = "paused" if snap.paused else ("finished" if snap.finished else "running")
            state = label or state
            style = "success" if snap.finished else ("warning" if snap.paused else "info")
            self.files.bar_style = self.bytes.bar_style = style
            eta = "" if snap.finished else f" · ETA {fmt.duration(snap.eta_seconds)}"
            self.line.value = (
                f"<b>{state}</b> · {fmt.duration(snap.elapsed)} elapsed · "
                f"{fmt.rate(snap.bytes_per_second)}{eta}"
            )
            left = max(0, snap.files_total - snap.files_done)
            self.statuses.value = status_badges(
                snap.by_status, extra={"to go": left} if left and not snap.finished else None
            )
            self.codes.value = code_chips(snap.by_code)

    def reset(self) -> None:
        """Empty bars, before a run starts."""
        self.update(ProgressSnapshot())
        self.line.value = ""
