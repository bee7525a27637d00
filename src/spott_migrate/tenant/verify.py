"""``spott-migrate verify``: reconcile a run against what Spott holds, not against our journal.

For each record with assigned rows, ``GET /attachments`` (the record filter, 100 a page) is
listed once, and each row's attachment is looked for the way a run checks a lost assign
(:func:`~spott_migrate.run.matching.match_listed`): by id (the one in the manifest, or the
journal's temporary or permanent one), else by name and size, never taking a file created well
before our upload for ours. Each row is then present, missing, or present more than once.

Where Spott's id differs from the one kept (the server gave the attachment a new permanent id
on assign), the permanent id is written into ``spott_attachment_id`` (and the journal, so a
later run does not write the old one back); every row found gets ``spott_verified_at``. Only
those cells change; the workbook is written through the write-back API, atomically. Nothing is
ever uploaded or assigned.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from .. import spott_api
from ..client import SpottClient
from ..config import Settings
from ..errors import ApiError, FatalApiError, PermanentApiError, WriteBackError
from ..jobs import FileJob, Target
from ..journal import Entry, Journal, ManifestLock, State, journal_paths, load_entries, utc_now
from ..manifest import Manifest, read_manifest
from ..manifest import schema as s
from ..plan import ascii_file_name
from ..run.matching import match_listed
from ..writeback import write_results

VERIFIED_AT = "spott_verified_at"


class RowVerdict(StrEnum):
    """What Spott holds for one assigned row."""

    PRESENT = "present"
    MISSING = "missing"
    DUPLICATED = "present more than once"
    UNCHECKED = "unchecked"  # the record's attachments could not be listed


@dataclass(frozen=True)
class RowCheck:
    """One assigned row, checked."""

    source_row: int
    row_key: str
    record: str  # e.g. "candidate cand-1"
    file_path: str
    name: str
    size: int | None
    kept_id: str  # the attachment id the manifest (or journal) had
    verdict: RowVerdict
    spott_ids: tuple[str, ...] = ()  # what Spott holds for it, the one kept first
    detail: str = ""

    @property
    def spott_id(self) -> str:
        return self.spott_ids[0] if self.spott_ids else ""

    @property
    def repaired(self) -> bool:
        """Found under another id than the one kept: the kept one is rewritten."""
        return self.verdict in _FOUND and self.spott_id != self.kept_id

    @property
    def needs_attention(self) -> bool:
        return self.verdict is not RowVerdict.PRESENT


_FOUND = frozenset({RowVerdict.PRESENT, RowVerdict.DUPLICATED})


@dataclass
class Verification:
    """What :func:`verify_manifest` found, and what it wrote."""

    manifest: Path
    checked_at: str
    rows: list[RowCheck] = field(default_factory=list)
    records_total: int = 0
    records_checked: int = 0
    requests_sent: int = 0
    written_to: Path | None = None
    write_error: str | None = None
    report_html: Path | None = None
    report_csv: Path | None = None

    @property
    def sampled(self) -> bool:
        return self.records_checked < self.records_total

    def counts(self) -> dict[str, int]:
        """Rows per verdict (and how many ids were repaired)."""
        counts = {v.value: 0 for v in RowVerdict}
        for row in self.rows:
            counts[row.verdict.value] += 1
        counts["ids repaired"] = sum(r.repaired for r in self.rows)
        return counts

    @property
    def ok(self) -> bool:
        """True when every row checked is present exactly once."""
        return all(r.verdict is RowVerdict.PRESENT for r in self.rows)

    @property
    def exit_code(self) -> int:
        """0 every row present once, 1 some are not, 2 the manifest could not be written."""
        if self.write_error:
            return 2
        return 0 if self.ok else 1

    def frame(self) -> pd.DataFrame:
        """One line per checked row, for a notebook or the CSV report."""
        return pd.DataFrame(
            [
                {
                    "source_row": r.source_row,
                    "record": r.record,
                    "file_path": r.file_path,
                    "name": r.name,
                    "size": r.size if r.size is not None else "",
                    "verdict": r.verdict.value,
                    "kept_id": r.kept_id,
                    "spott_ids": " ".join(r.spott_ids),
                    "repaired": r.repaired,
                    "detail": r.detail,
                }
                for r in self.rows
            ],
            columns=[
                "source_row",
                "record",
                "file_path",
                "name",
                "size",
                "verdict",
                "kept_id",
                "spott_ids",
                "repaired",
                "detail",
            ],
        )


@dataclass(frozen=True)
class _Assigned:
    """An assigned row and what we kept about it."""

    job: FileJob
    file_path: str
    kept_ids: tuple[str, ...]  # manifest id, journal attachment id, temporary id
    sent_at: float | None

    @property
    def kept_id(self) -> str:
        return self.kept_ids[0] if self.kept_ids else ""


def _targets(row: Mapping[str, Any]) -> Target:
    return tuple((s.TARGET_FIELDS[c], str(row[c])) for c in s.TARGET_COLUMNS if row[c])


def _assigned_rows(manifest: Manifest, entries: Mapping[str, Entry]) -> list[_Assigned]:
    """Rows the journal or the manifest says are assigned, with everything to find them by."""
    found: list[_Assigned] = []
    for row in manifest.rows.to_dict("records"):
        entry = entries.get(row[s.ROW_KEY])
        marked = row[s.STATUS].strip().lower() == s.ASSIGNED and row[s.ATTACHMENT_ID] != ""
        journaled = entry is not None and entry.state is State.ASSIGNED
        target = _targets(row)
        if not (marked or journaled) or not target:
            continue
        text = row[s.FILE_PATH]
        path = manifest.resolve(text) if text else Path("")
        size = entry.size if entry is not None and entry.size else None
        if size is None and text:
            try:
                size = path.stat().st_size
            except OSError:
                size = None  # the file moved away: only its id can find it
        ids = [row[s.ATTACHMENT_ID]]
        if entry is not None:
            ids += [entry.attachment_id or "", entry.temp_id or ""]
        upload_name = (entry.upload_name if entry else None) or ascii_file_name(path.name)
        job = FileJob(
            row_key=row[s.ROW_KEY],
            source_row=int(row[s.SOURCE_ROW]),
            path=path,
            wire_type=spott_api.normalise_type(row[s.TYPE]) or row[s.TYPE],
            target=target,
            display_name=row[s.NAME] or path.name,
            size=size if size is not None else -1,
            mime="",
            upload_name=upload_name,
        )
        kept = tuple(dict.fromkeys(i for i in ids if i))
        found.append(_Assigned(job, text, kept, entry.uploaded_at if entry else None))
    return found


def _check_record(
    rows: Sequence[_Assigned], listed: Sequence[Mapping[str, Any]], record: str
) -> list[RowCheck]:
    """Find each row of one record among its listed attachments (each claimed once)."""
    by_id = {str(a.get("attachmentId")): a for a in listed if a.get("attachmentId")}
    claimed: dict[str, str] = {}  # row key -> attachment id
    for row in rows:
        hit = next((i for i in row.kept_ids if i in by_id and i not in claimed.values()), None)
        if hit is not None:
            claimed[row.job.row_key] = hit
    sent_at = {r.job.row_key: r.sent_at for r in rows if r.sent_at}
    # A row whose size is unknown (file gone, no journal) is found by id only: a name alone
    # is not enough to say a file is ours.
    sized = [r for r in rows if r.job.size >= 0]
    rest = [r.job for r in sized if r.job.row_key not in claimed]
    # By name and size, with the run's own rules (temp ids were tried above, so none here).
    free = [a for key, a in by_id.items() if key not in claimed.values()]
    claimed.update(match_listed(rest, {}, free, sent_at=sent_at))
    # Further copies of a row found: the same rules on what no row claimed.
    extra: dict[str, list[str]] = {}
    found_jobs = [r.job for r in sized if r.job.row_key in claimed]
    while found_jobs:
        taken = set(claimed.values()) | {i for ids in extra.values() for i in ids}
        free = [a for key, a in by_id.items() if key not in taken]
        more = match_listed(found_jobs, {}, free, sent_at=sent_at)
        if not more:
            break
        for key, copy_id in more.items():
            extra.setdefault(key, []).append(copy_id)
        found_jobs = [j for j in found_jobs if j.row_key in more]
    out = []
    for row in rows:
        found = claimed.get(row.job.row_key)
        if found is None:
            how = "by id" if row.job.size < 0 else "by id, nor by name and size"
            detail = f"Spott holds no attachment for it ({len(listed)} on the record; not {how})"
            out.append(_row_check(row, record, RowVerdict.MISSING, (), detail))
            continue
        copies = (found, *extra.get(row.job.row_key, ()))
        if len(copies) > 1:
            detail = f"{len(copies)} attachments of this name and size: {', '.join(copies)}"
            out.append(_row_check(row, record, RowVerdict.DUPLICATED, copies, detail))
            continue
        detail = "" if found == row.kept_id else f"Spott's id is {found}"
        out.append(_row_check(row, record, RowVerdict.PRESENT, copies, detail))
    return out


def _row_check(
    row: _Assigned, record: str, verdict: RowVerdict, ids: tuple[str, ...], detail: str
) -> RowCheck:
    return RowCheck(
        source_row=row.job.source_row,
        row_key=row.job.row_key,
        record=record,
        file_path=row.file_path,
        name=row.job.display_name,
        size=row.job.size if row.job.size >= 0 else None,
        kept_id=row.kept_id,
        verdict=verdict,
        spott_ids=ids,
        detail=detail,
    )


def _unchecked(
    rows: Sequence[_Assigned], record: str, why: str, verdict: RowVerdict
) -> list[RowCheck]:
    return [_row_check(r, record, verdict, (), why) for r in rows]


_KIND = {"candidateId": "candidate", "companyId": "company", "vacancyId": "vacancy"}


def verify_manifest(
    path: str | Path,
    *,
    settings: Settings | None = None,
    client: SpottClient | None = None,
    sheet: str | None = None,
    sample: int | None = None,
    seed: int | None = None,
    html: str | Path | None = None,
    csv: str | Path | None = None,
    on_record: Callable[[], None] | None = None,
) -> Verification:
    """Check every assigned row of the manifest (or those of ``sample`` random records)
    against Spott; write the repaired ids and ``spott_verified_at`` back, and the report.

    ``html`` / ``csv``: where the report of the rows needing attention goes (default beside
    the manifest: ``<name>.verification.html`` / ``.csv``). ``on_record`` is called after each
    record is listed (for a progress bar). Raises :class:`FatalApiError` on 401/403.
    """
    manifest_path = Path(path)
    settings = settings or Settings.from_env()
    with ManifestLock(manifest_path):
        manifest = read_manifest(manifest_path, sheet=sheet)
        entries = load_entries(manifest_path, manifest.sheet)
        assigned = _assigned_rows(manifest, entries)
        groups: dict[tuple[str, str], list[_Assigned]] = {}
        for row in assigned:
            groups.setdefault(row.job.target[0], []).append(row)
        records = sorted(groups)
        chosen = records
        if sample is not None and sample < len(records):
            chosen = sorted(random.Random(seed).sample(records, max(0, sample)))
        result = Verification(manifest_path, utc_now(), records_total=len(records))
        result.records_checked = len(chosen)
        api = client or SpottClient(settings=settings)
        before = api.requests_sent
        try:
            checks = _check_all(api, groups, chosen, settings.concurrency, on_record)
        finally:
            result.requests_sent = api.requests_sent - before
            if client is None:
                api.close()
        result.rows = sorted(checks, key=lambda r: r.source_row)
        # The journal first: it is what later runs project into the sheet.
        _repair_journals(manifest, result)
        try:
            result.written_to = _write_back(manifest, result)
        except WriteBackError as exc:
            result.write_error = str(exc)
        result.report_html, result.report_csv = _write_reports(manifest_path, result, html, csv)
    return result


def _check_all(
    api: SpottClient,
    groups: Mapping[tuple[str, str], list[_Assigned]],
    chosen: Sequence[tuple[str, str]],
    workers: int,
    on_record: Callable[[], None] | None,
) -> list[RowCheck]:
    def one(target: tuple[str, str]) -> list[RowCheck]:
        field_name, record_id = target
        record = f"{_KIND[field_name]} {record_id}"
        rows = groups[target]
        try:
            listed = api.list_attachments(**{field_name: record_id})
        except FatalApiError:
            raise
        except PermanentApiError as exc:
            verdict = RowVerdict.MISSING if exc.status == 404 else RowVerdict.UNCHECKED
            return _unchecked(
                rows, record, f"listing the record's attachments failed: {exc}", verdict
            )
        except ApiError as exc:
            return _unchecked(
                rows,
                record,
                f"listing the record's attachments failed: {exc}",
                RowVerdict.UNCHECKED,
            )
        finally:
            if on_record is not None:
                on_record()
        return _check_record(rows, listed, record)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="verify") as pool:
        return [check for found in pool.map(one, chosen) for check in found]


def _write_back(manifest: Manifest, result: Verification) -> Path | None:
    cells: dict[int, dict[str, str]] = {}
    for row in result.rows:
        if row.verdict not in _FOUND:
            continue
        values = {VERIFIED_AT: result.checked_at}
        if row.repaired:
            values[s.ATTACHMENT_ID] = row.spott_id
        cells[row.source_row] = values
    if not cells:
        return None
    return write_results(manifest.path, cells, sheet=manifest.sheet, header_row=manifest.header_row)


def _repair_journals(manifest: Manifest, result: Verification) -> None:
    """Keep the journals in step with the ids Spott holds, so no run writes old ones back."""
    found = {r.row_key: (r.source_row, r.spott_id) for r in result.rows if r.verdict in _FOUND}
    if not found:
        return
    for journal_file in journal_paths(manifest.path):
        with Journal(journal_file, manifest.sheet) as journal:
            held = journal.entries()
            stale = {
                key: value
                for key, value in found.items()
                if key in held
                and held[key].state is State.ASSIGNED
                and held[key].attachment_id != value[1]
            }
            if stale:
                journal.record_assigned(stale)


def default_report_paths(manifest: str | Path) -> tuple[Path, Path]:
    """Where the verification report goes unless told: beside the manifest."""
    base = Path(manifest)
    return base.with_name(f"{base.stem}.verification.html"), base.with_name(
        f"{base.stem}.verification.csv"
    )


def _write_reports(
    manifest: Path, result: Verification, html: str | Path | None, csv: str | Path | None
) -> tuple[Path, Path]:
    from .verify_report import render_html  # the page is only built when written

    default_html, default_csv = default_report_paths(manifest)
    html_path = Path(html) if html else default_html
    csv_path = Path(csv) if csv else default_csv
    attention = result.frame()
    attention = attention[[r.needs_attention for r in result.rows]] if result.rows else attention
    attention.to_csv(csv_path, index=False)
    html_path.write_text(render_html(result), encoding="utf-8")
    return html_path, csv_path
