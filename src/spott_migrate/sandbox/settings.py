"""Behaviour switches of the sandbox server, kept apart from the code that obeys them."""

from __future__ import annotations

from dataclasses import dataclass

from spott_migrate.errors import ConfigError
from spott_migrate.spott_api import MAX_FILE_BYTES

DEFAULT_API_KEY = "sandbox-key"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclass(frozen=True)
class SandboxSettings:
    """How the sandbox answers; all fields have the behaviour of a plain, honest server.

    ``temp_ttl_seconds``: age after which a temporary upload can no longer be assigned.
    ``shuffle_uploads``: answer uploads in a different order from the request's parts.
    ``new_ids_on_assign``: give permanent attachments a fresh id instead of the temporary one.
    ``max_file_bytes``: per-file limit (413 above it); lowered only to keep tests small.
    """

    api_key: str = DEFAULT_API_KEY
    temp_ttl_seconds: float = 3600.0
    shuffle_uploads: bool = False
    new_ids_on_assign: bool = False
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ConfigError("the sandbox API key must not be empty")
        if self.temp_ttl_seconds <= 0:
            raise ConfigError("temp_ttl_seconds must be positive")
        if self.max_file_bytes <= 0:
            raise ConfigError("max_file_bytes must be positive")
