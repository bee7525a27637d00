"""How the panel appears in a notebook: its title, its output bundle, and names for its parts.

A panel lives in its kernel. A notebook reopened later (or after a kernel restart) keeps the
cell's output, but the widget behind it is gone and JupyterLab can only say so. So the panel is
shown after a short note that says what happened and what to do; the panel's own HTML carries
the CSS rule that hides the note, so a live panel never shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, display

REOPENED_CLASS = "spott-reopened-note"
REOPENED_NOTE = (
    f'<div class="{REOPENED_CLASS}" style="color:#8a5a00">The spott-migrate panel belongs '
    "here, but its kernel is gone (the notebook was reopened, or the kernel restarted), so "
    "JupyterLab cannot draw it. <b>Run this cell again</b> for a live panel: it reads the "
    "manifest and its journal, so every result so far is still there.</div>"
)
TITLE = (
    f"<style>.jp-OutputArea:has(.spott-panel) .{REOPENED_CLASS} {{ display: none; }}</style>"
    '<div style="font-size:1.3em;font-weight:600">spott-migrate</div>'
    '<div style="color:#666">Load a manifest, fix what the check finds, run a pilot, then the '
    "rest. Results are written back into the manifest after every run.</div>"
)


def bundle(widget: widgets.Widget, text: str, **kwargs: Any) -> dict[str, Any] | None:
    """The widget's output bundle, with ``text`` for front-ends that cannot draw the widget.

    ipywidgets' own plain text is a dump of every child widget; a static viewer should say
    what the output is instead.
    """
    data = widget._repr_mimebundle_(**kwargs)
    if data is not None:
        data["text/plain"] = text
    return data


def show(widget: widgets.Widget, text: str) -> None:
    """Display the note, then the widget (see the module's docstring)."""
    display(HTML(REOPENED_NOTE))
    display(bundle(widget, text), raw=True)


def name_parts(parts: Mapping[str, widgets.DOMWidget]) -> None:
    """CSS classes on the parts a person reads, so a browser test (or a style) finds them."""
    for name, widget in parts.items():
        widget.add_class(name)
