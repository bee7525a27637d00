"""Behaviour switches of the sandbox server, kept apart from the code that obeys them."""

from __future__ import annotations

from dataclasses import dataclass

from spott_migrate.errors import ConfigError
from spott_migrate.spott_api import MAX_FILE_BYTES

DEFAULT_API_KEY = "sandbox-key"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
UNASSIGNED_SPELLINGS = ("unassigned", "UNASSIGNED")
RECORD_SHAPES = ("wrapped", "flat")


@dataclass(frozen=True)
class SandboxSettings:
    """How the sandbox answers; all fields have the behaviour of a plain, honest server.

    ``temp_ttl_seconds``: age after which a temporary upload can no longer be assigned.
    ``shuffle_uploads``: answer uploads in a different order from the request's parts.
    ``new_ids_on_assign``: give permanent attachments a fresh id instead of the temporary one.
    ``max_file_bytes``: per-file limit (413 above it); lowered only to keep tests small.

    Readings of what Spott's docs leave open (``spott-api.md`` §7), so that ``doctor`` and
    ``verify`` can be tested against each:

    ``rename_uploads``: the upload answer names each file as the server stored it, not as sent.
    ``omit_upload_sizes``: the upload answer's ``size`` is null.
    ``unassigned_spelling``: the one spelling of the unassigned type the upload accepts
    (``unassigned`` or ``UNASSIGNED``; the docs show both).
    ``record_shape``: ``wrapped`` (``name.firstName``, ``emails.emails[]``…) or the older
    ``flat`` shape (``firstName``, ``emails: [...]``) on the record list endpoints.
    ``advertised_rate_limit``: when set, every answer carries ``X-RateLimit-Limit`` (requests a
    minute) and ``X-RateLimit-Remaining`` headers; the docs name none.
    """

    api_key: str = DEFAULT_API_KEY
    temp_ttl_seconds: float = 3600.0
    shuffle_uploads: bool = False
    new_ids_on_assign: bool = False
    max_file_bytes: int = MAX_FILE_BYTES
    rename_uploads: bool = False
    omit_upload_sizes: bool = False
    unassigned_spelling: str = "unassigned"
    record_shape: str = "wrapped"
    advertised_rate_limit: int | None = None

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ConfigError("the sandbox API key must not be empty")
        if self.temp_ttl_seconds <= 0:
            raise ConfigError("temp_ttl_seconds must be positive")
        if self.max_file_bytes <= 0:
            raise ConfigError("max_file_bytes must be positive")
        if self.unassigned_spelling not in UNASSIGNED_SPELLINGS:
            raise ConfigError(f"unassigned_spelling must be one of {UNASSIGNED_SPELLINGS}")
        if self.record_shape not in RECORD_SHAPES:
            raise ConfigError(f"record_shape must be one of {RECORD_SHAPES}")
        if self.advertised_rate_limit is not None and self.advertised_rate_limit < 1:
            raise ConfigError("advertised_rate_limit must be positive")
