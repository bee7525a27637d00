"""The pictures of a migration, each a function returning a matplotlib :class:`Figure`.

They take a :class:`MigrationReport` (or a :class:`Check`, before running) and never call pyplot,
so they are safe in scripts, threads and notebooks alike; in a notebook, ``%matplotlib inline``
shows a returned figure, and :func:`~spott_migrate.report.figure_png` turns it into PNG bytes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..manifest import schema as s
from ..run import RunResult
from . import fmt
from .colors import STATUS_ORDER, status_color
from .frame import Outcome, failure_counts, rows_frame, run_of

_WIDTH = 7.0


def _figure(rows: int) -> tuple[Figure, Axes]:
    # Height grows with the number of bars so labels never overlap.
    figure = Figure(figsize=(_WIDTH, max(2.4, 1.4 + 0.38 * rows)), layout="constrained")
    axes = figure.subplots()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of rows are whole
    return figure, axes


def _byte_unit(total: float) -> tuple[str, float]:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if total >= scale:
            return unit, scale
    return "B", 1.0


def _empty(title: str, message: str) -> Figure:
    figure, axes = _figure(1)
    axes.set_title(title, loc="left")
    axes.text(0.5, 0.5, message, ha="center", va="center", color="#666666")
    axes.set_axis_off()
    return figure


def plot_status_by_type(outcome: Outcome, *, by: Literal["target", "type"] = "target") -> Figure:
    """Rows per status for each target kind (candidate, company, vacancy) or attachment type."""
    frame = rows_frame(outcome)
    title = "Rows by status per " + ("target record kind" if by == "target" else "attachment type")
    if frame.empty:
        return _empty(title, "the manifest has no rows")
    table = pd.crosstab(frame[by], frame["status"])
    statuses = [st for st in STATUS_ORDER if st in table.columns]
    statuses += [st for st in table.columns if st not in statuses]
    table = table[statuses].loc[table.sum(axis=1).sort_values().index]
    figure, axes = _figure(len(table))
    left = np.zeros(len(table))
    labels = [str(i) for i in table.index]
    for status in statuses:
        values = table[status].to_numpy()
        bars = axes.barh(labels, values, left=left, color=status_color(status), label=status)
        axes.bar_label(
            bars, labels=[str(v) if v else "" for v in values], label_type="center", color="white"
        )
        left += values
    axes.set_xlabel("rows")
    axes.set_title(title, loc="left")
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_failure_reasons(outcome: Outcome) -> Figure:
    """Rows per reason code, coloured by status (invalid before the run, failed during it)."""
    title = "Why rows were not assigned"
    counts = failure_counts(outcome)
    if counts.empty:
        return _empty(title, "no invalid or failed rows")
    counts = counts.iloc[::-1]  # barh draws bottom-up; keep the biggest on top
    figure, axes = _figure(len(counts))
    labels = [f"{c} ({st})" for c, st in zip(counts["code"], counts["status"], strict=True)]
    bars = axes.barh(labels, counts["rows"], color=[status_color(x) for x in counts["status"]])
    axes.bar_label(bars, padding=3)
    axes.set_xlabel("rows")
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_size_histogram(outcome: Outcome, *, bins: int = 20) -> Figure:
    """File sizes per attachment type, stacked, on a log scale (sizes span bytes to megabytes)."""
    title = "File sizes by attachment type"
    frame = rows_frame(outcome)
    frame = frame[frame["size"] > 0]
    if frame.empty:
        return _empty(title, "no readable files")
    edges = np.geomspace(frame["size"].min(), frame["size"].max() * 1.0001, bins + 1)
    if edges[0] == edges[-1]:
        edges = np.array([edges[0] * 0.9, edges[0] * 1.1])
    groups = frame.groupby("type")["size"]
    names = sorted(groups.groups, key=lambda t: -len(groups.get_group(t)))
    figure = Figure(figsize=(_WIDTH, 3.4), layout="constrained")
    axes = figure.subplots()
    # tab20 keeps up to 20 types apart; the default cycle repeats after 10.
    palette = [colormaps["tab20"](i % 20) for i in range(len(names))]
    axes.hist(
        [groups.get_group(n).to_numpy() for n in names],
        bins=edges.tolist(),
        stacked=True,
        color=palette,
        label=[f"{n} ({len(groups.get_group(n))})" for n in names],
    )
    axes.set_xscale("log")
    ticks = [t for t in (1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8) if edges[0] / 10 <= t <= edges[-1] * 10]
    axes.set_xticks(ticks, [fmt.size(t) for t in ticks])
    axes.set_xlabel("file size")
    axes.set_ylabel("files")
    total = fmt.size(float(frame["size"].sum()))
    axes.set_title(f"{title}: {len(frame)} files, {total}", loc="left")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_throughput(outcome: Outcome | RunResult) -> Figure:
    """Bytes sent and files finished over the run's time, with the average rate."""
    title = "Throughput"
    run = run_of(outcome)
    if not run.timeline:
        return _empty(title, "nothing was sent in this run")
    seconds, files, sent = (np.array(v, dtype=float) for v in zip(*run.timeline, strict=True))
    # Start from the origin so a one-step run still draws a line.
    seconds, files, sent = (np.concatenate([[0.0], v]) for v in (seconds, files, sent))
    figure = Figure(figsize=(_WIDTH, 3.2), layout="constrained")
    axes = figure.subplots()
    unit, scale = _byte_unit(float(sent[-1]))
    axes.plot(seconds, sent / scale, color="#0072B2", label=f"{unit} sent")
    axes.set_xlabel("seconds since start")
    axes.set_ylabel(f"{unit} sent", color="#0072B2")
    files_axes = axes.twinx()
    files_axes.step(seconds, files, where="post", color=status_color(s.ASSIGNED), label="files")
    files_axes.set_ylabel("files finished", color=status_color(s.ASSIGNED))
    files_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    elapsed = max(seconds[-1], run.elapsed, 1e-9)
    average = fmt.rate(sent[-1] / elapsed)
    axes.set_title(
        f"{title}: {int(files[-1])} files, {fmt.size(sent[-1])} in {fmt.duration(elapsed)} "
        f"({average})",
        loc="left",
    )
    axes.spines[["top"]].set_visible(False)
    files_axes.spines[["top"]].set_visible(False)
    return figure


def all_figures(outcome: Outcome) -> dict[str, Figure]:
    """The standard set, by title: what the panel shows and the HTML report embeds."""
    return {
        "Status by record kind": plot_status_by_type(outcome, by="target"),
        "Status by attachment type": plot_status_by_type(outcome, by="type"),
        "Failure reasons": plot_failure_reasons(outcome),
        "File sizes": plot_size_histogram(outcome),
        "Throughput": plot_throughput(outcome),
    }
