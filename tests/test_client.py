"""Narrow protocol tests of `SpottClient`'s own HTTP plumbing, over `httpx.MockTransport`.

The client sends through an httpx transport directly (no `httpx.Client`), so what the client
layer did for us is pinned here: the key header, timeouts, a base URL with a path, the proxy from
the environment, and answers read in full with the connection handed back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from spott_migrate import Settings, SpottClient
from spott_migrate.client import environment_proxy
from spott_migrate.errors import PermanentApiError
from spott_migrate.spott_api import API_KEY_HEADER, ASSIGN_PATH

KEY = "test-key-5f0c"


class _TrackedBody(httpx.SyncByteStream):
    """A response body that remembers whether it was closed."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield self.content

    def close(self) -> None:
        self.closed = True


def _client(handler: Any, base_url: str = "https://api.example.test/v1") -> SpottClient:
    settings = Settings(base_url=base_url, api_key=KEY, requests_per_minute=1e6)
    return SpottClient(settings=settings, transport=httpx.MockTransport(handler))


def test_a_request_carries_the_key_the_timeouts_and_the_base_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with _client(handler) as client:
        client.assign([{"id": "t1", "type": "CV", "name": "cv.pdf"}], {"candidateId": "c1"})
    (request,) = seen
    assert str(request.url) == f"https://api.example.test/v1{ASSIGN_PATH}"
    assert request.headers[API_KEY_HEADER] == KEY
    assert request.headers["Accept"] == "application/json"
    timeout = request.extensions["timeout"]
    assert timeout["connect"] == Settings().connect_timeout
    assert timeout["read"] == Settings().read_timeout
    assert KEY not in repr(client)
    assert KEY not in repr(vars(client))


def test_every_answer_is_read_and_its_connection_handed_back() -> None:
    bodies: list[_TrackedBody] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = _TrackedBody(b'{"items": [], "pagination": {"hasNextPage": false}}')
        bodies.append(body)
        status = 200 if request.method == "GET" else 422
        return httpx.Response(status, stream=body, headers={"Content-Type": "application/json"})

    with _client(handler) as client:
        assert client.list_attachments(candidateId="c1") == []
        with pytest.raises(PermanentApiError, match="422"):
            client.assign([{"id": "t1", "type": "CV", "name": "cv.pdf"}], {"candidateId": "c1"})
    assert len(bodies) == 2
    assert all(b.closed for b in bodies)
    assert client.requests_by_endpoint() == {"list": 1, "assign": 1}


def test_the_proxy_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    assert environment_proxy("https://api.example.test") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert environment_proxy("https://api.example.test") == "http://proxy.corp:3128"
    assert environment_proxy("http://api.example.test") is None  # only https is proxied
    monkeypatch.setenv("ALL_PROXY", "http://all.corp:8080")
    assert environment_proxy("http://api.example.test") == "http://all.corp:8080"
    monkeypatch.setenv("NO_PROXY", "example.test")
    assert environment_proxy("https://api.example.test") is None


def test_the_client_sends_through_the_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []
    real = httpx.HTTPTransport

    def recording(**kwargs: Any) -> httpx.HTTPTransport:
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setattr(httpx, "HTTPTransport", recording)
    settings = Settings(base_url="https://api.example.test", api_key=KEY, concurrency=3)
    SpottClient(settings=settings).close()
    (kwargs,) = made
    assert kwargs["proxy"] == "http://proxy.corp:3128"
    assert kwargs["limits"].max_connections == 6
