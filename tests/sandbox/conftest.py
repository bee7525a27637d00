"""One sandbox server for the whole sandbox test session, reset around every test."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spott_migrate.sandbox import Sandbox

# The helper module sits next to the tests; make it importable however pytest was started.
sys.path.insert(0, str(Path(__file__).parent))

from sandbox_files import RECORDS  # after the path change above


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    with Sandbox(records=RECORDS) as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The shared sandbox, empty, fault-free and with default settings for each test."""
    defaults = dataclasses.asdict(sandbox_server.settings)
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()
    sandbox_server.configure(**defaults)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with sandbox.client(timeout=10) as c:
        yield c
