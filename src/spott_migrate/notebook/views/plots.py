"""Section 7: the run's plots, as PNG images in a two-column grid."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
from matplotlib.figure import Figure

from ...report.images import figure_png


class PlotsView:
    """One image per figure; rendered to PNG so they show without a matplotlib backend."""

    def __init__(self) -> None:
        self.images: dict[str, widgets.Image] = {}
        self.widget = widgets.GridBox(
            [], layout=widgets.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))")
        )

    def show(self, figures: Mapping[str, Figure]) -> None:
        """Replace the images with ``figures`` (title -> figure)."""
        self.images = {
            name: widgets.Image(
                value=figure_png(figure, dpi=90),
                format="png",
                layout=widgets.Layout(width="100%"),
            )
            for name, figure in figures.items()
        }
        self.widget.children = list(self.images.values())
