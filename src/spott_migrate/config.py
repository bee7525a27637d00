"""Run settings, and the API key kept where it cannot leak.

The environment is read here and nowhere else (``Settings.from_env``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from . import spott_api
from .errors import ConfigError


class Secret:
    """A string that never shows itself: repr, str and format all print a mask.

    Only :meth:`reveal` returns the value, and only the HTTP client calls it, to set the header.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value; pass it straight to the request header and nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        # Pickling would write the key to disk (e.g. a notebook's saved state): refuse it.
        raise TypeError("a Secret cannot be pickled")

    def __bool__(self) -> bool:
        return bool(self._value)


def as_secret(value: str | Secret | None) -> Secret | None:
    """Wrap a key given as text; pass a Secret or None through."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(value)


@dataclass(frozen=True)
class Settings:
    """Everything a run can be tuned by. Defaults suit a laptop against the real API."""

    base_url: str = spott_api.DEFAULT_BASE_URL
    api_key: Secret | str | None = field(default=None, repr=False)
    concurrency: int = 4
    # Total bytes one upload request may carry; the docs name no cap, so stay modest.
    batch_byte_cap: int = 100_000_000
    max_files_per_upload: int = spott_api.MAX_FILES_PER_UPLOAD
    # A type's partial batch is sent once this many later files have been planned past it, so a
    # record's temporary uploads never wait long for a rare type to fill its batch.
    flush_after_files: int = 200
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # A Retry-After longer than this defers the row to a later pass instead of blocking a worker.
    retry_after_cap: float = 60.0
    requests_per_minute: float = 500.0
    # Adapt rate and in-flight requests to the server's answers (429s, latency) under the
    # ceilings above; off, both stay at their ceilings.
    adaptive: bool = True
    # After this many consecutive transport/5xx failures the run stops cleanly.
    breaker_threshold: int = 20
    temp_ttl_seconds: float = 3600.0
    checkpoint_seconds: float = 30.0
    dry_run: bool = False
    # (our wire type, the tenant's spelling) pairs the upload sends instead, e.g.
    # (("unassigned", "UNASSIGNED"),) where `spott-migrate doctor` found that spelling.
    type_spellings: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Accept the key as plain text too, but never keep it as such.
        object.__setattr__(self, "api_key", as_secret(self.api_key))
        if self.concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        if not 1 <= self.max_files_per_upload <= spott_api.MAX_FILES_PER_UPLOAD:
            raise ConfigError(f"max_files_per_upload must be 1..{spott_api.MAX_FILES_PER_UPLOAD}")
        if self.batch_byte_cap < 1:
            raise ConfigError("batch_byte_cap must be positive")
        if self.requests_per_minute <= 0:
            raise ConfigError("requests_per_minute must be positive")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError("base_url must start with http:// or https://")

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from SPOTT_API_KEY / SPOTT_BASE_URL, with explicit values taking precedence."""
        values: dict[str, Any] = {}
        key = os.environ.get(spott_api.API_KEY_ENV)
        if key:
            values["api_key"] = Secret(key)
        url = os.environ.get(spott_api.BASE_URL_ENV)
        if url:
            values["base_url"] = url
        given = {k: v for k, v in overrides.items() if v is not None}
        if "api_key" in given:
            given["api_key"] = as_secret(given["api_key"])
        values.update(given)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        if "api_key" in changes:
            changes["api_key"] = as_secret(changes["api_key"])
        return replace(self, **changes)
