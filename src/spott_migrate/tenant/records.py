"""Reading Spott's record items defensively into what the index keeps.

The docs render the same record in several shapes: newer ones wrap most fields in objects with
a ``viewType`` (``name.firstName``, ``emails.emails[].email``,
``phoneNumbers.phoneNumbers[].phoneNumber``), older ones are flat (``firstName``,
``emails: [...]``), and ``/search/people`` says ``emailAddresses``. Every spelling seen is
read; anything else is skipped rather than guessed at. E-mail addresses are case-folded and
phone numbers kept as their digits, the forms the look-ups compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

RecordKind = Literal["candidate", "company", "vacancy"]
RECORD_KINDS: tuple[RecordKind, ...] = ("candidate", "company", "vacancy")

_NOT_DIGIT = re.compile(r"\D+")


@dataclass(frozen=True, slots=True)
class IndexedRecord:
    """One Spott record as the index keeps it."""

    kind: RecordKind
    id: str
    first_name: str = ""
    last_name: str = ""
    # The display name: a candidate's full name, a client's or a vacancy's name.
    name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    # (label, value) pairs of the record's custom attributes, as Spott lists them.
    attributes: tuple[tuple[str, str], ...] = ()
    modified_at: str | None = None


def fold_email(text: str) -> str:
    """An address in the form the index compares: trimmed and case-folded."""
    return text.strip().casefold()


def phone_digits(text: str) -> str:
    """A phone number in the form the index compares: its digits only, with the ``00``
    international prefix read as ``+`` (``0044 20…`` and ``+44 20…`` are one number).

    A national form (``020 7946…``) stays apart from the international one: telling them
    equal would need the country, which is a guess.
    """
    digits = _NOT_DIGIT.sub("", text)
    return digits[2:] if digits.startswith("00") else digits


def fold_text(text: str) -> str:
    """A label or value in the form the index compares: trimmed and case-folded."""
    return " ".join(text.split()).casefold()


def _text(value: Any) -> str:
    """A scalar as text; Excel-style ``1001.0`` becomes ``1001``; other shapes give ``""``."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _entries(value: Any, inner: str) -> list[Any]:
    """The list inside a wrapped field (``{inner: [...]}``), a bare list, or one value."""
    if isinstance(value, Mapping):
        value = value.get(inner, [])
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _first(entry: Any, keys: Iterable[str]) -> str:
    if isinstance(entry, Mapping):
        for key in keys:
            text = _text(entry.get(key))
            if text:
                return text
        return ""
    return _text(entry)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _emails(item: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for key in ("emails", "emailAddresses", "email"):
        for entry in _entries(item.get(key), "emails"):
            found.append(fold_email(_first(entry, ("email", "emailAddress", "address", "value"))))
    return _unique(e for e in found if "@" in e)


def _phones(item: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for key in ("phoneNumbers", "phones", "phone"):
        for entry in _entries(item.get(key), "phoneNumbers"):
            found.append(phone_digits(_first(entry, ("phoneNumber", "number", "phone", "value"))))
    return _unique(found)


def _attribute_values(value: Any) -> list[str]:
    # A select or multi-select attribute may hold objects or lists instead of plain text.
    if isinstance(value, list | tuple):
        return [v for entry in value for v in _attribute_values(entry)]
    if isinstance(value, Mapping):
        return [_first(value, ("value", "label", "name"))]
    return [_text(value)]


def _attributes(item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for entry in _entries(item.get("customAttributes"), "customAttributes"):
        if not isinstance(entry, Mapping):
            continue
        definition = entry.get("attributeDefinition")
        label = _first(entry, ("label", "name")) or _first(definition, ("label", "name"))
        if not label:
            continue
        pairs.extend((label, v) for v in _attribute_values(entry.get("value")) if v)
    return tuple(dict.fromkeys(pairs))


def _name_parts(item: Mapping[str, Any]) -> tuple[str, str, str]:
    name = item.get("name")
    first = _text(item.get("firstName"))
    last = _text(item.get("lastName"))
    full = ""
    if isinstance(name, Mapping):
        first = first or _text(name.get("firstName"))
        last = last or _text(name.get("lastName"))
        full = _text(name.get("name")) or _text(name.get("fullName"))
    else:
        full = _text(name)
    full = full or " ".join(p for p in (first, last) if p)
    return first, last, full


def _display_name(item: Mapping[str, Any]) -> str:
    name = item.get("name")
    if isinstance(name, Mapping):
        return _first(name, ("name", "title"))
    return _text(name) or _text(item.get("title"))


def parse_record(kind: RecordKind, item: Mapping[str, Any]) -> IndexedRecord | None:
    """One list item as an :class:`IndexedRecord`; None when it has no usable id."""
    record_id = _text(item.get("id"))
    if not record_id:
        return None
    modified = item.get("modifiedAt")
    modified_at = modified if isinstance(modified, str) and modified else None
    attributes = _attributes(item)
    if kind == "candidate":
        first, last, full = _name_parts(item)
        return IndexedRecord(
            kind,
            record_id,
            first_name=first,
            last_name=last,
            name=full,
            emails=_emails(item),
            phones=_phones(item),
            attributes=attributes,
            modified_at=modified_at,
        )
    return IndexedRecord(
        kind, record_id, name=_display_name(item), attributes=attributes, modified_at=modified_at
    )
