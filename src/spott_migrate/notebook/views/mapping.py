"""Section 2: map the file's headers to the canonical columns when they do not match."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from ...manifest import schema as s
from .common import Note, action_button, wrapping_row

NOT_MAPPED = "—"


class MappingView:
    """A dropdown per canonical column (options: the header's cells) and an Apply button."""

    def __init__(self) -> None:
        self.dropdowns = {
            column: widgets.Dropdown(
                options=[NOT_MAPPED],
                value=NOT_MAPPED,
                description=column,
                style={"description_width": "7em"},
                layout=widgets.Layout(width="20em"),
            )
            for column in s.CANONICAL_COLUMNS
        }
        self.apply = action_button(
            "Apply mapping", "check", "read the manifest with these columns, remember them, check"
        )
        self.note = Note()
        grid = widgets.GridBox(
            list(self.dropdowns.values()),
            # As many columns as fit: a narrow window gets two or one, never a cut dropdown.
            layout=widgets.Layout(grid_template_columns="repeat(auto-fill, minmax(21em, 1fr))"),
        )
        self.widget = widgets.VBox([grid, wrapping_row([self.apply, self.note])])

    def show(self, headers: list[str], mapping: Mapping[str, str]) -> None:
        """Offer ``headers`` in every dropdown; select what ``mapping`` says."""
        options = [NOT_MAPPED, *headers]
        for column, dropdown in self.dropdowns.items():
            dropdown.options = options
            chosen = mapping.get(column, NOT_MAPPED)
            dropdown.value = chosen if chosen in options else NOT_MAPPED

    def chosen(self) -> dict[str, str]:
        """Canonical column -> header, for every dropdown that names a header."""
        return {c: d.value for c, d in self.dropdowns.items() if d.value not in (NOT_MAPPED, None)}

    def say(self, text: str, tone: str = "info") -> None:
        """Show one line beside the Apply button."""
        self.note.say(text, tone)
