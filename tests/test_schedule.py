"""The order steps start in: the scheduler's rules, each checked without HTTP or threads."""

from __future__ import annotations

from pathlib import Path

from spott_migrate.config import Settings
from spott_migrate.jobs import FileJob
from spott_migrate.plan import AssignGroup, UploadBatch, make_plan
from spott_migrate.run.schedule import MAX_DEFERRALS, PutOff, StepQueue, riding_groups


def _job(n: int, record: str, wire_type: str = "CV") -> FileJob:
    return FileJob(
        row_key=f"k{n}",
        source_row=n + 2,
        path=Path(f"/data/f{n}.pdf"),
        wire_type=wire_type,
        target=(("candidateId", record),),
        display_name=f"f{n}.pdf",
        size=100 + n,
        mime="application/pdf",
    )


def _drain(queue: StepQueue, now: float = 0.0) -> list[str]:
    order = []
    while (started := queue.next_step(now)) is not None:
        step = started.step
        order.append(f"{type(step).__name__[0]}{step.index}")
        queue.finished(started, [], now)
    return order


def test_an_assign_whose_files_share_one_batch_rides_with_it() -> None:
    plan = make_plan([_job(1, "c1"), _job(2, "c1")], Settings())
    riders = riding_groups(plan)
    assert [g.index for g in riders[0]] == [0]
    assert _drain(StepQueue(plan, riders)) == ["U0"]  # the assign goes with the upload


def test_an_assign_waits_for_every_upload_it_needs_then_goes_first() -> None:
    jobs = [_job(1, "c1", "CV"), _job(2, "c1", "COVER_LETTER"), _job(3, "c2", "CV")]
    plan = make_plan(jobs, Settings())
    queue = StepQueue(plan, riding_groups(plan))
    first = queue.next_step(0)
    assert first is not None and isinstance(first.step, UploadBatch)
    second = queue.next_step(0)
    assert second is not None and isinstance(second.step, UploadBatch)
    assert queue.next_step(0) is None  # c1's assign waits for both uploads
    queue.finished(first, [], 0)
    assert queue.next_step(0) is None
    queue.finished(second, [], 0)
    ready = queue.next_step(0)
    assert ready is not None and isinstance(ready.step, AssignGroup)


def test_a_step_put_off_goes_again_when_due_then_is_given_up() -> None:
    plan = make_plan([_job(1, "c1")], Settings())
    queue = StepQueue(plan, riding_groups(plan))
    started = queue.next_step(0)
    assert started is not None
    for attempt in range(1, MAX_DEFERRALS):
        later = PutOff(started.step, 60.0, "429 Retry-After: 600")
        assert queue.finished(started, [later], now=attempt * 100) == []
        assert queue.next_step(attempt * 100 + 59) is None  # not due yet
        assert queue.next_due_in(attempt * 100 + 59) == 1.0
        again = queue.next_step(attempt * 100 + 60)
        assert again is not None and again.step is started.step
        assert again.deferrals == attempt
        started = again
    given_up = queue.finished(started, [PutOff(started.step, 60.0, "still 429")], now=1000)
    assert [g.reason for g in given_up] == ["still 429"]
    assert not queue


def test_a_batch_put_off_does_not_count_as_uploaded() -> None:
    jobs = [_job(1, "c1", "CV"), _job(2, "c1", "COVER_LETTER")]
    plan = make_plan(jobs, Settings())
    queue = StepQueue(plan, riding_groups(plan))
    cv, letter = queue.next_step(0), queue.next_step(0)
    assert cv is not None and letter is not None
    queue.finished(cv, [PutOff(cv.step, 5.0, "429")], 0)
    queue.finished(letter, [], 0)
    assert queue.next_step(1) is None  # the assign still waits for the CV batch
    again = queue.next_step(5)
    assert again is not None and again.step is cv.step
    queue.finished(again, [], 5)
    assign = queue.next_step(5)
    assert assign is not None and isinstance(assign.step, AssignGroup)
