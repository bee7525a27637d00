"""build-manifest --index: records found by e-mail, phone and legacy-id attribute, and checked,
from the index, with no request per record. The sample legacy export against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from spott_migrate import Settings
from spott_migrate.legacy import TypeRules, build_manifest, load_crosswalk, load_emails, load_rules
from spott_migrate.legacy.cli import build_manifest_command
from spott_migrate.legacy.match import load_phones
from spott_migrate.sandbox import Sandbox
from spott_migrate.tenant.index import TenantIndex, open_index

from ..legacy.outcomes import TREE_OUTCOMES, outcomes
from .conftest import index_tenant

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "legacy_export"
KEY = "index-canary-KEY-0d4e"


@pytest.fixture
def legacy_sandbox() -> Iterator[Sandbox]:
    with Sandbox(records=SAMPLE / "records.json", api_key=KEY) as sb:
        yield sb


@pytest.fixture
def legacy_index(legacy_sandbox: Sandbox, tmp_path: Path) -> Iterator[TenantIndex]:
    path = tmp_path / "spott-index.sqlite"
    settings = Settings(base_url=legacy_sandbox.url, api_key=KEY, requests_per_minute=60_000)
    index_tenant(settings, path)
    with open_index(path, legacy_sandbox.url) as index:
        yield index


def _rules() -> TypeRules:
    return TypeRules().extended(load_rules(SAMPLE / "type_rules.csv"))


def _by_legacy_id(df: pd.DataFrame, legacy_id: str) -> pd.DataFrame:
    return df[df["legacy_id"] == legacy_id]


def test_the_index_gives_the_same_outcomes_as_the_api_with_no_request(
    legacy_sandbox: Sandbox, legacy_index: TenantIndex, tmp_path: Path
) -> None:
    sent = legacy_sandbox.state.count()
    df = build_manifest(
        SAMPLE / "tree",
        rules=_rules(),
        crosswalk=load_crosswalk(SAMPLE / "crosswalk.csv"),
        emails=load_emails(SAMPLE / "candidates.csv"),
        index=legacy_index,
        work_dir=tmp_path / "work",
    )
    assert legacy_sandbox.state.count() == sent  # not one request for 25 rows
    assert outcomes(df) == TREE_OUTCOMES
    turing = _by_legacy_id(df, "L-1004")
    assert set(turing["candidate_id"]) == {"c-turing"}  # stored in another case in Spott
    assert set(turing["resolved_by"]) == {"email"}
    ghost = _by_legacy_id(df, "L-1008").iloc[0]["spott_build_problem"]
    assert ghost.startswith("target_not_found: candidate c-ghost does not exist in Spott: not in")
    assert "the Spott index spott-index.sqlite" in ghost
    twins = _by_legacy_id(df, "L-1005").iloc[0]["spott_build_problem"]
    assert "2 Spott candidates have the e-mail shared@example.com" in twins
    # A client contact has L-1007's address; only candidates count.
    assert _by_legacy_id(df, "L-1007").iloc[0]["spott_build_problem"].startswith("unresolved")


def test_phone_finds_a_candidate_without_an_email(
    legacy_index: TenantIndex, tmp_path: Path
) -> None:
    df = build_manifest(
        SAMPLE / "tree",
        rules=_rules(),
        emails=load_emails(SAMPLE / "candidates.csv"),
        index=legacy_index,
        match=("email", "phone"),
        phones=load_phones(SAMPLE / "candidates.csv"),
        work_dir=tmp_path / "work",
    )
    pat = _by_legacy_id(df, "L-1010")
    assert set(pat["candidate_id"]) == {"c-pat"} and set(pat["resolved_by"]) == {"phone"}
    nora = _by_legacy_id(df, "L-1006").iloc[0]["spott_build_problem"]
    assert "no Spott candidate has the e-mail nobody@example.com" in nora
    assert "no Spott candidate has the phone number +44 20 7946 0999" in nora
    # E-mail first: Ada is found by her address, not her phone.
    assert set(_by_legacy_id(df, "L-1001")["resolved_by"]) == {"email"}


def test_the_legacy_id_attribute_is_a_crosswalk_from_spott(
    legacy_index: TenantIndex, tmp_path: Path
) -> None:
    df = build_manifest(
        SAMPLE / "tree",
        rules=_rules(),
        index=legacy_index,
        match=(),
        legacy_id_attribute="legacy id",  # labels compare ignoring case
        work_dir=tmp_path / "work",
    )
    found = df[df["resolved_by"] == "attribute"]
    assert set(zip(found["legacy_id"], found["candidate_id"], strict=True)) >= {
        ("L-1001", "c-ada"),
        ("L-1004", "c-turing"),
    }
    assert set(_by_legacy_id(df, "C-200")["company_id"]) == {"co-acme"}
    assert set(_by_legacy_id(df, "V-301")["vacancy_id"]) == {"v-backend"}
    lee = _by_legacy_id(df, "L-1012").iloc[0]["spott_build_problem"]
    assert lee.startswith("ambiguous:") and "c-lee-1, c-lee-2" in lee  # never guessed
    assert (
        "no Spott company has legacy id = C-201"
        in (_by_legacy_id(df, "C-201").iloc[0]["spott_build_problem"])
    )


def test_an_ambiguous_crosswalk_is_not_overruled_by_the_attribute(
    legacy_index: TenantIndex, tmp_path: Path
) -> None:
    df = build_manifest(
        SAMPLE / "tree",
        rules=_rules(),
        crosswalk=load_crosswalk(SAMPLE / "crosswalk.csv"),
        index=legacy_index,
        match=(),
        legacy_id_attribute="Legacy ID",
        work_dir=tmp_path / "work",
    )
    assert set(_by_legacy_id(df, "L-1012")["spott_build_problem"].str[:10]) == {"ambiguous:"}
    assert set(_by_legacy_id(df, "L-1001")["resolved_by"]) == {"crosswalk"}
    assert set(_by_legacy_id(df, "L-1004")["resolved_by"]) == {"attribute"}


# ------------------------------------------------------------------------------------- CLI
def _cli(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_manifest_command, list(args), env=env or {})


def test_cli_with_the_index_needs_no_key_and_sends_nothing(
    legacy_sandbox: Sandbox, legacy_index: TenantIndex, tmp_path: Path
) -> None:
    sent = legacy_sandbox.state.count()
    out = tmp_path / "manifest.xlsx"
    result = _cli(
        str(SAMPLE / "tree"),
        "-o",
        str(out),
        "--rules",
        str(SAMPLE / "type_rules.csv"),
        "--emails",
        str(SAMPLE / "candidates.csv"),
        "--index",
        str(legacy_index.path),
        "--match",
        "email",
        "--match",
        "phone",
        "--legacy-id-attribute",
        "Legacy ID",
        "--base-url",
        legacy_sandbox.url,
        env={"SPOTT_API_KEY": ""},
    )
    assert result.exit_code == 1, result.output
    assert legacy_sandbox.state.count() == sent
    assert "attribute" in result.output and "phone 1" in result.output, result.output
    assert out.is_file()


def test_cli_refuses_another_tenants_index(legacy_index: TenantIndex, tmp_path: Path) -> None:
    result = _cli(
        str(SAMPLE / "tree"),
        "-o",
        str(tmp_path / "m.xlsx"),
        "--index",
        str(legacy_index.path),
        "--base-url",
        "https://api.gospott.com",
    )
    assert result.exit_code == 2
    assert "was made against" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "m.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--legacy-id-attribute", "Legacy ID"], "needs --index"),
        (["--match", "phone"], "needs the people list"),
    ],
)
def test_cli_usage_errors(
    args: list[str], message: str, legacy_index: TenantIndex, tmp_path: Path
) -> None:
    result = _cli(str(SAMPLE / "tree"), "-o", str(tmp_path / "m.xlsx"), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_phone_without_an_index_asks_spott(legacy_sandbox: Sandbox, tmp_path: Path) -> None:
    result = _cli(
        str(SAMPLE / "tree"),
        "-o",
        str(tmp_path / "m.xlsx"),
        "--emails",
        str(SAMPLE / "candidates.csv"),
        "--match",
        "phone",
        "--base-url",
        legacy_sandbox.url,
        env={"SPOTT_API_KEY": KEY},
    )
    assert result.exit_code == 1, result.output
    assert "ids by phone 4" in result.output  # Ada's three files and Pat's one
    assert legacy_sandbox.state.count("search") == 3  # each distinct number once
