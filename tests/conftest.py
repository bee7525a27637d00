"""Shared fixtures: a real sandbox server over HTTP, and manifests of real files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from spott_migrate import Settings
from spott_migrate.sandbox import Sandbox

from .files import pdf_bytes, png_bytes, write
from .helpers import CANARY_KEY, ManifestFactory, write_xlsx

RECORDS = {
    "candidates": [
        {
            "id": f"cand-{i}",
            "firstName": f"First{i}",
            "lastName": f"Last{i}",
            "emails": [f"person{i}@example.com"],
        }
        for i in range(1, 21)
    ],
    "companies": [{"id": f"comp-{i}", "name": f"Company {i}"} for i in range(1, 6)],
    "vacancies": [
        {"id": f"vac-{i}", "name": f"Vacancy {i}", "companyId": "comp-1"} for i in range(1, 6)
    ],
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox with the test records, accepting CANARY_KEY."""
    with Sandbox(records=RECORDS, api_key=CANARY_KEY) as sb:
        yield sb


@pytest.fixture
def settings(sandbox: Sandbox) -> Settings:
    """Settings pointing at the sandbox, with fast retries so fault tests stay quick."""
    return Settings(
        base_url=sandbox.url,
        api_key=CANARY_KEY,
        concurrency=3,
        backoff_base=0.01,
        backoff_max=0.05,
        read_timeout=5.0,
        requests_per_minute=60_000,
        checkpoint_seconds=3600,
    )


@pytest.fixture
def make_manifest(tmp_path: Path) -> ManifestFactory:
    """Build a manifest of ``n`` real files: PDFs for candidates, a PNG logo per company.

    Each file has distinct content, so the sandbox's SHA-256 proves which row landed where.
    """

    def build(
        n: int = 12,
        *,
        per_candidate: int = 2,
        logos: int = 2,
        extra_rows: Sequence[Sequence[object]] = (),
        name: str = "manifest.xlsx",
    ) -> Path:
        rows: list[Sequence[object]] = []
        for i in range(n):
            cand = f"cand-{i // per_candidate + 1}"
            kind = "CV" if i % 2 == 0 else "COVER_LETTER"
            path = write(tmp_path / "files" / f"doc-{i:03d}.pdf", pdf_bytes(f"file {i}", pad=i))
            rows.append((f"files/{path.name}", kind, cand, None, None, None))
        for j in range(logos):
            path = write(tmp_path / "files" / f"logo-{j}.png", png_bytes(2 + j, 2))
            rows.append((f"files/{path.name}", "LOGO", None, f"comp-{j + 1}", None, None))
        rows.extend(extra_rows)
        return write_xlsx(tmp_path / name, rows)

    return build
