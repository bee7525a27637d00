"""The column-wise check agrees with the row-by-row rules it replaced, and finds files whose
names differ from the sheet only in their Unicode normal form."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pandas as pd

from spott_migrate import check
from spott_migrate.codes import Code
from spott_migrate.journal import Journal, JournalView, State, journal_path, load_entries
from spott_migrate.manifest import read_manifest
from spott_migrate.manifest.read import row_key, row_keys
from spott_migrate.manifest.schema import ROW_KEY, SOURCE_ROW
from spott_migrate.pipeline import project_results

from .files import pdf_bytes, write
from .helpers import write_csv


def _journal(manifest: Path, tag: str | None, keys: list[tuple[str, int]], rng: random.Random):
    with Journal(journal_path(manifest, tag)) as journal:
        for key, row in keys:
            kind = rng.choice(["uploaded", "assigned", "failed", "note", "sent", "none"])
            if kind == "none":
                continue
            journal.record_uploaded({key: (row, f"t-{row}", f"f{row}.pdf", 10 + row)})
            if kind == "assigned":
                journal.record_assigned({key: (row, f"a-{row}-{tag}")})
            elif kind == "failed":
                journal.record_failed([(key, row)], "upload_rejected", f"no {row}")
            elif kind == "note":
                journal.record_note([(key, row)], "retries_exhausted", "later")
            elif kind == "sent":
                journal.record_assign_sent([(key, row)])


def test_journal_view_and_projection_agree_with_the_entries(tmp_path: Path) -> None:
    rng = random.Random(4)
    for i in range(40):
        write(tmp_path / f"f{i}.pdf", pdf_bytes(f"f {i}", pad=i))
    rows = [(f"f{i}.pdf", "CV", f"c{i % 9}", "", "", "") for i in range(40)]
    rows.append(("missing.pdf", "CV", "c1", "", "", ""))  # invalid
    manifest = write_csv(tmp_path / "m.csv", rows)
    frame = read_manifest(manifest).rows
    keys = list(zip(frame[ROW_KEY], frame[SOURCE_ROW].astype(int), strict=True))
    _journal(manifest, None, keys, rng)
    _journal(manifest, "shard-1-of-2", keys[::2], rng)  # a second journal to merge with
    entries = load_entries(manifest, None)
    view = JournalView.load(manifest, None)
    assert set(view) == set(entries)
    assert {k: view[k] for k in view} == entries
    assert view.keys_in(State.ASSIGNED) == {
        k for k, e in entries.items() if e.state is State.ASSIGNED
    }

    chk = check(manifest)
    by_view = project_results(chk.manifest, chk.validation, view)
    by_dict = project_results(chk.manifest, chk.validation, entries)
    pd.testing.assert_frame_equal(by_view, by_dict)
    expected = _row_by_row(chk, entries)
    assert by_view.drop(columns="spott_updated_at").values.tolist() == expected


def _row_by_row(chk, entries) -> list[list[object]]:  # type: ignore[no-untyped-def]
    """The projection's rules, one row at a time (times left out)."""
    problems = chk.validation.problems_by_row()
    out: list[list[object]] = []
    for key, row in zip(chk.manifest.rows[ROW_KEY], chk.manifest.rows[SOURCE_ROW], strict=True):
        if key in chk.validation.done and key not in entries:
            continue
        entry = entries.get(key)
        if key in problems:
            error = "; ".join(f"{c}: {m}" for c, m in problems[key])
            cells = ["invalid", "", error]
        elif entry is None:
            cells = ["pending", "", ""]
        elif entry.state is State.ASSIGNED:
            cells = ["assigned", entry.attachment_id or "", ""]
        elif entry.state is State.FAILED:
            cells = ["failed", "", f"{entry.code or 'retries_exhausted'}: {entry.message or ''}"]
        elif entry.state is State.ASSIGN_SENT:
            note = "not confirmed yet; the next run checks Spott before sending anything"
            cells = ["pending", "", note]
        else:
            note = f"{entry.code}: {entry.message or ''}" if entry.code else ""
            cells = ["pending", "", note]
        out.append([int(row), key, *cells, ""])  # no row of this manifest has a note
    return out


def test_row_keys_by_column_equal_the_row_key_of_each_row() -> None:
    rng = random.Random(7)
    parts = ["a", "b.pdf", ".", "..", "", " x ", "\\", "//", ".hid", "ü", "c d.pdf"]
    paths = [
        "".join(rng.choice(parts) + rng.choice(["/", ""]) for _ in range(3)) for _ in range(500)
    ]
    types = [rng.choice(["CV", " cv", "Cover Letter", "nonsense", ""]) for _ in paths]
    ids = [rng.choice(["c1", " c2 ", ""]) for _ in paths]
    assert row_keys(paths, types, ids, ids, ids) == [
        row_key(*row) for row in zip(paths, types, ids, ids, ids, strict=True)
    ]


def test_a_name_in_another_unicode_form_is_found(tmp_path: Path) -> None:
    # The sheet writes the name composed (NFC); the disk has it decomposed (NFD), as macOS does.
    name = "Lebenslauf Jürgen.pdf"
    folder = unicodedata.normalize("NFD", "Müller")
    write(tmp_path / folder / unicodedata.normalize("NFD", name), pdf_bytes("cv"))
    rows = [(f"Müller/{name}", "CV", "c1", "", "", "")]
    chk = check(write_csv(tmp_path / "m.csv", rows))
    assert chk.validation.invalid_rows == 0
    (job,) = chk.validation.todo.jobs()
    assert job.path.exists()
    assert job.path.name == unicodedata.normalize("NFD", name)  # the file as it is on disk
    assert job.display_name == name  # named in Spott as the sheet spells it


def test_a_missing_file_names_the_nearest_name_in_its_folder(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "Curriculum_Vitae_2021.pdf", pdf_bytes("cv"))
    write(tmp_path / "docs" / "other.pdf", pdf_bytes("other"))
    rows = [
        ("docs/Curriculum Vitae 2021.pdf", "CV", "c1", "", "", ""),  # close: a hint
        ("docs/holiday.pdf", "CV", "c2", "", "", ""),  # nothing close: no hint
        ("nowhere/cv.pdf", "CV", "c3", "", "", ""),  # no such folder
    ]
    chk = check(write_csv(tmp_path / "m.csv", rows))
    problems = chk.validation.problems
    messages = dict(zip(problems["source_row"], problems["message"], strict=True))
    codes = set(chk.validation.problems["code"])
    assert codes == {Code.FILE_MISSING}
    assert messages[2] == (
        "no file at docs/Curriculum Vitae 2021.pdf; did you mean docs/Curriculum_Vitae_2021.pdf?"
    )
    assert messages[3] == "no file at docs/holiday.pdf"
    assert messages[4] == "no file at nowhere/cv.pdf"


def test_a_journal_in_the_order_of_a_run_projects_as_the_entries_say(tmp_path: Path) -> None:
    """A run records rows in the order of its plan, not of the sheet: each row is found in
    the journal by its key whatever the order, once by the check and again by the projection."""
    for i in range(30):
        write(tmp_path / f"f{i}.pdf", pdf_bytes(f"f {i}", pad=i))
    rows = [(f"f{i}.pdf", "CV", f"c{i % 7}", "", "", "") for i in range(30)]
    manifest = write_csv(tmp_path / "m.csv", rows)
    frame = read_manifest(manifest).rows
    keys = list(zip(frame[ROW_KEY], frame[SOURCE_ROW].astype(int), strict=True))
    random.Random(2).shuffle(keys)
    with Journal(journal_path(manifest)) as journal:
        journal.record_uploaded({k: (row, f"t-{row}", f"f{row}.pdf", 10 + row) for k, row in keys})
        journal.record_assigned({k: (row, f"a-{row}") for k, row in keys[:25]})
    chk = check(manifest)
    view = chk.entries
    assert isinstance(view, JournalView)
    assert chk.journal_rows is not None
    assert chk.journal_rows.tolist() == view.frame.index.get_indexer(frame[ROW_KEY]).tolist()
    given = project_results(chk.manifest, chk.validation, view, at=chk.journal_rows)
    found = project_results(chk.manifest, chk.validation, view)
    by_dict = project_results(chk.manifest, chk.validation, load_entries(manifest, None))
    pd.testing.assert_frame_equal(given, found)
    pd.testing.assert_frame_equal(given, by_dict)
    assert given.drop(columns="spott_updated_at").values.tolist() == _row_by_row(
        chk, load_entries(manifest, None)
    )
