"""DataFrames as small, escaped HTML tables with rows tinted by status.

Used by the HTML report and by the panel's problem and result tables. The markup is well-formed
XML too (every tag closed, every text escaped), so tests can parse it strictly.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

from .colors import STATUS_BACKGROUNDS

TABLE_CSS = """
table.spott { border-collapse: collapse; font: 12px/1.35 system-ui, sans-serif; }
table.spott th { text-align: left; background: #f6f6f6; border-bottom: 1px solid #ccc; }
table.spott th, table.spott td { padding: 3px 8px; vertical-align: top; }
table.spott td { border-bottom: 1px solid #eee; }
table.spott td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.spott td.nowrap { white-space: nowrap; }
"""


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def html_table(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    headers: Sequence[str] | None = None,
    status_column: str | None = "status",
    max_rows: int | None = None,
    nowrap: Sequence[str] = (),
) -> str:
    """An HTML ``<table>`` of ``frame``; rows tinted by ``status_column`` when it is present.

    ``max_rows`` caps the rows drawn (a note says how many were left out), since a browser
    struggles with tens of thousands of table rows; ``nowrap`` columns (ids, codes) never wrap.
    """
    columns = list(columns or frame.columns)
    headers = list(headers or columns)
    shown = frame if max_rows is None else frame.head(max_rows)
    tint = status_column if status_column in frame.columns else None
    out = ['<table class="spott">', "<thead><tr>"]
    out += [f"<th>{escape(h)}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c])}
    read = columns + ([tint] if tint is not None and tint not in columns else [])
    for record in shown[read].itertuples(index=False):
        values = dict(zip(read, record, strict=True))
        style = ""
        if tint is not None:
            background = STATUS_BACKGROUNDS.get(str(values.get(tint, "")))
            style = f' style="background:{background}"' if background else ""
        out.append(f"<tr{style}>")
        for column in columns:
            classes = [
                c for c, on in (("num", column in numeric), ("nowrap", column in nowrap)) if on
            ]
            css = f' class="{" ".join(classes)}"' if classes else ""
            out.append(f"<td{css}>{escape(_cell(values[column]))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if max_rows is not None and len(frame) > max_rows:
        out.append(f"<p><em>first {max_rows} of {len(frame)} rows shown</em></p>")
    return "".join(out)
