"""The starlette application: routes, and the one wrapper every API endpoint goes through.

The wrapper does, in order: API-key check, fault decision (``slow`` sleeps first), the
handler, the "after" faults, and one request-log entry. Whenever it answers without the
handler having read the body, it reads the body to the end first: a server that answers
while a client is still sending gives that client a reset connection instead of the status.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from spott_migrate.sandbox.admin import admin_routes
from spott_migrate.sandbox.attachments import assign, list_attachments, upload
from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.faults import BEFORE_KINDS, FaultRule
from spott_migrate.sandbox.lists import list_candidates, list_clients, list_vacancies
from spott_migrate.sandbox.people import get_candidate, get_client, get_vacancy, search_people
from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.sandbox.responses import (
    DroppedResponse,
    error_response,
    new_request_id,
    truncated_json,
)
from spott_migrate.spott_api import (
    API_KEY_HEADER,
    ASSIGN_PATH,
    LIST_PATH,
    SEARCH_PEOPLE_PATH,
    UPLOAD_PATH,
)

Handler = Callable[[Request, SandboxContext], Awaitable[Response]]

#: Status logged when the client hung up before the sandbox could answer (nginx's convention).
CLIENT_CLOSED = 499


async def _drain(request: Request) -> None:
    try:
        async for _ in request.stream():
            pass
    except RuntimeError:  # the handler already consumed the stream
        pass


def _authorised(request: Request, api_key: str) -> bool:
    given = request.headers.get(API_KEY_HEADER)
    return given is not None and hmac.compare_digest(given.encode(), api_key.encode())


def _before(rule: FaultRule, retry_after: str | None, request_id: str) -> Response:
    if rule.kind == "rate_limit":
        return error_response(429, "rate limit exceeded", request_id, retry_after=retry_after)
    if rule.kind == "drop_before":
        envelope = error_response(502, "connection dropped", request_id)
        return DroppedResponse(502, bytes(envelope.body), request_id)
    assert rule.status is not None
    return error_response(
        rule.status, f"sandbox fault: {rule.status}", request_id, retry_after=retry_after
    )


def _after(rule: FaultRule, response: Response, request_id: str) -> Response:
    if rule.kind == "status_after":
        assert rule.status is not None
        return error_response(
            rule.status,
            f"sandbox fault: {rule.status} (the request was processed)",
            request_id,
            retry_after=rule.retry_after,
        )
    if rule.kind == "drop_after":
        return DroppedResponse(response.status_code, bytes(response.body), request_id)
    if rule.kind == "bad_json":
        return truncated_json(response, request_id)
    return response


async def _answer(
    name: str, handler: Handler, ctx: SandboxContext, request: Request
) -> tuple[Response, tuple[str, ...]]:
    request_id: str = request.state.request_id
    if not _authorised(request, ctx.settings.api_key):
        await _drain(request)
        missing = request.headers.get(API_KEY_HEADER) is None
        message = f"missing {API_KEY_HEADER} header" if missing else "invalid API key"
        return error_response(401, message, request_id), ()
    plan = ctx.faults.decide(name)
    if plan.delay:
        await asyncio.sleep(plan.delay)
    rule = plan.action
    if rule is not None and rule.kind in BEFORE_KINDS:
        await _drain(request)
        return _before(rule, plan.retry_after, request_id), plan.fired
    try:
        response = await handler(request, ctx)
    except ApiProblem as problem:
        await _drain(request)
        response = error_response(problem.status, problem.message, request_id)
    if rule is not None:
        response = _after(rule, response, request_id)
    return response, plan.fired


def _api(
    name: str, handler: Handler, ctx: SandboxContext
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with auth, faults and logging under the log/fault name ``name``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        request.state.request_id = new_request_id()
        request.state.files = None
        fired: tuple[str, ...] = ()
        try:
            response, fired = await _answer(name, handler, ctx, request)
            status = None if isinstance(response, DroppedResponse) else response.status_code
        except ClientDisconnect:
            # Nobody is listening; uvicorn discards whatever we send.
            response, status = Response(status_code=400), CLIENT_CLOSED
        limit = ctx.settings.advertised_rate_limit
        if limit is not None:  # a reading of what the docs leave open: see SandboxSettings
            response.headers["X-RateLimit-Limit"] = str(limit)
            response.headers["X-RateLimit-Remaining"] = str(max(0, limit - 1))
        ctx.state.record(
            endpoint=name,
            method=request.method,
            path=request.url.path,
            status=status,
            elapsed=time.perf_counter() - started,
            request_id=request.state.request_id,
            files=request.state.files,
            faults=fired,
        )
        return response

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), new_request_id())


async def _crash(request: Request, exc: Exception) -> Response:
    # Sent only if no response has started, i.e. for real bugs (uvicorn logs those too);
    # for a deliberate drop starlette builds this response and throws it away.
    return error_response(500, f"sandbox bug: {exc!r}", new_request_id())


def create_app(ctx: SandboxContext) -> Starlette:
    """A starlette app serving the Spott endpoints a migration touches, for one context."""
    routes = [
        Route(UPLOAD_PATH, _api("upload", upload, ctx), methods=["POST"]),
        Route(ASSIGN_PATH, _api("assign", assign, ctx), methods=["POST"]),
        Route(LIST_PATH, _api("list", list_attachments, ctx), methods=["GET"]),
        Route(SEARCH_PEOPLE_PATH, _api("search", search_people, ctx), methods=["GET"]),
        Route("/candidates", _api("records", list_candidates, ctx), methods=["GET"]),
        Route("/clients", _api("records", list_clients, ctx), methods=["GET"]),
        Route("/vacancies", _api("records", list_vacancies, ctx), methods=["GET"]),
        Route("/candidates/{record_id}", _api("record", get_candidate, ctx), methods=["GET"]),
        Route("/clients/{record_id}", _api("record", get_client, ctx), methods=["GET"]),
        Route("/vacancies/{record_id}", _api("record", get_vacancy, ctx), methods=["GET"]),
        *admin_routes(ctx),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
