"""Figures to PNG bytes and ``data:`` URIs, without pyplot.

Plots are built on bare :class:`~matplotlib.figure.Figure` objects rendered with the Agg canvas:
no global figure registry to leak memory in long sessions, and safe from the panel's run thread.
"""

from __future__ import annotations

import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure_png(figure: Figure, *, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    FigureCanvasAgg(figure)  # attaches itself; bare Figures have no canvas that can print PNG
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,…`` URI, for HTML that must stand alone."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
