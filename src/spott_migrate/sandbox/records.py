"""The sandbox's records store: candidates, companies (Spott "clients"), vacancies, contacts.

Records are read-only while the server runs; only attachments change. Sources:

- ``None``: an empty store;
- a mapping shaped like the JSON file (keys ``candidates``, ``companies``, ``vacancies``,
  ``contacts``; see ``docs/architecture.md``);
- a path to such a ``.json`` file, or to a ``.csv`` with the columns
  ``kind,id,first_name,last_name,email,name,company_id`` (optional ``phone``, ``domain``);
  several CSV rows with the same kind and id add e-mails and phones to one record.

Candidates, companies and vacancies may also carry ``customAttributes`` (a list of
``{"label", "value"}`` objects, or a ``{label: value}`` object) and a ``modifiedAt`` (ISO-8601);
the list endpoints page through records in (``modifiedAt``, ``id``) order.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeAlias

from spott_migrate.errors import ConfigError

TargetKind = Literal["candidate", "company", "vacancy"]

#: Assign/list body or query field -> record kind it points at.
TARGET_FIELDS: Mapping[str, TargetKind] = {
    "candidateId": "candidate",
    "companyId": "company",
    "vacancyId": "vacancy",
}

DEMO_RECORDS_PATH = Path(__file__).with_name("demo_records.json")

#: When a record was last changed, if its source does not say: long before any test runs.
#: Records loaded without one are stamped a millisecond apart, in load order, as records
#: entered one by one would be.
DEFAULT_MODIFIED_AT = "2024-01-01T00:00:00.000Z"
_DEFAULT_MOMENT = datetime(2024, 1, 1, tzinfo=UTC)

# (label, value) pairs, in the order the source lists them.
Attributes = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Person:
    """A candidate or a client contact."""

    id: str
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company_id: str | None = None
    middle_name: str | None = None
    linkedin_url: str | None = None
    custom_attributes: Attributes = ()
    modified_at: str = DEFAULT_MODIFIED_AT

    @property
    def full_name(self) -> str:
        parts = (self.first_name, self.middle_name or "", self.last_name)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Company:
    """A Spott client (the assign endpoint's ``companyId``)."""

    id: str
    name: str = ""
    domain: str | None = None
    custom_attributes: Attributes = ()
    modified_at: str = DEFAULT_MODIFIED_AT


@dataclass(frozen=True)
class Vacancy:
    """A job at a client."""

    id: str
    name: str = ""
    company_id: str | None = None
    custom_attributes: Attributes = ()
    modified_at: str = DEFAULT_MODIFIED_AT


@dataclass(frozen=True)
class RecordStore:
    """Immutable lookup tables by id."""

    candidates: Mapping[str, Person] = field(default_factory=dict)
    companies: Mapping[str, Company] = field(default_factory=dict)
    vacancies: Mapping[str, Vacancy] = field(default_factory=dict)
    contacts: Mapping[str, Person] = field(default_factory=dict)

    def exists(self, kind: TargetKind, record_id: str) -> bool:
        """Whether an assign/list target of this kind exists."""
        table: Mapping[str, object] = {
            "candidate": self.candidates,
            "company": self.companies,
            "vacancy": self.vacancies,
        }[kind]
        return record_id in table

    def people(self) -> Iterable[tuple[Literal["candidate", "contact"], Person]]:
        """Candidates then contacts, each in load order."""
        for person in self.candidates.values():
            yield "candidate", person
        for person in self.contacts.values():
            yield "contact", person

    def table(self, kind: TargetKind) -> Mapping[str, Person | Company | Vacancy]:
        """The records of one kind, by id."""
        tables: Mapping[str, Mapping[str, Person | Company | Vacancy]] = {
            "candidate": self.candidates,
            "company": self.companies,
            "vacancy": self.vacancies,
        }
        return tables[kind]

    def in_list_order(self, kind: TargetKind) -> list[Person | Company | Vacancy]:
        """One kind's records as the list endpoints page them: by (modifiedAt, id)."""
        cache: dict[str, list[Person | Company | Vacancy]] = self.__dict__.setdefault(
            "_ordered", {}
        )
        if kind not in cache:
            cache[kind] = sorted(self.table(kind).values(), key=lambda r: (r.modified_at, r.id))
        return cache[kind]

    def with_record(self, kind: TargetKind, record: Person | Company | Vacancy) -> RecordStore:
        """A new store with ``record`` added, or replacing the one with its id."""
        field_name = {"candidate": "candidates", "company": "companies", "vacancy": "vacancies"}
        table: dict[str, Any] = dict(self.table(kind))
        table[record.id] = record
        changes: dict[str, Any] = {field_name[kind]: table}
        return replace(self, **changes)

    def summary(self) -> dict[str, int]:
        return {
            "candidates": len(self.candidates),
            "companies": len(self.companies),
            "vacancies": len(self.vacancies),
            "contacts": len(self.contacts),
        }


RecordsSource: TypeAlias = "RecordStore | Mapping[str, Any] | str | os.PathLike[str] | None"


def load_records(source: RecordsSource) -> RecordStore:
    """Build a store from any supported source; raise `ConfigError` on bad input."""
    if source is None:
        return RecordStore()
    if isinstance(source, RecordStore):
        return source
    if isinstance(source, Mapping):
        return records_from_dict(source)
    path = Path(source)
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                return records_from_csv_rows(csv.DictReader(fh), origin=str(path))
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read sandbox records {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"sandbox records {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ConfigError(f"sandbox records {path} must hold a JSON object")
    return records_from_dict(data, origin=str(path))


def demo_records() -> RecordStore:
    """The small store shipped with the package, handy for demos and notebooks."""
    return load_records(DEMO_RECORDS_PATH)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    # Accept a single string or a list, since hand-written fixtures use both.
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if v)
    raise ConfigError(f"{what} must be a string or a list of strings")


def _text(item: Mapping[str, Any], key: str, what: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise ConfigError(f"{what}: {key!r} must be a string")


def _items(data: Mapping[str, Any], key: str, origin: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ConfigError(f"{origin}: {key!r} must be a list of objects")
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            raise ConfigError(f"{origin}: every entry of {key!r} needs a non-empty string 'id'")
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{origin}: duplicate ids in {key!r}")
    return items


def iso_moment(text: str) -> str:
    """An ISO-8601 date-time as Spott writes it: UTC, milliseconds, a trailing ``Z``.

    Raises ValueError for text that is not a date-time.
    """
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _modified_at(item: Mapping[str, Any], what: str) -> str:
    value = item.get("modifiedAt")
    if value is None:
        return DEFAULT_MODIFIED_AT
    if not isinstance(value, str):
        raise ConfigError(f"{what}: 'modifiedAt' must be an ISO-8601 string")
    try:
        return iso_moment(value)
    except ValueError:
        raise ConfigError(f"{what}: 'modifiedAt' {value!r} is not an ISO-8601 date-time") from None


def _attributes(item: Mapping[str, Any], what: str) -> Attributes:
    raw = item.get("customAttributes")
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        raw = [{"label": k, "value": v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise ConfigError(f"{what}: 'customAttributes' must be a list or an object")
    pairs = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("label"), str):
            raise ConfigError(f"{what}: each custom attribute needs a 'label' and a 'value'")
        value = entry.get("value")
        pairs.append((entry["label"], "" if value is None else str(value)))
    return tuple(pairs)


def _person(item: Mapping[str, Any], what: str) -> Person:
    return Person(
        id=item["id"],
        first_name=_text(item, "firstName", what) or "",
        last_name=_text(item, "lastName", what) or "",
        middle_name=_text(item, "middleName", what),
        emails=_strings(item.get("emails", item.get("email")), f"{what}: emails"),
        phones=_strings(item.get("phones", item.get("phone")), f"{what}: phones"),
        company_id=_text(item, "companyId", what),
        linkedin_url=_text(item, "linkedInUrl", what),
        custom_attributes=_attributes(item, what),
        modified_at=_modified_at(item, what),
    )


def records_from_dict(data: Mapping[str, Any], *, origin: str = "records") -> RecordStore:
    """Build a store from the JSON-shaped mapping."""
    unknown = set(data) - {"candidates", "companies", "vacancies", "contacts"}
    if unknown:
        raise ConfigError(f"{origin}: unknown keys {sorted(unknown)}")
    candidates = {
        i["id"]: _person(i, f"candidate {i['id']}")
        for i in _stamped(_items(data, "candidates", origin))
    }
    contacts = {i["id"]: _person(i, f"contact {i['id']}") for i in _items(data, "contacts", origin)}
    companies = {i["id"]: company_from_dict(i) for i in _stamped(_items(data, "companies", origin))}
    vacancies = {i["id"]: vacancy_from_dict(i) for i in _stamped(_items(data, "vacancies", origin))}
    return RecordStore(candidates, companies, vacancies, contacts)


def _stamped(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Give items without a ``modifiedAt`` one, a millisecond apart in load order."""
    out: list[Mapping[str, Any]] = []
    for position, item in enumerate(items):
        if item.get("modifiedAt") is None:
            moment = _DEFAULT_MOMENT + timedelta(milliseconds=position)
            item = {**item, "modifiedAt": moment.isoformat()}
        out.append(item)
    return out


def candidate_from_dict(item: Mapping[str, Any]) -> Person:
    """One candidate from its JSON-shaped mapping."""
    return _person(item, f"candidate {item.get('id')}")


def company_from_dict(item: Mapping[str, Any]) -> Company:
    """One company (Spott: client) from its JSON-shaped mapping."""
    what = f"company {item.get('id')}"
    return Company(
        id=item["id"],
        name=_text(item, "name", what) or "",
        domain=_text(item, "domain", what),
        custom_attributes=_attributes(item, what),
        modified_at=_modified_at(item, what),
    )


def vacancy_from_dict(item: Mapping[str, Any]) -> Vacancy:
    """One vacancy from its JSON-shaped mapping."""
    what = f"vacancy {item.get('id')}"
    return Vacancy(
        id=item["id"],
        name=_text(item, "name", what) or "",
        company_id=_text(item, "companyId", what),
        custom_attributes=_attributes(item, what),
        modified_at=_modified_at(item, what),
    )


_CSV_KINDS = {
    "candidate": "candidates",
    "candidates": "candidates",
    "company": "companies",
    "companies": "companies",
    "client": "companies",
    "clients": "companies",
    "vacancy": "vacancies",
    "vacancies": "vacancies",
    "job": "vacancies",
    "jobs": "vacancies",
    "contact": "contacts",
    "contacts": "contacts",
}


def records_from_csv_rows(
    rows: Iterable[Mapping[str, str | None]], *, origin: str = "records.csv"
) -> RecordStore:
    """Build a store from CSV rows (``kind,id,first_name,last_name,email,name,company_id``)."""
    tables: dict[str, dict[str, dict[str, Any]]] = {
        "candidates": {},
        "companies": {},
        "vacancies": {},
        "contacts": {},
    }
    for number, row in enumerate(rows, start=2):  # row 1 is the header

        def cell(name: str, row: Mapping[str, str | None] = row) -> str:
            return (row.get(name) or "").strip()

        kind = _CSV_KINDS.get(cell("kind").lower())
        record_id = cell("id")
        if kind is None or not record_id:
            raise ConfigError(f"{origin} row {number}: needs a known 'kind' and an 'id'")
        # Repeated rows for one record only add contact details.
        entry = tables[kind].setdefault(record_id, {"id": record_id, "emails": [], "phones": []})
        for key, column in (
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("name", "name"),
            ("companyId", "company_id"),
            ("domain", "domain"),
        ):
            if cell(column):
                entry[key] = cell(column)
        if cell("email"):
            entry["emails"].append(cell("email"))
        if cell("phone"):
            entry["phones"].append(cell("phone"))
    data: dict[str, list[dict[str, Any]]] = {}
    for kind, table in tables.items():
        items = list(table.values())
        if kind in ("companies", "vacancies"):
            for item in items:
                item.pop("emails")
                item.pop("phones")
        data[kind] = items
    return records_from_dict(data, origin=origin)
