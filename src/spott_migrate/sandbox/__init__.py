"""A local Spott-compatible server with switchable faults, for tests, demos and benchmarks.

    from spott_migrate.sandbox import Sandbox

    with Sandbox(records={"candidates": [{"id": "c-1", "firstName": "Ada"}]}) as sb:
        sb.faults.add("assign", "status_after", status=504, times=1)
        ...  # point the client at sb.url with sb.api_key
        assert sb.state.count("assign") == 1

Modules: ``server`` (Sandbox, serve), ``process`` (child process), ``app`` (routes and the
auth/fault/log wrapper), ``attachments`` / ``people`` / ``admin`` (endpoints), ``faults``,
``network`` (fault rules for a real tenant's network), ``state``, ``records``, ``settings``,
``multipart`` (streaming digests), ``sniff`` (content types), ``params`` and ``responses``
(request and response helpers).
"""

from __future__ import annotations

from spott_migrate.sandbox.faults import FAULT_ENDPOINTS, FAULT_KINDS, FaultRule, Faults
from spott_migrate.sandbox.network import network_faults
from spott_migrate.sandbox.process import SandboxProcess, start_subprocess
from spott_migrate.sandbox.records import (
    DEMO_RECORDS_PATH,
    RecordStore,
    demo_records,
    load_records,
)
from spott_migrate.sandbox.server import Sandbox, serve
from spott_migrate.sandbox.settings import DEFAULT_API_KEY, SandboxSettings
from spott_migrate.sandbox.state import Attachment, LogEntry, SandboxState, TempUpload

__all__ = [
    "DEFAULT_API_KEY",
    "DEMO_RECORDS_PATH",
    "FAULT_ENDPOINTS",
    "FAULT_KINDS",
    "Attachment",
    "FaultRule",
    "Faults",
    "LogEntry",
    "RecordStore",
    "Sandbox",
    "SandboxProcess",
    "SandboxSettings",
    "SandboxState",
    "TempUpload",
    "demo_records",
    "load_records",
    "network_faults",
    "serve",
    "start_subprocess",
]
