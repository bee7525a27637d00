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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import format_error
from .columns import among, filled
from .errors import ManifestChangedError, ManifestError, WriteBackError
from .journal import Entry, JournalView, State, utc_now
from .manifest import Manifest, read_manifest
from .manifest import schema as s
from .validation import Validation
from .writeback import ResultTable, write_results

# How often a write-back starts over because the file changed while it was being written.
PLACEMENT_ATTEMPTS = 3


def project_results(
    manifest: Manifest,
    validation: Validation,
    entries: Mapping[str, Entry],
    *,
    at: np.ndarray | None = None,
) -> pd.DataFrame:
    """The result columns for every row that is not already done: a view of the journal.

    Column by column: only rows with an error to word (invalid, failed, a note) are formatted
    one by one. ``at``: each row's row in the entries' frame, when the caller found it already.
    """
    rows = manifest.rows
    keys = rows[s.ROW_KEY]
    n = len(rows)
    view = JournalView.of(entries)
    journal = view.frame
    if at is None or len(at) != n:
        at, in_order = _positions(view, keys.to_numpy(dtype=object))
    else:
        in_order = len(journal) == n and bool((at == np.arange(n)).all())
    known = at >= 0
    everywhere = bool(known.all())

    def entry_column(name: str) -> np.ndarray:
        values: np.ndarray = journal[name].to_numpy(dtype=object)
        if everywhere:  # every row has an entry: no column of None to fill first
            return values if in_order else values[at]
        column = filled(n, None)
        column[known] = values[at[known]]
        return column

    state = entry_column("state")
    now = utc_now()
    assigned = state == State.ASSIGNED.value
    failed = state == State.FAILED.value
    sent = state == State.ASSIGN_SENT.value
    status = filled(n, s.PENDING)
    status[assigned] = s.ASSIGNED
    status[failed] = s.FAILED
    attachment = filled(n, "")
    ids = entry_column("attachment_id")
    given = ids[assigned]  # (a copy)
    given[given == None] = ""  # noqa: E711 (element-wise)
    attachment[assigned] = given
    error = filled(n, "")
    error[sent] = "not confirmed yet; the next run checks Spott before sending anything"
    if everywhere:  # (a copy: written to below, and it may be the journal's own column)
        updated = entry_column("updated_at").copy()
    else:
        updated = filled(n, now)
        updated[known] = entry_column("updated_at")[known]
    worded = known & ~assigned & ~sent
    if worded.any():
        codes, messages = entry_column("code"), entry_column("message")
        worded &= (codes != None) | failed  # noqa: E711 (element-wise)
        for i in np.flatnonzero(worded).tolist():
            code = codes[i] or ("retries_exhausted" if failed[i] else None)
            error[i] = format_error(code, messages[i] or "") if code else ""
    notes = validation.notes_by_row()
    note = filled(n, "")
    if notes:
        for i in np.flatnonzero(keys.isin(notes.keys()).to_numpy()).tolist():
            note[i] = notes[keys.iat[i]]
    was_done: np.ndarray | None = None
    if validation.done is view.key_set:  # done means "in the journals" (all of it assigned)
        was_done = known
    elif validation.done:
        was_done = among(keys.to_numpy(), validation.done)
    if was_done is not None:
        # Rows done before are not validated again: their note stays as the manifest has it.
        note[was_done] = rows[s.NOTE].to_numpy()[was_done]
    problems = validation.problems_by_row()
    if problems:
        for i in np.flatnonzero(keys.isin(problems.keys()).to_numpy()).tolist():
            status[i], attachment[i], updated[i] = s.INVALID, "", now
            error[i] = "; ".join(format_error(c, m) for c, m in problems[keys.iat[i]])
    # Rows assigned in an earlier run elsewhere (no entry here): leave the user's cells alone.
    keep = known | ~was_done if was_done is not None else None
    out = pd.DataFrame(
        {
            s.ROW_KEY: keys.to_numpy(dtype=object),
            s.STATUS: status,
            s.ATTACHMENT_ID: attachment,
            s.ERROR: error,
            s.UPDATED_AT: updated,
            s.NOTE: note,
        },
        dtype=object,  # text as str objects, like the manifest's own columns
        copy=False,
    )
    out.insert(0, s.SOURCE_ROW, rows[s.SOURCE_ROW].to_numpy(dtype=np.int64))
    return out if keep is None or keep.all() else out[keep].reset_index(drop=True)


def _positions(view: JournalView, keys: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each row key's position among the journal's rows (-1 where it has none), and whether
    they are simply the manifest's rows in its order (as when the journal was filled so)."""
    journal = view.frame
    if not len(journal):
        return np.full(len(keys), -1, dtype=np.int64), False
    theirs = journal["row_key"].to_numpy(dtype=object)
    same_ends = len(theirs) == len(keys) and theirs[0] == keys[0] and theirs[-1] == keys[-1]
    if same_ends and bool((theirs == keys).all()):
        return np.arange(len(keys)), True
    return view.positions(keys), False


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
            placed = placed.subset(_changed(manifest, placed))
            if not len(placed):
                return manifest.path

        table = _table(manifest, placed)

        def remember(
            info: os.stat_result, done: _Placed = placed, in_file: ResultTable = table
        ) -> None:
            manifest.wrote(info, done.at, in_file.columns)

        try:
            return write_results(
                manifest.path,
                table,
                sheet=manifest.sheet,
                header_row=manifest.header_row,
                output=output,
                unchanged=manifest.unchanged_on_disk,
                replaced=remember if output is None else None,
                shape=manifest.shape,
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


@dataclass(frozen=True)
class _Placed:
    """Results placed on the manifest's rows, as text (``Series.astype(str)``, as written):
    ``at`` are positions in ``manifest.rows``."""

    at: np.ndarray
    source_rows: np.ndarray
    columns: dict[str, np.ndarray]  # result column -> one text per placed row
    all_text: frozenset[str]  # columns that were str on every row (the usual case)

    def __len__(self) -> int:
        return len(self.at)

    def subset(self, keep: np.ndarray) -> _Placed:
        if keep.all():
            return self
        columns = {c: v[keep] for c, v in self.columns.items()}
        return _Placed(self.at[keep], self.source_rows[keep], columns, self.all_text)


def _placed(results: pd.DataFrame, manifest: Manifest) -> _Placed:
    """``results`` on the rows of ``manifest`` that carry their row keys (keys it lacks drop),
    in the order of ``results``."""
    rows = manifest.rows
    keys = results[s.ROW_KEY].to_numpy(dtype=object)
    theirs = rows[s.ROW_KEY].to_numpy(dtype=object)
    picked: np.ndarray | slice
    if len(keys) == len(theirs) and (_same_memory(keys, theirs) or bool((keys == theirs).all())):
        # The usual case: projected from this very manifest, row for row.
        picked, at = slice(None), np.arange(len(keys))
    else:
        index = pd.Index(theirs)
        if index.is_unique:
            found = index.get_indexer(keys)
            picked = np.flatnonzero(found >= 0)
            at = found[picked]
        else:  # keys are unique as read; this keeps a frame built by hand working
            pairs = pd.DataFrame({"key": keys, "i": np.arange(len(keys))}).merge(
                pd.DataFrame({"key": theirs, "at": np.arange(len(theirs))}), on="key"
            )
            picked, at = pairs["i"].to_numpy(), pairs["at"].to_numpy()
    source_rows = rows[s.SOURCE_ROW].to_numpy(dtype=np.int64)
    columns: dict[str, np.ndarray] = {}
    all_text: set[str] = set()
    for column in (c for c in s.RESULT_COLUMNS if c in results.columns):
        values = results[column].to_numpy(dtype=object)[picked]
        texts = columns[column] = _text(values)
        if texts is values:
            all_text.add(column)
    return _Placed(
        at=at,
        source_rows=source_rows if isinstance(picked, slice) else source_rows[at],
        columns=columns,
        all_text=frozenset(all_text),
    )


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays are views of the same elements (results projected from this very
    manifest hand its key column on): equal without a look at them."""
    here, there = a.__array_interface__, b.__array_interface__
    return bool(here["data"] == there["data"] and a.strides == b.strides and a.shape == b.shape)


def _changed(manifest: Manifest, placed: _Placed) -> np.ndarray:
    """Which placed rows would change the manifest's cells (the time alone does not count)."""
    compared = [c for c in (s.STATUS, s.ATTACHMENT_ID, s.ERROR, s.NOTE) if c in placed.columns]
    everywhere = len(placed) == len(manifest.rows) and bool(
        (placed.at == np.arange(len(placed))).all()
    )
    same = np.ones(len(placed), dtype=bool)
    for column in compared:
        now = manifest.rows[column].to_numpy(dtype=object)
        now = _text(now if everywhere else now[placed.at], fill=True)
        same &= np.asarray(placed.columns[column] == now, dtype=bool)
    return ~same


def _text(values: np.ndarray, *, fill: bool = False) -> np.ndarray:
    """``Series.astype(str)`` (after ``fillna("")`` with ``fill``) as an object array; a
    column that is all text already is handed back as it is."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    series = pd.Series(values, dtype=object)
    if fill:
        series = series.fillna("")
    texts: np.ndarray = series.astype(str).to_numpy(dtype=object)
    return texts


def _written_columns(manifest: Manifest, placed: _Placed) -> list[str]:
    """The result columns to write: ``spott_note`` only where some row has a note or the
    manifest has the column already (so a note can be cleared), not into every manifest."""
    columns = list(placed.columns)
    if (
        s.NOTE in columns
        and s.NOTE not in manifest.column_map
        and not (placed.columns[s.NOTE] != "").any()
    ):
        columns.remove(s.NOTE)
    return columns


def _table(manifest: Manifest, placed: _Placed) -> ResultTable:
    columns = _written_columns(manifest, placed)
    texts = {c: placed.columns[c] for c in columns}
    return ResultTable(placed.source_rows, texts, placed.all_text & set(columns))
