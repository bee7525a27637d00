"""``build-manifest`` from the command line: exit codes, summary, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from spott_migrate.legacy import cli as cli_module
from spott_migrate.legacy.cli import build_manifest_command
from spott_migrate.manifest import read_manifest


def _run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_manifest_command, [*args], env=env or {"SPOTT_API_KEY": ""})


def test_help_names_every_option() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for option in (
        "--layout",
        "--pattern",
        "--crosswalk",
        "--resolve-emails",
        "--check-records",
        "--convert",
        "--rules",
        "--output",
        "--column",
        "--emails",
        "SPOTT_API_KEY",
    ):
        assert option in result.output
    assert build_manifest_command.name == "build-manifest"


def test_build_with_unplaced_rows_exits_1_and_summarises(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifest.xlsx"
    result = _run(
        str(sample / "tree"),
        "-o",
        str(out),
        "--crosswalk",
        str(sample / "crosswalk.csv"),
        "--rules",
        str(sample / "type_rules.csv"),
    )
    assert result.exit_code == 1, result.output
    assert f"wrote {out}: 25 rows" in result.output
    assert "placed       13  (ids by crosswalk 13)" in result.output
    assert "unresolved                  6  fix: add the record to the crosswalk" in result.output
    assert len(read_manifest(out)) == 25
    assert (tmp_path / "manifest_files").is_dir() is False  # nothing extracted for a folder


def test_all_placed_exits_0(tmp_path: Path) -> None:
    (tmp_path / "export/jobs/9").mkdir(parents=True)
    (tmp_path / "export/jobs/9/Job spec.pdf").write_bytes(b"%PDF-1.4 spec")
    (tmp_path / "cw.csv").write_text("entity,legacy_id,spott_id\njob,9,v-9\n")
    out = tmp_path / "m.csv"
    result = _run(str(tmp_path / "export"), "-o", str(out), "--crosswalk", str(tmp_path / "cw.csv"))
    assert result.exit_code == 0, result.output
    assert "JOB_DESCRIPTION 1" in result.output


def test_existing_output_needs_force(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"")
    result = _run(str(sample / "tree"), "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.output
    assert _run(str(sample / "tree"), "-o", str(out), "--force").exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--column", "nonsense"],
        ["--flag", "isLogo=NOPE"],
        ["--pattern", "{entity}/**"],
        ["-o", "manifest.txt"],
        ["--resolve-emails"],  # no API key
    ],
)
def test_usage_errors_exit_2(args: list[str], sample: Path, tmp_path: Path) -> None:
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "m.xlsx")]
    result = _run(str(sample / "tree"), *args)
    assert result.exit_code == 2, result.output


def test_convert_without_libreoffice_warns_and_goes_on(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("spott_migrate.legacy.convert.find_converter", lambda: None)
    result = _run(str(sample / "tree"), "-o", str(tmp_path / "m.xlsx"), "--convert")
    assert result.exit_code == 1
    assert "LibreOffice is not installed" in result.output
    assert "extension_not_allowed" in result.output


def test_command_module_exports_exit_codes() -> None:
    assert (cli_module.EXIT_ALL_PLACED, cli_module.EXIT_SOME_UNPLACED, cli_module.EXIT_USAGE) == (
        0,
        1,
        2,
    )
