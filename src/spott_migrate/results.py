"""Results: the journal projected onto the manifest's rows, and placed into the file by row key.

A run can last hours, and the user may save the sheet meanwhile (a row inserted at the top, a
row deleted, a sort). Results therefore never go to the row numbers read at the start: just
before writing, the file is compared with what was read; if it changed it is read again, and
every result goes to the row that now carries its row key. Rows the user added get nothing
(the next run does them); rows the user deleted keep their results in the journal. The file is
compared once more right before it is replaced, so a save made meanwhile is never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import format_error
from .columns import among
from .errors import ManifestChangedError, ManifestError, WriteBackError
from .journal import Entry, JournalView, State, utc_now
from .manifest import Manifest, read_manifest
from .manifest import schema as s
from .validation import Validation
from .writeback import write_results

# How often a write-back starts over because the file changed while it was being written.
PLACEMENT_ATTEMPTS = 3


def project_results(
    manifest: Manifest, validation: Validation, entries: Mapping[str, Entry]
) -> pd.DataFrame:
    """The result columns for every row that is not already done: a view of the journal.

    Column by column: only rows with an error to word (invalid, failed, a note) are formatted
    one by one.
    """
    rows = manifest.rows
    keys = rows[s.ROW_KEY]
    n = len(rows)
    journal = JournalView.of(entries).frame
    at = journal.index.get_indexer(keys) if len(journal) else np.full(n, -1)
    known = at >= 0

    def entry_column(name: str) -> np.ndarray:
        column = np.full(n, None, dtype=object)
        column[known] = journal[name].to_numpy()[at[known]]
        return column

    state = entry_column("state")
    now = utc_now()
    status = np.full(n, s.PENDING, dtype=object)
    attachment = np.full(n, "", dtype=object)
    error = np.full(n, "", dtype=object)
    updated = np.full(n, now, dtype=object)
    updated[known] = entry_column("updated_at")[known]
    assigned = state == State.ASSIGNED.value
    status[assigned] = s.ASSIGNED
    ids = entry_column("attachment_id")
    attachment[assigned] = [i or "" for i in ids[assigned]]
    status[state == State.FAILED.value] = s.FAILED
    error[state == State.ASSIGN_SENT.value] = (
        "not confirmed yet; the next run checks Spott before sending anything"
    )
    codes, messages = entry_column("code"), entry_column("message")
    worded = known & ~assigned & (state != State.ASSIGN_SENT.value)
    worded &= (codes != None) | (state == State.FAILED.value)  # noqa: E711 (element-wise)
    for i in np.flatnonzero(worded).tolist():
        code = codes[i] or ("retries_exhausted" if state[i] == State.FAILED.value else None)
        error[i] = format_error(code, messages[i] or "") if code else ""
    notes = validation.notes_by_row()
    note = np.full(n, "", dtype=object)
    if notes:
        for i in np.flatnonzero(keys.isin(notes.keys()).to_numpy()).tolist():
            note[i] = notes[keys.iat[i]]
    if validation.done:
        # Rows done before are not validated again: their note stays as the manifest has it.
        was_done = among(keys.to_numpy(), validation.done)
        note[was_done] = rows[s.NOTE].to_numpy()[was_done]
    problems = validation.problems_by_row()
    if problems:
        for i in np.flatnonzero(keys.isin(problems.keys()).to_numpy()).tolist():
            status[i], attachment[i], updated[i] = s.INVALID, "", now
            error[i] = "; ".join(format_error(c, m) for c, m in problems[keys.iat[i]])
    # Rows assigned in an earlier run elsewhere (no entry here): leave the user's cells alone.
    keep = known | ~among(keys.to_numpy(), validation.done) if validation.done else None
    out = pd.DataFrame(
        {
            s.SOURCE_ROW: rows[s.SOURCE_ROW].to_numpy(dtype=np.int64),
            s.ROW_KEY: keys.to_numpy(),
            s.STATUS: status,
            s.ATTACHMENT_ID: attachment,
            s.ERROR: error,
            s.UPDATED_AT: updated,
            s.NOTE: note,
        }
    )
    return out if keep is None or keep.all() else out[keep].reset_index(drop=True)


def write_back(manifest: Manifest, results: pd.DataFrame, output: Path | None = None) -> Path:
    """Write the result columns into the manifest (or ``output``), each on its row key's row.

    Into the manifest itself only rows whose result changed are written; when none did, the
    file is left alone (a re-run of a finished manifest does not even rewrite it). ``manifest``
    is kept up to date: after a save by the user it holds the file as read again, and after
    our own write it knows the cells it wrote, so the next checkpoint need not read it again.
    """
    for _ in range(PLACEMENT_ATTEMPTS):
        if not manifest.unchanged_on_disk():
            manifest.take_over(_read_again(manifest))
        placed = _placed(results, manifest)
        if output is None:
            placed = _changed(manifest, placed)
            if placed.empty:
                return manifest.path

        def remember(info: os.stat_result, done: pd.DataFrame = placed) -> None:
            manifest.wrote(info, done)

        try:
            return write_results(
                manifest.path,
                _cells(manifest, placed),
                sheet=manifest.sheet,
                header_row=manifest.header_row,
                output=output,
                unchanged=manifest.unchanged_on_disk,
                replaced=remember if output is None else None,
            )
        except ManifestChangedError:
            continue  # saved by someone while we wrote: read it again, place again
    raise WriteBackError(
        f"{manifest.path.name} kept changing while results were written into it; close it in "
        "other programs and re-run (every result is kept in the journal)"
    )


def _read_again(manifest: Manifest) -> Manifest:
    """The manifest as it is now on disk, read the way it was read before."""
    try:
        return read_manifest(manifest.path, sheet=manifest.sheet, column_map=manifest.column_map)
    except ManifestError as exc:
        raise WriteBackError(
            f"{manifest.path.name} was changed during the run and can no longer be read ({exc}); "
            "every result is kept in the journal: fix the file and re-run"
        ) from None


def _placed(results: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """``results`` with ``source_row`` taken from ``manifest`` by row key (keys it lacks drop)."""
    rows = manifest.rows[[s.ROW_KEY, s.SOURCE_ROW]]
    placed = results.drop(columns=[s.SOURCE_ROW]).merge(rows, on=s.ROW_KEY, how="inner")
    return placed[[s.SOURCE_ROW, s.ROW_KEY, *[c for c in s.RESULT_COLUMNS if c in placed]]]


def _changed(manifest: Manifest, results: pd.DataFrame) -> pd.DataFrame:
    compared = [c for c in (s.STATUS, s.ATTACHMENT_ID, s.ERROR, s.NOTE) if c in results.columns]
    current = manifest.rows[[s.SOURCE_ROW, *compared]]
    both = results.merge(current, on=s.SOURCE_ROW, how="left", suffixes=("", "_now"))
    same = pd.Series(True, index=both.index)
    for column in compared:
        same &= both[column].astype(str) == both[f"{column}_now"].fillna("").astype(str)
    return results[~same.to_numpy()]


def _written_columns(manifest: Manifest, results: pd.DataFrame) -> list[str]:
    """The result columns to write: ``spott_note`` only where some row has a note or the
    manifest has the column already (so a note can be cleared), not into every manifest."""
    columns = [c for c in s.RESULT_COLUMNS if c in results.columns]
    if (
        s.NOTE in columns
        and s.NOTE not in manifest.column_map
        and not (results[s.NOTE] != "").any()
    ):
        columns.remove(s.NOTE)
    return columns


def _cells(manifest: Manifest, results: pd.DataFrame) -> dict[int, dict[str, str]]:
    columns = _written_columns(manifest, results)
    # Column by column: a dict per row from `to_dict("records")` costs ~10× more at 100k rows.
    texts = [results[c].astype(str).tolist() for c in columns]
    return {
        int(row): dict(zip(columns, values, strict=True))
        for row, *values in zip(results[s.SOURCE_ROW].tolist(), *texts, strict=True)
    }
