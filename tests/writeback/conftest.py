from __future__ import annotations

from pathlib import Path

import pytest

from .workbooks import build_rich_workbook


@pytest.fixture
def rich_xlsx(tmp_path: Path) -> Path:
    return build_rich_workbook(tmp_path / "manifest.xlsx")
