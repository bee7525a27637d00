"""The one exception the sandbox's request handling uses to refuse a request."""

from __future__ import annotations


class ApiProblem(Exception):
    """A refusal that becomes the error envelope ``{status, message, requestId}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
