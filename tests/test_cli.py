"""The CLI as a user meets it: real subprocesses, exit codes and messages, no leaked key."""

from __future__ import annotations

import traceback
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from spott_migrate import Settings, SpottClient
from spott_migrate.cli import main
from spott_migrate.errors import SpottMigrateError
from spott_migrate.sandbox import Sandbox

from .helpers import CANARY_KEY, ManifestFactory, assert_no_key, cli, read_xlsx_column

README = Path(__file__).resolve().parents[1] / "README.md"


def test_run_assigns_and_exits_zero(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(6, logos=1)
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "7 assigned" in result.stdout
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}
    assert_no_key(result)


def test_invalid_rows_exit_one(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(
        2, logos=0, extra_rows=[("files/none.pdf", "CV", "cand-1", None, None, None)]
    )
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 1
    assert "file_missing" in result.stdout
    assert_no_key(result)


def test_wrong_key_exits_two_with_a_clear_message(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    result = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--quiet",
        env={"SPOTT_API_KEY": "nope-" + CANARY_KEY[::-1]},
    )
    assert result.returncode == 2
    assert "401" in result.stderr and "API key" in result.stderr
    assert "Traceback" not in result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"pending"}


def test_key_given_on_the_command_line_is_not_echoed(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    sandbox.faults.add("upload", "status_before", status=400, times=5)
    result = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--api-key",
        CANARY_KEY,
        "--quiet",
        env={"SPOTT_API_KEY": ""},
    )
    assert result.returncode == 1
    assert_no_key(result)


def test_validate_sends_nothing(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(3, logos=0, extra_rows=[("files/x.txt", "CV", "cand-1", None, None, None)])
    original = path.read_bytes()
    result = cli("validate", str(path))
    assert result.returncode == 1
    assert "3 to do, 1 invalid" in result.stdout
    assert "file_missing" in result.stdout
    assert sandbox.state.count() == 0
    assert path.read_bytes() == original


def test_validate_lists_renamed_files_as_notices_and_strict_content_refuses_them(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    from .corpus import picture
    from .files import write

    write(tmp_path / "files" / "gif-logo.png", picture("GIF", (6, 6), "red"))
    row = ("files/gif-logo.png", "LOGO", None, "comp-3", None, None)
    path = make_manifest(2, logos=0, extra_rows=[row])
    result = cli("validate", str(path))
    assert result.returncode == 0, result.stdout  # a notice is not a problem
    assert "3 to do, 0 invalid" in result.stdout
    assert "problems:" not in result.stdout
    notices = result.stdout.split("notices", 1)[1]
    assert "row 4: renamed_to_content: named .png but the content is GIF" in notices
    strict = cli("validate", str(path), "--strict-content")
    assert strict.returncode == 1
    assert "row 4: content_mismatch: named .png but the content is GIF" in strict.stdout
    assert "notices" not in strict.stdout
    assert sandbox.state.count() == 0


def test_dry_run_sends_and_writes_nothing(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(3, logos=0)
    original = path.read_bytes()
    result = cli("run", str(path), "--base-url", sandbox.url, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "plan: 3 files" in result.stdout
    assert sandbox.state.count() == 0
    assert path.read_bytes() == original


def test_unreadable_manifest_exits_two(tmp_path: Path) -> None:
    (tmp_path / "m.xlsx").write_bytes(b"not a workbook")
    result = cli("validate", str(tmp_path / "m.xlsx"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read m.xlsx")


def test_missing_key_is_a_usage_error(make_manifest: ManifestFactory) -> None:
    path = make_manifest(1, logos=0)
    result = cli("run", str(path), env={"SPOTT_API_KEY": ""})
    assert result.returncode == 2
    assert "no API key" in result.stderr


def test_every_command_has_help_and_is_in_the_readme() -> None:
    runner = CliRunner()
    readme = README.read_text(encoding="utf-8")
    ctx = click.Context(main)
    names = main.list_commands(ctx)  # lazily loaded commands too
    assert "build-manifest" in names
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None, name
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, name
        assert f"spott-migrate {name}" in readme, f"{name} is not documented in the README"


def test_key_not_in_a_traceback(settings: Settings) -> None:
    closed = settings.with_(base_url="http://127.0.0.1:9", max_attempts=1)
    client = SpottClient(settings=closed)
    with pytest.raises(SpottMigrateError) as info:
        client.list_attachments(candidateId="c1")
    text = "".join(traceback.format_exception(info.value))
    assert CANARY_KEY not in text
