"""Strict readers for query parameters and JSON bodies; each refusal is an `ApiProblem`."""

from __future__ import annotations

import json
import re
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.spott_api import ATTACHMENT_TYPES

_INT = re.compile(r"-?[0-9]+")
_TYPE_BY_LOWER = {t.lower(): t for t in ATTACHMENT_TYPES}


def single_param(request: Request, name: str) -> str | None:
    """The one value of a query parameter; repeating it is an error, not a guess."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ApiProblem(400, f"query parameter {name!r} given more than once")
    return values[0] if values else None


def int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]."""
    raw = single_param(request, name)
    if raw is None:
        return default
    if not _INT.fullmatch(raw):
        raise ApiProblem(400, f"{name} must be an integer")
    value = int(raw)
    if not low <= value <= high:
        raise ApiProblem(400, f"{name} must be between {low} and {high}")
    return value


def wire_type(value: Any, what: str) -> str:
    """Map a type written in any case to its wire spelling from `ATTACHMENT_TYPES`."""
    if isinstance(value, str) and value.lower() in _TYPE_BY_LOWER:
        return _TYPE_BY_LOWER[value.lower()]
    raise ApiProblem(400, f"{what} must be one of {', '.join(ATTACHMENT_TYPES)}")


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (Content-Type must say JSON)."""
    media, _ = parse_options_header(request.headers.get("content-type", ""))
    body = await request.body()  # read first, so an error reply never meets a half-sent body
    if media != b"application/json":
        raise ApiProblem(400, "send the body as application/json")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiProblem(400, f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiProblem(400, "body must be a JSON object")
    return data


def optional_id(data: dict[str, Any], key: str) -> str | None:
    """An optional non-empty string field; explicit null is refused like Spott does."""
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ApiProblem(400, f"{key} must be a non-empty string")
    return value
