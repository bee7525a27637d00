"""Section 6: every row's outcome, tinted by status and filterable, and the report export."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from ...manifest import schema as s
from ...report.frame import ROW_COLUMNS
from ...report.tables import html_table
from .common import message, scroll_box, status_badges, table_html

ALL = ""
MAX_ROWS = 1000
_COLUMNS = [s.SOURCE_ROW, s.FILE_PATH, "type", "target", "status", "attachment_id", "error"]
_HEADERS = ["row", "file", "type", "target", "status", "attachment id", "error"]


class ResultsView:
    """Status chips, a status filter, the results table and an Export button."""

    def __init__(self) -> None:
        self.counts = widgets.HTML()
        self.status = widgets.Dropdown(options=[("all rows", ALL)], value=ALL, description="Show")
        self.table = widgets.HTML()
        self.export = widgets.Button(description="Export HTML report", icon="file")
        self.export_note = widgets.HTML()
        self.frame = pd.DataFrame(columns=list(ROW_COLUMNS))
        self.status.observe(self._on_filter, names="value")
        self.widget = widgets.VBox(
            [
                self.counts,
                self.status,
                scroll_box(self.table, "22em"),
                widgets.HBox([self.export, self.export_note]),
            ]
        )

    def show(self, frame: pd.DataFrame, written_to: str | None = None) -> None:
        """Show rows as :func:`~spott_migrate.report.rows_frame` gives them."""
        self.frame = frame
        counts = {str(k): int(v) for k, v in frame["status"].value_counts().items()}
        note = f" · written back to {written_to}" if written_to else ""
        self.counts.value = status_badges(counts) + message(note)
        previous = self.status.value
        options = [(f"all rows ({len(frame)})", ALL)]
        options += [(f"{st} ({n})", st) for st, n in counts.items()]
        self.status.options = options
        self.status.value = previous if previous in counts else ALL
        self._render()

    def filtered(self) -> pd.DataFrame:
        """The rows the filter lets through."""
        if self.status.value == ALL:
            return self.frame
        return self.frame[self.frame["status"] == self.status.value]

    def _on_filter(self, _change: dict[str, Any]) -> None:
        self._render()

    def _render(self) -> None:
        self.table.value = table_html(
            html_table(
                self.filtered(),
                columns=_COLUMNS,
                headers=_HEADERS,
                max_rows=MAX_ROWS,
                nowrap=("status", "attachment_id"),
            )
        )
