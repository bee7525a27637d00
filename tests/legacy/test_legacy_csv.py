"""Attachment-list exports: the bulk-loader layout, a mapped home-grown list, and a zip."""

from __future__ import annotations

from pathlib import Path

import pytest

from spott_migrate.errors import ConfigError
from spott_migrate.legacy import CsvColumns, build_manifest, load_crosswalk
from spott_migrate.legacy.problems import code_of

GENERIC_COLUMNS = CsvColumns.parse(
    ["entity=Owner", "legacy_id=Owner No", "path=Stored As", "type=Doc Kind", "spott_id=Spott"]
)


def test_bulk_loader_list_is_detected_and_read(sample: Path, tmp_path: Path) -> None:
    crosswalk = load_crosswalk(sample / "crosswalk.csv")
    df = build_manifest(sample / "csv", crosswalk=crosswalk, work_dir=tmp_path)
    rows = df.to_dict("records")
    assert len(rows) == 9
    by_source = {r["source_path"]: r for r in rows}
    ada = by_source["files/L-1001/Ada Lovelace 2019.pdf"]
    assert (ada["legacy_entity"], ada["legacy_id"]) == ("candidate", "L-1001")
    assert (ada["type"], ada["type_rule"]) == ("CV", "flag:isResume")
    # Case differs from the disk ("Cover_Letter" vs "cover_letter"): found anyway.
    cover = by_source["files/L-1001/Cover_Letter.docx"]
    assert Path(cover["file_path"]).name == "cover_letter.docx"
    assert cover["type"] == "COVER_LETTER"
    # Backslashes and a foreign absolute path still find the file.
    assert Path(by_source["files\\L-1002\\Lebenslauf.pdf"]["file_path"]).is_file()
    certificates = by_source["C:\\ATS\\export\\files\\L-1004\\Certificates.pdf"]
    assert (
        Path(certificates["file_path"]) == (sample / "csv/files/L-1004/Certificates.pdf").resolve()
    )
    # L-1003 is in the crosswalk, so the missing file is this row's problem.
    missing = by_source["files/L-1003/missing.pdf"]["spott_build_problem"]
    assert missing == "file_missing: not found in the export: files/L-1003/missing.pdf"


def test_a_single_list_can_be_named_as_the_source(sample: Path, tmp_path: Path) -> None:
    df = build_manifest(sample / "csv" / "candidate_attachments.csv", work_dir=tmp_path)
    assert len(df) == 9


def test_home_grown_list_with_column_mapping(sample: Path, tmp_path: Path) -> None:
    df = build_manifest(
        sample / "csv" / "generic_attachments.csv", columns=GENERIC_COLUMNS, work_dir=tmp_path
    )
    rows = {r["legacy_id"]: r for r in df.to_dict("records")}
    assert rows["C-200"]["legacy_entity"] == "company"
    assert (rows["C-200"]["type"], rows["C-200"]["type_rule"]) == ("LOGO", "column:Doc Kind")
    assert rows["V-300"]["type"] == "JOB_DESCRIPTION"
    assert rows["L-1002"]["type"] == "ID_DOCUMENT"
    # A Spott id in the list itself is taken as given; the file name is Windows-1252 text.
    juergen = rows["L-1011"]
    assert (juergen["candidate_id"], juergen["resolved_by"]) == ("c-juergen", "given")
    assert juergen["type"] == "CV" and Path(juergen["file_path"]).name == "Lebenslauf Jürgen.pdf"
    assert juergen["spott_build_problem"] == ""
    contact = rows["P-7001"]["spott_build_problem"]
    assert code_of(contact) == "target_missing" and "Contact P-7001" in contact


def test_unmapped_home_grown_list_says_which_columns_to_name(sample: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--column"):
        build_manifest(sample / "csv" / "generic_attachments.csv", work_dir=tmp_path)


def test_zipped_list_unpacks_only_the_listed_files(sample: Path, tmp_path: Path) -> None:
    df = build_manifest(sample / "csv_export.zip", work_dir=tmp_path)
    folder = build_manifest(sample / "csv", work_dir=tmp_path / "other")
    columns = ["source_path", "type", "type_rule", "legacy_id"]
    assert df[columns].to_dict("records") == folder[columns].to_dict("records")
    extracted = {p.relative_to(tmp_path / "extracted").as_posix() for p in tmp_path.rglob("*.*")}
    # Listed files only: neither the CSV itself nor the unlisted files of other records.
    assert "candidate_attachments.csv" not in extracted
    assert "files/L-1011/Lebenslauf Jürgen.pdf" not in extracted
    assert "files/L-1001/cover_letter.docx" in extracted
    listed = df[df["source_path"] != "files/L-1003/missing.pdf"]
    assert all(Path(p).is_file() for p in listed["file_path"])


def test_flag_columns_can_be_added(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.png").write_bytes(b"\x89PNG")
    (tmp_path / "list.csv").write_text(
        "clientCorporation.externalID;file;isLogo;isPrimary\n9;f/a.png;0;yes\n;;;\n"
    )
    columns = CsvColumns(flags={"isPrimary": "LOGO"})
    df = build_manifest(tmp_path / "list.csv", columns=columns, work_dir=tmp_path / "w")
    assert len(df) == 1  # the row of empty cells is not a file
    row = df.iloc[0]
    assert (row["legacy_entity"], row["type"], row["type_rule"]) == (
        "company",
        "LOGO",
        "flag:isPrimary",
    )


@pytest.mark.parametrize("pair", ["legacy_id", "nonsense=X", "path="])
def test_bad_column_pairs_are_config_errors(pair: str) -> None:
    with pytest.raises(ConfigError):
        CsvColumns.parse([pair])
