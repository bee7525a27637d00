"""Read-only record endpoints: people search and single candidate / client / vacancy."""

from __future__ import annotations

import re
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.params import int_param, single_param
from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.sandbox.records import Person
from spott_migrate.sandbox.responses import json_response

_NOT_DIGIT = re.compile(r"[^0-9]")


def _matches(person: Person, needle: str) -> bool:
    """Case-insensitive substring of the full name, an e-mail or a phone number.

    Phone numbers also match on digits alone, so ``+44 20 7946`` finds ``+442079460001``.
    """
    texts = [person.full_name, f"{person.first_name} {person.last_name}", *person.emails]
    if any(needle in text.lower() for text in texts):
        return True
    digits = _NOT_DIGIT.sub("", needle)
    for phone in person.phones:
        if needle in phone.lower():
            return True
        if len(digits) >= 3 and digits in _NOT_DIGIT.sub("", phone):
            return True
    return False


def _person_item(entity: Literal["candidate", "contact"], person: Person) -> dict[str, Any]:
    return {
        "entityType": entity,
        "id": person.id,
        "firstName": person.first_name,
        "middleName": person.middle_name,
        "lastName": person.last_name,
        "secondLastName": None,
        "avatarUrl": None,
        "phoneNumbers": list(person.phones),
        "emailAddresses": list(person.emails),
        "linkedInUrl": person.linkedin_url,
    }


async def search_people(request: Request, ctx: SandboxContext) -> Response:
    """``GET /search/people?query=Q&limit=N``: candidates, then client contacts."""
    query = single_param(request, "query")
    if query is None or not query.strip():
        raise ApiProblem(400, "query parameter 'query' is required")
    limit = int_param(request, "limit", default=25, low=1, high=100)
    needle = query.strip().lower()
    items = [
        _person_item(entity, person)
        for entity, person in ctx.records.people()
        if _matches(person, needle)
    ]
    return json_response({"items": items[:limit]}, 200, request.state.request_id)


async def get_candidate(request: Request, ctx: SandboxContext) -> Response:
    """``GET /candidates/{id}``."""
    record_id = request.path_params["record_id"]
    person = ctx.records.candidates.get(record_id)
    if person is None:
        raise ApiProblem(404, f"candidate {record_id} not found")
    payload = {
        "id": person.id,
        "name": {"firstName": person.first_name, "lastName": person.last_name},
        "emails": {
            "emails": [{"email": e, "isPrimary": i == 0} for i, e in enumerate(person.emails)]
        },
        "phoneNumbers": {
            "phoneNumbers": [
                {"phoneNumber": p, "isPrimary": i == 0} for i, p in enumerate(person.phones)
            ]
        },
    }
    return json_response(payload, 200, request.state.request_id)


async def get_client(request: Request, ctx: SandboxContext) -> Response:
    """``GET /clients/{id}`` (Spott's companies)."""
    record_id = request.path_params["record_id"]
    company = ctx.records.companies.get(record_id)
    if company is None:
        raise ApiProblem(404, f"client {record_id} not found")
    payload = {
        "id": company.id,
        "name": {"name": company.name},
        "domain": {"domain": company.domain},
    }
    return json_response(payload, 200, request.state.request_id)


async def get_vacancy(request: Request, ctx: SandboxContext) -> Response:
    """``GET /vacancies/{id}``."""
    record_id = request.path_params["record_id"]
    vacancy = ctx.records.vacancies.get(record_id)
    if vacancy is None:
        raise ApiProblem(404, f"vacancy {record_id} not found")
    client = {"id": vacancy.company_id} if vacancy.company_id else None
    payload = {"id": vacancy.id, "name": {"name": vacancy.name}, "client": {"client": client}}
    return json_response(payload, 200, request.state.request_id)
