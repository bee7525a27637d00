"""E-mail resolution against a fake search: exact, candidates only, cached, never a guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spott_migrate.errors import FatalApiError, PermanentApiError, TransientApiError
from spott_migrate.legacy import (
    EmailResolver,
    apply_crosswalk,
    attach_emails,
    build_from_tree,
    load_crosswalk,
    load_emails,
    resolve_emails,
)
from spott_migrate.legacy.resolve import candidate_ids_with_email

from .conftest import FakeSpott


def test_only_candidates_with_the_exact_address_count() -> None:
    items = [
        {"entityType": "contact", "id": "p-1", "emailAddresses": ["a@x.example"]},
        {"entityType": "candidate", "id": "c-1", "emailAddresses": ["A@X.example "]},
        {"entityType": "candidate", "id": "c-2", "emailAddresses": ["a@x.example.com"]},
        {"entityType": "Candidate", "id": "c-1", "emailAddresses": ["a@x.example"]},
        {"entityType": "candidate", "id": "c-3", "emails": [{"email": "a@x.example"}]},
    ]
    assert candidate_ids_with_email(items, "a@x.example") == ("c-1", "c-3")


def test_people_list_gives_candidates_their_addresses(sample: Path) -> None:
    emails = load_emails(sample / "candidates.csv")
    assert emails["L-1004"] == "alan.turing@example.com"
    assert "L-1010" not in emails  # no address in the export


def _tree_after_crosswalk(sample: Path):  # type: ignore[no-untyped-def]
    df = attach_emails(build_from_tree(sample / "tree"), load_emails(sample / "candidates.csv"))
    return apply_crosswalk(df, load_crosswalk(sample / "crosswalk.csv"))


def test_resolution_outcomes_on_the_sample(sample: Path, fake_spott: FakeSpott) -> None:
    df = resolve_emails(_tree_after_crosswalk(sample), fake_spott).set_index("source_path")
    turing = df.loc["candidates/L-1004/cv_alan_turing.docx"]
    assert (turing["candidate_id"], turing["resolved_by"], turing["spott_build_problem"]) == (
        "c-turing",
        "email",
        "",
    )
    assert df.loc["candidates/L-1005/CV.pdf", "spott_build_problem"] == (
        "ambiguous: candidate L-1005: not in crosswalk.csv; "
        "2 Spott candidates have the e-mail shared@example.com: c-twin-a, c-twin-b"
    )
    assert df.loc["candidates/L-1006/Resume.pdf", "spott_build_problem"] == (
        "unresolved: candidate L-1006: not in crosswalk.csv; "
        "no Spott candidate has the e-mail nobody@example.com"
    )
    # Only a contact (and a look-alike candidate) carry this address: not taken.
    bob = df.loc["candidates/L-1007/CV Bob Boss.pdf"]
    assert bob["candidate_id"] == ""
    assert bob["spott_build_problem"].endswith(
        "no Spott candidate has the e-mail bob.boss@acme.example"
    )
    assert df.loc["candidates/L-1010/Passport scan.png", "spott_build_problem"] == (
        "unresolved: candidate L-1010: not in crosswalk.csv; no e-mail address to search by"
    )
    # Crosswalk hits and crosswalk conflicts are never searched; companies never are.
    assert sorted(fake_spott.searches) == [
        "alan.turing@example.com",
        "bob.boss@acme.example",
        "nobody@example.com",
        "shared@example.com",
    ]


def test_each_address_is_searched_once(fake_spott: FakeSpott) -> None:
    resolver = EmailResolver(fake_spott)
    first = resolver.resolve("Alan.Turing@example.com")
    again = resolver.resolve(" alan.turing@EXAMPLE.com")
    assert first == again and first.ids == ("c-turing",)
    assert resolver.searches == 1
    assert resolver.resolve("not an address").outcome == "unresolved"
    assert resolver.searches == 1


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def search_people(self, query: str, limit: int = 25) -> list[dict[str, Any]]:
        self.calls += 1
        raise self.error


def test_a_failed_search_leaves_the_row_unresolved_and_is_not_cached() -> None:
    search = _Failing(PermanentApiError("bad request", status=400))
    resolver = EmailResolver(search)
    match = resolver.resolve("a@x.example")
    assert match.outcome == "unresolved" and "failed" in match.reason
    resolver.resolve("a@x.example")
    assert search.calls == 2


@pytest.mark.parametrize(
    "error", [FatalApiError("401", status=401), TransientApiError("503, retries spent", status=503)]
)
def test_auth_failures_and_outages_stop_resolution(sample: Path, error: Exception) -> None:
    search = _Failing(error)
    with pytest.raises(type(error)):
        resolve_emails(_tree_after_crosswalk(sample), search)
    assert search.calls == 1
