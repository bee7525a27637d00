"""The package surface: what it exports, and what importing a small part costs."""

from __future__ import annotations

import subprocess
import sys

import spott_migrate


def test_every_export_resolves() -> None:
    for name in spott_migrate.__all__:
        assert getattr(spott_migrate, name) is not None, name


def test_the_client_alone_does_not_import_pandas() -> None:
    code = "import sys, spott_migrate.client; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
