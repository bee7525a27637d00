"""Fixtures for the legacy builders: the sample export and a fake Spott for look-ups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spott_migrate.legacy import TypeRules, load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "legacy_export"
RECORDS = json.loads((SAMPLE / "records.json").read_text(encoding="utf-8"))
_KEYS = {"candidate": "candidates", "company": "companies", "vacancy": "vacancies"}


class FakeSpott:
    """The two look-ups of `SpottClient`, answered from the sample's records.json.

    The search behaves like the real one is documented to: fuzzy (substring) matching over
    names and e-mails of candidates *and* contacts, so exact matching is our job.
    """

    def __init__(self, records: dict[str, Any] | None = None) -> None:
        self.records = records or RECORDS
        self.searches: list[str] = []
        self.gets: list[tuple[str, str]] = []

    def search_people(self, query: str, limit: int = 25) -> list[dict[str, Any]]:
        self.searches.append(query)
        needle = query.lower()
        items = []
        for entity, key in (("candidate", "candidates"), ("contact", "contacts")):
            for person in self.records.get(key, []):
                texts = [f"{person['firstName']} {person['lastName']}", *person.get("emails", [])]
                if any(needle in t.lower() for t in texts):
                    items.append(
                        {
                            "entityType": entity,
                            "id": person["id"],
                            "firstName": person["firstName"],
                            "lastName": person["lastName"],
                            "emailAddresses": list(person.get("emails", [])),
                        }
                    )
        return items[:limit]

    def get_record(self, kind: str, record_id: str) -> dict[str, Any] | None:
        self.gets.append((kind, record_id))
        return next((r for r in self.records[_KEYS[kind]] if r["id"] == record_id), None)


@pytest.fixture
def sample() -> Path:
    return SAMPLE


@pytest.fixture
def fake_spott() -> FakeSpott:
    return FakeSpott()


@pytest.fixture
def sample_rules() -> TypeRules:
    """Built-in rules plus the sample's own (German words)."""
    return TypeRules().extended(load_rules(SAMPLE / "type_rules.csv"))
