"""Every exception spott-migrate raises on purpose.

    SpottMigrateError                 base: catch this to catch everything of ours
    ├── ConfigError                   bad settings or arguments (CLI exit 2)
    ├── ManifestError                 the manifest cannot be read or has no usable columns (exit 2)
    ├── LockedError                   another run holds the manifest's lock (exit 2)
    ├── WriteBackError                results could not be written into the manifest; the journal
    │                                 still has them (exit 2)
    ├── RunInterrupted                the user stopped the run (Ctrl-C, Cancel) (exit 130)
    └── ApiError                      the Spott API answered with an error or not at all
        ├── FatalApiError             401/403: stop the whole run at once (exit 2)
        ├── PermanentApiError         4xx about this request's data: fail its rows, go on
        └── TransientApiError         429, 5xx, timeouts, resets: worth another try
            └── OutcomeUnknownError   the request may have been processed (response lost)

Messages never contain the API key: the client scrubs it before raising.
"""

from __future__ import annotations


class SpottMigrateError(Exception):
    """Base class of all spott-migrate errors."""


class ConfigError(SpottMigrateError):
    """Settings or arguments are invalid."""


class ManifestError(SpottMigrateError):
    """The manifest cannot be read, or lacks the columns a migration needs."""


class LockedError(SpottMigrateError):
    """Another live run is using this manifest."""


class WriteBackError(SpottMigrateError):
    """Results could not be written into the manifest file (the journal still holds them)."""


class RunInterrupted(SpottMigrateError):
    """The run was cancelled by the user; finished rows are journaled and written back."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        # The MigrationReport of what was done before the stop.
        self.report = report


class ApiError(SpottMigrateError):
    """The Spott API refused a request or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after


class FatalApiError(ApiError):
    """Authentication or permission failure: no further request can succeed."""


class PermanentApiError(ApiError):
    """The server rejected this request's content; repeating it will not help."""


class TransientApiError(ApiError):
    """A passing failure (rate limit, overload, network); the request may be tried again."""


class OutcomeUnknownError(TransientApiError):
    """The request reached the server but its answer was lost; it may have taken effect."""
