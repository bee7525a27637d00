"""Folder-per-record exports, on disk and zipped."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from spott_migrate.errors import ConfigError
from spott_migrate.legacy import Layout, TypeRules, build_from_tree
from spott_migrate.legacy.problems import code_of

# Every file of the sample tree: (record kind, legacy id, type, rule) with the sample's rules.
EXPECTED = {
    "candidates/L-1001/Ada_Lovelace_CV.pdf": ("candidate", "L-1001", "CV", "name:cv"),
    "candidates/L-1001/Cover Letter - Ada Lovelace.docx": (
        "candidate",
        "L-1001",
        "COVER_LETTER",
        "name:cover letter",
    ),
    "candidates/L-1001/misc/headshot.png": ("candidate", "L-1001", "unassigned", "default"),
    "candidates/L-1002/Arbeitsvertrag_2021.pdf": (
        "candidate",
        "L-1002",
        "OFFER",
        "name:re:vertrag (type_rules.csv)",
    ),
    "candidates/L-1002/Lebenslauf_Mueller.pdf": ("candidate", "L-1002", "CV", "name:lebenslauf"),
    "candidates/L-1002/Reisepass_Mueller.png": (
        "candidate",
        "L-1002",
        "ID_DOCUMENT",
        "name:reisepass (type_rules.csv)",
    ),
    "candidates/L-1003/References.txt": ("candidate", "L-1003", "unassigned", "default"),
    "candidates/L-1003/Resume - Grace Hopper.rtf": ("candidate", "L-1003", "CV", "name:resume"),
    "candidates/L-1004/cv_alan_turing.docx": ("candidate", "L-1004", "CV", "name:cv"),
    "candidates/L-1005/CV.pdf": ("candidate", "L-1005", "CV", "name:cv"),
    "candidates/L-1006/Resume.pdf": ("candidate", "L-1006", "CV", "name:resume"),
    "candidates/L-1007/CV Bob Boss.pdf": ("candidate", "L-1007", "CV", "name:cv"),
    "candidates/L-1008/Offer Letter.pdf": ("candidate", "L-1008", "OFFER", "name:offer"),
    "candidates/L-1009/Interview notes.eml": ("candidate", "L-1009", "unassigned", "default"),
    "candidates/L-1010/Passport scan.png": ("candidate", "L-1010", "ID_DOCUMENT", "name:passport"),
    "candidates/L-1012/CV.docx": ("candidate", "L-1012", "CV", "name:cv"),
    "companies/C-200/Terms of Business.pdf": (
        "company",
        "C-200",
        "TERMS_AND_CONDITIONS",
        "name:terms of business",
    ),
    "companies/C-200/contracts/Master Services Agreement.pdf": (
        "company",
        "C-200",
        "OFFER",
        "folder:contract",
    ),
    "companies/C-200/logo.png": ("company", "C-200", "LOGO", "name:logo"),
    "companies/C-201/logo.svg": ("company", "C-201", "LOGO", "name:logo"),
    "contacts/P-7001/notes.pdf": ("contacts", "P-7001", "unassigned", "default"),
    "export_info.txt": ("", "", "unassigned", "default"),
    "vacancies/V-300/Interview Scorecard.xlsx": ("vacancy", "V-300", "SCORECARD", "name:scorecard"),
    "vacancies/V-300/Job Spec - Data Engineer.docx": (
        "vacancy",
        "V-300",
        "JOB_DESCRIPTION",
        "name:job spec",
    ),
    "vacancies/V-301/JD Backend Developer.pdf": ("vacancy", "V-301", "JOB_DESCRIPTION", "name:jd"),
}


def _table(df) -> dict[str, tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return {
        r["source_path"]: (r["legacy_entity"], r["legacy_id"], r["type"], r["type_rule"])
        for r in df.to_dict("records")
    }


def test_sample_tree_gives_one_row_per_file_with_types(
    sample: Path, sample_rules: TypeRules
) -> None:
    df = build_from_tree(sample / "tree", rules=sample_rules)
    assert _table(df) == EXPECTED  # .DS_Store is litter, not a row
    for row in df.to_dict("records"):
        assert Path(row["file_path"]).is_file()
        assert row["candidate_id"] == row["company_id"] == row["vacancy_id"] == ""


def test_files_outside_the_layout_are_kept_with_a_reason(sample: Path) -> None:
    df = build_from_tree(sample / "tree").set_index("source_path")
    outside = df.loc["export_info.txt", "spott_build_problem"]
    assert outside == "target_missing: export_info.txt does not fit the layout '{entity}/{id}/**'"
    contact = df.loc["contacts/P-7001/notes.pdf", "spott_build_problem"]
    assert code_of(contact) == "target_missing" and "P-7001" in contact


def test_zipped_tree_matches_the_folder_and_unpacks_only_rows(
    sample: Path, sample_rules: TypeRules, tmp_path: Path
) -> None:
    df = build_from_tree(sample / "tree_export.zip", rules=sample_rules, work_dir=tmp_path)
    # The wrapping ATS_Export_2024/ folder is stepped into; __MACOSX and .DS_Store are skipped.
    assert _table(df) == EXPECTED
    extracted = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    )
    assert extracted == sorted(f"ATS_Export_2024/{rel}" for rel in EXPECTED)
    for row in df.to_dict("records"):
        original = sample / "tree" / row["source_path"]
        assert Path(row["file_path"]).read_bytes() == original.read_bytes()


def test_unsafe_zip_members_are_never_written(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("candidates/1/cv.pdf", b"%PDF-1.4")
        z.writestr("../escape.pdf", b"%PDF-1.4")
        z.writestr("/abs/escape.pdf", b"%PDF-1.4")
    work = tmp_path / "work"
    df = build_from_tree(archive, work_dir=work)
    assert list(df["source_path"]) == ["candidates/1/cv.pdf"]
    assert not (tmp_path / "escape.pdf").exists()


def _touch(root: Path, *paths: str) -> None:
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"%PDF-1.4 test")


def test_pattern_with_a_literal_kind_folder(tmp_path: Path) -> None:
    _touch(tmp_path, "candidates/17/cv.pdf", "candidates/17/sub/x.pdf")
    df = build_from_tree(tmp_path, pattern="candidates/{id}/*")
    rows = {r["source_path"]: r for r in df.to_dict("records")}
    assert rows["candidates/17/cv.pdf"]["legacy_entity"] == "candidate"
    assert rows["candidates/17/cv.pdf"]["legacy_id"] == "17"
    # "*" is one file name, so a file in a subfolder does not fit.
    assert code_of(rows["candidates/17/sub/x.pdf"]["spott_build_problem"]) == "target_missing"


def test_flat_folder_with_id_in_the_file_name(tmp_path: Path) -> None:
    _touch(tmp_path, "resumes/4711_Smith_CV.pdf", "resumes/4712 Jones.pdf")
    df = build_from_tree(tmp_path, pattern="resumes/{id}_*", entity="candidate")
    rows = {r["source_path"]: r for r in df.to_dict("records")}
    assert rows["resumes/4711_Smith_CV.pdf"]["legacy_id"] == "4711"
    assert rows["resumes/4711_Smith_CV.pdf"]["type"] == "CV"
    assert code_of(rows["resumes/4712 Jones.pdf"]["spott_build_problem"]) == "target_missing"


def test_layout_reports_folders_below_the_record() -> None:
    layout = Layout.compile("{entity}/{id}/**")
    assert layout.place("jobs/9/specs/2024/a.pdf") == ("jobs", "9", ["specs", "2024"])
    assert layout.place("jobs/9/a.pdf") == ("jobs", "9", [])
    assert Layout.compile("**/{entity}/{id}/**").place("x/y/clients/5/a.pdf") == (
        "clients",
        "5",
        [],
    )


@pytest.mark.parametrize(
    ("pattern", "entity"),
    [
        ("{entity}/files/**", None),
        ("{id}/{id}/*", None),
        ("{id}/**", None),
        ("{id}/**", "person-ish"),
    ],
)
def test_bad_patterns_are_config_errors(pattern: str, entity: str | None) -> None:
    with pytest.raises(ConfigError):
        Layout.compile(pattern, entity)
