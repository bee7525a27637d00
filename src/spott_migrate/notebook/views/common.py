"""Small widget helpers shared by the panel's sections."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from html import escape

import ipywidgets as widgets

from ...report.colors import STATUS_BACKGROUNDS, STATUS_ORDER
from ...report.tables import TABLE_CSS

_STYLE = f"<style>{TABLE_CSS}</style>"
_TONES = {"info": "#333333", "ok": "#007a57", "warn": "#8a5a00", "error": "#b34400"}


def heading(number: int, title: str) -> widgets.HTML:
    """A section title such as ``2 · Columns``."""
    return widgets.HTML(
        f'<div style="font-weight:600;font-size:1.05em;margin:0.8em 0 0.2em;'
        f'border-bottom:1px solid #ddd">{number} · {escape(title)}</div>'
    )


def message(text: str, tone: str = "info") -> str:
    """One escaped line of text in a tone (``info``, ``ok``, ``warn``, ``error``)."""
    if not text:
        return ""
    return f'<span style="color:{_TONES.get(tone, "#333")}">{escape(text)}</span>'


class Cause(Enum):
    """What a message waits for, so it can go as soon as that is done."""

    KEY = "key"  # an API key
    MANIFEST = "manifest"  # a manifest loaded and checked


class Note(widgets.HTML):
    """One line of feedback in a section; it knows its tone and, if any, what it waits for."""

    def __init__(self) -> None:
        super().__init__()
        self.tone = ""
        self.cause: Cause | None = None

    def say(self, text: str, tone: str = "info", cause: Cause | None = None) -> None:
        """Show ``text`` in place of whatever the line said."""
        self.value = message(text, tone)
        self.tone, self.cause = (tone, cause) if text else ("", None)

    def clear(self) -> None:
        """Show nothing."""
        self.say("")

    def settled(self, cause: Cause) -> None:
        """``cause`` is dealt with: drop the line if it was waiting for that."""
        if self.cause is cause:
            self.clear()

    def clear_problem(self) -> None:
        """Drop the line if it was a warning or an error (its cause has just been fixed)."""
        if self.tone in ("warn", "error"):
            self.clear()


def action_button(
    description: str, icon: str, tooltip: str, *, disabled: bool = False
) -> widgets.Button:
    """A button as wide as its label (ipywidgets' fixed width cuts longer labels short)."""
    button = widgets.Button(description=description, icon=icon, tooltip=tooltip, disabled=disabled)
    button.layout.width = "auto"
    return button


def wrapping_row(children: list[widgets.Widget]) -> widgets.HBox:
    """A row that wraps onto a new line instead of squeezing its children's labels.

    Controls keep their size; text (HTML) takes the room left and wraps inside it.
    """
    for child in children:
        child.layout.flex = "1 1 16em" if isinstance(child, widgets.HTML) else "0 0 auto"
    return widgets.HBox(
        children, layout=widgets.Layout(flex_flow="row wrap", align_items="center", width="100%")
    )


def table_html(table: str) -> str:
    """A table from :func:`~spott_migrate.report.html_table` with its CSS."""
    return _STYLE + table


def scroll_box(child: widgets.Widget, height: str = "18em") -> widgets.Box:
    """A box that scrolls instead of growing the notebook without end."""
    return widgets.Box(
        [child], layout=widgets.Layout(max_height=height, overflow="auto", width="100%")
    )


def status_badges(counts: Mapping[str, int], *, extra: Mapping[str, int] | None = None) -> str:
    """Counts per status as coloured chips, in the usual status order."""
    merged = dict(counts)
    for key, value in (extra or {}).items():
        merged[key] = merged.get(key, 0) + value
    ordered = [st for st in STATUS_ORDER if st in merged] + [
        st for st in merged if st not in STATUS_ORDER
    ]
    return "".join(
        f'<span style="background:{STATUS_BACKGROUNDS.get(st, "#eee")};padding:2px 8px;'
        f'margin-right:6px;border-radius:4px">{escape(st)} <b>{merged[st]}</b></span>'
        for st in ordered
    )


def code_chips(counts: Mapping[str, int]) -> str:
    """Counts per reason code as plain chips, biggest first."""
    if not counts:
        return ""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "reasons: " + "".join(
        f'<span style="border:1px solid #ddd;padding:1px 6px;margin-right:4px;'
        f'border-radius:4px">{escape(code)} <b>{n}</b></span>'
        for code, n in items
    )
