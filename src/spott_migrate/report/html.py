"""The run report: one self-contained HTML file for whoever signs the migration off.

Summary, plots (embedded as base64 PNG, so the file can be mailed or archived alone) and the rows
that were not assigned, each with its reason and how to fix it. No scripts, no external links.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..codes import Code
from ..manifest import schema as s
from . import fmt
from .colors import STATUS_BACKGROUNDS, STATUS_ORDER
from .frame import Outcome, check_of, rows_frame, run_of, still_to_do
from .images import figure_png, png_data_uri
from .plots import all_figures
from .tables import TABLE_CSS, html_table

_PAGE_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 76em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.muted { color: #666; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 1.2em; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
.statuses span { display: inline-block; padding: 0.3em 0.8em; margin-right: 0.4em;
  border-radius: 4px; font-weight: 600; }
figure { margin: 1em 0; }
figure img { max-width: 100%; }
"""
# Why first, then how to fix it, the long path last (a wide table must not hide the error).
_FAILED_COLUMNS = ("status", "error", "fix", s.SOURCE_ROW, "type", "target", s.FILE_PATH)
_FAILED_HEADERS = ("status", "error", "how to fix", "row", "type", "target", "file")


def _hint(code: str) -> str:
    try:
        return Code(code).hint
    except ValueError:
        return ""


def _facts(items: Mapping[str, object]) -> str:
    body = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in items.items() if v != ""
    )
    return f'<dl class="facts">{body}</dl>'


def _status_badges(counts: Mapping[str, int]) -> str:
    ordered = [st for st in STATUS_ORDER if st in counts] + [
        st for st in counts if st not in STATUS_ORDER
    ]
    badges = "".join(
        f'<span style="background:{STATUS_BACKGROUNDS.get(st, "#eee")}">'
        f"{escape(st)}: {counts[st]}</span>"
        for st in ordered
    )
    return f'<p class="statuses">{badges}</p>'


def not_assigned(outcome: Outcome) -> pd.DataFrame:
    """The rows that are not assigned, with a fix hint, in manifest order."""
    frame = rows_frame(outcome)
    rows = frame[frame["status"] != s.ASSIGNED].copy()
    rows["fix"] = rows["code"].map(_hint)
    return rows.sort_values(s.SOURCE_ROW, ignore_index=True)


def manifest_label(outcome: Outcome) -> str:
    """The manifest's file name (and sheet), for titles."""
    manifest = check_of(outcome).manifest
    return manifest.path.name + (f" [{manifest.sheet}]" if manifest.sheet else "")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _left(outcome: Outcome) -> str:
    plan = still_to_do(outcome)
    if plan.files == 0:
        return "nothing: every valid row is assigned"
    return (
        f"{_count(plan.files, 'file', 'files')}, {fmt.size(plan.bytes)}, "
        f"about {_count(plan.requests, 'request', 'requests')}"
    )


def _summary(outcome: Outcome, frame: pd.DataFrame) -> dict[str, object]:
    chk, run = check_of(outcome), run_of(outcome)
    written = getattr(outcome, "written_to", None)
    write_error = getattr(outcome, "write_error", None)
    stopped = {
        None: "ran to the end",
        "cancelled": "cancelled by the user; rows not reached stay pending",
        "interrupted": "interrupted (Ctrl-C); rows not reached stay pending",
        "fatal": f"stopped: {run.fatal_error or 'the API refused the key'}",
        "breaker": "stopped after too many consecutive network or server failures",
    }.get(run.stopped, str(run.stopped))
    by_endpoint = ", ".join(f"{k} {v}" for k, v in sorted(run.requests_by_endpoint.items()))
    failures = ", ".join(f"{k} {v}" for k, v in sorted(run.failures_by_code.items()))
    sizes = frame["size"].dropna()
    return {
        "manifest": str(chk.manifest.path),
        "sheet": chk.manifest.sheet or "",
        "rows": len(frame),
        "files on disk": f"{len(sizes)} ({fmt.size(float(sizes.sum()))})",
        "this run": stopped if run.timeline or run.stopped else "no request was needed",
        "requests sent": f"{run.requests_sent}" + (f" ({by_endpoint})" if by_endpoint else ""),
        "time": fmt.duration(run.elapsed),
        "failures this run": failures,
        "still to do": _left(outcome),
        "results written to": str(written) if written else "",
        "write-back problem": write_error or "",
    }


def render_html(
    outcome: Outcome,
    *,
    title: str = "spott-migrate run report",
    figures: Mapping[str, Figure] | None = None,
) -> str:
    """The report as one HTML document (a string)."""
    frame = rows_frame(outcome)
    counts = {str(k): int(v) for k, v in frame["status"].value_counts().items()}
    figures = all_figures(outcome) if figures is None else figures
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8" />',
        f"<title>{escape(title)}</title>",
        f"<style>{_PAGE_CSS}{TABLE_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{escape(manifest_label(outcome))} · generated {generated}</p>',
        "<h2>Summary</h2>",
        _status_badges(counts),
        _facts(_summary(outcome, frame)),
    ]
    if figures:
        parts.append("<h2>Plots</h2>")
    for name, figure in figures.items():
        uri = png_data_uri(figure_png(figure))
        parts.append(
            f'<figure><img alt="{escape(name)}" src="{uri}" />'
            f"<figcaption>{escape(name)}</figcaption></figure>"
        )
    failed = not_assigned(outcome)
    parts.append(f"<h2>Rows not assigned ({len(failed)})</h2>")
    if failed.empty:
        parts.append("<p>Every row is assigned.</p>")
    else:
        parts.append(
            html_table(
                failed,
                columns=_FAILED_COLUMNS,
                headers=_FAILED_HEADERS,
                max_rows=5000,
                nowrap=("status",),
            )
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(
    outcome: Outcome,
    path: str | Path,
    *,
    title: str = "spott-migrate run report",
    figures: Mapping[str, Figure] | None = None,
) -> Path:
    """Write :func:`render_html` to ``path`` (atomically: a reader never sees half a file)."""
    path = Path(path)
    text = render_html(outcome, title=title, figures=figures)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path
