"""Type inference: built-in rules, evidence order, user rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spott_migrate import spott_api
from spott_migrate.errors import ConfigError
from spott_migrate.legacy import DEFAULT_RULES, TypeRule, TypeRules, load_rules
from spott_migrate.legacy.rules import tokens


@pytest.mark.parametrize(
    ("name", "wire", "rule"),
    [
        ("Ada_Lovelace_CV.pdf", "CV", "name:cv"),
        ("MyResume.docx", "CV", "name:resume"),
        ("Résumé final.pdf", "CV", "name:resume"),
        ("C.V. 2019.pdf", "CV", "name:cv"),
        ("LEBENSLAUF_Mueller.pdf", "CV", "name:lebenslauf"),
        ("Curriculum-Vitae.pdf", "CV", "name:curriculum vitae"),
        ("CoverLetter.pdf", "COVER_LETTER", "name:cover letter"),
        ("cover_letter_v2.docx", "COVER_LETTER", "name:cover letter"),
        ("passport.png", "ID_DOCUMENT", "name:passport"),
        ("photo ID.png", "ID_DOCUMENT", "name:id"),
        ("signed contracts.pdf", "OFFER", "name:contract"),
        ("Offer Letter.pdf", "OFFER", "name:offer"),
        ("logo.svg", "LOGO", "name:logo"),
        ("Job Spec - Data Engineer.docx", "JOB_DESCRIPTION", "name:job spec"),
        ("JobDescription.pdf", "JOB_DESCRIPTION", "name:job description"),
        ("JD backend.pdf", "JOB_DESCRIPTION", "name:jd"),
        ("Terms of Business.pdf", "TERMS_AND_CONDITIONS", "name:terms of business"),
        ("Interview Scorecard.xlsx", "SCORECARD", "name:scorecard"),
        ("headshot.png", "unassigned", "default"),
    ],
)
def test_names_map_to_types(name: str, wire: str, rule: str) -> None:
    inference = TypeRules().infer(name)
    assert (inference.type, inference.rule) == (wire, rule)


@pytest.mark.parametrize("name", ["Idea.pdf", "Covering note.pdf", "Recover.pdf", "video.png"])
def test_words_inside_other_words_do_not_match(name: str) -> None:
    assert TypeRules().infer(name).rule == "default"


def test_tokens_split_camel_case_digits_and_accents() -> None:
    assert tokens("MyCVFile_Müller2019") == ["my", "cv", "file", "muller", "2019"]


def test_folders_count_when_the_name_says_nothing_innermost_first() -> None:
    rules = TypeRules()
    assert rules.infer("Master Agreement.pdf", ["contracts"]).rule == "folder:contract"
    assert rules.infer("scan.pdf", ["Contracts", "CVs"]).type == "CV"
    # The file name is more specific than its folder.
    assert rules.infer("Cover letter.pdf", ["CVs"]).type == "COVER_LETTER"


def test_declared_type_and_flags_come_before_the_name() -> None:
    rules = TypeRules()
    assert rules.infer("cv.pdf", declared="Cover Letter", declared_by="Kind").rule == "column:Kind"
    assert rules.infer("x.pdf", declared="Candidate resume 2019").type == "CV"
    # An unknown declared value falls through to the other evidence.
    assert rules.infer("logo.png", declared="misc stuff").type == "LOGO"
    flagged = rules.infer("Ada Lovelace.pdf", flags=["isResume"])
    assert (flagged.type, flagged.rule) == ("CV", "flag:isResume")
    assert rules.infer("x.pdf", flags=["someOtherFlag"]).rule == "default"


def test_default_type_is_configurable() -> None:
    assert TypeRules(default="output").infer("x.pdf").type == "OUTPUT"
    with pytest.raises(ConfigError):
        TypeRules(default="no-such-type")


def test_user_rules_from_csv_extend_and_are_named(sample: Path) -> None:
    extra = load_rules(sample / "type_rules.csv")
    assert [r.pattern for r in extra] == ["reisepass", "re:vertrag"]
    rules = TypeRules().extended(extra)
    found = rules.infer("Reisepass_Mueller.png")
    assert (found.type, found.rule) == ("ID_DOCUMENT", "name:reisepass (type_rules.csv)")
    assert rules.infer("Arbeitsvertrag_2021.pdf").type == "OFFER"
    # re:vertrag applies to names only, not folders.
    assert rules.infer("scan.pdf", ["Arbeitsvertraege"]).rule == "default"
    # Without the user's rules these stay unrecognised.
    assert TypeRules().infer("Reisepass_Mueller.png").rule == "default"


def test_user_rules_override_built_in_ones(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"pattern": "contract", "type": "Terms and conditions"}]))
    rules = TypeRules().extended(load_rules(path))
    assert rules.infer("contract.pdf").type == "TERMS_AND_CONDITIONS"


@pytest.mark.parametrize(
    ("pattern", "type_", "scope"),
    [
        ("cv", "NOT_A_TYPE", "any"),
        ("re:(", "CV", "any"),
        ("cv", "CV", "everywhere"),
        ("--", "CV", "any"),
    ],
)
def test_bad_rules_are_config_errors(pattern: str, type_: str, scope: str) -> None:
    with pytest.raises(ConfigError):
        TypeRule(pattern, type_, scope)  # type: ignore[arg-type]


def test_rules_file_without_type_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text("pattern\ncv\n")
    with pytest.raises(ConfigError):
        load_rules(path)


def test_every_built_in_rule_names_a_wire_type() -> None:
    assert {r.type for r in DEFAULT_RULES} <= set(spott_api.ATTACHMENT_TYPES)
