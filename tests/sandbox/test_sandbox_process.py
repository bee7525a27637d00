"""The ``python -m spott_migrate.sandbox`` entry point, driven as a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sandbox_files import RECORDS, assign, upload_ids

from spott_migrate.sandbox import start_subprocess
from spott_migrate.sandbox.process import MALLOC_TUNING


@pytest.mark.parametrize("fast", [False, True], ids=["plain", "fast"])
def test_subprocess_serves_and_obeys_http_faults(fast: bool) -> None:
    with start_subprocess(records=RECORDS, fast=fast, shuffle_uploads=True) as proc:
        assert proc.url.startswith("http://127.0.0.1:")
        with proc.client(timeout=5) as client:
            ids = upload_ids(client, "a.pdf", "b.pdf")
            admin = httpx.Client(base_url=proc.url)
            admin.post(
                "/_sandbox/faults",
                json=[{"endpoint": "assign", "kind": "status_after", "status": 504}],
            )
            assert assign(client, ids, candidateId="c-1").status_code == 504
            state = admin.get("/_sandbox/state").json()
            assert state["counts"] == {"upload": 1, "assign": 1}
            assert len(state["attachments"]) == 2  # processed despite the 504
            assert state["settings"]["shuffle_uploads"] is True
            admin.close()
        if fast and sys.platform.startswith("linux"):
            environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
            for key, value in MALLOC_TUNING.items():
                assert f"{key}={value}".encode() in environ
    assert proc.proc.returncode == 0  # SIGTERM is a clean shutdown


def test_ctrl_c_is_a_clean_exit() -> None:
    proc = start_subprocess()
    proc.proc.send_signal(signal.SIGINT)
    assert proc.proc.wait(10) == 0
    proc.stop()


def test_bad_arguments_exit_with_2(tmp_path) -> None:
    missing = tmp_path / "missing.json"
    result = subprocess.run(
        [sys.executable, "-m", "spott_migrate.sandbox", "--port", "0", "--records", str(missing)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "missing.json" in result.stderr
    assert result.stdout == ""
