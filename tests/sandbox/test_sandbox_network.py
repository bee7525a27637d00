"""The sandbox playing a real network: jittered latency, stray 429s/5xx, a per-minute limit with
Retry-After, lost answers. Each switch alone, over HTTP, and the rules behind them."""

from __future__ import annotations

import time

import httpx
import pytest
from sandbox_files import assert_envelope, part, upload

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox import Faults, Sandbox, network_faults


def get_record(client: httpx.Client) -> httpx.Response:
    return client.get("/candidates/c-1")


# -- latency ---------------------------------------------------------------------------------------


def test_latency_is_jittered_within_its_bounds(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.extend(network_faults(latency=(0.05, 0.15), seed=3))
    took = []
    for _ in range(12):
        started = time.perf_counter()
        assert get_record(client).status_code == 200
        took.append(time.perf_counter() - started)
    assert min(took) >= 0.05
    assert max(took) < 0.15 + 0.1  # the bound, plus this machine's own time
    assert max(took) - min(took) > 0.02  # jitter, not one fixed delay
    assert sandbox.state.count("record", fault="slow") == 12


def test_jitter_draws_repeat_with_the_seed() -> None:
    def draws(seed: int) -> list[float]:
        faults = Faults()
        faults.add("*", "slow", delay=0.0, jitter=0.2, seed=seed)
        return [faults.decide("upload").delay for _ in range(50)]

    assert draws(7) == draws(7) != draws(8)
    assert all(0 <= d <= 0.2 for d in draws(7))
    assert 0.05 < sum(draws(7)) / 50 < 0.15  # uniform: a mean near the middle


# -- stray refusals ------------------------------------------------------------------------------


def test_stray_429s_and_5xx_come_at_their_share(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.extend(network_faults(stray_429=0.05, stray_5xx=0.05, seed=11))
    statuses = [get_record(client).status_code for _ in range(400)]
    assert 6 <= statuses.count(429) <= 40  # 20 expected
    assert 6 <= statuses.count(503) <= 40
    assert statuses.count(200) == 400 - statuses.count(429) - statuses.count(503)
    refused = next(r for r in (get_record(client) for _ in range(400)) if r.status_code == 429)
    assert_envelope(refused, 429)
    assert refused.headers["retry-after"] == "1"


def test_stray_draws_repeat_with_the_seed() -> None:
    def refusals(seed: int) -> list[int]:
        faults = Faults()
        faults.extend(network_faults(stray_429=0.1, stray_5xx=0.1, seed=seed))
        plans = [faults.decide("assign") for _ in range(200)]
        return [i for i, plan in enumerate(plans) if plan.action is not None]

    assert refusals(1) == refusals(1) != refusals(2)


# -- a real limit --------------------------------------------------------------------------------


def test_a_per_minute_limit_refuses_the_excess_with_retry_after(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.faults.extend(network_faults(per_minute=600))  # 10 a second, every endpoint
    answers = [get_record(client) for _ in range(25)]  # far faster than 10 a second
    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert_envelope(answers[-1], 429)
    assert answers[-1].headers["retry-after"] == "1"
    time.sleep(1.05)
    assert get_record(client).status_code == 200


def test_a_minute_wide_window_says_how_long_until_there_is_room() -> None:
    now = [0.0]
    faults = Faults(clock=lambda: now[0])
    [rule] = faults.extend(network_faults(per_minute=120, limit_window=60))  # 120 in any minute
    for i in range(120):
        now[0] = i * 0.1  # the whole minute's budget in the first twelve seconds
        assert faults.decide("upload").action is None
    now[0] = 20.0
    plan = faults.decide("upload")
    assert plan.action is rule
    assert plan.retry_after == "40"  # the first request leaves the window at 60 s
    now[0] = 60.0
    assert faults.decide("upload").action is None
    assert faults.decide("upload").retry_after == "1"  # the next leaves at 60.1 s


def test_a_fixed_retry_after_wins_over_the_computed_one() -> None:
    faults = Faults()
    faults.add("*", "rate_limit", rate=1, retry_after="9")
    faults.decide("list")
    assert faults.decide("list").retry_after == "9"


# -- lost answers --------------------------------------------------------------------------------


def test_a_lost_answer_was_processed(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.extend(network_faults(lost=1.0))
    with pytest.raises(httpx.RemoteProtocolError):
        upload(client, part("a.pdf"))
    assert len(sandbox.state.uploads()) == 1  # done, though the client never heard


def test_lost_answers_come_at_their_share(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.faults.extend(network_faults(lost=0.1, seed=5))
    lost = 0
    for _ in range(150):
        try:
            get_record(client)
        except httpx.RemoteProtocolError:
            lost += 1
    assert 4 <= lost <= 30  # 15 expected
    assert sandbox.state.count("record") == 150


# -- switches together, and over the admin API ---------------------------------------------------


def test_every_switch_is_its_own_rule_over_http(sandbox: Sandbox) -> None:
    specs = network_faults(
        latency=(0, 0.2), stray_429=0.015, stray_5xx=0.015, lost=0.05, per_minute=1200, seed=4
    )
    with httpx.Client(base_url=sandbox.url) as admin:
        assert admin.post("/_sandbox/faults", json=specs).status_code == 201
        listed = admin.get("/_sandbox/faults").json()["faults"]
    kinds = [f["kind"] for f in listed]
    assert kinds == ["rate_limit", "status_before", "status_before", "drop_after", "slow"]
    assert listed[0]["rate"] == 20 and listed[0]["window"] == 1.0
    assert listed[-1]["jitter"] == 0.2
    assert network_faults() == []


@pytest.mark.parametrize(
    "kwargs",
    [{"stray_429": 1.5}, {"lost": -0.1}, {"latency": (0.2, 0.1)}, {"latency": (-1, 0)}],
)
def test_impossible_networks_are_refused(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        network_faults(**kwargs)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "slow", "jitter": -0.1},
        {"kind": "status_before", "jitter": 0.1},
        {"kind": "rate_limit", "rate": 5, "window": 0},
        {"kind": "slow", "window": 2},
    ],
)
def test_invalid_jitter_and_window_are_refused(spec: dict) -> None:
    with pytest.raises(ConfigError):
        Faults().extend([spec])
