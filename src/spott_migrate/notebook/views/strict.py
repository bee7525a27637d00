"""The strict-content switch: refuse files whose content is another format than their name."""

from __future__ import annotations

import ipywidgets as widgets

from ...config import Settings


class StrictContentSwitch:
    """A checkbox for :attr:`Settings.strict_content`, for the check and the run alike."""

    def __init__(self, settings: Settings) -> None:
        self.checkbox = widgets.Checkbox(
            value=settings.strict_content,
            description="strict content: refuse files whose content another name says "
            "(e.g. a GIF named .png) instead of sending them under their content's name",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.widget = self.checkbox

    def settings(self, base: Settings) -> Settings:
        """``base`` with the switch's choice."""
        return base.with_(strict_content=bool(self.checkbox.value))
