"""Start-up pays only for what a command uses: which modules each command imports.

Each command runs in a fresh interpreter, as a user runs it; the test reads ``sys.modules``
once the command has finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spott_migrate.cli import main
from spott_migrate.sandbox import Sandbox

from .files import pdf_bytes, write
from .helpers import CANARY_KEY, write_csv

# Never needed by these commands on a CSV manifest: the legacy builders (and through them
# openpyxl), the plots and the notebook widgets.
HEAVY = ("spott_migrate.legacy", "openpyxl", "matplotlib", "ipywidgets", "IPython")
_RUN = """
import sys
from spott_migrate.cli import main
try:
    main(sys.argv[1:], prog_name="spott-migrate")
except SystemExit:
    pass
print("--- modules ---")
print("\\n".join(sorted(sys.modules)))
"""


def modules_after(*args: str) -> set[str]:
    """The modules loaded once ``spott-migrate ARGS`` is done, in a fresh interpreter."""
    env = {**os.environ, "SPOTT_API_KEY": CANARY_KEY}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "--- modules ---" in done.stdout, done.stderr
    return set(done.stdout.split("--- modules ---", 1)[1].split())


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.startswith(prefixes) and m.split(".")[0] != "")


def _csv_manifest(tmp_path: Path) -> Path:
    rows = [(f"files/cv-{i}.pdf", "CV", f"cand-{i}", "", "", "") for i in range(3)]
    for i in range(3):
        write(tmp_path / "files" / f"cv-{i}.pdf", pdf_bytes(f"cv {i}", pad=i))
    return write_csv(tmp_path / "manifest.csv", rows)


def _heavy(modules: set[str]) -> list[str]:
    return [m for m in sorted(modules) if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


def test_help_imports_neither_the_library_nor_pandas() -> None:
    modules = modules_after("--help")
    assert "click" in modules
    assert _heavy(modules) == []
    assert loaded(modules, ("pandas", "numpy", "spott_migrate.pipeline")) == []


def test_types_imports_only_the_api_facts() -> None:
    modules = modules_after("types")
    assert "spott_migrate.spott_api" in modules
    assert _heavy(modules) == []
    assert loaded(modules, ("pandas", "spott_migrate.pipeline")) == []


@pytest.mark.parametrize("extra", [(), ("--dry-run",)], ids=["validate", "run --dry-run"])
def test_validate_and_dry_run_of_a_csv_skip_the_heavy_parts(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    path = _csv_manifest(tmp_path)
    command = ("run", str(path), *extra) if extra else ("validate", str(path))
    modules = modules_after(*command)
    assert "spott_migrate.pipeline" in modules  # it did the work
    assert _heavy(modules) == []


def test_a_real_run_of_a_csv_skips_the_heavy_parts(sandbox: Sandbox, tmp_path: Path) -> None:
    path = _csv_manifest(tmp_path)
    modules = modules_after("run", str(path), "--base-url", sandbox.url, "--quiet")
    assert "spott_migrate.run.executor" in modules
    assert _heavy(modules) == []
    assert "assigned" in path.read_text(encoding="utf-8")


def test_lazy_commands_are_listed_with_their_own_help() -> None:
    from spott_migrate.legacy.cli import build_manifest_command

    _, short = main.lazy["build-manifest"]  # type: ignore[attr-defined]
    assert build_manifest_command.help is not None
    assert short == build_manifest_command.help.splitlines()[0]
