"""Every fault kind as an httpx client experiences it, plus the rule triggers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sandbox_files import RECORDS, assert_envelope, assign, part, upload, upload_ids

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox import Faults, Sandbox
from spott_migrate.spott_api import LIST_PATH, SEARCH_PEOPLE_PATH


def listed(client: httpx.Client, candidate: str = "c-1") -> list[str]:
    return [
        i["attachmentId"]
        for i in client.get(LIST_PATH, params={"candidateId": candidate}).json()["items"]
    ]


# -- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["7", "Wed, 21 Oct 2015 07:28:00 GMT", "soon-ish", None])
def test_status_before_answers_without_processing(
    sandbox: Sandbox, client: httpx.Client, retry_after: str | None
) -> None:
    sandbox.faults.add("upload", "status_before", status=503, retry_after=retry_after, times=1)
    response = upload(client, part("a.pdf"))
    assert_envelope(response, 503)
    assert response.headers.get("retry-after") == retry_after
    assert sandbox.state.uploads() == []
    assert upload(client, part("a.pdf")).status_code == 201  # times=1 is used up
    assert sandbox.state.count("upload", fault="status_before") == 1


def test_status_before_429_with_numeric_retry_after(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("*", "status_before", status=429, retry_after=2, times=1)
    response = client.get("/candidates/c-1")
    assert_envelope(response, 429)
    assert response.headers["retry-after"] == "2"


def test_status_after_processes_then_fails(sandbox: Sandbox, client: httpx.Client) -> None:
    [temp_id] = upload_ids(client, "a.pdf")
    sandbox.faults.add("assign", "status_after", status=504, times=1)
    assert_envelope(assign(client, [temp_id], candidateId="c-1"), 504)
    assert listed(client) == [temp_id]  # the effect happened although the answer was 504
    assert_envelope(assign(client, [temp_id], candidateId="c-1"), 404)  # and cannot repeat


# -- drops ---------------------------------------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["h11", "httptools"])
def any_server(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Sandbox]:
    """The shared (h11) sandbox, or a fast one: drops must look the same on both."""
    if not request.param:
        yield sandbox
        return
    with Sandbox(records=RECORDS, fast=True) as fast:
        yield fast


def test_drop_before_breaks_the_response_and_does_nothing(any_server: Sandbox) -> None:
    any_server.faults.add("upload", "drop_before", times=1)
    with any_server.client(timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            upload(client, part("a.pdf"))
        assert any_server.state.uploads() == []
        assert upload(client, part("a.pdf")).status_code == 201  # the pool recovers
    [entry, _] = any_server.state.log()
    assert (entry.status, entry.faults) == (None, ("drop_before",))


def test_drop_after_breaks_the_response_after_the_effect(any_server: Sandbox) -> None:
    with any_server.client(timeout=5) as client:
        [temp_id] = upload_ids(client, "a.pdf")
        any_server.faults.add("assign", "drop_after", times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            assign(client, [temp_id], candidateId="c-1")
        assert listed(client) == [temp_id]


def test_drop_after_on_a_big_upload_keeps_the_upload(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.faults.add("upload", "drop_after", times=1)
    big = b"%PDF-1.4\n" + b"\0" * 3_000_000
    with pytest.raises(httpx.RemoteProtocolError):
        upload(client, part("big.pdf", big))
    assert [u.size for u in sandbox.state.uploads()] == [len(big)]


def test_faults_before_processing_still_read_a_big_body(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    # Otherwise the client would see a reset while sending rather than the status.
    sandbox.faults.add("upload", "status_before", status=503, times=1)
    big = b"%PDF-1.4\n" + b"\0" * 8_000_000
    assert_envelope(upload(client, part("big.pdf", big)), 503)


# -- slow, bad JSON, rate limit --------------------------------------------------------------------


def test_slow_makes_a_short_timeout_fire(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("search", "slow", delay=0.5, times=2)
    with pytest.raises(httpx.ReadTimeout):
        client.get(SEARCH_PEOPLE_PATH, params={"query": "ada"}, timeout=0.1)
    started = time.perf_counter()
    response = client.get(SEARCH_PEOPLE_PATH, params={"query": "ada"})
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.45


def test_slow_delays_add_to_another_fault(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("record", "slow", delay=0.2, times=1)
    sandbox.faults.add("record", "status_before", status=500, times=1)
    started = time.perf_counter()
    assert_envelope(client.get("/candidates/c-1"), 500)
    assert time.perf_counter() - started >= 0.18
    assert sandbox.state.log()[-1].faults == ("slow", "status_before")


def test_bad_json_upload_is_stored_but_unreadable(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("upload", "bad_json", times=1)
    response = upload(client, part("a.pdf"))
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert len(sandbox.state.uploads()) == 1


def test_bad_json_on_assign_turns_204_into_a_broken_200(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    [temp_id] = upload_ids(client, "a.pdf")
    sandbox.faults.add("assign", "bad_json", times=1)
    response = assign(client, [temp_id], candidateId="c-1")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert listed(client) == [temp_id]


def test_rate_limit_sliding_window(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("search", "rate_limit", rate=5)
    statuses = [
        client.get(SEARCH_PEOPLE_PATH, params={"query": "a"}).status_code for _ in range(12)
    ]
    assert statuses.count(200) == 5
    assert statuses[:5] == [200] * 5
    limited = client.get(SEARCH_PEOPLE_PATH, params={"query": "a"})
    assert_envelope(limited, 429)
    assert limited.headers["retry-after"] == "1"
    assert client.get("/candidates/c-1").status_code == 200  # other endpoints are not limited
    time.sleep(1.05)
    assert client.get(SEARCH_PEOPLE_PATH, params={"query": "a"}).status_code == 200
    assert sandbox.state.count("search", fault="rate_limit") == 8


# -- triggers (no HTTP needed) ---------------------------------------------------------------------


def fired(faults: Faults, endpoint: str, n: int) -> list[int]:
    """1-based numbers of the requests on which a fault decided the outcome."""
    return [i for i in range(1, n + 1) if faults.decide(endpoint).action is not None]


def test_times_every_after_and_endpoint_matching() -> None:
    faults = Faults()
    faults.add("upload", "status_before", times=2, after=1)
    assert fired(faults, "upload", 6) == [2, 3]
    assert fired(faults, "assign", 3) == []

    faults = Faults()
    faults.add("*", "status_after", every=3)
    assert fired(faults, "list", 9) == [3, 6, 9]

    faults = Faults()
    faults.add("assign", "drop_after", every=2, after=3)
    assert fired(faults, "assign", 9) == [5, 7, 9]

    faults = Faults()
    faults.add("record", "bad_json")  # no trigger: every request
    assert fired(faults, "record", 3) == [1, 2, 3]


def test_probability_is_repeatable_with_a_seed() -> None:
    runs = []
    for _ in range(2):
        faults = Faults()
        faults.add("upload", "status_before", probability=0.3, seed=42)
        runs.append(fired(faults, "upload", 200))
    assert runs[0] == runs[1]
    assert 30 < len(runs[0]) < 90


def test_a_shadowed_times_rule_is_not_used_up() -> None:
    faults = Faults()
    faults.add("upload", "status_before", times=1)
    second = faults.add("upload", "drop_before", times=1)
    assert faults.decide("upload").action.kind == "status_before"
    assert second.applied == 0
    assert faults.decide("upload").action.kind == "drop_before"
    assert faults.decide("upload").action is None


def test_rate_limit_window_with_a_fake_clock() -> None:
    now = [0.0]
    faults = Faults(clock=lambda: now[0])
    faults.add("upload", "rate_limit", rate=2)
    assert fired(faults, "upload", 3) == [3]
    now[0] = 0.99
    assert fired(faults, "upload", 1) == [1]
    now[0] = 1.0  # the first two left the window
    assert fired(faults, "upload", 3) == [3]


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": "upload", "kind": "explode"},
        {"endpoint": "uploads", "kind": "slow"},
        {"endpoint": "upload", "kind": "status_before", "times": 1, "every": 2},
        {"endpoint": "upload", "kind": "rate_limit"},
        {"endpoint": "upload", "kind": "rate_limit", "rate": 5, "times": 1},
        {"endpoint": "upload", "kind": "status_before", "probability": 2},
        {"endpoint": "upload", "kind": "status_before", "status": 42},
        {"endpoint": "upload", "kind": "status_before", "status": 204},
        {"endpoint": "upload", "kind": "status_before", "times": 0},
        {"endpoint": "upload", "kind": "status_before", "retry_after": ["1"]},
        {"endpoint": "upload", "kind": "status_before", "colour": "red"},
    ],
)
def test_invalid_rules_are_refused(spec: dict) -> None:
    with pytest.raises(ConfigError):
        Faults().extend([spec])


# -- over HTTP -----------------------------------------------------------------------------------


def test_faults_can_be_managed_over_http(sandbox: Sandbox, client: httpx.Client) -> None:
    anonymous = httpx.Client(base_url=sandbox.url)  # /_sandbox needs no key
    specs = [
        {"endpoint": "record", "kind": "status_before", "status": 502, "times": 1},
        {"endpoint": "search", "kind": "slow", "delay": 0.01},
    ]
    response = anonymous.post("/_sandbox/faults", json=specs)
    assert response.status_code == 201
    assert [f["kind"] for f in response.json()["faults"]] == ["status_before", "slow"]
    assert anonymous.post("/_sandbox/faults", json={"kind": "status_after"}).status_code == 201
    assert len(sandbox.faults) == 3
    assert_envelope(client.get("/candidates/c-1"), 502)
    listed_faults = anonymous.get("/_sandbox/faults").json()["faults"]
    assert listed_faults[0]["applied"] == 1
    assert anonymous.delete("/_sandbox/faults").status_code == 204
    assert len(sandbox.faults) == 0
    bad = anonymous.post("/_sandbox/faults", json=[{"kind": "status_before"}, {"kind": "nope"}])
    assert_envelope(bad, 400)
    assert len(sandbox.faults) == 0  # all or nothing
    anonymous.close()


def test_bad_json_keeps_an_error_status(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.add("record", "bad_json", times=1)
    response = client.get("/candidates/nobody")
    assert response.status_code == 404  # a refusal must not turn into an apparent success
    with pytest.raises(json.JSONDecodeError):
        response.json()
