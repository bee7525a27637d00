"""`spott-migrate doctor` over real HTTP against each reading of what the docs leave open, and
`run` choosing safe behaviour from the profile it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.errors import ConfigError, FatalApiError
from spott_migrate.sandbox import Sandbox
from spott_migrate.tenant.doctor import diagnose, tiny_png
from spott_migrate.tenant.profile import (
    TenantProfile,
    UploadShape,
    Verdict,
    adjust_settings,
    load_profile,
    save_profile,
)

from ..files import pdf_bytes, write
from ..helpers import CANARY_KEY, ManifestFactory, assert_no_key, cli, read_xlsx_column, write_xlsx


def _verdicts(settings: Settings) -> dict[str, Verdict]:
    return {f.key: f.verdict for f in diagnose(settings).findings}


def test_an_honest_tenant_confirms_every_checkable_assumption(
    sandbox: Sandbox, settings: Settings
) -> None:
    diagnosis = diagnose(settings)
    verdicts = {f.key: f.verdict for f in diagnosis.findings}
    assert {k for k, v in verdicts.items() if v is not Verdict.CONFIRMED} == {
        "assign",  # doctor never assigns
        "temporary_expires",
        "rate_limit",  # the sandbox advertises no limit unless told to
    }
    assert diagnosis.exit_code == 0
    shape = diagnosis.profile.upload
    assert shape == UploadShape(201, True, True, True, "unassigned", "png")
    # Exactly one temporary upload, never assigned; every other request read-only.
    assert len(sandbox.state.uploads()) == 1 and sandbox.state.count("assign") == 0
    assert sandbox.state.uploads()[0].size == len(tiny_png())
    methods = {(e.method, e.endpoint) for e in sandbox.state.log()}
    assert methods == {
        ("GET", "records"),
        ("GET", "record"),
        ("GET", "search"),
        ("GET", "list"),
        ("POST", "upload"),
    }
    assert sandbox.state.count("record", status=404) == 1  # the missing-record probe
    assert set(diagnosis.profile.latency_ms) == {"records", "record", "search", "list", "upload"}


@pytest.mark.parametrize(
    ("reading", "key", "field", "value"),
    [
        ({"rename_uploads": True}, "upload_names", "names_kept", False),
        ({"omit_upload_sizes": True}, "upload_sizes", "sizes_echoed", False),
        (
            {"unassigned_spelling": "UNASSIGNED"},
            "unassigned_spelling",
            "unassigned_spelling",
            "UNASSIGNED",
        ),
    ],
)
def test_each_open_reading_is_detected(
    sandbox: Sandbox,
    settings: Settings,
    reading: dict[str, object],
    key: str,
    field: str,
    value: object,
) -> None:
    sandbox.configure(**reading)
    diagnosis = diagnose(settings)
    found = {f.key: f for f in diagnosis.findings}
    assert found[key].verdict is Verdict.ADAPTED, found[key]
    assert getattr(diagnosis.profile.upload, field) == value
    assert diagnosis.exit_code == 0  # runs adapt to all three
    assert len(sandbox.state.uploads()) == 1 and sandbox.state.count("assign") == 0


def test_rate_limit_headers_are_reported(sandbox: Sandbox, settings: Settings) -> None:
    sandbox.configure(advertised_rate_limit=600)
    diagnosis = diagnose(settings)
    assert diagnosis.profile.rate_limit_headers["x-ratelimit-limit"] == "600"
    assert {f.key: f.verdict for f in diagnosis.findings}["rate_limit"] is Verdict.CONFIRMED


def test_flat_records_are_read_and_said_so(sandbox: Sandbox, settings: Settings) -> None:
    sandbox.configure(record_shape="flat")
    found = {f.key: f for f in diagnose(settings).findings}
    assert found["candidate_shape"].verdict is Verdict.CONFIRMED
    assert found["candidate_shape"].detail.startswith("flat")


def test_a_refused_key_stops_at_once(sandbox: Sandbox, settings: Settings) -> None:
    with pytest.raises(FatalApiError):
        diagnose(settings.with_(api_key="wrong"))
    assert sandbox.state.count() == 1 and not sandbox.state.uploads()


def test_an_upload_refused_both_ways_differs(sandbox: Sandbox, settings: Settings) -> None:
    sandbox.faults.add("upload", "status_before", status=400)
    diagnosis = diagnose(settings)
    found = {f.key: f for f in diagnosis.findings}
    assert found["unassigned_spelling"].verdict is Verdict.DIFFERS
    assert diagnosis.exit_code == 1
    assert diagnosis.profile.upload == UploadShape()


# ------------------------------------------------------------------------- the profile
def _profile(base_url: str, **upload: object) -> TenantProfile:
    return TenantProfile(base_url, "2026-01-01T00:00:00Z", UploadShape(**upload))  # type: ignore[arg-type]


def test_the_profile_adjusts_settings_in_one_place(settings: Settings) -> None:
    same, notes = adjust_settings(settings, _profile(settings.base_url, names_kept=True))
    assert same == settings and notes == []
    renamed, notes = adjust_settings(settings, _profile(settings.base_url, names_kept=False))
    assert renamed.max_files_per_upload == 1 and "renames" in notes[0]
    spelled, _ = adjust_settings(
        settings, _profile(settings.base_url, unassigned_spelling="UNASSIGNED")
    )
    assert dict(spelled.type_spellings) == {"unassigned": "UNASSIGNED"}
    other, notes = adjust_settings(settings, _profile("https://other.example", names_kept=False))
    assert other == settings and "not used" in notes[0]


def test_the_profile_round_trips_and_bad_files_are_refused(tmp_path: Path) -> None:
    profile = _profile("https://x.example", status=201, names_kept=False)
    path = save_profile(profile, tmp_path / "spott-tenant.json")
    assert load_profile(path) == profile
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_profile(tmp_path / "bad.json")
    (tmp_path / "odd.json").write_text('{"base_url": 1}')
    with pytest.raises(ConfigError, match="not one doctor wrote"):
        load_profile(tmp_path / "odd.json")


def _unassigned_manifest(tmp_path: Path, n: int) -> Path:
    rows = []
    for i in range(n):
        write(tmp_path / "files" / f"note-{i}.pdf", pdf_bytes(f"note {i}", pad=i))
        rows.append((f"files/note-{i}.pdf", "unassigned", f"cand-{i + 1}", None, None, None))
    return write_xlsx(tmp_path / "manifest.xlsx", rows)


def test_run_uses_the_tenants_unassigned_spelling(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    sandbox.configure(unassigned_spelling="UNASSIGNED")
    path = _unassigned_manifest(tmp_path, 3)
    without = migrate(path, settings=settings, output=tmp_path / "without.xlsx")
    assert without.statuses == {"failed": 3}  # every upload refused: upload_rejected
    (tmp_path / "manifest.xlsx.spott-journal.sqlite").unlink()
    save_profile(diagnose(settings).profile, tmp_path / "spott-tenant.json")
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tenant: the tenant takes the unassigned type as 'UNASSIGNED'" in result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}


def test_run_sends_one_file_per_upload_when_the_tenant_renames(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    sandbox.configure(rename_uploads=True)
    path = make_manifest(8, per_candidate=4, logos=0)
    doctor = cli("doctor", "--base-url", sandbox.url, cwd=tmp_path)
    assert doctor.returncode == 0, doctor.stderr
    assert "adapted" in doctor.stdout and "runs will adapt: the tenant renames" in doctor.stdout
    assert (tmp_path / "spott-tenant.json").is_file()
    sandbox.reset()
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    # One upload per file, each answer matched: no file sent twice, no orphaned upload.
    assert sandbox.state.count("upload") == 8 == len(sandbox.state.uploads())
    assert len(sandbox.state.attachments()) == 8


def test_without_the_profile_a_renaming_tenant_costs_extra_uploads(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    sandbox.configure(rename_uploads=True)
    path = make_manifest(8, per_candidate=4, logos=0)
    assert migrate(path, settings=settings).ok  # still safe: unmatched files go again alone
    assert len(sandbox.state.uploads()) > 8  # but the batches' first uploads were orphaned


# ------------------------------------------------------------------------------------- CLI
def test_doctor_command_prints_each_assumption_and_writes_the_profile(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = cli("doctor", "--base-url", sandbox.url, "--output", str(tmp_path / "t.json"))
    assert result.returncode == 0, result.stderr
    assert "one test upload (never assigned), no assign" in result.stdout
    assert "confirmed  the API key is accepted" in result.stdout
    assert "unknown    assign answers 2xx" in result.stdout
    assert "latency (median):" in result.stdout and "rate-limit headers: none" in result.stdout
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["base_url"] == sandbox.url and data["upload"]["names_kept"] is True
    assert CANARY_KEY not in (tmp_path / "t.json").read_text()
    assert_no_key(result)


def test_doctor_command_with_a_wrong_key_exits_two(sandbox: Sandbox, tmp_path: Path) -> None:
    result = cli("doctor", "--base-url", sandbox.url, cwd=tmp_path, env={"SPOTT_API_KEY": "no"})
    assert result.returncode == 2
    assert "401" in result.stderr and "API key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "spott-tenant.json").exists()
    unreachable = cli("doctor", "--base-url", "http://127.0.0.1:9", cwd=tmp_path)
    assert unreachable.returncode == 2 and "cannot connect" in unreachable.stderr
