"""Validation: every code, all problems at once, before any network call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from spott_migrate import check
from spott_migrate.codes import Code

from .files import pdf_bytes, png_bytes, write
from .helpers import write_csv


def _codes(path: Path) -> dict[int, set[str]]:
    chk = check(path)
    found: dict[int, set[str]] = {}
    for row in chk.validation.problems.itertuples(index=False):
        found.setdefault(row.source_row, set()).add(row.code)
    return found


def test_every_validation_code(tmp_path: Path) -> None:
    write(tmp_path / "ok.pdf", pdf_bytes())
    write(tmp_path / "logo.png", png_bytes())
    write(tmp_path / "empty.pdf", b"")
    write(tmp_path / "virus.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    write(tmp_path / "note.txt", b"plain text")
    write(tmp_path / "garbage.pdf", b"\x01\x02\x03" * 50)
    (tmp_path / "folder.pdf").mkdir()
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.write(pdf_bytes())
        handle.truncate(50_000_001)
    unreadable = write(tmp_path / "locked.pdf", pdf_bytes())
    os.chmod(unreadable, 0)
    rows = [
        ("ok.pdf", "resume", "c1", "", "", ""),  # 2: fine (synonym)
        ("", "CV", "c1", "", "", ""),  # 3: path_missing
        ("missing.pdf", "CV", "c1", "", "", ""),  # 4: file_missing
        ("folder.pdf", "CV", "c1", "", "", ""),  # 5: not_a_file
        ("empty.pdf", "CV", "c1", "", "", ""),  # 6: file_empty
        ("big.pdf", "CV", "c1", "", "", ""),  # 7: file_too_large
        ("note.txt", "CV", "c1", "", "", ""),  # 8: extension_not_allowed
        ("virus.pdf", "CV", "c1", "", "", ""),  # 9: content_not_allowed (an EXE)
        ("garbage.pdf", "CV", "c1", "", "", ""),  # 10: content_not_allowed
        ("logo.png", "", "", "co1", "", ""),  # 11: type_missing
        ("logo.png", "Photograph of cat", "", "co2", "", ""),  # 12: type_unknown
        ("logo.png", "LOGO", "", "", "", ""),  # 13: target_missing
        ("ok.pdf", "CV", "c1", "", "", ""),  # 14: duplicate_row of 2
        ("locked.pdf", "CV", "c1", "", "", ""),  # 15: file_unreadable (unless root)
        ("missing.pdf", "nonsense", "", "", "", ""),  # 16: several problems at once
    ]
    codes = _codes(write_csv(tmp_path / "m.csv", rows))
    assert 2 not in codes
    assert codes[3] == {Code.PATH_MISSING}
    assert codes[4] == {Code.FILE_MISSING}
    assert codes[5] == {Code.NOT_A_FILE}
    assert codes[6] == {Code.FILE_EMPTY}
    assert Code.FILE_TOO_LARGE in codes[7]
    assert codes[8] == {Code.EXTENSION_NOT_ALLOWED}
    assert codes[9] == {Code.CONTENT_NOT_ALLOWED}
    assert codes[10] == {Code.CONTENT_NOT_ALLOWED}
    assert codes[11] == {Code.TYPE_MISSING}
    assert codes[12] == {Code.TYPE_UNKNOWN}
    assert codes[13] == {Code.TARGET_MISSING}
    assert codes[14] == {Code.DUPLICATE_ROW}
    if os.geteuid() != 0:  # root reads everything (the probe below covers it either way)
        assert codes[15] == {Code.FILE_UNREADABLE}
    assert codes[16] == {Code.FILE_MISSING, Code.TYPE_UNKNOWN, Code.TARGET_MISSING}


def test_same_content_under_two_paths_for_one_record_is_a_duplicate(tmp_path: Path) -> None:
    write(tmp_path / "a" / "cv.pdf", pdf_bytes())
    write(tmp_path / "b" / "cv copy.pdf", pdf_bytes())
    write(tmp_path / "c.pdf", pdf_bytes(pad=5))
    rows = [
        ("a/cv.pdf", "CV", "c1", "", "", ""),
        ("b/cv copy.pdf", "CV", "c1", "", "", ""),
        ("c.pdf", "CV", "c1", "", "", ""),
        ("b/cv copy.pdf", "CV", "c2", "", "", ""),  # another record: fine
    ]
    codes = _codes(write_csv(tmp_path / "m.csv", rows))
    assert codes == {3: {Code.DUPLICATE_ROW}}


def test_types_normalise_to_wire_spelling(tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", pdf_bytes())
    rows = [
        ("a.pdf", "Cover Letter", "c1", "", "", ""),
        ("a.pdf", "cv", "c2", "", "", ""),
        ("a.pdf", "job-description", "", "", "v1", ""),
        ("a.pdf", "exportedtemplatedcv", "c3", "", "", ""),
    ]
    chk = check(write_csv(tmp_path / "m.csv", rows))
    assert list(chk.validation.jobs["wire_type"]) == [
        "COVER_LETTER",
        "CV",
        "JOB_DESCRIPTION",
        "ExportedTemplatedCv",
    ]


@pytest.mark.parametrize("name", ["photo.jpg", "photo.jpeg"])
def test_jpeg_alias_extensions(tmp_path: Path, name: str) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / name, format="JPEG")
    chk = check(write_csv(tmp_path / "m.csv", [(name, "ID_DOCUMENT", "c1", "", "", "")]))
    assert chk.validation.invalid_rows == 0
    assert chk.validation.jobs.iloc[0]["mime"] == "image/jpeg"


def _renaming_rows(tmp_path: Path) -> Path:
    from .corpus import fpdf_pdf, picture

    write(tmp_path / "logo.png", picture("GIF", (4, 4), "red"))
    write(tmp_path / "photo.png", picture("JPEG", (4, 4), "red"))
    write(tmp_path / "cv.txt", fpdf_pdf("a PDF named .txt"))
    write(tmp_path / "fine.png", png_bytes())
    rows = [
        ("logo.png", "LOGO", "", "co1", "", ""),  # 2: renamed, display from the file
        ("photo.png", "CV", "c1", "", "", "My photo.png"),  # 3: renamed, display given
        ("cv.txt", "CV", "c1", "", "", ""),  # 4: an extension Spott refuses, content it takes
        ("fine.png", "LOGO", "", "co2", "", ""),  # 5: as named
    ]
    return write_csv(tmp_path / "m.csv", rows)


def test_content_spott_accepts_under_another_name_goes_as_its_content(tmp_path: Path) -> None:
    chk = check(_renaming_rows(tmp_path))
    validation = chk.validation
    assert validation.invalid_rows == 0
    jobs = validation.jobs.set_index("source_row")
    assert list(jobs["mime"]) == ["image/gif", "image/jpeg", "application/pdf", "image/png"]
    assert list(jobs["display_name"]) == ["logo.gif", "My photo.jpg", "cv.pdf", "fine.png"]
    notices = validation.notices.set_index("source_row")
    assert list(notices.index) == [2, 3, 4]
    assert set(notices["code"]) == {Code.RENAMED_TO_CONTENT}
    assert notices.loc[4, "message"] == "named .txt but the content is PDF; sent as cv.pdf"
    assert notices.loc[3, "note"] == "renamed: content is JPEG"
    # The upload names follow the content too.
    names = {j.source_row: j.upload_name for b in chk.plan.batches for j in b.jobs}
    assert names == {2: "logo.gif", 3: "photo.jpg", 4: "cv.pdf", 5: "fine.png"}


def test_strict_content_keeps_the_refusal(tmp_path: Path) -> None:
    from spott_migrate import Settings

    chk = check(_renaming_rows(tmp_path), settings=Settings(strict_content=True))
    problems = chk.validation.problems
    codes = dict(zip(problems["source_row"], problems["code"], strict=True))
    assert codes == {
        2: Code.CONTENT_MISMATCH,
        3: Code.CONTENT_MISMATCH,
        4: Code.EXTENSION_NOT_ALLOWED,
    }
    messages = set(chk.validation.problems["message"])
    assert "named .png but the content is GIF" in messages
    assert chk.validation.notices.empty
    assert list(chk.validation.jobs["source_row"]) == [5]


def test_an_unreadable_file_is_its_own_code(tmp_path: Path) -> None:
    """As a probe reports a file its user may not read (root can read everything, so the
    probe is made by hand rather than with chmod)."""
    from spott_migrate.manifest import read_manifest
    from spott_migrate.probe import FileProbe
    from spott_migrate.validation import validate

    path = write_csv(tmp_path / "m.csv", [("locked.pdf", "CV", "c1", "", "", "")])
    manifest = read_manifest(path)
    locked = manifest.resolve("locked.pdf")
    probe = FileProbe(
        locked, exists=True, is_file=True, readable=False, size=10, error="Permission denied"
    )
    validation = validate(manifest, {locked: probe})
    assert validation.problems["code"].tolist() == [Code.FILE_UNREADABLE]
    assert validation.problems["message"].tolist() == ["cannot read locked.pdf: Permission denied"]
