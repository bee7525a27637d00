"""Crosswalks: reading CSVs and workbooks, and filling ids without dropping rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from spott_migrate.errors import ConfigError
from spott_migrate.legacy import Crosswalk, apply_crosswalk, build_from_tree, load_crosswalk
from spott_migrate.legacy.problems import code_of


@pytest.mark.parametrize("name", ["crosswalk.csv", "crosswalk.xlsx"])
def test_sample_crosswalks_read_alike(sample: Path, name: str) -> None:
    cw = load_crosswalk(sample / name)
    assert cw.lookup("candidate", "L-1001") == ("c-ada",)
    assert cw.lookup("company", "C-200") == ("co-acme",)
    assert cw.lookup("vacancy", "V-301") == ("v-backend",)
    assert cw.lookup("candidate", "L-1012") == ("c-lee-1", "c-lee-2")
    assert cw.lookup("company", "L-1001") == ()  # kinds are kept apart
    assert cw.lookup("candidate", "L-1006") == ()


def test_crosswalk_without_kind_column_applies_to_the_given_kind_or_any(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("Legacy ID;Spott ID\n 1001 ;c-1\n1002;\n")
    anykind = load_crosswalk(path)
    assert anykind.lookup("company", "1001") == ("c-1",)
    assert anykind.lookup("candidate", "1002") == ()  # an empty Spott id is no mapping
    assert load_crosswalk(path, entity="vacancy").lookup("candidate", "1001") == ()


def test_workbook_numbers_become_plain_ids(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Jobs"
    sheet.append(["legacy_id", "spott_id"])
    sheet.append([1001, "v-1"])
    sheet.append([1002.0, 5])
    book.save(tmp_path / "cw.xlsx")
    cw = load_crosswalk(tmp_path / "cw.xlsx")
    assert cw.lookup("vacancy", "1001") == ("v-1",)
    assert cw.lookup("vacancy", "1002") == ("5",)


def test_crosswalk_needs_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("who,what\n1,2\n")
    with pytest.raises(ConfigError, match="legacy id column"):
        load_crosswalk(path)


def test_apply_keeps_every_row_and_reports_the_unmapped(sample: Path) -> None:
    built = build_from_tree(sample / "tree")
    df = apply_crosswalk(built, load_crosswalk(sample / "crosswalk.csv"))
    assert len(df) == len(built)
    rows = df.set_index("source_path")
    ada = rows.loc["candidates/L-1001/Ada_Lovelace_CV.pdf"]
    assert (ada["candidate_id"], ada["resolved_by"], ada["spott_build_problem"]) == (
        "c-ada",
        "crosswalk",
        "",
    )
    assert rows.loc["companies/C-200/logo.png", "company_id"] == "co-acme"
    assert rows.loc["vacancies/V-301/JD Backend Developer.pdf", "vacancy_id"] == "v-backend"
    assert rows.loc["candidates/L-1006/Resume.pdf", "spott_build_problem"] == (
        "unresolved: candidate L-1006: not in crosswalk.csv"
    )
    assert rows.loc["candidates/L-1006/Resume.pdf", "spott_status"] == "invalid"
    assert rows.loc["candidates/L-1012/CV.docx", "spott_build_problem"] == (
        "ambiguous: candidate L-1012: crosswalk.csv maps it to 2 Spott ids: c-lee-1, c-lee-2"
    )
    assert rows.loc["candidates/L-1012/CV.docx", "candidate_id"] == ""
    # Files outside the layout keep their own reason.
    assert code_of(rows.loc["export_info.txt", "spott_build_problem"]) == "target_missing"


def test_given_ids_are_not_overwritten() -> None:
    from spott_migrate.legacy.columns import blank_row, manifest_frame

    row = blank_row() | {
        "legacy_entity": "candidate",
        "legacy_id": "1",
        "candidate_id": "c-own",
        "resolved_by": "given",
        "file_path": "x.pdf",
    }
    df = apply_crosswalk(
        manifest_frame([row]), Crosswalk.from_pairs([("candidate", "1", "c-other")])
    )
    assert df.iloc[0]["candidate_id"] == "c-own"
