"""Section 6: every row's outcome, tinted by status and filterable, and the report export."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
from IPython.display import FileLink

from ...manifest import schema as s
from ...report.frame import ROW_COLUMNS
from ...report.tables import html_table
from .common import (
    Note,
    action_button,
    message,
    scroll_box,
    status_badges,
    table_html,
    wrapping_row,
)

ALL = ""
MAX_ROWS = 1000
# What a row needs first (did it work, and if not why), the long path last: a wide table
# scrolls sideways, and the error must not be the column that needs scrolling to.
_COLUMNS = ["status", "error", s.SOURCE_ROW, "type", "target", "attachment_id", s.FILE_PATH]
_HEADERS = ["status", "error", "row", "type", "target", "attachment id", "file"]


class ResultsView:
    """Status chips, a status filter, the results table and an Export button with its link."""

    def __init__(self) -> None:
        self.counts = widgets.HTML()
        self.status = widgets.Dropdown(options=[("all rows", ALL)], value=ALL, description="Show")
        self.table = widgets.HTML()
        self.export = action_button(
            "Export HTML report", "file", "write the run report beside the manifest", disabled=True
        )
        self.export_note = Note()
        self.verify = action_button(
            "Verify in Spott",
            "check-square-o",
            "ask Spott whether every assigned row's attachment is on its record",
            disabled=True,
        )
        self.verify_note = Note()
        self.verify_link = widgets.Output()
        # The link goes through the notebook's own output renderer (an Output widget), so
        # JupyterLab resolves it against the notebook's folder and opens the file in a tab.
        self.export_link = widgets.Output()
        self.frame = pd.DataFrame(columns=list(ROW_COLUMNS))
        self.status.observe(self._on_filter, names="value")
        self.widget = widgets.VBox(
            [
                self.counts,
                self.status,
                scroll_box(self.table, "22em"),
                wrapping_row([self.export, self.export_note]),
                self.export_link,
                wrapping_row([self.verify, self.verify_note]),
                self.verify_link,
            ]
        )

    def written(self, path: Path) -> None:
        """Say where the report is, with a link to open it."""
        _link(self.export_note, self.export_link, path, "report written beside the manifest")

    def verified(self, summary: str, tone: str, report: Path | None) -> None:
        """Say what the verification found, with a link to its report of rows to look at."""
        if report is None:
            self.verify_link.outputs = ()
            self.verify_note.say(summary, tone)
        else:
            said = f"{summary}; the rows to look at are in a report beside the manifest"
            _link(self.verify_note, self.verify_link, report, said, tone)

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


def _link(note: Note, out: widgets.Output, path: Path, said: str, tone: str = "ok") -> None:
    """``said`` and where ``path`` is, with a link JupyterLab opens in a tab."""
    out.outputs = ()
    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive: no relative link is possible
        relative = None
    note.say(f"{said}: {path}", tone)
    if relative is not None:
        link = FileLink(relative, result_html_prefix="open it in JupyterLab: ")
        out.append_display_data(link)
