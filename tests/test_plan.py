"""Planning: batches of ≤ 10 files of one type under a byte cap, one assign per record."""

from __future__ import annotations

import math
from pathlib import Path

from spott_migrate.config import Settings
from spott_migrate.jobs import FileJob
from spott_migrate.plan import AssignGroup, UploadBatch, ascii_file_name, make_plan
from spott_migrate.run.matching import match_uploads


def job(
    n: int, record: str, wire_type: str = "CV", size: int = 100, name: str | None = None
) -> FileJob:
    return FileJob(
        row_key=f"k{n}",
        source_row=n + 2,
        path=Path(f"/data/{name or f'f{n}.pdf'}"),
        wire_type=wire_type,
        target=(("candidateId", record),),
        display_name=name or f"f{n}.pdf",
        size=size,
        mime="application/pdf",
    )


def test_lower_bound_reached_for_one_file_per_record() -> None:
    jobs = [job(i, f"c{i}") for i in range(95)]
    plan = make_plan(jobs, Settings())
    assert len(plan.batches) == 10
    assert len(plan.groups) == 95
    assert plan.requests == plan.lower_bound == 10 + 95
    assert all(len(b.jobs) <= 10 for b in plan.batches)


def test_each_assign_comes_after_its_uploads_and_covers_all_types() -> None:
    jobs = []
    for r in range(30):
        jobs += [
            job(3 * r, f"c{r}", "CV"),
            job(3 * r + 1, f"c{r}", "COVER_LETTER"),
            job(3 * r + 2, f"c{r}", "OFFER"),
        ]
    plan = make_plan(jobs, Settings())
    seen: set[int] = set()
    for step in plan.steps:
        if isinstance(step, UploadBatch):
            assert len({j.wire_type for j in step.jobs}) == 1
            seen.add(step.index)
        else:
            assert step.after <= seen
            assert len(step.jobs) == 3
    expected_bound = 3 * math.ceil(30 / 10) + 30
    assert plan.lower_bound == expected_bound
    assert plan.requests <= expected_bound * 1.05


def test_byte_cap_splits_batches() -> None:
    jobs = [job(i, f"c{i}", size=40) for i in range(6)]
    plan = make_plan(jobs, Settings(batch_byte_cap=100))
    assert [len(b.jobs) for b in plan.batches] == [2, 2, 2]


def test_rare_type_is_flushed_so_records_do_not_wait_long() -> None:
    jobs = [job(0, "c0", "LOGO")] + [job(i, f"c{i}") for i in range(1, 400)]
    plan = make_plan(jobs, Settings(flush_after_files=50))
    first_group = next(s for s in plan.steps if isinstance(s, AssignGroup))
    position = plan.steps.index(first_group)
    assert position < 15  # assigned long before the end of the run


def test_already_uploaded_rows_only_need_their_assign() -> None:
    jobs = [job(i, "c1") for i in range(3)]
    plan = make_plan(jobs, Settings(), uploaded={"k0", "k1", "k2"})
    assert plan.batches == []
    assert len(plan.groups) == 1 and plan.groups[0].after == frozenset()


def test_upload_names_are_ascii_and_unique_in_a_batch() -> None:
    jobs = [job(0, "c1", name="Lebenslauf Müller.pdf"), job(1, "c2", name="Lebenslauf Müller.pdf")]
    plan = make_plan(jobs, Settings())
    names = [j.upload_name for j in plan.batches[0].jobs]
    assert names == ["Lebenslauf Muller.pdf", "Lebenslauf Muller-2.pdf"]
    assert ascii_file_name('naïve "cv".pdf') == "naive _cv.pdf"


def test_upload_answers_match_by_name_and_size_not_order() -> None:
    a, b = job(0, "c1", size=10, name="a.pdf"), job(1, "c2", size=20, name="a.pdf")
    plan = make_plan([a, b], Settings())
    ja, jb = plan.batches[0].jobs
    items = [
        {"attachmentId": "t2", "attachmentName": jb.upload_name, "size": 20},
        {"attachmentId": "t1", "attachmentName": ja.upload_name, "size": 10},
    ]
    matched, unmatched = match_uploads([ja, jb], items)
    assert {(j.row_key, t) for j, t in matched} == {("k0", "t1"), ("k1", "t2")}
    assert unmatched == []
    matched, unmatched = match_uploads([ja, jb], items[:1])
    assert unmatched == [ja]
