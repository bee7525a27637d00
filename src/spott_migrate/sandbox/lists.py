"""The record list endpoints: ``GET /candidates``, ``/clients``, ``/vacancies``.

Cursor pagination as Spott documents it: ``limit`` 1–50 (default 25), ``modifiedSince``
(ISO-8601 ending in ``Z``), and ``cursor``, an opaque base64 text from the previous answer's
``pageInfo.nextCursor``. Records come oldest change first; the cursor is a keyset on
(``modifiedAt``, ``id``), the meaning of the docs' decoded example, so a record changed during
a scan moves to its end rather than being seen twice in the middle.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.params import int_param, single_param
from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.sandbox.records import (
    Attributes,
    Company,
    Person,
    TargetKind,
    Vacancy,
    iso_moment,
)
from spott_migrate.sandbox.responses import json_response

LIMIT_DEFAULT = 25
LIMIT_MAX = 50
# The docs' own rule for date-time inputs: UTC with a trailing Z, fractions optional.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")

Record = Person | Company | Vacancy


def encode_cursor(record: Record) -> str:
    """The cursor that continues after ``record``."""
    text = json.dumps({"modifiedAt": record.modified_at, "id": record.id}, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode()


def _decode_cursor(text: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.b64decode(text, validate=True))
        key = (iso_moment(data["modifiedAt"]), str(data["id"]))
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiProblem(400, "cursor is not one this server gave out") from None
    return key


def _since(request: Request) -> str | None:
    raw = single_param(request, "modifiedSince")
    if raw is None:
        return None
    if not _MOMENT.fullmatch(raw):
        raise ApiProblem(400, "modifiedSince must be an ISO-8601 UTC date-time ending in Z")
    return iso_moment(raw)


def _attributes(pairs: Attributes) -> list[dict[str, Any]]:
    return [
        {"attributeDefinitionId": f"attr-{i + 1}", "label": label, "value": value}
        for i, (label, value) in enumerate(pairs)
    ]


def _candidate(person: Person, wrapped: bool) -> dict[str, Any]:
    if not wrapped:
        return {
            "id": person.id,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "emails": list(person.emails),
            "phoneNumbers": list(person.phones),
            "customAttributes": _attributes(person.custom_attributes),
            "modifiedAt": person.modified_at,
        }
    emails = [
        {"purpose": "work", "email": e, "isPrimary": i == 0} for i, e in enumerate(person.emails)
    ]
    phones = [
        {"purpose": "mobile", "phoneNumber": p, "isPrimary": i == 0}
        for i, p in enumerate(person.phones)
    ]
    return {
        "id": person.id,
        "name": {
            "viewType": "candidateName",
            "firstName": person.first_name,
            "lastName": person.last_name,
            "avatarUrl": None,
        },
        "emails": {"viewType": "candidateEmails", "emails": emails},
        "phoneNumbers": {"viewType": "candidatePhoneNumbers", "phoneNumbers": phones},
        "customAttributes": _attributes(person.custom_attributes),
        "createdAt": person.modified_at,
        "modifiedAt": person.modified_at,
    }


def _client(company: Company, wrapped: bool) -> dict[str, Any]:
    if not wrapped:
        return {
            "id": company.id,
            "name": company.name,
            "domain": company.domain,
            "customAttributes": _attributes(company.custom_attributes),
            "modifiedAt": company.modified_at,
        }
    return {
        "id": company.id,
        "name": {"name": company.name, "avatarUrl": None},
        "domain": {"domain": company.domain},
        "customAttributes": _attributes(company.custom_attributes),
        "createdAt": company.modified_at,
        "modifiedAt": company.modified_at,
    }


def _vacancy(vacancy: Vacancy, wrapped: bool) -> dict[str, Any]:
    if not wrapped:
        return {
            "id": vacancy.id,
            "name": vacancy.name,
            "companyId": vacancy.company_id,
            "customAttributes": _attributes(vacancy.custom_attributes),
            "modifiedAt": vacancy.modified_at,
        }
    client = {"id": vacancy.company_id} if vacancy.company_id else None
    return {
        "id": vacancy.id,
        "name": {"name": vacancy.name},
        "client": {"client": client},
        "customAttributes": _attributes(vacancy.custom_attributes),
        "createdAt": vacancy.modified_at,
        "modifiedAt": vacancy.modified_at,
    }


_SHAPES: dict[TargetKind, Callable[[Any, bool], dict[str, Any]]] = {
    "candidate": _candidate,
    "company": _client,
    "vacancy": _vacancy,
}


def _page(request: Request, ctx: SandboxContext, kind: TargetKind) -> Response:
    limit = int_param(request, "limit", default=LIMIT_DEFAULT, low=1, high=LIMIT_MAX)
    since = _since(request)
    raw_cursor = single_param(request, "cursor")
    after = _decode_cursor(raw_cursor) if raw_cursor else None
    records = ctx.records.in_list_order(kind)
    chosen: list[Record] = []
    more = False
    for record in records:
        if since is not None and record.modified_at < since:
            continue
        if after is not None and (record.modified_at, record.id) <= after:
            continue
        if len(chosen) == limit:
            more = True
            break
        chosen.append(record)
    shape = _SHAPES[kind]
    wrapped = ctx.settings.record_shape == "wrapped"
    payload = {
        "items": [shape(r, wrapped) for r in chosen],
        "pageInfo": {
            "nextCursor": encode_cursor(chosen[-1]) if more else None,
            "hasNextPage": more,
        },
    }
    return json_response(payload, 200, request.state.request_id)


async def list_candidates(request: Request, ctx: SandboxContext) -> Response:
    """``GET /candidates``."""
    return _page(request, ctx, "candidate")


async def list_clients(request: Request, ctx: SandboxContext) -> Response:
    """``GET /clients`` (Spott's companies)."""
    return _page(request, ctx, "company")


async def list_vacancies(request: Request, ctx: SandboxContext) -> Response:
    """``GET /vacancies``."""
    return _page(request, ctx, "vacancy")
