"""The control panel driven as a person would, without a browser, against the sandbox over HTTP.

Each test clicks the panel's buttons (``button.click()`` runs the same handlers a browser
click does), waits for the run thread, then checks three things: what the panel shows, what the
sandbox holds, and what was written back into the manifest.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import ipywidgets as widgets
import openpyxl
import pytest

from spott_migrate import Settings, check
from spott_migrate.notebook import Panel
from spott_migrate.notebook.memory import memory_path
from spott_migrate.notebook.pace import Pace
from spott_migrate.sandbox import Sandbox

from ..files import pdf_bytes, write
from ..helpers import (
    CANARY_KEY,
    HEADER,
    ManifestFactory,
    assert_sandbox_matches_manifest,
    read_xlsx_column,
    write_xlsx,
)

RUN_TIMEOUT = 60


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The panel must get its key from the box or the settings given, never by accident.
    monkeypatch.delenv("SPOTT_API_KEY", raising=False)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def click(panel: Panel, name: str) -> None:
    button = panel.controls.buttons[name]
    assert not button.disabled, f"{name} is disabled"
    button.click()


def finish(panel: Panel) -> None:
    assert panel.wait(RUN_TIMEOUT), "the run did not end"
    assert not panel.running


def statuses(path: Path) -> dict[int, object]:
    return read_xlsx_column(path, "spott_status")


def enabled(panel: Panel) -> set[str]:
    return {name for name, b in panel.controls.buttons.items() if not b.disabled}


def shown(panel: Panel, text: str) -> int:
    """How many times ``text`` appears in what the panel shows."""
    values = [
        str(w.value) for w in panel.all_widgets() if isinstance(w, widgets.HTML | widgets.Label)
    ]
    return sum(v.count(text) for v in values)


def errors_shown(panel: Panel) -> list[str]:
    return [
        str(w.value)
        for w in panel.all_widgets()
        if isinstance(w, widgets.HTML) and getattr(w, "tone", "") == "error"
    ]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_load_validate_and_run_all(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    write(tmp_path / "files" / "fake.pdf", b"MZ" + b"\x00" * 200)
    path = make_manifest(
        6,
        logos=1,
        extra_rows=[
            ("files/missing.pdf", "CV", "cand-1", None, None, None),
            ("files/fake.pdf", "CV", "cand-2", None, None, None),
        ],
    )
    panel = Panel(path, settings=settings)
    assert panel.last_error is None
    # the check: two invalid rows, filterable by code
    assert "7 ready to send, 2 invalid" in panel.problems.summary.value
    codes = dict(panel.problems.code.options).values()
    assert {"file_missing", "content_not_allowed"} <= set(codes)
    panel.problems.code.value = "file_missing"
    assert "missing.pdf" in panel.problems.table.value
    assert "fake.pdf" not in panel.problems.table.value
    # the plan: 7 files in 3 upload batches (CV, COVER_LETTER, LOGO) + 4 assigns
    assert "<b>7</b> files" in panel.plan.widget.value
    assert "<b>7</b> requests" in panel.plan.widget.value
    assert enabled(panel) == {"pilot", "all"}

    click(panel, "all")
    finish(panel)
    assert panel.last_error is None
    assert panel.report is not None and panel.report.statuses == {"assigned": 7, "invalid": 2}
    assert list(statuses(path).values()) == ["assigned"] * 7 + ["invalid"] * 2
    assert_sandbox_matches_manifest(sandbox, path)
    # the panel shows it: progress complete, results tinted, plots drawn
    assert panel.progress.files.value == panel.progress.files.max == 7
    assert "finished" in panel.progress.line.value
    assert "assigned <b>7</b>" in panel.progress.statuses.value
    assert panel.results.table.value.count("background:#e3f4ee") == 7  # assigned rows
    # the results table: what a failed row needs first, the long path last
    headers = re.findall(r"<th>(.*?)</th>", panel.results.table.value)
    assert headers[:2] == ["status", "error"] and headers[-1] == "file"
    assert set(panel.plots.images) >= {"Failure reasons", "File sizes", "Throughput"}
    assert all(bytes(img.value)[:4] == b"\x89PNG" for img in panel.plots.images.values())
    # and the plan now says there is nothing left
    assert "Nothing left" in panel.plan.widget.value
    report_path = panel.export_report()
    assert report_path is not None and report_path.read_text().startswith("<!DOCTYPE html>")


def test_renamed_column_is_mapped_remembered_and_run(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    rows = []
    for i in range(3):
        write(tmp_path / f"cv{i}.pdf", pdf_bytes(f"cv {i}", pad=i))
        rows.append((f"cv{i}.pdf", "CV", f"cand-{i + 1}", None, None, None))
    header = ("Pfad", *HEADER[1:])
    path = write_xlsx(tmp_path / "export.xlsx", rows, header=header)

    panel = Panel(path, settings=settings)
    assert panel.last_error is not None and "file_path" in panel.last_error
    assert enabled(panel) == set()
    dropdown = panel.mapping.dropdowns["file_path"]
    assert "Pfad" in dropdown.options
    assert panel.mapping.dropdowns["type"].value == "type"  # found by its name
    dropdown.value = "Pfad"
    panel.mapping.apply.click()
    assert panel.last_error is None
    assert "3 ready to send, 0 invalid" in panel.problems.summary.value
    assert json.loads(memory_path(path).read_text())["sheets"] == {
        "Attachments": {"file_path": "Pfad"}
    }

    # A new panel (a new session) applies the remembered mapping by itself.
    again = Panel(path, settings=settings)
    assert again.last_error is None
    assert "remembered" in again.mapping.note.value
    click(again, "all")
    finish(again)
    assert again.report is not None and again.report.statuses == {"assigned": 3}
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb.active[1]][:2] == ["Pfad", "type"]  # the user's header stays
    assert set(statuses(path).values()) == {"assigned"}
    assert len(sandbox.state.attachments()) == 3


def test_sheet_choice_reloads(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", pdf_bytes("a"))
    path = write_xlsx(tmp_path / "m.xlsx", [("a.pdf", "CV", "cand-1", None, None, None)])
    wb = openpyxl.load_workbook(path)
    other = wb.create_sheet("Second")
    other.append(list(HEADER))
    other.append(["a.pdf", "CV", "cand-1", None, None, None])
    other.append(["b.pdf", "CV", "cand-2", None, None, None])
    wb.save(path)
    panel = Panel(path, settings=settings)
    assert panel.source.sheet.options == ("Attachments", "Second")
    assert "1 rows" in panel.source.note.value
    panel.source.sheet.value = "Second"
    assert panel.checked is not None and panel.checked.manifest.sheet == "Second"
    assert "1 invalid" in panel.problems.summary.value


def test_uploaded_manifest_is_saved_beside_its_files(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "cv.pdf", pdf_bytes("cv"))
    source = write_xlsx(tmp_path / "made-elsewhere.xlsx", [("cv.pdf", "CV", "c", None, None, None)])
    content = source.read_bytes()
    source.unlink()
    panel = Panel(settings=settings, upload_dir=tmp_path)
    panel.source.upload.value = (
        {
            "name": "made-elsewhere.xlsx",
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.now(UTC),
        },
    )
    assert panel.last_error is None
    assert (tmp_path / "made-elsewhere.xlsx").read_bytes() == content
    assert panel.source.upload.value == ()  # the bytes do not linger in the widget state
    assert "1 ready to send" in panel.problems.summary.value


def test_pilot_runs_only_the_first_rows(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, per_candidate=1, logos=0)
    panel = Panel(path, settings=settings, pilot_rows=2)
    click(panel, "pilot")
    finish(panel)
    assert [statuses(path)[r] for r in range(2, 8)] == ["assigned"] * 2 + ["pending"] * 4
    assert_sandbox_matches_manifest(sandbox, path)
    assert "<b>finished</b> · every row sent is assigned" in panel.progress.line.value
    assert "pilot over at " in panel.controls.note.value
    assert ": assigned 2 · pending 4; results written back" in panel.controls.note.value
    assert "<b>4</b> files" in panel.plan.widget.value  # what is left
    panel.pause()  # too late: the run is over, and the buttons stay as they are
    assert enabled(panel) == {"pilot", "all"}


def test_pause_resume_cancel_and_finish(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(20, per_candidate=1, logos=0)
    sandbox.faults.add("*", "slow", delay=0.2)  # ~22 requests of 0.2 s, one at a time
    panel = Panel(path, settings=settings)
    panel.controls.concurrency.value = 1
    click(panel, "all")
    assert panel.running and enabled(panel) == {"pause", "cancel"}
    # nothing that reads or rewrites the manifest while the run owns it
    for button in (panel.source.load, panel.mapping.apply, panel.problems.again):
        assert button.disabled, button.description
    assert panel.results.export.disabled
    wait_until(lambda: panel.progress.files.value >= 2)
    assert "ETA" in panel.progress.line.value

    click(panel, "pause")
    assert enabled(panel) == {"resume", "cancel"}
    assert panel.wait_paused(10)  # the request in flight when pausing has had its answer…
    sent = sandbox.state.count()
    assert panel.wait_paused(0)  # …and, still paused, no new one went out
    assert sandbox.state.count() == sent
    assert "paused" in panel.progress.line.value
    assert panel.running
    # what the panel shows is what Spott holds, with nothing still in flight
    assert panel.progress.files.value == len(sandbox.state.attachments())

    click(panel, "resume")
    wait_until(lambda: sandbox.state.count() > sent)
    wait_until(lambda: panel.progress.files.value >= 5)

    click(panel, "cancel")
    finish(panel)
    report = panel.report
    assert report is not None and report.run.stopped == "cancelled"
    done = report.statuses["assigned"]
    assert 5 <= done < 20 and report.statuses["pending"] == 20 - done
    # written back: the assigned rows, then the rest pending; the sandbox agrees
    marks = statuses(path)
    assert sorted(marks.values()).count("assigned") == done
    assert sorted(marks.values()).count("pending") == 20 - done
    assert_sandbox_matches_manifest(sandbox, path)
    assert f": assigned {done} · pending {20 - done}" in panel.controls.note.value
    assert "<b>cancelled</b> · rows not reached stay pending" in panel.progress.line.value
    assert enabled(panel) == {"pilot", "all"}

    sandbox.faults.clear()
    click(panel, "all")  # the rest, and nothing twice
    finish(panel)
    assert set(statuses(path).values()) == {"assigned"}
    assert_sandbox_matches_manifest(sandbox, path)
    assert len(sandbox.state.attachments()) == 20


def test_rerun_failed_rows(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, per_candidate=1, logos=0)
    sandbox.faults.add("assign", "status_before", status=400, times=2)
    panel = Panel(path, settings=settings)
    click(panel, "all")
    finish(panel)
    assert panel.report is not None and panel.report.statuses == {"assigned": 4, "failed": 2}
    errors = read_xlsx_column(path, "spott_error")
    assert sum(str(e).startswith("assign_rejected:") for e in errors.values()) == 2
    assert "failed" in enabled(panel)
    assert panel.controls.buttons["failed"].description == "Re-run 2 failed rows"
    assert "assign_rejected" in panel.progress.codes.value

    click(panel, "failed")
    finish(panel)
    report = panel.report
    assert report is not None and report.statuses == {"assigned": 6}
    assert report.run.requests_by_endpoint["assign"] == 2  # only the two failed rows
    assert set(statuses(path).values()) == {"assigned"}
    assert_sandbox_matches_manifest(sandbox, path)
    assert "failed" not in enabled(panel)


def test_refused_key_stops_the_run_and_is_forgotten(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=0)
    panel = Panel(path, settings=settings.with_(api_key=None))
    assert "no API key" in panel.controls.key.status.value
    panel.run_all()
    assert panel.last_error is not None and "API key" in panel.last_error
    panel.controls.key.password.value = "not-the-key"
    click(panel, "all")
    finish(panel)
    assert "<b>stopped</b> · Spott refused the API key" in panel.progress.line.value
    assert panel.progress.files.bar_style == "danger"
    assert set(statuses(path).values()) == {"pending"}
    assert sandbox.state.assignments() == {}
    assert "no API key" in panel.controls.key.status.value


def test_the_key_is_never_shown(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=0)
    panel = Panel(path, settings=settings.with_(api_key=None))
    panel.controls.key.password.value = CANARY_KEY
    assert panel.controls.key.password.value == ""  # taken into a Secret at once
    assert "key set" in panel.controls.key.status.value
    click(panel, "all")
    finish(panel)
    assert panel.report is not None and panel.report.statuses == {"assigned": 4}  # it was used
    assert CANARY_KEY not in repr(panel)
    for widget in panel.all_widgets():
        assert CANARY_KEY not in json.dumps(widget.get_state(), default=repr), widget
    report = panel.export_report()
    assert report is not None and CANARY_KEY not in report.read_text()


def test_messages_show_once_and_go_when_their_cause_is_fixed(
    settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(3, logos=0)
    panel = Panel(settings=settings.with_(api_key=None))
    panel.load()
    assert shown(panel, "or upload it") == 1  # once, beside the path box
    assert "or upload it" in panel.source.note.value
    panel.load(path)
    assert shown(panel, "or upload it") == 0
    assert "loaded manifest.xlsx: 3 rows, and checked them" in panel.source.note.value
    assert errors_shown(panel) == []

    panel.run_all()
    assert shown(panel, "enter the API key first") == 1
    assert "enter the API key first" in panel.controls.note.value
    panel.controls.key.password.value = CANARY_KEY
    assert shown(panel, "enter the API key first") == 0
    assert errors_shown(panel) == []

    # a header the aliases do not know: asked in section 2, gone once answered
    write(tmp_path / "cv.pdf", pdf_bytes("cv"))
    renamed = write_xlsx(
        tmp_path / "renamed.xlsx",
        [("cv.pdf", "CV", "cand-1", None, None, None)],
        header=("Pfad", *HEADER[1:]),
    )
    panel.load(renamed)
    assert shown(panel, "no column chosen for file_path") == 1
    assert "no column chosen for file_path" in panel.mapping.note.value
    assert "columns need choosing" in panel.source.note.value
    panel.apply_mapping({"file_path": "Pfad"})
    assert shown(panel, "no column chosen") == 0 and shown(panel, "need choosing") == 0
    assert errors_shown(panel) == []
    assert "1 ready to send" in panel.problems.summary.value


def test_unreachable_spott_is_an_error_in_the_status_line(
    settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(3, logos=0)
    panel = Panel(path, settings=settings)
    url = f"http://127.0.0.1:{closed_port()}"
    panel.controls.base_url.value = url
    click(panel, "pilot")
    finish(panel)
    line = panel.progress.line.value
    assert f"<b>stopped</b> · could not reach Spott at {url}: no request got through" in line
    assert "finished" not in line and "Check the Spott URL" in line
    assert panel.progress.files.bar_style == panel.progress.bytes.bar_style == "danger"
    assert panel.progress.bytes.value == 0
    assert panel.last_error is not None and "could not reach Spott" in panel.last_error
    assert shown(panel, "could not reach Spott") == 1  # the status line, not the note too
    # nothing reached a server: the rows stay pending, ready once the URL is right
    assert enabled(panel) == {"pilot", "all"}
    assert set(statuses(path).values()) == {"pending"}


def test_a_run_with_nothing_to_send_finishes_and_the_buttons_say_so(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    panel = Panel(path, settings=settings)
    click(panel, "all")
    finish(panel)
    assert "Nothing left to send" in panel.plan.widget.value
    assert enabled(panel) == set()  # no run would do anything
    panel.run_all()  # the method still runs, and says what it did
    finish(panel)
    line = panel.progress.line.value
    assert "<b>finished</b> · nothing left to send" in line
    assert "running" not in line and "ETA" not in line
    assert panel.progress.files.value == panel.progress.files.max
    assert panel.progress.files.bar_style == "success"
    assert panel.last_error is None


def test_check_again_reads_the_edited_files(
    settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(
        2, logos=0, extra_rows=[("files/late.pdf", "CV", "cand-3", None, None, None)]
    )
    panel = Panel(path, settings=settings)
    assert "2 ready to send, 1 invalid" in panel.problems.summary.value
    assert "<b>2</b> files" in panel.plan.widget.value
    assert not panel.problems.again.disabled
    write(tmp_path / "files" / "late.pdf", pdf_bytes("late"))  # the missing file turns up
    panel.problems.again.click()
    assert "3 ready to send, 0 invalid" in panel.problems.summary.value
    assert "<b>3</b> files" in panel.plan.widget.value


def test_the_estimate_uses_the_pace_measured_by_a_run(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, per_candidate=1, logos=0)
    panel = Panel(path, settings=settings, pilot_rows=2)
    assert "a guess until a pilot" in panel.plan.widget.value
    click(panel, "pilot")
    finish(panel)
    assert panel.report is not None
    sent = panel.report.run.requests_sent
    text = panel.plan.widget.value
    assert "at the pace measured so far" in text and f"over {sent} requests" in text


def test_pace_estimate_prefers_the_measured_rate_within_the_limit(
    make_manifest: ManifestFactory,
) -> None:
    plan = check(make_manifest(4, per_candidate=1, logos=0)).plan
    limit = Settings(requests_per_minute=600)  # at most 10 requests a second
    assert Pace().estimate_seconds(plan, limit) == plan.estimate_seconds(limit)
    slow = Pace(requests=4, seconds=8.0)  # half a request a second
    assert slow.estimate_seconds(plan, limit) == pytest.approx(plan.requests * 2)
    fast = Pace(requests=1000, seconds=1.0)  # faster than the limit allows
    assert fast.estimate_seconds(plan, limit) == pytest.approx(plan.requests / 10)


def test_export_writes_beside_the_manifest_and_links_it(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # the notebook's folder: links are relative to it
    path = make_manifest(2, logos=0)
    panel = Panel(path, settings=settings)
    click(panel, "all")
    finish(panel)
    panel.results.export.click()
    report = tmp_path / "manifest-report.html"
    assert report.is_file() and "every valid row is assigned" in report.read_text()
    (link,) = panel.results.export_link.outputs
    assert "href='manifest-report.html'" in link["data"]["text/html"]
    assert "report written beside the manifest" in panel.results.export_note.value


def test_without_the_live_widget_the_panel_says_what_to_do(
    settings: Settings, make_manifest: ManifestFactory
) -> None:
    panel = Panel(make_manifest(2, logos=0), settings=settings)
    bundle = panel._repr_mimebundle_()
    assert bundle is not None and "application/vnd.jupyter.widget-view+json" in bundle
    text = bundle["text/plain"]
    assert "run this cell again" in text and len(text) < 300 and CANARY_KEY not in text


def test_a_run_that_cannot_start_says_why_in_the_status_line(
    settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    panel = Panel(path, settings=settings)
    path.unlink()  # gone between the check and the run
    click(panel, "all")
    finish(panel)
    assert "<b>failed</b> · " in panel.progress.line.value
    assert panel.progress.files.bar_style == "danger"
    assert panel.last_error is not None and "manifest.xlsx" in panel.last_error
    assert errors_shown(panel) == []  # said in the status line, not in a note as well
    assert enabled(panel) == {"pilot", "all"}  # the file may come back: nothing is locked


def test_the_strict_content_switch_refuses_renamed_files_in_the_check_and_the_run(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    from ..corpus import picture

    write(tmp_path / "files" / "gif-logo.png", picture("GIF", (5, 5), "red"))
    row = ("files/gif-logo.png", "LOGO", None, "comp-3", None, None)
    path = make_manifest(2, logos=0, extra_rows=[row])
    panel = Panel(path, settings=settings)
    switch = panel.strict_content.checkbox
    assert switch.value is False
    assert "3 ready to send, 0 invalid" in panel.problems.summary.value

    switch.value = True  # the check runs again, with the setting
    assert "2 ready to send, 1 invalid" in panel.problems.summary.value
    assert "content_mismatch" in set(dict(panel.problems.code.options).values())
    click(panel, "all")
    finish(panel)
    assert panel.report is not None and panel.report.statuses == {"assigned": 2, "invalid": 1}
    assert str(read_xlsx_column(path, "spott_error")[4]).startswith("content_mismatch:")

    switch.value = False
    assert "1 ready to send, 0 invalid" in panel.problems.summary.value
    click(panel, "all")
    finish(panel)
    assert list(statuses(path).values()) == ["assigned"] * 3
    assert read_xlsx_column(path, "spott_note")[4] == "renamed: content is GIF"
    assert [u.name for u in sandbox.state.uploads()][-1] == "gif-logo.gif"


def test_verify_after_a_run_asks_spott_and_repairs_the_ids(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    """The panel offers Verify once rows are assigned; it reconciles against Spott."""
    sandbox.configure(new_ids_on_assign=True)  # Spott mints permanent ids on assign
    path = make_manifest(4, logos=1)
    panel = Panel(path, settings=settings)
    assert panel.results.verify.disabled  # nothing assigned yet: nothing to verify
    click(panel, "all")
    finish(panel)
    assert not panel.results.verify.disabled
    sent = (sandbox.state.count("upload"), sandbox.state.count("assign"))
    panel.results.verify.click()
    finish(panel)
    note = panel.results.verify_note.value
    assert "Spott holds all 5 rows assigned; 5 ids Spott changed are updated" in note
    permanent = {a.id for a in sandbox.state.attachments()}
    assert set(read_xlsx_column(path, "spott_attachment_id").values()) == permanent
    assert all(read_xlsx_column(path, "spott_verified_at").values())
    assert (sandbox.state.count("upload"), sandbox.state.count("assign")) == sent  # only lists
    assert enabled(panel) == set()  # nothing left to send, nothing failed


def test_verify_names_what_is_missing_and_links_the_report(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    panel = Panel(path, settings=settings)
    click(panel, "all")
    finish(panel)
    sandbox.reset()  # Spott lost them (or another tenant's URL was typed since)
    panel.verify()
    finish(panel)
    note = panel.results.verify_note.value
    assert "0 present, 2 missing" in note and "report beside the manifest" in note
    assert panel.results.verify_link.outputs  # the link JupyterLab opens
