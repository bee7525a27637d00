"""Checks against the index before the run: unknown ids are target_not_found before any upload."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from spott_migrate import Settings, check, migrate
from spott_migrate.errors import ConfigError
from spott_migrate.notebook.session import RunOutcome, Session
from spott_migrate.sandbox import Sandbox
from spott_migrate.tenant.index import open_index

from ..helpers import ManifestFactory, assert_no_key, cli, read_xlsx_column

UNKNOWN_ROW = ("files/doc-000.pdf", "CV", "cand-99", None, None, None)


def _age(index_file: Path, days: int) -> None:
    with sqlite3.connect(index_file) as db:
        db.execute(
            "UPDATE scans SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)",
            (f"-{days} days",),
        )


def test_check_with_the_index_flags_unknown_ids(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=1, extra_rows=[UNKNOWN_ROW])
    with open_index(index_file, sandbox.url) as index:
        checked = check(path, known=index)
    problems = checked.validation.problems
    assert list(problems["code"]) == ["target_not_found"]
    assert problems["source_row"].tolist() == [7]
    assert "candidate cand-99 is not in the Spott index spott-index.sqlite" in problems.iloc[0, 3]
    assert len(checked.validation.jobs) == 5
    assert sandbox.state.count() == 3  # the three pages of building the index; check sent none
    # Without it, the row is a job as before (and would fail only at its assign).
    assert len(check(path).validation.jobs) == 6


def test_every_problem_of_a_row_is_listed(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(
        1, logos=0, extra_rows=[("files/nope.pdf", "CV", "cand-99", None, None, None)]
    )
    with open_index(index_file, sandbox.url) as index:
        problems = check(path, known=index).validation.problems
    assert sorted(problems["code"]) == ["file_missing", "target_not_found"]


def test_run_never_uploads_a_row_the_index_does_not_know(
    index_file: Path, sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=0, extra_rows=[UNKNOWN_ROW])
    with open_index(index_file, sandbox.url) as index:
        report = migrate(path, settings=settings, known=index)
    assert report.statuses == {"assigned": 4, "invalid": 1}
    assert sum(u.name == "doc-000.pdf" for u in sandbox.state.uploads()) == 1  # only cand-1's
    assert sandbox.state.count("assign", status=404) == 0
    errors = read_xlsx_column(path, "spott_error")
    assert str(errors[6]).startswith("target_not_found: candidate cand-99 is not in")


def test_the_session_takes_the_index_too(
    index_file: Path, sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0, extra_rows=[UNKNOWN_ROW])
    session = Session()
    session.load(path)
    with open_index(index_file, sandbox.url) as index:
        session.known = index
        checked = session.validate(settings)
        assert list(checked.validation.problems["code"]) == ["target_not_found"]
        outcomes: list[RunOutcome] = []
        session.start(settings, progress=_Quiet(), on_done=outcomes.append)
        assert session.wait(30)
    assert outcomes and outcomes[0].report is not None
    assert outcomes[0].report.statuses == {"assigned": 2, "invalid": 1}


class _Quiet:
    def start(self, files: int, total_bytes: int) -> None: ...
    def advance_bytes(self, n: int) -> None: ...
    def file_done(self, status: str, code: str | None = None) -> None: ...
    def close(self) -> None: ...


# ------------------------------------------------------------------------------------- CLI
def test_validate_uses_the_index_beside_the_manifest(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0, extra_rows=[UNKNOWN_ROW])
    assert index_file.parent == path.parent
    sent = sandbox.state.count()
    result = cli("validate", str(path), "--base-url", sandbox.url)
    assert result.returncode == 1
    assert "row 4: target_not_found: candidate cand-99 is not in the Spott index" in result.stdout
    assert sandbox.state.count() == sent
    without = cli("validate", str(path), "--base-url", sandbox.url, "--no-index")
    assert without.returncode == 0, without.stdout


def test_validate_with_an_explicit_index(
    sandbox: Sandbox, make_manifest: ManifestFactory, tmp_path: Path
) -> None:
    path = make_manifest(2, logos=0, extra_rows=[UNKNOWN_ROW])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = cli("index", "--base-url", sandbox.url, cwd=elsewhere)  # with its progress bars
    assert built.returncode == 0, built.stderr
    assert "candidates" in built.stderr  # tqdm draws on stderr
    index = elsewhere / "spott-index.sqlite"
    result = cli("validate", str(path), "--base-url", sandbox.url, "--index", str(index))
    assert result.returncode == 1 and "target_not_found" in result.stdout
    missing = cli("validate", str(path), "--index", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and "no Spott index at" in missing.stderr


def test_run_with_the_index_sends_nothing_for_unknown_ids(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0, extra_rows=[UNKNOWN_ROW])
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert result.returncode == 1
    assert "2 assigned" in result.stdout and "1 invalid" in result.stdout
    assert len(sandbox.state.uploads()) == 2  # cand-1's two files; cand-99's row never went
    assert sandbox.state.count("assign") == 1
    assert_no_key(result)


def test_an_old_index_warns_with_the_refresh_command(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    _age(index_file, 3)
    result = cli("validate", str(path), "--base-url", sandbox.url)
    assert result.returncode == 0
    assert "warning: the Spott index" in result.stderr and "3 days old" in result.stderr
    assert f"spott-migrate index --base-url {sandbox.url} --output" in result.stderr
    relaxed = cli("validate", str(path), "--base-url", sandbox.url, "--index-max-age", "100")
    assert "warning" not in relaxed.stderr


def test_an_index_of_another_tenant_is_refused(
    index_file: Path, sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(2, logos=0)
    original = path.read_bytes()
    other = sandbox.url.replace("127.0.0.1", "localhost")
    for command in (["validate"], ["run", "--quiet"]):
        result = cli(*command, str(path), "--base-url", other)
        assert result.returncode == 2, result.stdout
        assert f"was made against {sandbox.url}, not {other}" in result.stderr
        assert "--no-index" in result.stderr
        assert "Traceback" not in result.stderr
    assert path.read_bytes() == original
    assert sandbox.state.count("upload") == 0


def test_without_an_index_nothing_changes(
    sandbox: Sandbox, make_manifest: ManifestFactory, settings: Settings
) -> None:
    path = make_manifest(2, logos=0, extra_rows=[UNKNOWN_ROW])
    result = cli("validate", str(path))
    assert result.returncode == 0
    with pytest.raises(ConfigError):
        open_index(path.with_name("spott-index.sqlite"), settings.base_url)
