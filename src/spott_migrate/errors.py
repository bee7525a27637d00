"""Every exception spott-migrate raises on purpose.

    SpottMigrateError                 base: catch this to catch everything of ours
    ├── ConfigError                   bad settings or arguments (CLI exit 2)
    ├── ManifestError                 the manifest cannot be read or has no usable columns (exit 2)
    ├── LockedError                   another run holds the manifest's lock (exit 2)
    ├── WriteBackError                results could not be written into the manifest; the journal
    │   │                             still has them (exit 2)
    │   └── ManifestChangedError      the file was saved by someone while results were written:
    │                                 nothing was replaced (read it again and place again)
    ├── JournalError                  the run's journal cannot be written or read (disk full,
    │                                 damaged file): the run stops cleanly (exit 2)
    ├── FileChangedError              a file is no longer what the check saw (changed, gone,
    │                                 unreadable): its row fails, the run goes on
    ├── RunInterrupted                the user stopped the run (Ctrl-C, Cancel) (exit 130)
    └── ApiError                      the Spott API answered with an error or not at all
        ├── FatalApiError             no further request can succeed: stop the run (exit 2)
        │   ├── AuthError             401/403: the key or its permissions
        │   ├── UnreachableError      nothing listens at the URL, or its host does not resolve
        │   └── NoAnswerError         the server took the connection but never answered
        ├── PermanentApiError         4xx about this request's data: fail its rows, go on
        └── TransientApiError         429, 5xx, timeouts, resets: worth another try
            ├── ConnectFailedError    could not connect this time (becomes UnreachableError
            │                         once the retries are spent)
            └── OutcomeUnknownError   the request may have been processed (response lost)
                └── TimedOutError     no answer within the read timeout (becomes NoAnswerError
                                      once the retries are spent)

Messages never contain the API key: the client scrubs it before raising.

``FileLayoutError`` stands outside the tree on purpose: the file-format readers and writers
raise it, and the public functions turn it into ``ManifestError`` or ``WriteBackError``.
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


class ManifestChangedError(WriteBackError):
    """The manifest changed on disk after it was read; it was not overwritten."""


class JournalError(SpottMigrateError):
    """The journal beside the manifest cannot be written or read; the run must stop."""


class FileChangedError(SpottMigrateError):
    """A file differs from what the check saw, or changed while it was being sent."""

    def __init__(self, message: str, *, path: object = None, code: str = "file_changed") -> None:
        super().__init__(message)
        # The file concerned, and the reason code its row fails with.
        self.path = path
        self.code = code


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


class AuthError(FatalApiError):
    """401 or 403: the API key is wrong, revoked, or lacks a permission."""


class UnreachableError(FatalApiError):
    """Nothing accepts connections at the base URL, or its host name does not resolve."""


class NoAnswerError(FatalApiError):
    """The server accepted requests but answered none of them within the read timeout."""


class PermanentApiError(ApiError):
    """The server rejected this request's content; repeating it will not help."""


class TransientApiError(ApiError):
    """A passing failure (rate limit, overload, network); the request may be tried again."""


class OutcomeUnknownError(TransientApiError):
    """The request reached the server but its answer was lost; it may have taken effect."""


class ConnectFailedError(TransientApiError):
    """This attempt could not connect; nothing reached the server."""


class TimedOutError(OutcomeUnknownError):
    """No answer came within the read timeout; the request may have been processed."""


class FileLayoutError(ValueError):
    """A file's structure or encoding does not allow the requested read or write (internal)."""
