"""Assigning temporary uploads to records and listing them, over real HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sandbox_files import RECORDS, assert_envelope, assign, upload_ids

from spott_migrate.sandbox import Sandbox
from spott_migrate.spott_api import ASSIGN_PATH, LIST_PATH


def listing(client: httpx.Client, **params: object) -> dict:
    response = client.get(LIST_PATH, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_upload_assign_list(sandbox: Sandbox, client: httpx.Client) -> None:
    ids = upload_ids(client, "cv.pdf", "photo.png")
    body = {
        "attachments": [
            {"id": ids[0], "type": "cv", "name": "Ada Lovelace CV.pdf"},
            {"id": ids[1], "type": "UNASSIGNED"},
        ],
        "candidateId": "c-1",
    }
    response = client.post(ASSIGN_PATH, json=body)
    assert response.status_code == 204
    assert response.content == b""

    page = listing(client, candidateId="c-1")
    assert page["pagination"] == {"totalItems": 2, "page": 0, "hasNextPage": False}
    by_id = {item["attachmentId"]: item for item in page["items"]}
    assert by_id[ids[0]]["attachmentName"] == "Ada Lovelace CV.pdf"
    assert by_id[ids[0]]["type"] == "CV"  # case-insensitive match, stored in wire spelling
    assert by_id[ids[1]]["attachmentName"] == "photo.png"
    assert by_id[ids[1]]["type"] == "unassigned"
    assert listing(client, candidateId="c-2")["items"] == []
    assert listing(client, candidateId="c-1", type="cv")["pagination"]["totalItems"] == 1

    assert {(a.id, a.links) for a in sandbox.state.attachments_for("candidate", "c-1")} == {
        (ids[0], (("candidate", "c-1"),)),
        (ids[1], (("candidate", "c-1"),)),
    }
    assert sandbox.state.count("upload") == 1
    assert sandbox.state.count("assign") == 1
    assert sandbox.state.count("list") == 3


def test_one_assign_links_to_every_given_record(sandbox: Sandbox, client: httpx.Client) -> None:
    [temp_id] = upload_ids(client, "jd.pdf")
    assert (
        assign(client, [temp_id], "JOB_DESCRIPTION", companyId="co-1", vacancyId="v-1").status_code
        == 204
    )
    assert [i["attachmentId"] for i in listing(client, companyId="co-1")["items"]] == [temp_id]
    assert [i["attachmentId"] for i in listing(client, vacancyId="v-1")["items"]] == [temp_id]
    both = listing(client, companyId="co-1", vacancyId="v-1")
    assert both["pagination"]["totalItems"] == 1
    assert listing(client, companyId="co-1", candidateId="c-1")["items"] == []  # AND
    assignments = sandbox.state.assignments()
    assert set(assignments) == {("company", "co-1"), ("vacancy", "v-1")}


def test_temporary_uploads_are_not_listed(client: httpx.Client) -> None:
    upload_ids(client, "a.pdf")
    assert listing(client)["items"] == []


def test_new_ids_on_assign(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(new_ids_on_assign=True)
    [temp_id] = upload_ids(client, "a.pdf")
    assert assign(client, [temp_id], candidateId="c-1").status_code == 204
    [item] = listing(client, candidateId="c-1")["items"]
    assert item["attachmentId"] != temp_id
    assert (item["attachmentName"], item["size"]) == ("a.pdf", sandbox.state.upload(temp_id).size)
    assert sandbox.state.attachments()[0].temp_id == temp_id


def test_pagination(client: httpx.Client) -> None:
    ids = upload_ids(client, *(f"f{i}.pdf" for i in range(5)))
    assert assign(client, ids, candidateId="c-1").status_code == 204
    first = listing(client, candidateId="c-1", pageSize=2)
    assert first["pagination"] == {"totalItems": 5, "page": 0, "hasNextPage": True}
    last = listing(client, candidateId="c-1", pageSize=2, page=2)
    assert last["pagination"] == {"totalItems": 5, "page": 2, "hasNextPage": False}
    assert len(last["items"]) == 1
    seen = [
        i["attachmentId"]
        for p in range(3)
        for i in listing(client, candidateId="c-1", pageSize=2, page=p)["items"]
    ]
    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": 0},
        {"pageSize": 101},
        {"page": -1},
        {"page": 10001},
        {"page": "one"},
        {"candidateId": ""},
        {"type": "resume"},
    ],
)
def test_list_parameters_are_checked(client: httpx.Client, params: dict) -> None:
    assert_envelope(client.get(LIST_PATH, params=params), 400)


def test_list_limits_are_inclusive(client: httpx.Client) -> None:
    assert listing(client, pageSize=100, page=10000)["items"] == []
    assert listing(client, pageSize=1, page=0)["items"] == []


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"attachments": [{"id": "x", "type": "CV"}]},  # no target
        {"attachments": [], "candidateId": "c-1"},
        {"candidateId": "c-1"},
        {"attachments": [{"id": "x", "type": "resume"}], "candidateId": "c-1"},
        {"attachments": [{"id": "x"}], "candidateId": "c-1"},
        {"attachments": [{"type": "CV"}], "candidateId": "c-1"},
        {"attachments": [{"id": "x", "type": "CV", "name": ""}], "candidateId": "c-1"},
        {"attachments": [{"id": "x", "type": "CV"}], "candidateId": None},
        {"attachments": ["x"], "candidateId": "c-1"},
        {
            "attachments": [{"id": "x", "type": "CV"}, {"id": "x", "type": "CV"}],
            "candidateId": "c-1",
        },
        ["not", "an", "object"],
    ],
)
def test_malformed_assign_bodies_are_400(client: httpx.Client, body: object) -> None:
    assert_envelope(client.post(ASSIGN_PATH, json=body), 400)


def test_assign_needs_a_json_content_type(client: httpx.Client) -> None:
    response = client.post(
        ASSIGN_PATH, content=b'{"attachments": []}', headers={"content-type": "text/plain"}
    )
    assert_envelope(response, 400)
    assert_envelope(
        client.post(ASSIGN_PATH, content=b"{", headers={"content-type": "application/json"}), 400
    )


@pytest.mark.parametrize(
    "target", [{"candidateId": "nobody"}, {"companyId": "c-1"}, {"vacancyId": "co-1"}]
)
def test_unknown_records_are_404(sandbox: Sandbox, client: httpx.Client, target: dict) -> None:
    [temp_id] = upload_ids(client, "a.pdf")
    assert_envelope(assign(client, [temp_id], **target), 404)
    assert not sandbox.state.is_assigned(temp_id)


def test_unknown_and_reused_temporary_ids_are_404(client: httpx.Client) -> None:
    assert_envelope(assign(client, ["no-such-id"], candidateId="c-1"), 404)
    [temp_id] = upload_ids(client, "a.pdf")
    assert assign(client, [temp_id], candidateId="c-1").status_code == 204
    assert_envelope(assign(client, [temp_id], candidateId="c-2"), 404)


def test_assign_is_all_or_nothing(sandbox: Sandbox, client: httpx.Client) -> None:
    ids = upload_ids(client, "a.pdf", "b.pdf")
    assert_envelope(assign(client, [*ids, "missing"], candidateId="c-1"), 404)
    assert sandbox.state.attachments() == []
    assert assign(client, ids, candidateId="c-1").status_code == 204


def test_expired_uploads_cannot_be_assigned(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(temp_ttl_seconds=0.2)
    [old] = upload_ids(client, "old.pdf")
    time.sleep(0.3)
    [fresh] = upload_ids(client, "fresh.pdf")
    assert_envelope(assign(client, [old], candidateId="c-1"), 404)
    assert [u.id for u in sandbox.state.live_uploads(0.2)] == [fresh]
    assert assign(client, [fresh], candidateId="c-1").status_code == 204


def test_expire_helper_ages_uploads_without_sleeping(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    [temp_id] = upload_ids(client, "a.pdf")
    assert client.post("/_sandbox/expire", json={"id": temp_id}).status_code == 204
    assert_envelope(assign(client, [temp_id], candidateId="c-1"), 404)


def test_concurrent_assigns_of_one_upload_succeed_once(sandbox: Sandbox) -> None:
    with sandbox.client() as c:
        [temp_id] = upload_ids(c, "a.pdf")
    candidates = [c["id"] for c in RECORDS["candidates"]] * 4

    with sandbox.client() as c, ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda cid: assign(c, [temp_id], candidateId=cid).status_code, candidates)
        )
    assert sorted(statuses) == [204] + [404] * 7
    assert len(sandbox.state.attachments()) == 1
