"""State inspection (Python and ``/_sandbox/state``), reset, and thread safety."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sandbox_files import assign, part, pdf, upload, upload_ids

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox import Sandbox, serve


def test_state_json_shows_uploads_assignments_log_and_faults(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    ids = upload_ids(client, "a.pdf", "b.pdf")
    assert assign(client, ids[:1], candidateId="c-1", companyId="co-1").status_code == 204
    sandbox.faults.add("list", "slow", delay=0.001)

    state = httpx.get(f"{sandbox.url}/_sandbox/state").json()  # no API key needed
    assert [(u["name"], u["assigned"]) for u in state["uploads"]] == [
        ("a.pdf", True),
        ("b.pdf", False),
    ]
    assert state["uploads"][0]["sha256"] == hashlib.sha256(pdf()).hexdigest()
    assert {
        (a["kind"], a["recordId"], tuple(a["attachmentIds"])) for a in state["assignments"]
    } == {
        ("candidate", "c-1", (ids[0],)),
        ("company", "co-1", (ids[0],)),
    }
    assert [(e["endpoint"], e["status"], e["files"]) for e in state["log"]] == [
        ("upload", 201, 2),
        ("assign", 204, 1),
    ]
    assert state["counts"] == {"upload": 1, "assign": 1}
    assert state["faults"][0]["kind"] == "slow"
    assert "api_key" not in state["settings"]
    assert state["records"]["candidates"] == 2


def test_log_entries_and_counts(sandbox: Sandbox, client: httpx.Client) -> None:
    upload(client, part("a.pdf"))
    client.get("/candidates/c-1")
    client.get("/clients/nope")
    [up, ok, missing] = sandbox.state.log()
    assert (up.method, up.path, up.status, up.files) == ("POST", "/attachments/temporary", 201, 1)
    assert up.elapsed > 0 and up.request_id.startswith("req-")
    assert (ok.endpoint, ok.status, missing.status) == ("record", 200, 404)
    assert sandbox.state.count("record") == 2
    assert sandbox.state.count("record", status=404) == 1
    assert sandbox.state.count() == 3
    assert sandbox.state.counts() == {"upload": 1, "record": 2}


def test_reset_over_http_clears_everything(sandbox: Sandbox, client: httpx.Client) -> None:
    [temp_id] = upload_ids(client, "a.pdf")
    assign(client, [temp_id], candidateId="c-1")
    sandbox.faults.add("upload", "status_before")
    assert httpx.post(f"{sandbox.url}/_sandbox/reset").status_code == 204
    assert sandbox.state.uploads() == [] and sandbox.state.attachments() == []
    assert sandbox.state.log() == [] and len(sandbox.faults) == 0


def test_concurrent_uploads_are_all_recorded(sandbox: Sandbox) -> None:
    with sandbox.client() as c:  # httpx.Client is thread-safe; one pool, like the real client

        def send(n: int) -> int:
            return upload(c, *(part(f"{n}-{i}.pdf") for i in range(3))).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(send, range(40))) == {201}
    assert sandbox.state.count("upload") == 40
    assert len(sandbox.state.uploads()) == 120
    assert len({u.id for u in sandbox.state.uploads()}) == 120


def test_only_loopback_binding_is_allowed() -> None:
    with pytest.raises(ConfigError):
        serve(host="0.0.0.0", port=0)


def test_start_stop_and_url() -> None:
    sb = Sandbox()
    with pytest.raises(RuntimeError):
        _ = sb.url
    with sb:
        assert sb.url.startswith("http://127.0.0.1:")
        url = sb.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_sandbox/state", timeout=1)


def test_responses_are_not_held_back_by_delayed_acks(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; without it each
    # small request took ~44 ms on the plain (asyncio) server.
    client.get("/candidates/c-1")
    started = time.perf_counter()
    for _ in range(20):
        client.get("/candidates/c-1")
    assert (time.perf_counter() - started) / 20 < 0.02
