"""People search, single-record endpoints and the records store loaders."""

from __future__ import annotations

import json

import httpx
import pytest
from sandbox_files import assert_envelope

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox import Sandbox, demo_records, load_records
from spott_migrate.spott_api import SEARCH_PEOPLE_PATH

PERSON_KEYS = {
    "entityType",
    "id",
    "firstName",
    "middleName",
    "lastName",
    "secondLastName",
    "avatarUrl",
    "phoneNumbers",
    "emailAddresses",
    "linkedInUrl",
}


def search(client: httpx.Client, query: str, **params: object) -> list[dict]:
    response = client.get(SEARCH_PEOPLE_PATH, params={"query": query, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("ADA@example.COM", ["c-1"]),
        ("lovelace", ["c-1"]),
        ("ada lovelace", ["c-1"]),
        ("+44 20 7946", ["c-1"]),
        ("442079460001", ["c-1"]),  # digits alone match a formatted number
        ("bob@acme", ["p-1"]),
        ("example.com", ["c-1", "c-2"]),
        ("zzz", []),
    ],
)
def test_search_people_matches_name_email_phone(
    client: httpx.Client, query: str, ids: list
) -> None:
    assert [i["id"] for i in search(client, query)] == ids


def test_search_people_item_shape(client: httpx.Client) -> None:
    candidate, contact = search(client, "o")[0], search(client, "bob")[0]
    assert set(candidate) == PERSON_KEYS
    assert candidate["entityType"] == "candidate"
    assert candidate["emailAddresses"] == ["ada@example.com"]
    assert candidate["phoneNumbers"] == ["+44 20 7946 0001"]
    assert contact["entityType"] == "contact"


def test_search_people_limit(client: httpx.Client) -> None:
    assert len(search(client, "a", limit=1)) == 1
    for params in ({"query": "a", "limit": 0}, {"query": "a", "limit": 101}, {"query": ""}, {}):
        assert_envelope(client.get(SEARCH_PEOPLE_PATH, params=params), 400)


def test_record_endpoints(client: httpx.Client) -> None:
    candidate = client.get("/candidates/c-1").json()
    assert candidate["id"] == "c-1"
    assert candidate["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert candidate["emails"] == {"emails": [{"email": "ada@example.com", "isPrimary": True}]}
    assert client.get("/clients/co-1").json() == {
        "id": "co-1",
        "name": {"name": "Acme"},
        "domain": {"domain": "acme.example"},
    }
    assert client.get("/vacancies/v-1").json() == {
        "id": "v-1",
        "name": {"name": "Data Engineer"},
        "client": {"client": {"id": "co-1"}},
    }
    for path in ("/candidates/co-1", "/clients/c-1", "/vacancies/nope"):
        assert_envelope(client.get(path), 404)


# -- loaders -------------------------------------------------------------------------------------


def test_json_csv_dict_and_empty_sources(tmp_path) -> None:
    data = {
        "candidates": [{"id": "c-9", "firstName": "Kim", "lastName": "Lee", "emails": ["k@x.io"]}],
        "companies": [{"id": "co-9", "name": "Initech", "domain": "initech.example"}],
        "vacancies": [{"id": "v-9", "name": "Tester", "companyId": "co-9"}],
        "contacts": [],
    }
    path = tmp_path / "records.json"
    path.write_text(json.dumps(data))
    csv_path = tmp_path / "records.csv"
    csv_path.write_text(
        "kind,id,first_name,last_name,email,name,company_id\n"
        "candidate,c-9,Kim,Lee,k@x.io,,\n"
        "candidate,c-9,,,kim.lee@y.io,,\n"
        "company,co-9,,,,Initech,\n"
        "vacancy,v-9,,,,Tester,co-9\n"
        "contact,p-9,Pat,Doe,pat@initech.example,,co-9\n"
    )
    from_json, from_dict, from_csv = load_records(path), load_records(data), load_records(csv_path)
    assert from_json == from_dict
    assert from_csv.candidates["c-9"].emails == ("k@x.io", "kim.lee@y.io")
    assert from_csv.vacancies["v-9"].company_id == "co-9"
    assert from_csv.companies["co-9"].name == "Initech"
    assert from_csv.contacts["p-9"].company_id == "co-9"
    assert load_records(None).summary() == {
        "candidates": 0,
        "companies": 0,
        "vacancies": 0,
        "contacts": 0,
    }
    assert demo_records().summary()["candidates"] > 0


@pytest.mark.parametrize(
    "data",
    [
        {"candidates": [{"firstName": "no id"}]},
        {"candidates": [{"id": "c"}, {"id": "c"}]},
        {"people": []},
        {"candidates": {"id": "c"}},
        {"candidates": [{"id": "c", "emails": [1]}]},
    ],
)
def test_bad_records_are_config_errors(data: dict) -> None:
    with pytest.raises(ConfigError):
        load_records(data)


def test_unreadable_records_file(tmp_path) -> None:
    (tmp_path / "bad.json").write_text("{")
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        with pytest.raises(ConfigError):
            load_records(path)
    with pytest.raises(ConfigError):
        Sandbox(records=tmp_path / "missing.json")


def test_empty_sandbox_knows_no_records() -> None:
    with Sandbox() as sb, sb.client() as client:
        assert_envelope(client.get("/candidates/c-1"), 404)
        assert search(client, "a") == []
