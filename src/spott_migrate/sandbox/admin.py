"""``/_sandbox/*``: inspect and steer a running sandbox over HTTP (no API key, not logged).

These exist so a CLI run in a subprocess can be tested the same way as the library in-process:

- ``GET /_sandbox/state``: uploads, attachments, assignments, request log, counts, faults;
- ``POST /_sandbox/reset``: clear uploads, attachments, log and faults;
- ``GET|POST|DELETE /_sandbox/faults``: list, add (a JSON object or list of them), clear;
- ``POST /_sandbox/expire``: age every temporary upload (or ``{"id": ...}``) past the TTL.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.responses import error_response, json_response, new_request_id

PREFIX = "/_sandbox"


async def _json_body(request: Request) -> Any:
    body = await request.body()
    return json.loads(body) if body.strip() else None


def admin_routes(ctx: SandboxContext) -> list[Route]:
    """Routes bound to one sandbox's context."""

    async def state(request: Request) -> Response:
        settings = asdict(ctx.settings)
        settings.pop("api_key")  # the page needs no key, so it must not show one
        payload = {
            **ctx.state.snapshot(),
            "faults": ctx.faults.describe(),
            "settings": settings,
            "records": ctx.records.summary(),
        }
        return json_response(payload, 200, new_request_id())

    async def reset(request: Request) -> Response:
        ctx.state.reset()
        ctx.faults.clear()
        return Response(status_code=204)

    async def faults(request: Request) -> Response:
        request_id = new_request_id()
        if request.method == "DELETE":
            ctx.faults.clear()
            return Response(status_code=204)
        if request.method == "GET":
            return json_response({"faults": ctx.faults.describe()}, 200, request_id)
        try:
            specs = await _json_body(request)
            added = ctx.faults.extend(specs if isinstance(specs, list) else [specs])
        except (ValueError, ConfigError, TypeError) as exc:
            return error_response(400, str(exc), request_id)
        return json_response({"faults": [rule.to_spec() for rule in added]}, 201, request_id)

    async def expire(request: Request) -> Response:
        request_id = new_request_id()
        try:
            body = await _json_body(request)
            temp_id = body.get("id") if isinstance(body, dict) else None
            ctx.state.expire(temp_id)
        except (ValueError, KeyError) as exc:
            return error_response(400, f"cannot expire: {exc}", request_id)
        return Response(status_code=204)

    return [
        Route(f"{PREFIX}/state", state, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/expire", expire, methods=["POST"]),
    ]
