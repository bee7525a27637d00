"""Run the sandbox in a child process (benchmarks, CLI tests), tuned when ``fast``.

A separate process keeps the server's CPU out of the measured client's GIL, and lets glibc's
malloc thresholds be set before start-up, which is the only time glibc reads them.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from spott_migrate.sandbox.settings import DEFAULT_API_KEY
from spott_migrate.spott_api import API_KEY_HEADER

#: Both must be set together; setting only one made the server slower (perf-notes.md).
MALLOC_TUNING = {"MALLOC_MMAP_THRESHOLD_": "1048576", "MALLOC_TRIM_THRESHOLD_": "1048576"}


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


class SandboxProcess:
    """A running ``python -m spott_migrate.sandbox`` child; stop it with `stop` or ``with``."""

    def __init__(self, proc: subprocess.Popen[str], url: str, api_key: str, tmp: Path | None):
        self.proc = proc
        self.url = url
        self.api_key = api_key
        self._tmp = tmp

    @property
    def pid(self) -> int:
        return self.proc.pid

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` with the child's base URL and API key set."""
        headers = {API_KEY_HEADER: self.api_key, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def stop(self, timeout: float = 10.0) -> int:
        """Ask the child to shut down (SIGTERM), kill it if it does not; return its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
        return self.proc.returncode

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_subprocess(
    *,
    port: int = 0,
    records: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    api_key: str = DEFAULT_API_KEY,
    fast: bool = False,
    temp_ttl_seconds: float | None = None,
    shuffle_uploads: bool = False,
    new_ids_on_assign: bool = False,
    max_file_bytes: int | None = None,
    startup_timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
) -> SandboxProcess:
    """Start a sandbox child process and return once it printed its URL (it is ready then).

    ``records`` may be a path or a JSON-shaped mapping (written to a temporary file).
    """
    tmp: Path | None = None
    if isinstance(records, Mapping):
        fd, name = tempfile.mkstemp(prefix="spott-sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(records, fh)
        tmp = Path(name)
        records = tmp
    cmd = [sys.executable, "-m", "spott_migrate.sandbox", "--port", str(port), "--api-key", api_key]
    if records is not None:
        cmd += ["--records", os.fspath(records)]
    if fast:
        cmd.append("--fast")
    if temp_ttl_seconds is not None:
        cmd += ["--temp-ttl", str(temp_ttl_seconds)]
    if shuffle_uploads:
        cmd.append("--shuffle-uploads")
    if new_ids_on_assign:
        cmd.append("--new-ids-on-assign")
    if max_file_bytes is not None:
        cmd += ["--max-file-bytes", str(max_file_bytes)]
    child_env = {**os.environ, **(env or {}), **(MALLOC_TUNING if fast else {})}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=child_env)
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    # A reader thread, because a pipe read cannot time out portably.
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=startup_timeout)
    except queue.Empty:
        line = None
    if not line or not line.startswith("http://"):
        SandboxProcess(proc, "", api_key, tmp).stop()
        raise RuntimeError(f"sandbox subprocess did not start (exit code {proc.returncode})")
    return SandboxProcess(proc, line.strip(), api_key, tmp)
