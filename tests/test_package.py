"""The package surface: what it exports, and what importing a small part costs."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import spott_migrate


def test_every_export_is_the_object_of_its_module() -> None:
    """Each lazy name resolves to the very object its module defines (not a stand-in)."""
    exports = spott_migrate._EXPORTS
    assert sorted(spott_migrate.__all__) == sorted(exports)
    for name, module in exports.items():
        defined = getattr(importlib.import_module(f"spott_migrate.{module}"), name)
        assert getattr(spott_migrate, name) is defined, name


def test_the_type_checkers_view_names_the_same_exports() -> None:
    """The TYPE_CHECKING imports (what mypy and editors see) list exactly the lazy exports."""
    tree = ast.parse(Path(spott_migrate.__file__).read_text())
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
    )
    seen = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == spott_migrate._EXPORTS


def test_the_client_alone_does_not_import_pandas() -> None:
    code = "import sys, spott_migrate.client; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
