"""A real tenant's network, played by fault rules: latency with jitter, stray 429s and 5xx from a
key shared with other integrations, a real per-minute limit, and lost answers.

Each switch adds its own rules and leaves the others alone; together they are one list for
`Faults.extend` or ``POST /_sandbox/faults``::

    sb.faults.extend(network_faults(latency=(0, 0.2), stray_429=0.015, stray_5xx=0.015, seed=1))
"""

from __future__ import annotations

from typing import Any

from spott_migrate.errors import ConfigError


def network_faults(
    *,
    latency: tuple[float, float] | None = None,
    stray_429: float = 0.0,
    stray_5xx: float = 0.0,
    lost: float = 0.0,
    per_minute: float | None = None,
    limit_window: float = 1.0,
    stray_retry_after: str | None = "1",
    seed: int = 0,
    endpoint: str = "*",
) -> list[dict[str, Any]]:
    """Fault specs for a network like a real tenant's.

    ``latency``: (least, most) seconds added to every answer, uniform in between.
    ``stray_429`` / ``stray_5xx``: shares of requests refused before processing, with 429
    (carrying ``stray_retry_after``) or 503: someone else spent the key's budget, a busy gateway.
    ``lost``: share of requests processed, then their connection dropped before the answer.
    ``per_minute``: a real limit over ``endpoint``, enforced in a sliding ``limit_window``
    (seconds), answered with 429 and a ``Retry-After`` saying when there is room again.
    ``seed``: each random rule draws from its own generator seeded from it.
    """
    for name, share in (("stray_429", stray_429), ("stray_5xx", stray_5xx), ("lost", lost)):
        if not 0 <= share <= 1:
            raise ConfigError(f"{name} must be a share between 0 and 1")
    rules: list[dict[str, Any]] = []
    if per_minute is not None:
        rules.append(
            {
                "endpoint": endpoint,
                "kind": "rate_limit",
                "rate": per_minute / 60,
                "window": limit_window,
            }
        )
    if stray_429:
        rule = {"status": 429, "retry_after": stray_retry_after}
        rules.append(_random(endpoint, "status_before", stray_429, seed + 1, rule))
    if stray_5xx:
        rules.append(_random(endpoint, "status_before", stray_5xx, seed + 2, {"status": 503}))
    if lost:
        rules.append(_random(endpoint, "drop_after", lost, seed + 3, {}))
    if latency is not None:
        least, most = latency
        if not 0 <= least <= most:
            raise ConfigError("latency must be (least, most) seconds with 0 <= least <= most")
        rules.append(
            {
                "endpoint": endpoint,
                "kind": "slow",
                "delay": least,
                "jitter": most - least,
                "seed": seed,
            }
        )
    return rules


def _random(
    endpoint: str, kind: str, share: float, seed: int, extra: dict[str, Any]
) -> dict[str, Any]:
    spec = {"endpoint": endpoint, "kind": kind, "probability": share, "seed": seed, **extra}
    return {k: v for k, v in spec.items() if v is not None}
