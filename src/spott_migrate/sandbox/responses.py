"""Response builders: JSON, the error envelope, and the deliberately broken answers of faults."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
JSON_TYPE = "application/json"


def new_request_id() -> str:
    return f"req-{uuid.uuid4().hex[:16]}"


def json_response(
    payload: Any, status: int, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(
        body,
        status_code=status,
        media_type=JSON_TYPE,
        headers={REQUEST_ID_HEADER: request_id, **(headers or {})},
    )


def error_response(
    status: int, message: str, request_id: str, *, retry_after: str | None = None
) -> Response:
    """The envelope Spott documents for errors: ``{status, message, requestId}``."""
    headers = {"retry-after": retry_after} if retry_after is not None else None
    payload = {"status": status, "message": message, "requestId": request_id}
    return json_response(payload, status, request_id, headers)


def truncated_json(response: Response, request_id: str) -> Response:
    """The same answer with its JSON body cut in half, for the ``bad_json`` fault.

    A 204 becomes a 200 (a 204 cannot carry a body); error statuses are kept, so a refused
    request never turns into an apparent success.
    """
    body = bytes(response.body)
    cut = body[: len(body) // 2] if len(body) > 1 else b'{"'
    status = 200 if response.status_code == 204 else response.status_code
    return Response(cut, status, media_type=JSON_TYPE, headers={REQUEST_ID_HEADER: request_id})


class DropConnection(Exception):
    """Raised after a partial response so the server closes the socket mid-message."""


class DroppedResponse(Response):
    """Announces a full body with Content-Length, sends half of it, then aborts.

    ASGI servers close the connection when the application fails after the response has
    started, so the client receives headers and a short body, then EOF: httpx raises
    ``RemoteProtocolError`` ("peer closed connection without sending complete message body").
    """

    def __init__(self, status: int, body: bytes, request_id: str) -> None:
        # A 204/304 cannot carry the body that makes the cut detectable.
        super().__init__(
            body or b'{"status":"dropped"}',
            status_code=200 if status in (204, 304) else status,
            media_type=JSON_TYPE,
            headers={REQUEST_ID_HEADER: request_id},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        half = bytes(self.body)[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise DropConnection()


class _HideDrops(logging.Filter):
    """Keeps uvicorn from logging our deliberate drops as application crashes."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DropConnection)


_HIDE_DROPS = _HideDrops()


def hide_drop_tracebacks() -> None:
    """Install the filter on uvicorn's error logger (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if _HIDE_DROPS not in logger.filters:
        logger.addFilter(_HIDE_DROPS)
