"""Existence checks of target ids: once per id, missing ones reported with their own code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spott_migrate.errors import TransientApiError
from spott_migrate.legacy import apply_crosswalk, build_from_tree, check_records, load_crosswalk
from spott_migrate.legacy.problems import code_of

from .conftest import FakeSpott


def _resolved(sample: Path):  # type: ignore[no-untyped-def]
    return apply_crosswalk(
        build_from_tree(sample / "tree"), load_crosswalk(sample / "crosswalk.csv")
    )


def test_missing_records_are_target_not_found(sample: Path, fake_spott: FakeSpott) -> None:
    df = check_records(_resolved(sample), fake_spott).set_index("source_path")
    ghost = df.loc["candidates/L-1008/Offer Letter.pdf", "spott_build_problem"]
    assert ghost == (
        "target_not_found: candidate c-ghost does not exist in Spott: GET /candidates/c-ghost "
        "found nothing (legacy id L-1008, id from the crosswalk)"
    )
    assert df.loc["companies/C-200/logo.png", "spott_build_problem"] == ""
    # Each distinct id is fetched once, with Spott's own name for companies handled by the client.
    assert sorted(fake_spott.gets) == sorted(set(fake_spott.gets))
    assert ("company", "co-acme") in fake_spott.gets
    assert ("candidate", "c-ghost") in fake_spott.gets
    # Rows that already cannot be placed are not checked.
    assert not any(rid.startswith("c-lee") for _, rid in fake_spott.gets)


def test_the_cache_can_be_shared_between_checks(sample: Path, fake_spott: FakeSpott) -> None:
    cache: dict[tuple[str, str], bool] = {}
    check_records(_resolved(sample), fake_spott, cache=cache)
    calls = len(fake_spott.gets)
    check_records(_resolved(sample), fake_spott, cache=cache)
    assert len(fake_spott.gets) == calls == len(cache)
    assert cache[("candidate", "c-ghost")] is False


class _Down:
    def get_record(self, kind: str, record_id: str) -> dict[str, Any] | None:
        raise TransientApiError("503 after retries", status=503)


def test_a_check_that_cannot_be_made_does_not_pass(sample: Path) -> None:
    with pytest.raises(TransientApiError):
        check_records(_resolved(sample), _Down())


def test_conversion_does_not_hide_a_missing_record(sample: Path, fake_spott: FakeSpott) -> None:
    df = check_records(_resolved(sample), fake_spott)
    codes = df["spott_build_problem"].map(code_of)
    # L-1008's offer letter is a fine PDF; the record is what is wrong.
    assert codes[df["legacy_id"] == "L-1008"].tolist() == ["target_not_found"]
