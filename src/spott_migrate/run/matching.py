"""Matching Spott's answers back to rows: by id, or by name and size — never by position.

The upload endpoint does not promise to answer in request order, and the permanent id of an
assigned attachment may differ from its temporary id; both matches here work either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ..jobs import FileJob


def _as_int(value: object) -> int:
    """A size as Spott may write it (``1234``, ``1234.0``, ``"1234"``); -1 when it is none."""
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        return -1
    try:
        return int(float(value))
    except (OverflowError, ValueError):
        return -1


def match_uploads(
    jobs: Sequence[FileJob], items: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[FileJob, str]], list[FileJob]]:
    """Pair upload answers with files by name and size (never by position).

    Returns (job, temporary id) pairs and the jobs no answer matched. A one-file upload with one
    answer pairs them whatever the answer's name (a server may rename uploads), but only if
    the size, when the answer gives one, is the file's: an answer about other bytes is not ours.
    """
    if len(jobs) == 1 and len(items) == 1 and items[0].get("attachmentId"):
        size = items[0].get("size")
        if size is None or _as_int(size) == jobs[0].size:
            return [(jobs[0], str(items[0]["attachmentId"]))], []
        return [], [jobs[0]]
    pool: dict[tuple[str, int], list[str]] = {}
    for item in items:
        if item.get("attachmentId"):
            key = (str(item.get("attachmentName") or ""), _as_int(item.get("size")))
            pool.setdefault(key, []).append(str(item["attachmentId"]))
    matched: list[tuple[FileJob, str]] = []
    unmatched: list[FileJob] = []
    for job in jobs:
        ids = pool.get((job.upload_name, job.size))
        if ids:
            matched.append((job, ids.pop(0)))
        else:
            unmatched.append(job)
    return matched, unmatched


def match_listed(
    jobs: Sequence[FileJob],
    temp_ids: Mapping[str, str],
    listed: Sequence[Mapping[str, Any]],
    *,
    sent_at: Mapping[str, float] | None = None,
) -> dict[str, str]:
    """Which ``jobs`` a record's attachment list already holds: row key -> attachment id.

    The temporary id is tried first; failing that, the display or upload name with the size.
    ``sent_at`` (row key -> epoch seconds its upload was sent) rules out, for that second
    match, attachments created well before: the record may have had a file of the same name
    and size for years, and taking it for ours would mark our file assigned while it is not.
    """
    by_id = {str(a.get("attachmentId")) for a in listed}
    by_name_size: dict[tuple[str, int], list[tuple[str, float | None]]] = {}
    for a in listed:
        key = (str(a.get("attachmentName") or ""), _as_int(a.get("size")))
        entry = (str(a.get("attachmentId")), _epoch(a.get("createdAt")))
        by_name_size.setdefault(key, []).append(entry)
    found: dict[str, str] = {}
    for job in jobs:
        temp_id = temp_ids.get(job.row_key)
        if temp_id and temp_id in by_id:
            found[job.row_key] = temp_id
            continue
        sent = (sent_at or {}).get(job.row_key)
        for name in (job.display_name, job.upload_name):
            candidates = by_name_size.get((name, job.size), [])
            mine = next((c for c in candidates if _could_be_ours(c[1], sent)), None)
            if mine is not None:
                candidates.remove(mine)
                found[job.row_key] = mine[0]
                break
    return found


# How far the server's clock may run behind ours before an attachment of ours would look
# older than its upload. Generous: wrongly ruling one out could lead to a second assign.
CLOCK_SKEW_SECONDS = 3600.0


def _could_be_ours(created: float | None, sent: float | None) -> bool:
    if created is None or sent is None:
        return True  # nothing to tell them apart by: name and size decide, as before
    return created >= sent - CLOCK_SKEW_SECONDS


def _epoch(value: object) -> float | None:
    """``createdAt`` (ISO-8601, e.g. ``2023-11-07T05:31:56Z``) as epoch seconds, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def confirm_claims(
    jobs: Sequence[FileJob], claimed: Mapping[str, str], listed: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Which rows marked ``assigned`` in the sheet (row key -> the id in the sheet), but unknown
    to the journal, Spott confirms: row key -> the attachment id Spott lists.

    A mark may have been written onto the wrong row (a sheet edited during a run by an older
    version), so the id alone does not confirm it: the attachment it names must also carry the
    row's file name and size where Spott reports them. Failing that, an attachment with the
    row's name and size on the record confirms it (Spott may have minted a permanent id).
    """
    by_id = {str(a.get("attachmentId")): a for a in listed}
    used: set[str] = set()
    found: dict[str, str] = {}
    for job in jobs:
        names = {job.display_name, job.upload_name, job.path.name} - {""}
        item = by_id.get(claimed.get(job.row_key, ""))
        if item is not None and _same_file(item, names, job.size, strict=False):
            found[job.row_key] = str(item.get("attachmentId"))
            used.add(found[job.row_key])
            continue
        for a in listed:
            att = str(a.get("attachmentId"))
            if att not in used and _same_file(a, names, job.size, strict=True):
                found[job.row_key] = att
                used.add(att)
                break
    return found


def _same_file(item: Mapping[str, Any], names: set[str], size: int, *, strict: bool) -> bool:
    """Whether a listed attachment shows the file's name and size (``strict``: both required;
    else each only where the listing gives it)."""
    listed_name, listed_size = item.get("attachmentName"), item.get("size")
    if strict and (listed_name is None or listed_size is None):
        return False
    name_ok = listed_name is None or str(listed_name) in names
    size_ok = listed_size is None or _as_int(listed_size) == size
    return name_ok and size_ok
