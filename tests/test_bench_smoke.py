"""`make bench` in miniature: the harness runs every scenario and writes its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_benchmark_runs_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--data-dir",
            str(tmp_path / "data"),
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "## Results" in text
    assert "ERROR" not in text
    for scenario in (
        "small files",
        "large files",
        "memory",
        "requests",
        "local overhead",
        "rate limit",
        "tenant index",
        "a million rows",
        "real network",
    ):
        assert scenario in text, scenario
