"""Running the sandbox: `Sandbox` (a background thread, for tests and notebooks) and `serve`.

Both bind only to 127.0.0.1: the sandbox has a well-known API key and no real security.
``fast=True`` selects uvicorn's httptools parser and the uvloop event loop, which roughly
double the upload throughput a single server process can take (see ``perf-notes.md``);
the default pure-Python h11/asyncio pair is the most predictable for tests.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox.app import create_app
from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.faults import Faults
from spott_migrate.sandbox.records import (
    Company,
    Person,
    RecordsSource,
    RecordStore,
    TargetKind,
    Vacancy,
    candidate_from_dict,
    company_from_dict,
    load_records,
    vacancy_from_dict,
)
from spott_migrate.sandbox.responses import hide_drop_tracebacks
from spott_migrate.sandbox.settings import (
    DEFAULT_API_KEY,
    DEFAULT_HOST,
    DEFAULT_PORT,
    SandboxSettings,
)
from spott_migrate.sandbox.state import SandboxState, iso_utc
from spott_migrate.spott_api import API_KEY_HEADER

_LOOPBACK_NAMES = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}


def _bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on 127.0.0.1 (port 0 picks a free one)."""
    address = _LOOPBACK_NAMES.get(host)
    if address is None:
        raise ConfigError(f"the sandbox only binds to 127.0.0.1, not {host!r}")
    # proto must be IPPROTO_TCP, not the default 0: asyncio only sets TCP_NODELAY on accepted
    # sockets whose proto says TCP, and without it every response waits ~40 ms for a
    # delayed ACK (uvloop sets it regardless).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot bind the sandbox to {address}:{port}: {exc}") from exc
    return sock


def _config(ctx: SandboxContext, fast: bool) -> uvicorn.Config:
    config = uvicorn.Config(
        create_app(ctx),
        loop="uvloop" if fast else "asyncio",
        http="httptools" if fast else "h11",
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        # A `slow` fault must not hold up shutdown for its whole delay.
        timeout_graceful_shutdown=2,
    )
    hide_drop_tracebacks()  # uvicorn logs our deliberate drops as crashes otherwise
    return config


class _Server(uvicorn.Server):
    """uvicorn server that reports when it is accepting connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def main_loop(self) -> None:
        # uvicorn notices should_exit only every 0.1 s; end-to-end suites start and stop a
        # sandbox per test, so look every 0.02 s while keeping uvicorn's 0.1 s tick.
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            for _ in range(5):
                if self.should_exit:
                    break
                await asyncio.sleep(0.02)


def _context(records: RecordsSource, settings: SandboxSettings) -> SandboxContext:
    return SandboxContext(settings=settings, records=load_records(records))


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    records: RecordsSource = None,
    api_key: str = DEFAULT_API_KEY,
    fast: bool = False,
    *,
    on_ready: Callable[[str], None] | None = None,
    **settings: Any,
) -> None:
    """Serve until interrupted (Ctrl-C / SIGTERM). What ``spott-migrate sandbox`` runs.

    ``settings`` are `SandboxSettings` fields (``temp_ttl_seconds``, ``shuffle_uploads``,
    ``new_ids_on_assign``, ``max_file_bytes``). ``on_ready`` receives the base URL once the
    server accepts connections. For ``fast``, glibc's ``MALLOC_MMAP_THRESHOLD_`` and
    ``MALLOC_TRIM_THRESHOLD_`` only help when set before the process starts (see
    `spott_migrate.sandbox.process.start_subprocess`).
    """
    ctx = _context(records, SandboxSettings(api_key=api_key, **settings))
    sock = _bind(host, port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = _Server(_config(ctx, fast), lambda: on_ready(url) if on_ready else None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class Sandbox:
    """A sandbox server in a daemon thread: ``with Sandbox() as sb: httpx.get(sb.url + ...)``.

    ``sb.state`` and ``sb.faults`` are live; change faults or read state from the test thread
    at any time.
    """

    def __init__(
        self,
        records: RecordsSource = None,
        api_key: str = DEFAULT_API_KEY,
        port: int = 0,
        temp_ttl_seconds: float = 3600,
        shuffle_uploads: bool = False,
        new_ids_on_assign: bool = False,
        *,
        fast: bool = False,
        max_file_bytes: int | None = None,
        startup_timeout: float = 10.0,
        **readings: Any,
    ) -> None:
        # ``readings``: the other `SandboxSettings` fields (rename_uploads, record_shape, …).
        extra: dict[str, Any] = {} if max_file_bytes is None else {"max_file_bytes": max_file_bytes}
        extra.update(readings)
        settings = SandboxSettings(
            api_key=api_key,
            temp_ttl_seconds=temp_ttl_seconds,
            shuffle_uploads=shuffle_uploads,
            new_ids_on_assign=new_ids_on_assign,
            **extra,
        )
        self._ctx = _context(records, settings)
        self._port = port
        self._fast = fast
        self._startup_timeout = startup_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._url: str | None = None

    # -- live objects ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (only while running)."""
        if self._url is None:
            raise RuntimeError("the sandbox is not running")
        return self._url

    @property
    def api_key(self) -> str:
        return self._ctx.settings.api_key

    @property
    def settings(self) -> SandboxSettings:
        return self._ctx.settings

    @property
    def state(self) -> SandboxState:
        return self._ctx.state

    @property
    def faults(self) -> Faults:
        return self._ctx.faults

    @property
    def records(self) -> RecordStore:
        return self._ctx.records

    def configure(self, **changes: Any) -> SandboxSettings:
        """Change settings while running, e.g. ``sb.configure(shuffle_uploads=True)``."""
        self._ctx.settings = dataclasses.replace(self._ctx.settings, **changes)
        return self._ctx.settings

    def upsert_record(self, kind: TargetKind, item: Mapping[str, Any]) -> None:
        """Add or change one candidate, company or vacancy while serving, as a user would in
        Spott: its ``modifiedAt`` becomes now unless ``item`` gives one."""
        builders: dict[str, Callable[[Mapping[str, Any]], Person | Company | Vacancy]] = {
            "candidate": candidate_from_dict,
            "company": company_from_dict,
            "vacancy": vacancy_from_dict,
        }
        stamped = {"modifiedAt": iso_utc(datetime.now(UTC)), **item}
        record = builders[kind](stamped)
        self._ctx.records = self._ctx.records.with_record(kind, record)

    def reset(self) -> None:
        """What ``POST /_sandbox/reset`` does: clear uploads, attachments, log and faults."""
        self._ctx.state.reset()
        self._ctx.faults.clear()

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` with this sandbox's base URL and API key set."""
        headers = {API_KEY_HEADER: self.api_key, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start serving; return once connections are accepted."""
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        sock = _bind(DEFAULT_HOST, self._port)
        ready = threading.Event()
        server = _Server(_config(self._ctx, self._fast), ready.set)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="spott-sandbox", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not ready.wait(0.01):
            if not thread.is_alive() or time.monotonic() > deadline:
                break
        if not ready.is_set():
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise RuntimeError("the sandbox server did not start")
        self._server, self._thread, self._sock = server, thread, sock
        self._url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (in-flight requests get ~2 s)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(10)
        if self._sock is not None:
            self._sock.close()
        self._server, self._thread, self._sock = None, None, None
        self._url = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
