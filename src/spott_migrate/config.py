"""Run settings, and the API key kept where it cannot leak.

The environment is read here and nowhere else (``Settings.from_env``).
"""

from __future__ import annotations

import os
import urllib.parse
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


def as_secret(value: str | Secret | None, source: str = "the API key") -> Secret | None:
    """Wrap a key given as text (surrounding whitespace stripped); check a Secret as well.

    A key read with ``$(cat key.txt)`` from a Windows file ends in ``\r``; one pasted from a
    document may carry a non-breaking space. Either would go into the request header and fail
    there, in code whose error message could show the header. So a key is checked here, once,
    and the error names where the key came from (``source``), never the key itself.
    """
    if value is None:
        return None
    text = value.reveal() if isinstance(value, Secret) else value
    stripped = text.strip()
    for position, char in enumerate(stripped, 1):
        if not "!" <= char <= "~":
            what = "a non-ASCII character" if ord(char) > 127 else "a control character or space"
            raise ConfigError(
                f"{source} contains {what} at position {position}; an API key is plain ASCII "
                "text — copy it again from Spott (Settings → API Keys)"
            )
    if isinstance(value, Secret) and stripped == text:
        return value
    return Secret(stripped)


def _check_url(url: str) -> None:
    """A base URL the HTTP client can use, or a ConfigError that says what is wrong with it."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"the base URL must start with http:// or https://, not {url[:40]!r}")
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in url):
        raise ConfigError(f"the base URL {url[:60]!r} has no host name, or holds spaces")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError:
        raise ConfigError(f"the base URL {url[:60]!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ConfigError(f"the base URL {url[:60]!r} must not have a query or fragment")


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
    # Refuse a file whose content is an accepted format other than its name says
    # (content_mismatch) instead of sending it under its content's name.
    strict_content: bool = False
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
        _check_url(self.base_url)
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ConfigError("timeouts must be positive numbers of seconds")

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from SPOTT_API_KEY / SPOTT_BASE_URL, with explicit values taking precedence."""
        values: dict[str, Any] = {}
        key = os.environ.get(spott_api.API_KEY_ENV)
        if key and key.strip():
            values["api_key"] = as_secret(key, f"${spott_api.API_KEY_ENV}")
        url = os.environ.get(spott_api.BASE_URL_ENV)
        if url:
            values["base_url"] = url
        given = {k: v for k, v in overrides.items() if v is not None}
        if "api_key" in given:
            given["api_key"] = as_secret(given["api_key"], "--api-key")
        values.update(given)
        return cls(**values)

    @property
    def secret(self) -> Secret | None:
        """The API key (always a ``Secret`` once the settings exist), typed as such."""
        key = self.api_key
        return key if isinstance(key, Secret) else as_secret(key)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        if "api_key" in changes:
            changes["api_key"] = as_secret(changes["api_key"])
        return replace(self, **changes)
