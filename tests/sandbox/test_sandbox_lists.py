"""The record list endpoints (cursor pagination) and the switchable readings of the upload."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from sandbox_files import assert_envelope, png

from spott_migrate.sandbox import Sandbox
from spott_migrate.spott_api import UPLOAD_PATH

STORE = {
    "candidates": [
        {
            "id": f"c-{i:03d}",
            "firstName": f"First{i}",
            "lastName": f"Last{i}",
            "emails": [f"p{i}@example.com"],
            "phones": [f"+44 20 7946 {i:04d}"],
            "customAttributes": [{"label": "Legacy ID", "value": f"L-{i}"}],
        }
        for i in range(1, 121)
    ],
    "companies": [{"id": "co-1", "name": "Acme", "domain": "acme.example"}],
    "vacancies": [{"id": "v-1", "name": "Data Engineer", "companyId": "co-1"}],
}


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    with Sandbox(records=STORE) as sb:
        yield sb


@pytest.fixture
def client(server: Sandbox) -> Iterator[httpx.Client]:
    server.configure(record_shape="wrapped", unassigned_spelling="unassigned")
    with server.client(timeout=10) as c:
        yield c


def _pages(client: httpx.Client, path: str, **params: object) -> list[dict]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        if not body["pageInfo"]["hasNextPage"]:
            assert body["pageInfo"]["nextCursor"] is None
            return pages
        cursor = body["pageInfo"]["nextCursor"]


def test_candidates_page_by_cursor_fifty_at_most(client: httpx.Client) -> None:
    pages = _pages(client, "/candidates", limit=50)
    assert [len(p["items"]) for p in pages] == [50, 50, 20]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert ids == [f"c-{i:03d}" for i in range(1, 121)]
    # The cursor is the documented keyset: base64 of {"modifiedAt", "id"}.
    cursor = json.loads(base64.b64decode(pages[0]["pageInfo"]["nextCursor"]))
    assert cursor == {"modifiedAt": "2024-01-01T00:00:00.049Z", "id": "c-050"}


def test_default_limit_is_25_and_over_50_is_refused(client: httpx.Client) -> None:
    assert len(client.get("/candidates").json()["items"]) == 25
    response = client.get("/candidates", params={"limit": 51})
    assert response.status_code == 400
    assert_envelope(response, 400)


def test_wrapped_shape_carries_names_emails_phones_and_attributes(client: httpx.Client) -> None:
    item = client.get("/candidates", params={"limit": 1}).json()["items"][0]
    assert item["name"]["firstName"] == "First1"
    assert item["emails"]["emails"][0]["email"] == "p1@example.com"
    assert item["phoneNumbers"]["phoneNumbers"][0]["phoneNumber"] == "+44 20 7946 0001"
    assert item["customAttributes"][0]["label"] == "Legacy ID"
    assert item["customAttributes"][0]["value"] == "L-1"
    client_item = client.get("/clients").json()["items"][0]
    assert client_item["name"]["name"] == "Acme"
    vacancy = client.get("/vacancies").json()["items"][0]
    assert vacancy["client"]["client"]["id"] == "co-1"


def test_flat_shape_is_switchable(server: Sandbox, client: httpx.Client) -> None:
    server.configure(record_shape="flat")
    item = client.get("/candidates", params={"limit": 1}).json()["items"][0]
    assert item["firstName"] == "First1" and item["emails"] == ["p1@example.com"]


def test_modified_since_returns_only_later_changes(server: Sandbox, client: httpx.Client) -> None:
    server.upsert_record(
        "candidate", {"id": "c-007", "firstName": "Seven", "emails": ["new7@example.com"]}
    )
    changed = client.get("/candidates", params={"modifiedSince": "2025-01-01T00:00:00.000Z"})
    assert [i["id"] for i in changed.json()["items"]] == ["c-007"]
    # The changed record moves to the end of a full scan: the keyset is (modifiedAt, id).
    ids = [i["id"] for p in _pages(client, "/candidates", limit=50) for i in p["items"]]
    assert ids[-1] == "c-007" and len(ids) == 120


@pytest.mark.parametrize(
    "params",
    [
        {"modifiedSince": "2024-01-01T00:00:00+00:00"},
        {"modifiedSince": "yesterday"},
        {"cursor": "not-base64!"},
        {"cursor": base64.b64encode(b'{"id": 1}').decode()},
    ],
)
def test_bad_query_values_are_refused(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/candidates", params=params)
    assert response.status_code == 400
    assert_envelope(response, 400)


def _upload(client: httpx.Client, type_: str, name: str = "probe.png") -> httpx.Response:
    return client.post(
        UPLOAD_PATH, params={"type": type_}, files=[("files", (name, png(), "image/png"))]
    )


def test_unassigned_spelling_is_switchable(server: Sandbox, client: httpx.Client) -> None:
    assert _upload(client, "unassigned").status_code == 201
    assert _upload(client, "UNASSIGNED").status_code == 400
    server.configure(unassigned_spelling="UNASSIGNED")
    assert _upload(client, "UNASSIGNED").status_code == 201
    assert _upload(client, "unassigned").status_code == 400


def test_renamed_uploads_and_omitted_sizes(server: Sandbox, client: httpx.Client) -> None:
    server.configure(rename_uploads=True, omit_upload_sizes=True)
    try:
        item = _upload(client, "CV", "mine.png").json()[0]
    finally:
        server.configure(rename_uploads=False, omit_upload_sizes=False)
    assert item["attachmentName"] != "mine.png" and item["attachmentName"].endswith(".png")
    assert item["size"] is None
    assert _upload(client, "CV", "mine.png").json()[0]["attachmentName"] == "mine.png"


def test_advertised_rate_limit_headers(server: Sandbox, client: httpx.Client) -> None:
    assert "x-ratelimit-limit" not in client.get("/clients").headers
    server.configure(advertised_rate_limit=600)
    try:
        response = client.get("/clients")
    finally:
        server.configure(advertised_rate_limit=None)
    assert response.headers["x-ratelimit-limit"] == "600"
