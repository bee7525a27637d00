"""A million-row manifest goes through check() and its plan (a smoke test: it completes, and
the numbers add up). 1,000 real files, each sent to 1,000 candidates, keep it quick."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from spott_migrate import check
from spott_migrate.plan import AssignGroup, UploadBatch

from .files import pdf_bytes, write

ROWS = 1_000_000
FILES = 1_000
TYPES = ("CV", "COVER_LETTER", "ID_DOCUMENT", "OFFER")


@pytest.mark.slow
def test_a_million_rows_check_and_plan(tmp_path: Path) -> None:
    for f in range(FILES):
        write(tmp_path / f"d{f // 100}" / f"doc_{f:04d}.pdf", pdf_bytes(f"doc {f}", pad=f % 50))
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["file_path", "type", "candidate_id"])
        for i in range(ROWS):
            f = i % FILES
            writer.writerow([f"d{f // 100}/doc_{f:04d}.pdf", TYPES[i % 4], f"cand-{i // 4}"])
    chk = check(manifest)
    assert chk.validation.invalid_rows == 0
    assert chk.validation.to_do == ROWS
    plan = chk.plan
    assert plan.summary() == {
        "files": ROWS,
        "bytes": plan.bytes,
        "upload_requests": ROWS // 10,
        "assign_requests": ROWS // 4,
        "lookups": 0,
        "requests": ROWS // 10 + ROWS // 4,
        "lower_bound": ROWS // 10 + ROWS // 4,
    }
    # Steps and their FileJobs are made when read: the first batch, then its record's assign.
    first = plan.steps[0]
    assert isinstance(first, UploadBatch)
    assert len(first.jobs) == 10 and all(j.path.is_file() for j in first.jobs)
    assign = next(st for st in plan.steps[:20] if isinstance(st, AssignGroup))
    assert assign.target == (("candidateId", "cand-0"),)
    assert [j.source_row for j in assign.jobs] == [2, 3, 4, 5]
