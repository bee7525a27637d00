"""A tenant with more to know: the shared test records plus phones, second e-mails and a
legacy-id custom attribute, and helpers to index it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from spott_migrate import Settings, SpottClient
from spott_migrate.sandbox import Sandbox
from spott_migrate.tenant.index import IndexResult, build_index

from ..conftest import RECORDS
from ..helpers import CANARY_KEY


def tenant_records() -> dict[str, list[dict[str, object]]]:
    records = copy.deepcopy(RECORDS)
    for i, candidate in enumerate(records["candidates"], start=1):
        candidate["phones"] = [f"+44 20 7946 {i:04d}"]
        candidate["customAttributes"] = [{"label": "Legacy ID", "value": f"L-{1000 + i}"}]
    # A second address in mixed case: any of a candidate's addresses counts.
    records["candidates"][1]["emails"].append("Second.Address@Example.ORG")
    for i, company in enumerate(records["companies"], start=1):
        company["customAttributes"] = [{"label": "Legacy ID", "value": f"C-{200 + i}"}]
    for i, vacancy in enumerate(records["vacancies"], start=1):
        vacancy["customAttributes"] = [{"label": "Legacy ID", "value": f"V-{300 + i}"}]
    return records


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """Overrides the shared fixture: the same ids, with more to know about them."""
    with Sandbox(records=tenant_records(), api_key=CANARY_KEY) as sb:
        yield sb


def index_tenant(settings: Settings, path: Path, **kwargs: object) -> IndexResult:
    """Build or refresh the index at ``path`` over HTTP."""
    with SpottClient(settings=settings) as client:
        return build_index(path, client, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def index_file(settings: Settings, tmp_path: Path) -> Path:
    """The sandbox tenant indexed into ``tmp_path/spott-index.sqlite``."""
    path = tmp_path / "spott-index.sqlite"
    index_tenant(settings, path)
    return path
