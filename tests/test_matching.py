"""Matching a record's attachment list back to rows, and what the journal keeps meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from spott_migrate.jobs import FileJob
from spott_migrate.journal import Journal, State
from spott_migrate.run.matching import CLOCK_SKEW_SECONDS, match_listed

SENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _job(key: str = "k1", name: str = "cv.pdf", size: int = 1234) -> FileJob:
    return FileJob(
        row_key=key,
        source_row=2,
        path=Path(name),
        wire_type="CV",
        target=(("candidateId", "c1"),),
        display_name=name,
        size=size,
        mime="application/pdf",
        upload_name=name,
    )


def _listed(
    att_id: str, created: datetime | None, name: str = "cv.pdf", size: int = 1234
) -> dict[str, object]:
    item: dict[str, object] = {"attachmentId": att_id, "attachmentName": name, "size": size}
    if created is not None:
        item["createdAt"] = created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return item


def test_the_temporary_id_matches_first() -> None:
    listed = [_listed("old", SENT - timedelta(days=400)), _listed("t1", SENT)]
    assert match_listed([_job()], {"k1": "t1"}, listed) == {"k1": "t1"}


def test_an_old_attachment_of_the_same_name_and_size_is_not_ours() -> None:
    # The record has had a cv.pdf of the same size for a year; ours got a new id on assign.
    old = _listed("old", SENT - timedelta(days=365))
    sent_at = {"k1": SENT.timestamp()}
    assert match_listed([_job()], {"k1": "t1"}, [old], sent_at=sent_at) == {}
    ours = _listed("new", SENT + timedelta(seconds=3))
    found = match_listed([_job()], {"k1": "t1"}, [old, ours], sent_at=sent_at)
    assert found == {"k1": "new"}


def test_a_server_clock_somewhat_behind_ours_still_matches() -> None:
    behind = _listed("new", SENT - timedelta(seconds=CLOCK_SKEW_SECONDS / 2))
    found = match_listed([_job()], {"k1": "t1"}, [behind], sent_at={"k1": SENT.timestamp()})
    assert found == {"k1": "new"}


def test_without_times_name_and_size_decide() -> None:
    no_date = _listed("a1", None)
    assert match_listed([_job()], {"k1": "t1"}, [no_date], sent_at={"k1": 0.0}) == {"k1": "a1"}
    old = _listed("a2", SENT - timedelta(days=30))
    assert match_listed([_job()], {"k1": "t1"}, [old]) == {"k1": "a2"}  # no upload time known
    bad = {**_listed("a3", None), "createdAt": "last tuesday"}
    assert match_listed([_job()], {"k1": "t1"}, [bad], sent_at={"k1": 0.0}) == {"k1": "a3"}


def test_each_listed_attachment_matches_one_row_at_most() -> None:
    jobs = [_job("k1"), _job("k2")]
    listed = [_listed("a1", SENT + timedelta(seconds=1))]
    sent_at = {"k1": SENT.timestamp(), "k2": SENT.timestamp()}
    assert match_listed(jobs, {}, listed, sent_at=sent_at) == {"k1": "a1"}


def test_not_assigned_goes_back_to_uploaded_and_keeps_the_upload_time(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite", "Sheet1") as journal:
        journal.record_uploaded({"k1": (2, "t1", "cv.pdf", 1234)}, assign_next=True)
        before = journal.entries()["k1"]
        assert before.state is State.ASSIGN_SENT and before.assign_sent_at is not None
        journal.record_not_assigned([("k1", 2)])
        after = journal.entries()["k1"]
    assert after.state is State.UPLOADED
    assert (after.temp_id, after.uploaded_at, after.size) == ("t1", before.uploaded_at, 1234)
    assert after.assign_sent_at is None


def test_a_one_file_answer_is_taken_only_for_the_files_size() -> None:
    from spott_migrate.run.matching import match_uploads

    job = _job(size=1234)
    renamed = {"attachmentId": "t1", "attachmentName": "upload-1.pdf", "size": 1234}
    assert match_uploads([job], [renamed]) == ([(job, "t1")], [])  # a renamed upload is ours
    no_size = {"attachmentId": "t2", "attachmentName": "x.pdf"}
    assert match_uploads([job], [no_size]) == ([(job, "t2")], [])  # nothing to tell otherwise
    other_bytes = {"attachmentId": "t3", "attachmentName": "cv.pdf", "size": 99}
    assert match_uploads([job], [other_bytes]) == ([], [job])


def test_a_claimed_mark_needs_the_rows_file_not_just_the_id() -> None:
    from spott_migrate.run.matching import confirm_claims

    mine, other = _job("k1", "mine.pdf", 100), _job("k2", "other.pdf", 200)
    listed = [{"attachmentId": "a-other", "attachmentName": "other.pdf", "size": 200}]
    # k1's mark carries other.pdf's id (a misplaced result): not confirmed.
    assert confirm_claims([mine], {"k1": "a-other"}, listed) == {}
    assert confirm_claims([other], {"k2": "a-other"}, listed) == {"k2": "a-other"}
    # A permanent id Spott minted: the name and size confirm it.
    assert confirm_claims([other], {"k2": "temp-9"}, listed) == {"k2": "a-other"}
    # A listing without names and sizes confirms only by id.
    bare = [{"attachmentId": "a-other"}]
    assert confirm_claims([other], {"k2": "a-other"}, bare) == {"k2": "a-other"}
    assert confirm_claims([other], {"k2": "temp-9"}, bare) == {}
