"""Section 5's controls: where to send, the key, and the run buttons."""

from __future__ import annotations

import ipywidgets as widgets

from ...config import Settings
from ..keyfield import KeyField
from .common import Cause, Note, wrapping_row

# Which buttons may be pressed in each state of the panel.
_ENABLED = {
    "empty": set(),
    "ready": {"pilot", "all", "failed"},
    "running": {"pause", "cancel"},
    "paused": {"resume", "cancel"},
    "stopping": set(),
    "busy": set(),  # verifying: nothing to pause, nothing to start
}


class RunControls:
    """Base URL, API key, concurrency, pilot size, and Pilot/Run/Pause/Resume/Cancel/Re-run."""

    def __init__(self, settings: Settings, key: KeyField, pilot_rows: int = 10) -> None:
        self.key = key
        self.base_url = widgets.Text(
            value=settings.base_url, description="Spott URL", layout=widgets.Layout(width="30em")
        )
        self.concurrency = widgets.BoundedIntText(
            value=settings.concurrency,
            min=1,
            max=16,
            description="parallel",
            layout=widgets.Layout(width="10em"),
        )
        self.pilot_rows = widgets.BoundedIntText(
            value=pilot_rows,
            min=1,
            max=1_000_000,
            description="pilot rows",
            layout=widgets.Layout(width="12em"),
        )
        self.buttons = {
            "pilot": widgets.Button(description="Run pilot", icon="flask"),
            "all": widgets.Button(description="Run all", button_style="success", icon="play"),
            "pause": widgets.Button(description="Pause", icon="pause"),
            "resume": widgets.Button(description="Resume", icon="play"),
            "cancel": widgets.Button(description="Cancel", button_style="danger", icon="stop"),
            "failed": widgets.Button(
                description="Re-run failed rows", button_style="warning", icon="redo"
            ),
        }
        for button in self.buttons.values():
            button.layout.width = "auto"  # the default width cuts "Re-run 12 failed rows"
        self.note = Note()
        self.widget = widgets.VBox(
            [
                wrapping_row([self.base_url, self.concurrency]),
                key.widget,
                wrapping_row([self.pilot_rows, *self.buttons.values()]),
                self.note,
            ]
        )
        self.set_state("empty")

    def set_state(self, state: str, *, failed_rows: int = 0, to_send: int = 0) -> None:
        """Enable the buttons that can do something now.

        In ``ready``, Pilot and Run all need rows still to send (``to_send``), and Re-run failed
        needs rows that failed before (``failed_rows``).
        """
        enabled = set(_ENABLED[state])
        if failed_rows == 0:
            enabled.discard("failed")
        if to_send == 0:
            enabled -= {"pilot", "all"}
        for name, button in self.buttons.items():
            button.disabled = name not in enabled
        self.buttons["failed"].description = (
            f"Re-run {failed_rows} failed rows" if failed_rows else "Re-run failed rows"
        )

    def settings(self, base: Settings) -> Settings:
        """``base`` with this section's URL, concurrency and key (the key is a ``Secret``)."""
        return base.with_(
            base_url=self.base_url.value.strip() or base.base_url,
            concurrency=int(self.concurrency.value),
            api_key=self.key.secret,
        )

    def say(self, text: str, tone: str = "info", cause: Cause | None = None) -> None:
        """Show one line under the buttons."""
        self.note.say(text, tone, cause)
