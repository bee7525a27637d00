"""Section 3: every problem of every row, filterable by reason code."""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ...codes import Code
from ...pipeline import Check
from ...report.tables import html_table
from .common import Note, action_button, message, scroll_box, table_html, wrapping_row

ALL_CODES = ""
MAX_ROWS = 500


def _hint(code: str) -> str:
    try:
        return Code(code).hint
    except ValueError:
        return ""


class ProblemsView:
    """A Check again button, a summary line, a code filter and the problems table."""

    def __init__(self) -> None:
        self.again = action_button(
            "Check again",
            "refresh",
            "read the manifest and its files again, e.g. after editing the sheet",
            disabled=True,
        )
        self.summary = Note()
        self.code = widgets.Dropdown(
            options=[("all codes", ALL_CODES)],
            value=ALL_CODES,
            description="Show",
            layout=widgets.Layout(width="24em"),
        )
        self.table = widgets.HTML()
        self.problems = pd.DataFrame(columns=["source_row", "row_key", "code", "message"])
        self.code.observe(self._on_filter, names="value")
        self.widget = widgets.VBox(
            [wrapping_row([self.again, self.summary]), self.code, scroll_box(self.table)]
        )

    def show(self, checked: Check) -> None:
        """Show a fresh check's problems, keeping the chosen code if it still occurs."""
        v = checked.validation
        self.summary.say(
            f"checked at {time.strftime('%H:%M:%S')}: {len(checked.manifest)} rows, "
            f"{len(v.jobs)} ready to send, {v.invalid_rows} invalid, "
            f"{len(v.done)} already assigned",
            "warn" if v.invalid_rows else "ok",
        )
        self.problems = v.problems.assign(fix=v.problems["code"].map(_hint))
        counts = self.problems["code"].value_counts()
        previous = self.code.value
        options = [(f"all codes ({len(self.problems)})", ALL_CODES)]
        options += [(f"{code} ({n})", str(code)) for code, n in counts.items()]
        self.code.options = options
        self.code.value = previous if previous in dict(options).values() else ALL_CODES
        self._render()

    def filtered(self) -> pd.DataFrame:
        """The problems the filter lets through."""
        if self.code.value == ALL_CODES:
            return self.problems
        return self.problems[self.problems["code"] == self.code.value]

    def _on_filter(self, _change: dict[str, Any]) -> None:
        self._render()

    def _render(self) -> None:
        rows = self.filtered()
        if rows.empty:
            self.table.value = message("no problems: every row can be sent", "ok")
            return
        self.table.value = table_html(
            html_table(
                rows,
                columns=["source_row", "code", "message", "fix"],
                headers=["row", "code", "message", "how to fix"],
                status_column=None,
                max_rows=MAX_ROWS,
                nowrap=("code",),
            )
        )
