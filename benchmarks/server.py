"""The sandbox in a tuned child process (uvloop, httptools, malloc thresholds), and its admin API.

One child serves every scenario; ``reset`` clears its uploads, attachments, log and faults
between runs, outside the measured time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from spott_migrate.sandbox.process import SandboxProcess, start_subprocess

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchServer:
    """A running fast sandbox child with helpers for resetting, faults and state checks."""

    def __init__(self, records: Mapping[str, Any]) -> None:
        self.proc: SandboxProcess = start_subprocess(port=0, records=records, fast=True)
        self.url = self.proc.url
        self.api_key = self.proc.api_key
        self._admin = httpx.Client(base_url=self.url, timeout=120)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the child and close the admin connection."""
        self._admin.close()
        self.proc.stop()

    def reset(self) -> None:
        """Forget uploads, attachments, the request log and every fault."""
        self._admin.post("/_sandbox/reset").raise_for_status()

    def add_faults(self, *specs: Mapping[str, Any]) -> None:
        """Add fault rules (JSON-style mappings, see ``spott_migrate.sandbox.faults``)."""
        self._admin.post("/_sandbox/faults", json=list(specs)).raise_for_status()

    def state(self) -> dict[str, Any]:
        """The whole sandbox state: uploads, attachments, log, counts."""
        response = self._admin.get("/_sandbox/state")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def cpu_seconds(self) -> float:
        """User + system CPU the child has used so far (Linux ``/proc``; 0 elsewhere)."""
        try:
            text = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = text.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def check_assigned(state: Mapping[str, Any], expected: Mapping[str, int]) -> str | None:
    """None when every record has exactly its expected number of attachments, else why not."""
    got: dict[str, int] = {}
    for group in state["assignments"]:
        got[group["recordId"]] = got.get(group["recordId"], 0) + len(group["attachmentIds"])
    wrong = [k for k in set(expected) | set(got) if got.get(k, 0) != expected.get(k, 0)]
    if not wrong:
        return None
    sample = ", ".join(f"{k}: {got.get(k, 0)}/{expected.get(k, 0)}" for k in sorted(wrong)[:3])
    return f"{len(wrong)} records with the wrong number of attachments ({sample})"


def status_counts(state: Mapping[str, Any]) -> dict[int | None, int]:
    """How many logged requests ended with each status."""
    counts: dict[int | None, int] = {}
    for entry in state["log"]:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return counts
