"""Plots render to real PNGs; the HTML run report is one valid, self-contained file."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import pytest
from matplotlib.figure import Figure

from spott_migrate import MigrationReport, Settings, check, migrate
from spott_migrate import report as rpt
from spott_migrate.sandbox import Sandbox

from .files import write
from .helpers import CANARY_KEY, ManifestFactory

PLOTS = (
    rpt.plot_status_by_type,
    rpt.plot_failure_reasons,
    rpt.plot_size_histogram,
    rpt.plot_throughput,
)


@pytest.fixture
def outcome(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> MigrationReport:
    """A run with every status: assigned, invalid (one row with two problems), failed."""
    write(tmp_path / "files" / "empty.pdf", b"")
    path = make_manifest(
        6,
        per_candidate=1,
        logos=2,
        extra_rows=[
            ("files/missing.pdf", "CV", "cand-9", None, None, None),
            ("files/empty.pdf", "Holiday snaps", "cand-9", None, None, None),
            ("files/doc-000.pdf", "CV", None, None, "vac-1", "Job <b>spec</b> & more"),
        ],
    )
    sandbox.faults.add("assign", "status_before", status=400, times=1)
    return migrate(path, settings=settings.with_(concurrency=1))


def _png_shape(png: bytes) -> tuple[int, ...]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(io.BytesIO(png), format="png").shape


def test_rows_frame_joins_manifest_results_and_sizes(outcome: MigrationReport) -> None:
    frame = rpt.rows_frame(outcome).set_index("source_row")
    assert frame["status"].value_counts().to_dict() == {"assigned": 8, "invalid": 2, "failed": 1}
    assert (
        frame.loc[10, "code"] == "file_missing" and frame.loc[10, "size"] != frame.loc[10, "size"]
    )
    assert frame.loc[11, "type"] == "(unknown)" and frame.loc[11, "size"] == 0
    assert frame.loc[12, "target"] == "vacancy" and frame.loc[12, "status"] == "assigned"
    assert frame.loc[8, "target"] == "company" and frame.loc[8, "type"] == "LOGO"
    assert frame.loc[2, "size"] > 0
    failed = frame[frame["status"] == "failed"]
    assert list(failed["code"]) == ["assign_rejected"]


def test_failure_counts_count_every_problem_of_a_row(outcome: MigrationReport) -> None:
    counts = rpt.failure_counts(outcome)
    as_dict = {(r.status, r.code): r.rows for r in counts.itertuples()}
    # row 11 is empty *and* of an unknown type: both need fixing
    assert as_dict == {
        ("invalid", "file_missing"): 1,
        ("invalid", "file_empty"): 1,
        ("invalid", "type_unknown"): 1,
        ("failed", "assign_rejected"): 1,
    }


@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_plots_render_to_png(outcome: MigrationReport, plot: object) -> None:
    figure = plot(outcome)  # type: ignore[operator]
    assert isinstance(figure, Figure)
    height, width, _ = _png_shape(rpt.figure_png(figure))
    assert width > 400 and height > 150


def test_plots_of_a_check_and_of_an_empty_run(make_manifest: ManifestFactory) -> None:
    checked = check(make_manifest(3, logos=1))
    for plot in PLOTS:
        _png_shape(rpt.figure_png(plot(checked)))  # a check has no run: "nothing was sent"
    texts = [t.get_text() for t in rpt.plot_throughput(checked).axes[0].texts]
    assert texts == ["nothing was sent in this run"]
    bars = rpt.plot_status_by_type(checked, by="type").axes[0].patches
    assert sum(int(b.get_width()) for b in bars) == 4  # every row drawn once, all pending


def test_throughput_uses_the_timeline(outcome: MigrationReport) -> None:
    figure = rpt.plot_throughput(outcome)
    title = figure.axes[0].get_title(loc="left")
    files_done = outcome.run.timeline[-1][1]
    assert f"{files_done} files" in title


def test_html_report_is_valid_self_contained_and_lists_failed_rows(
    outcome: MigrationReport, tmp_path: Path
) -> None:
    path = rpt.write_html(outcome, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    HTMLParser().feed(text)  # the lenient parser browsers resemble…
    root = ET.fromstring(text)  # …and a strict one: every tag closed, every text escaped
    assert root.tag == "html"
    # self-contained: no script, no external reference; images are embedded PNGs
    assert root.find(".//script") is None
    for element in root.iter():
        for attr in ("src", "href"):
            value = element.get(attr)
            assert value is None or value.startswith("data:image/png;base64,"), value
    images = root.findall(".//img")
    assert len(images) == 5
    for img in images:
        png = base64.b64decode(img.get("src", "").split(",", 1)[1])
        _png_shape(png)
    # the failed rows, with their reason and a fix
    table = root.find(".//table")
    assert table is not None
    rows = table.findall("./tbody/tr")
    headers = [th.text for th in table.findall("./thead/tr/th")]
    # what a failed row needs comes first, the long path last
    assert headers[:3] == ["status", "error", "how to fix"] and headers[-1] == "file"
    cells = [
        dict(zip(headers, (td.text or "" for td in tr.findall("td")), strict=True)) for tr in rows
    ]
    assert len(cells) == 3 and {"10", "11"} <= {c["row"] for c in cells}
    assert {c["status"] for c in cells} == {"invalid", "failed"}
    assert any(
        c["error"].startswith("file_missing:") and "check the path" in c["how to fix"]
        for c in cells
    )
    assert any(c["error"].startswith("assign_rejected:") for c in cells)
    body = ET.tostring(root, encoding="unicode")
    assert "assigned: 8" in body and "Rows not assigned (3)" in body
    assert CANARY_KEY not in text


def test_html_escapes_what_users_wrote(outcome: MigrationReport) -> None:
    outcome.results.loc[0, "spott_error"] = "<script>alert(1)</script>"
    outcome.results.loc[0, "spott_status"] = "failed"
    text = rpt.render_html(outcome, figures={})
    assert "<script>" not in text and "&lt;script&gt;" in text
    ET.fromstring(text)


def _still_to_do(text: str) -> str:
    root = ET.fromstring(text)
    facts = root.find(".//dl")
    assert facts is not None
    terms = [dt.text for dt in facts.findall("dt")]
    return facts.findall("dd")[terms.index("still to do")].text or ""


def test_still_to_do_is_what_the_run_left(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    """Counted from the results after the run, not from the plan the run started with."""
    path = make_manifest(6, per_candidate=1, logos=0)
    before = check(path, settings=settings)
    assert _still_to_do(rpt.render_html(before, figures={})).startswith("6 files,")
    pilot = migrate(path, settings=settings, limit=1)
    assert rpt.still_to_do(pilot).files == 5
    assert _still_to_do(rpt.render_html(pilot, figures={})).startswith("5 files,")
    sandbox.faults.add("assign", "status_before", status=400, times=1)
    rest = migrate(path, settings=settings.with_(concurrency=1))
    assert rest.statuses == {"assigned": 5, "failed": 1}
    left = _still_to_do(rpt.render_html(rest, figures={}))
    assert left.startswith("1 file, ") and "about 2 requests" in left  # one upload, one assign
    retry = migrate(path, settings=settings, only_failed=True)
    assert retry.statuses == {"assigned": 6}
    assert _still_to_do(rpt.render_html(retry, figures={})) == (
        "nothing: every valid row is assigned"
    )
