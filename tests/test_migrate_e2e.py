"""The core path end to end, over real HTTP against the sandbox, with real workbooks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from spott_migrate import Settings, migrate
from spott_migrate.sandbox import Sandbox

from .files import pdf_bytes, write
from .helpers import CANARY_KEY, ManifestFactory, assert_sandbox_matches_manifest, read_xlsx_column


def test_happy_path_assigns_every_row_and_writes_results(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(12, logos=2)
    report = migrate(path, settings=settings)
    assert report.exit_code == 0
    assert report.statuses == {"assigned": 14}
    statuses = read_xlsx_column(path, "spott_status")
    ids = read_xlsx_column(path, "spott_attachment_id")
    assert set(statuses.values()) == {"assigned"}
    assert all(ids.values())
    assert_sandbox_matches_manifest(sandbox, path)
    # 12 PDFs (6 CV + 6 COVER_LETTER) + 2 logos: ⌈6/10⌉ + ⌈6/10⌉ + ⌈2/10⌉ uploads, 6 + 2 assigns
    assert sandbox.state.count("upload") == 3
    assert sandbox.state.count("assign") == 8
    # the display name defaults to the file name
    names = {a.name for items in sandbox.state.assignments().values() for a in items}
    assert "doc-000.pdf" in names


def test_invalid_rows_are_marked_and_the_rest_go_on(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    write(tmp_path / "files" / "virus.pdf", b"MZ" + b"\x00" * 300)
    path = make_manifest(
        4,
        logos=0,
        extra_rows=[
            ("files/nothing.pdf", "CV", "cand-9", None, None, None),
            ("files/virus.pdf", "CV", "cand-9", None, None, None),
            ("files/doc-000.pdf", "Photograph of cat", "cand-9", None, None, None),
            ("files/doc-001.pdf", "CV", None, None, None, None),
        ],
    )
    report = migrate(path, settings=settings)
    assert report.exit_code == 1
    assert report.statuses == {"assigned": 4, "invalid": 4}
    errors = read_xlsx_column(path, "spott_error")
    statuses = read_xlsx_column(path, "spott_status")
    assert [statuses[r] for r in range(6, 10)] == ["invalid"] * 4
    assert str(errors[6]).startswith("file_missing:")
    assert str(errors[7]).startswith("content_not_allowed:")
    assert str(errors[8]).startswith("type_unknown:")
    assert str(errors[9]).startswith("target_missing:")
    assert_sandbox_matches_manifest(sandbox, path)


def test_shuffled_upload_answers_still_map_each_file_to_its_row(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(shuffle_uploads=True)
    path = make_manifest(20, per_candidate=1, logos=3)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 23}
    assert_sandbox_matches_manifest(sandbox, path)


def test_same_file_name_in_two_folders_maps_by_name_and_size(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    from .helpers import write_xlsx

    rows = []
    for i in range(4):
        write(tmp_path / f"c{i}" / "CV.pdf", pdf_bytes(f"person {i}", pad=i))
        rows.append((f"c{i}/CV.pdf", "CV", f"cand-{i + 1}", None, None, None))
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    sandbox.configure(shuffle_uploads=True)
    assert migrate(path, settings=settings).statuses == {"assigned": 4}
    assert_sandbox_matches_manifest(sandbox, path)


def test_rate_limit_and_overload_are_recovered(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "status_before", status=429, retry_after="0", times=2)
    sandbox.faults.add("upload", "status_before", status=503, times=1, after=2)
    sandbox.faults.add("assign", "status_before", status=429, times=2)
    path = make_manifest(10, logos=1)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 11}
    assert_sandbox_matches_manifest(sandbox, path)
    assert sandbox.state.count("upload", status=429) == 2
    assert sandbox.state.count("assign", status=429) == 2


def test_lost_assign_answer_is_checked_not_resent(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("assign", "status_after", status=504, times=1)
    path = make_manifest(2, per_candidate=2, logos=0)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 2}
    # one assign (processed, answer lost), then a look at the record — never a second assign
    assert sandbox.state.count("assign") == 1
    assert sandbox.state.count("list") >= 1
    assert_sandbox_matches_manifest(sandbox, path)


def test_lost_assign_answer_with_new_permanent_ids_matches_by_name_and_size(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(new_ids_on_assign=True)
    sandbox.faults.add("assign", "status_after", status=500, times=1)
    path = make_manifest(3, per_candidate=3, logos=0)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 3}
    assert sandbox.state.count("assign") == 1
    permanent = {a.id for items in sandbox.state.assignments().values() for a in items}
    assert set(read_xlsx_column(path, "spott_attachment_id").values()) == permanent


def test_unauthorised_stops_the_run_and_leaves_rows_pending(
    settings: Settings, make_manifest: ManifestFactory, sandbox: Sandbox
) -> None:
    path = make_manifest(6, logos=0)
    report = migrate(path, settings=settings.with_(api_key="wrong-key"))
    assert report.run.stopped == "fatal"
    assert report.exit_code == 2
    assert set(read_xlsx_column(path, "spott_status").values()) == {"pending"}
    # stopped at once: only the uploads already in flight when the 401 came were sent
    assert sandbox.state.count("upload") <= settings.concurrency
    assert sandbox.state.assignments() == {}


def test_rerun_sends_nothing_for_assigned_rows(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(8, logos=2)
    migrate(path, settings=settings)
    before = sandbox.state.counts()
    written = path.read_bytes()
    again = migrate(path, settings=settings)
    assert again.exit_code == 0
    assert again.run.requests_sent == 0
    assert sandbox.state.counts() == before
    assert path.read_bytes() == written  # nothing changed, so nothing was rewritten
    assert_sandbox_matches_manifest(sandbox, path)


def test_rerun_without_journal_trusts_the_manifest(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=0)
    migrate(path, settings=settings)
    path.with_name(path.name + ".spott-journal.sqlite").unlink()
    before = sandbox.state.counts()
    assert migrate(path, settings=settings).run.requests_sent == 0
    assert sandbox.state.counts() == before


def test_rerun_retries_only_what_failed(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("assign", "status_before", status=400, times=1)
    path = make_manifest(4, per_candidate=1, logos=0)
    first = migrate(path, settings=settings)
    assert first.statuses == {"assigned": 3, "failed": 1}
    uploads = sandbox.state.count("upload")
    second = migrate(path, settings=settings)
    assert second.statuses == {"assigned": 4}
    assert sandbox.state.count("upload") == uploads + 1
    assert second.run.requests_by_endpoint == {"upload": 1, "assign": 1}
    assert_sandbox_matches_manifest(sandbox, path)


def test_csv_manifest_is_written_back_too(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    from .helpers import write_csv

    write(tmp_path / "a.pdf", pdf_bytes("a"))
    path = write_csv(tmp_path / "m.csv", [("a.pdf", "resume", "cand-1", "", "", "")])
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 1}
    text = path.read_text(encoding="utf-8")
    assert "spott_status" in text.splitlines()[0]
    assert ",assigned," in text


def test_a_copy_of_a_file_assigned_in_an_earlier_run_is_a_duplicate_wherever_it_stands(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    from .helpers import write_csv

    write(tmp_path / "a" / "cv.pdf", pdf_bytes("same"))
    write(tmp_path / "b" / "cv copy.pdf", pdf_bytes("same"))  # same content, another name
    write(tmp_path / "other.pdf", pdf_bytes("other"))
    path = write_csv(tmp_path / "m.csv", [("a/cv.pdf", "CV", "cand-1", "", "", "")])
    assert migrate(path, settings=settings).statuses == {"assigned": 1}
    # Later the export grows: the copy is listed above the row already done.
    rows = [
        ("b/cv copy.pdf", "CV", "cand-1", "", "", ""),
        ("a/cv.pdf", "CV", "cand-1", "", "", ""),
        ("other.pdf", "CV", "cand-1", "", "", ""),
    ]
    write_csv(path, rows)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 2, "invalid": 1}
    (problem,) = report.check.validation.problems.itertuples(index=False)
    assert (problem.source_row, problem.code) == (2, "duplicate_row")
    assert (
        problem.message
        == "the same file content goes to the same record in row 3, already assigned"
    )
    assert sorted(a.name for a in sandbox.state.attachments()) == ["cv.pdf", "other.pdf"]


def test_semicolon_csv_with_quoted_semicolons_is_read_and_written_alike(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    # A European Excel export: ";" between fields, names with ";" in quotes. The csv module's
    # Sniffer gives up on this file; reader and write-back now share one detection.
    import csv

    for i in (1, 2):
        write(tmp_path / f"cv{i}.pdf", pdf_bytes(f"cv {i}"))
    text = (
        "file_path;type;candidate_id;name\r\n"
        'cv1.pdf;CV;cand-1;"Smith; John - CV"\r\n'
        'cv2.pdf;CV;cand-2;"Doe; Jane - CV"\r\n'
    )
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode())
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 2}
    names = sorted(a.name for a in sandbox.state.attachments())
    assert names == ["Doe; Jane - CV", "Smith; John - CV"]
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle, delimiter=";"))
    assert records[0][:5] == ["file_path", "type", "candidate_id", "name", "spott_status"]
    assert [r[3:5] for r in records[1:]] == [
        ["Smith; John - CV", "assigned"],
        ["Doe; Jane - CV", "assigned"],
    ]


def test_output_option_leaves_the_manifest_untouched(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(2, logos=0)
    original = path.read_bytes()
    out = tmp_path / "results.xlsx"
    migrate(path, settings=settings, output=out)
    assert path.read_bytes() == original
    assert set(read_xlsx_column(out, "spott_status").values()) == {"assigned"}


def test_pilot_limit_does_only_the_first_rows(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, per_candidate=1, logos=0)
    report = migrate(path, settings=settings, limit=2)
    assert report.statuses == {"assigned": 2, "pending": 4}
    statuses = read_xlsx_column(path, "spott_status")
    assert [statuses[r] for r in (2, 3, 4)] == ["assigned", "assigned", "pending"]


def test_key_never_reaches_the_workbook_or_the_journal(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "status_before", status=400, times=1)
    path = make_manifest(4, logos=0)
    migrate(path, settings=settings)
    for f in path.parent.iterdir():
        if f.is_file():
            assert CANARY_KEY.encode() not in f.read_bytes(), f
    wb = openpyxl.load_workbook(path)
    assert all(CANARY_KEY not in str(c.value) for ws in wb for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("obj", ["settings", "client", "secret"])
def test_key_not_in_repr(settings: Settings, obj: str) -> None:
    from spott_migrate import SpottClient

    target: object = {
        "settings": settings,
        "client": SpottClient(settings=settings),
        "secret": settings.api_key,
    }[obj]
    assert CANARY_KEY not in repr(target)
    assert CANARY_KEY not in str(target)
    assert CANARY_KEY not in f"{target}"


def test_every_validation_code_reaches_the_manifest(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    from .helpers import write_xlsx

    write(tmp_path / "ok.pdf", pdf_bytes("ok"))
    write(tmp_path / "empty.pdf", b"")
    write(tmp_path / "exe.pdf", b"MZ\x90\x00" + b"\x00" * 300)
    write(tmp_path / "junk.pdf", b"\x01\x02\x03" * 40)
    write(tmp_path / "note.txt", b"text")
    (tmp_path / "dir.pdf").mkdir()
    with (tmp_path / "huge.pdf").open("wb") as handle:
        handle.write(pdf_bytes("huge"))
        handle.truncate(50_000_001)
    rows = [
        ("ok.pdf", "cv", "cand-1", None, None, None),
        ("", "CV", "cand-1", None, None, None),
        ("gone.pdf", "CV", "cand-1", None, None, None),
        ("dir.pdf", "CV", "cand-1", None, None, None),
        ("empty.pdf", "CV", "cand-1", None, None, None),
        ("huge.pdf", "CV", "cand-2", None, None, None),
        ("note.txt", "CV", "cand-1", None, None, None),
        ("exe.pdf", "CV", "cand-1", None, None, None),
        ("junk.pdf", "CV", "cand-1", None, None, None),
        ("ok.pdf", None, "cand-3", None, None, None),
        ("ok.pdf", "selfie", "cand-4", None, None, None),
        ("ok.pdf", "CV", None, None, None, None),
        ("ok.pdf", "CV", "cand-1", None, None, None),
    ]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 1, "invalid": 12}
    errors = read_xlsx_column(path, "spott_error")
    codes = [str(errors[r]).split(":")[0] for r in range(3, 15)]
    assert codes == [
        "path_missing",
        "file_missing",
        "not_a_file",
        "file_empty",
        "file_too_large",
        "extension_not_allowed",
        "content_not_allowed",
        "content_not_allowed",
        "type_missing",
        "type_unknown",
        "target_missing",
        "duplicate_row",
    ]
    assert sandbox.state.count("upload") == 1  # invalid rows are never sent


def test_breaker_stops_a_run_against_a_dead_server(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.faults.add("upload", "status_before", status=503)
    path = make_manifest(100, per_candidate=5, logos=0)
    report = migrate(
        path, settings=settings.with_(max_attempts=2, breaker_threshold=3, concurrency=1)
    )
    assert report.run.stopped == "breaker"
    statuses = list(read_xlsx_column(path, "spott_status").values())
    # rows of the batches that were tried failed; the untouched rest stay pending
    assert statuses.count("failed") <= 30
    assert statuses.count("pending") >= 70
    assert sandbox.state.count("upload") <= 3 * 2


def test_no_log_record_at_any_level_carries_the_key(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    sandbox.faults.add("assign", "status_after", status=504, times=1)
    sandbox.faults.add("upload", "status_before", status=401, after=3)
    with caplog.at_level(logging.DEBUG):
        migrate(make_manifest(10, logos=2), settings=settings)
    assert caplog.records  # httpx and httpcore did log
    assert CANARY_KEY not in caplog.text
    assert all(CANARY_KEY not in repr(r.args) for r in caplog.records)


def test_a_copy_of_a_row_done_in_a_pilot_is_still_a_duplicate(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(
        3, logos=0, extra_rows=[("files/doc-000.pdf", "CV", "cand-1", None, None, None)]
    )
    assert migrate(path, settings=settings, limit=1).statuses["assigned"] == 1
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 3, "invalid": 1}
    assert str(read_xlsx_column(path, "spott_error")[5]).startswith("duplicate_row:")
    assert len(sandbox.state.attachments()) == 3
