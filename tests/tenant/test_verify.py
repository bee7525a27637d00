"""`spott-migrate verify` over real HTTP: present, missing, present twice; id repair; sample."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from spott_migrate import Settings, migrate
from spott_migrate.journal import load_entries
from spott_migrate.sandbox import Sandbox
from spott_migrate.spott_api import ASSIGN_PATH, UPLOAD_PATH
from spott_migrate.tenant.verify import VERIFIED_AT, RowVerdict, verify_manifest

from ..helpers import ManifestFactory, assert_no_key, cli, read_xlsx_column


def _cells(path: Path) -> dict[tuple[str, str], object]:
    """Every cell of every sheet (by sheet and coordinate), to compare before and after."""
    book = openpyxl.load_workbook(path)
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


def _with_notes_sheet(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes")
    notes["A1"] = "Sign-off"
    notes["B2"] = "=1+1"
    book.save(path)


def _counts(sb: Sandbox) -> tuple[int, int]:
    return sb.state.count("upload"), sb.state.count("assign")


def test_a_clean_run_verifies_present_and_only_adds_the_verified_at(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(6, logos=2)
    _with_notes_sheet(path)
    assert migrate(path, settings=settings).ok
    before = _cells(path)
    sent = _counts(sandbox)
    result = verify_manifest(path, settings=settings)
    assert result.ok and result.exit_code == 0
    assert result.counts()["present"] == 8 and result.counts()["ids repaired"] == 0
    assert result.records_checked == result.records_total == 5  # 3 candidates, 2 companies
    assert sandbox.state.count("list") == result.requests_sent == 5
    assert _counts(sandbox) == sent  # nothing uploaded, nothing assigned
    after = _cells(path)
    changed = {k for k in after if after[k] != before.get(k)}
    header = [c.value for c in openpyxl.load_workbook(path)["Attachments"][1]]
    column = openpyxl.utils.get_column_letter(header.index(VERIFIED_AT) + 1)
    assert changed == {("Attachments", f"{column}{r}") for r in range(1, 10)}
    assert after[("Notes", "B2")] == "=1+1"
    assert result.report_html is not None and "None: every row checked" in (
        result.report_html.read_text()
    )


def test_new_permanent_ids_are_written_back_and_stay(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(new_ids_on_assign=True)
    path = make_manifest(4, logos=1)
    assert migrate(path, settings=settings).ok
    kept = read_xlsx_column(path, "spott_attachment_id")
    permanent = {a.temp_id: a.id for a in sandbox.state.attachments()}
    assert set(kept.values()) == set(permanent)  # the run kept the temporary ids
    result = verify_manifest(path, settings=settings)
    assert result.ok and result.counts()["ids repaired"] == 5
    repaired = read_xlsx_column(path, "spott_attachment_id")
    assert repaired == {row: permanent[str(old)] for row, old in kept.items()}
    # The journal agrees, so a later run does not write the temporary ids back.
    assert {e.attachment_id for e in load_entries(path, "Attachments").values()} == set(
        permanent.values()
    )
    migrate(path, settings=settings)
    assert read_xlsx_column(path, "spott_attachment_id") == repaired
    again = verify_manifest(path, settings=settings)
    assert again.ok and again.counts()["ids repaired"] == 0


def test_renamed_uploads_and_new_ids_are_found_by_name_and_size(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(new_ids_on_assign=True, rename_uploads=True)
    path = make_manifest(3, logos=0)
    assert migrate(path, settings=settings).ok
    result = verify_manifest(path, settings=settings)
    assert result.ok, result.frame()
    assert all(r.repaired for r in result.rows)


def test_missing_and_twice_are_reported_and_exit_one(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(4, logos=0)
    assert migrate(path, settings=settings).ok
    # The same file sent to cand-1 once more, by hand (say, from Spott's own UI).
    data = (tmp_path / "files" / "doc-000.pdf").read_bytes()
    with sandbox.client(timeout=10) as http:
        uploaded = http.post(
            UPLOAD_PATH,
            params={"type": "CV"},
            files=[("files", ("doc-000.pdf", data, "application/pdf"))],
        ).json()[0]
        http.post(
            ASSIGN_PATH,
            json={
                "attachments": [{"id": uploaded["attachmentId"], "type": "CV"}],
                "candidateId": "cand-1",
            },
        ).raise_for_status()
    # A row that says "assigned" but never went (a manifest edited, or carried elsewhere).
    book = openpyxl.load_workbook(path)
    sheet = book["Attachments"]
    sheet.append(["files/doc-001.pdf", "CV", "cand-5", None, None, None, "assigned", "no-such-id"])
    book.save(path)
    sent = _counts(sandbox)
    result = verify_manifest(path, settings=settings)
    assert _counts(sandbox) == sent
    verdicts = {r.source_row: r.verdict for r in result.rows}
    assert verdicts == {
        2: RowVerdict.DUPLICATED,
        3: RowVerdict.PRESENT,
        4: RowVerdict.PRESENT,
        5: RowVerdict.PRESENT,
        6: RowVerdict.MISSING,
    }
    assert result.exit_code == 1
    verified = read_xlsx_column(path, VERIFIED_AT)
    assert verified[6] is None and all(verified[r] for r in (2, 3, 4, 5))
    assert result.report_csv is not None
    report = result.report_csv.read_text()
    assert "missing" in report and "present more than once" in report
    assert report.count("\n") == 3  # header + the two rows that need attention
    html = result.report_html.read_text() if result.report_html else ""
    assert "no-such-id" in html and "<script" not in html


def test_sample_checks_n_random_records(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(10, per_candidate=1, logos=0)
    assert migrate(path, settings=settings).ok
    first = verify_manifest(path, settings=settings, sample=3, seed=7)
    assert first.records_checked == 3 and first.records_total == 10 and first.sampled
    assert first.requests_sent == 3 and len(first.rows) == 3
    second = verify_manifest(path, settings=settings, sample=3, seed=7)
    assert [r.record for r in second.rows] == [r.record for r in first.rows]
    assert verify_manifest(path, settings=settings, sample=50).records_checked == 10


def test_a_record_that_cannot_be_listed_is_unchecked(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    assert migrate(path, settings=settings).ok
    sandbox.faults.add("list", "status_before", status=503)
    result = verify_manifest(path, settings=settings.with_(max_attempts=2))
    assert {r.verdict for r in result.rows} == {RowVerdict.UNCHECKED}
    assert result.exit_code == 1
    header = [c.value for c in openpyxl.load_workbook(path)["Attachments"][1]]
    assert VERIFIED_AT not in header  # nothing verified, nothing written


# ------------------------------------------------------------------------------------- CLI
def test_verify_command_prints_a_summary_and_exits_by_what_it_found(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(new_ids_on_assign=True)
    path = make_manifest(4, logos=1)
    assert migrate(path, settings=settings).ok
    result = cli("verify", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "verified 5 assigned rows on 3 of 3 records in 3 requests" in result.stdout
    assert "ids repaired                 5" in result.stdout
    assert "manifest.verification.html" in result.stdout
    assert path.with_name("manifest.verification.csv").is_file()
    assert_no_key(result)
    sampled = cli("verify", str(path), "--base-url", sandbox.url, "--sample", "1")
    assert sampled.returncode == 0 and "1 of 3 records (random sample)" in sampled.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [({"SPOTT_API_KEY": "wrong-key"}, "401"), ({"SPOTT_API_KEY": ""}, "no API key")],
)
def test_verify_command_refuses_bad_keys_with_exit_two(
    sandbox: Sandbox,
    settings: Settings,
    make_manifest: ManifestFactory,
    env: dict[str, str],
    message: str,
) -> None:
    path = make_manifest(2, logos=0)
    assert migrate(path, settings=settings).ok
    original = path.read_bytes()
    result = cli("verify", str(path), "--base-url", sandbox.url, "--quiet", env=env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == original


def test_verify_command_on_an_unreadable_manifest(tmp_path: Path) -> None:
    result = cli("verify", str(tmp_path / "none.xlsx"), "--quiet")
    assert result.returncode == 2 and "manifest not found" in result.stderr


def test_a_manifest_open_elsewhere_keeps_the_ids_in_the_journal(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(new_ids_on_assign=True)
    path = make_manifest(2, logos=0)
    assert migrate(path, settings=settings).ok
    owner = path.with_name(f"~${path.name}")  # Excel has it open
    owner.write_text("x")
    original = path.read_bytes()
    result = cli("verify", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 2
    assert "is open in another program" in result.stderr and "run verify again" in result.stderr
    assert path.read_bytes() == original
    permanent = {a.id for a in sandbox.state.attachments()}
    assert {e.attachment_id for e in load_entries(path, "Attachments").values()} == permanent
    owner.unlink()
    again = verify_manifest(path, settings=settings)
    assert again.ok and again.written_to == path
    assert set(read_xlsx_column(path, "spott_attachment_id").values()) == permanent
