"""Over real HTTP: resolve against the sandbox, then migrate the built manifest into it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from spott_migrate import Settings, migrate
from spott_migrate.client import SpottClient
from spott_migrate.config import Secret
from spott_migrate.legacy import (
    TypeRules,
    build_manifest,
    find_converter,
    is_placed,
    load_crosswalk,
    load_emails,
    write_manifest,
)
from spott_migrate.legacy.cli import build_manifest_command
from spott_migrate.legacy.problems import code_of
from spott_migrate.manifest import read_manifest
from spott_migrate.sandbox import Sandbox

from .outcomes import TREE_OUTCOMES, outcomes

KEY = "legacy-canary-KEY-51c2"


@pytest.fixture
def sandbox(sample: Path) -> Iterator[Sandbox]:
    with Sandbox(records=sample / "records.json", api_key=KEY) as sb:
        yield sb


def _settings(sb: Sandbox) -> Settings:
    return Settings(
        base_url=sb.url,
        api_key=Secret(KEY),
        concurrency=2,
        backoff_base=0.01,
        backoff_max=0.05,
        read_timeout=10.0,
        requests_per_minute=60_000,
    )


def _client(sb: Sandbox) -> SpottClient:
    return SpottClient(sb.url, KEY, settings=_settings(sb))


def _build(sb: Sandbox, source: Path, sample: Path, rules: TypeRules, work: Path, **kw):  # type: ignore[no-untyped-def]
    with _client(sb) as client:
        return build_manifest(
            source,
            rules=rules,
            crosswalk=load_crosswalk(sample / "crosswalk.csv"),
            emails=load_emails(sample / "candidates.csv"),
            search=client,
            lookup=client,
            work_dir=work,
            **kw,
        )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_sandbox_holds_exactly_the_placed_rows(sb: Sandbox, manifest_path: Path) -> None:
    """Each placed row's file is on its record, once, with the inferred type; nothing else is."""
    manifest = read_manifest(manifest_path)
    expected = []
    for row in manifest.rows.to_dict("records"):
        if row["spott_build_problem"]:
            assert row["spott_status"] == "invalid"
            assert row["spott_error"].startswith(row["spott_build_problem"].split(":")[0])
            continue
        assert row["spott_status"] == "assigned", row
        for column, kind in (
            ("candidate_id", "candidate"),
            ("company_id", "company"),
            ("vacancy_id", "vacancy"),
        ):
            if row[column]:
                expected.append(
                    (kind, row[column], row["type"], _sha(manifest.resolve(row["file_path"])))
                )
    actual = [
        (kind, record_id, a.type, a.sha256)
        for (kind, record_id), items in sb.state.assignments().items()
        for a in items
    ]
    assert sorted(actual) == sorted(expected)


def test_tree_resolved_over_http_and_migrated(
    sandbox: Sandbox, sample: Path, sample_rules: TypeRules, tmp_path: Path
) -> None:
    df = _build(sandbox, sample / "tree", sample, sample_rules, tmp_path / "work")
    assert outcomes(df) == TREE_OUTCOMES
    turing = df[df["legacy_id"] == "L-1004"].iloc[0]
    assert (turing["candidate_id"], turing["resolved_by"]) == ("c-turing", "email")
    # One search per distinct address; one GET per distinct target id.
    assert sandbox.state.count("search") == 4
    assert sandbox.state.count("record") == len(
        {
            (r["candidate_id"], r["company_id"], r["vacancy_id"])
            for r in df[df["resolved_by"] != ""].to_dict("records")
        }
    )

    path = write_manifest(df, tmp_path / "manifest.xlsx")
    report = migrate(path, settings=_settings(sandbox))
    assert report.statuses == {"assigned": 13, "invalid": 12}
    assert report.exit_code == 1
    _assert_sandbox_holds_exactly_the_placed_rows(sandbox, path)
    # Spot checks on types as inferred.
    ada = sandbox.state.attachments_for("candidate", "c-ada")
    assert sorted(a.type for a in ada) == ["COVER_LETTER", "CV", "unassigned"]
    acme = sandbox.state.attachments_for("company", "co-acme")
    assert sorted(a.type for a in acme) == ["LOGO", "OFFER", "TERMS_AND_CONDITIONS"]
    # The unplaced rows kept the builder's own code through validation and write-back.
    # Write-back leaves the builder's provenance columns in place.
    results = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    results = results.set_index("legacy_id")
    assert code_of(results.loc["L-1005", "spott_error"]) == "ambiguous"
    assert code_of(results.loc["L-1008", "spott_error"]) == "target_not_found"


def test_zipped_list_migrated(sandbox: Sandbox, sample: Path, tmp_path: Path) -> None:
    df = _build(sandbox, sample / "csv_export.zip", sample, TypeRules(), tmp_path / "work")
    path = write_manifest(df, tmp_path / "manifest.csv")
    report = migrate(path, settings=_settings(sandbox))
    assert report.statuses["assigned"] == int(is_placed(df).sum()) == 5
    _assert_sandbox_holds_exactly_the_placed_rows(sandbox, path)


def test_a_passing_search_failure_is_retried_by_the_client(
    sandbox: Sandbox, sample: Path, tmp_path: Path
) -> None:
    sandbox.faults.add("search", "status_before", status=503, times=1)
    sandbox.faults.add("record", "status_before", status=503, times=1)
    df = _build(sandbox, sample / "tree", sample, TypeRules(), tmp_path / "work")
    assert (
        df.set_index("source_path").loc["candidates/L-1004/cv_alan_turing.docx", "candidate_id"]
        == "c-turing"
    )
    assert sandbox.state.count("search", status=503) == 1


@pytest.mark.skipif(find_converter() is None, reason="LibreOffice (soffice) is not installed")
def test_converted_files_are_migrated_too(sandbox: Sandbox, sample: Path, tmp_path: Path) -> None:
    from spott_migrate.legacy import Converter

    df = _build(
        sandbox,
        sample / "tree",
        sample,
        TypeRules(),
        tmp_path / "work",
        converter=Converter.detect(),
    )
    hopper = df[df["legacy_id"] == "L-1003"]
    assert is_placed(hopper).all() and (hopper["converted_from"] != "").all()
    path = write_manifest(df, tmp_path / "manifest.xlsx")
    migrate(path, settings=_settings(sandbox))
    names = sorted(a.name for a in sandbox.state.attachments_for("candidate", "c-hopper"))
    assert names == ["References.pdf", "Resume - Grace Hopper.pdf"]


def test_cli_resolves_and_checks_without_showing_the_key(
    sandbox: Sandbox, sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "manifest.xlsx"
    result = CliRunner().invoke(
        build_manifest_command,
        [
            str(sample / "tree_export.zip"),
            "-o",
            str(out),
            "--crosswalk",
            str(sample / "crosswalk.xlsx"),
            "--emails",
            str(sample / "candidates.csv"),
            "--rules",
            str(sample / "type_rules.csv"),
            "--resolve-emails",
            "--check-records",
            "--base-url",
            sandbox.url,
        ],
        env={"SPOTT_API_KEY": KEY},
    )
    assert result.exit_code == 1, result.output
    assert KEY not in result.output
    assert "ids by crosswalk 12, email 1" in result.output
    assert "target_not_found            1" in result.output
    rows = pd.DataFrame(read_manifest(out).rows)
    assert (tmp_path / "manifest_files" / "extracted").is_dir()
    assert rows["file_path"].str.startswith("manifest_files/extracted/").all()


def test_cli_wrong_key_stops_with_exit_2(sandbox: Sandbox, sample: Path, tmp_path: Path) -> None:
    wrong = "wrong-KEY-93ab"
    result = CliRunner().invoke(
        build_manifest_command,
        [
            str(sample / "tree"),
            "-o",
            str(tmp_path / "m.xlsx"),
            "--emails",
            str(sample / "candidates.csv"),
            "--resolve-emails",
            "--base-url",
            sandbox.url,
        ],
        env={"SPOTT_API_KEY": wrong},
    )
    assert result.exit_code == 2, result.output
    assert "Spott API" in result.output and wrong not in result.output
    assert not (tmp_path / "m.xlsx").exists()
