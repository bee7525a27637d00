"""Plots and the HTML run report: what a migration looks like, for people who would rather see.

    from spott_migrate import report
    report.plot_status_by_type(result)        # matplotlib Figures, no pyplot
    report.plot_failure_reasons(result)
    report.plot_size_histogram(result)
    report.plot_throughput(result)
    report.write_html(result, "migration-report.html")   # one self-contained file

Every function takes a :class:`~spott_migrate.MigrationReport` (or a
:class:`~spott_migrate.Check`, before running).
"""

from .colors import STATUS_COLORS
from .frame import failure_counts, rows_frame, still_to_do
from .html import not_assigned, render_html, write_html
from .images import figure_png, png_data_uri
from .plots import (
    all_figures,
    plot_failure_reasons,
    plot_size_histogram,
    plot_status_by_type,
    plot_throughput,
)
from .tables import html_table

__all__ = [
    "STATUS_COLORS",
    "all_figures",
    "failure_counts",
    "figure_png",
    "html_table",
    "not_assigned",
    "plot_failure_reasons",
    "plot_size_histogram",
    "plot_status_by_type",
    "plot_throughput",
    "png_data_uri",
    "render_html",
    "rows_frame",
    "still_to_do",
    "write_html",
]
