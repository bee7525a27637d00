"""Reading manifests: headers, aliases, ids as text, encodings, source rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from spott_migrate.errors import ManifestError
from spott_migrate.manifest import read_manifest

from .helpers import write_csv, write_xlsx


def test_xlsx_numbers_become_clean_id_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [("a.pdf", "CV", 123, None, None, None)])
    m = read_manifest(path)
    row = m.rows.iloc[0]
    assert row["candidate_id"] == "123"
    assert row["source_row"] == 2
    assert m.sheet == "Attachments"


def test_headers_match_aliases_case_and_space_insensitively(tmp_path: Path) -> None:
    header = ("  File Path ", "Attachment Type", "candidateId", "Client ID", "Job", "Display Name")
    path = write_csv(
        tmp_path / "m.csv", [("a.pdf", "cv", "c1", "", "", "Nice name")], header=header
    )
    m = read_manifest(path)
    assert m.column_map["file_path"] == "File Path"
    row = m.rows.iloc[0]
    assert (row["type"], row["candidate_id"], row["name"]) == ("cv", "c1", "Nice name")


def test_header_not_in_row_one_and_blank_rows_keep_their_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A3"], ws["B3"], ws["C3"] = "path", "type", "candidate"
    ws["A4"], ws["B4"], ws["C4"] = "a.pdf", "CV", "c1"
    ws["A6"], ws["B6"], ws["C6"] = "b.pdf", "CV", "c2"
    wb.save(tmp_path / "m.xlsx")
    m = read_manifest(tmp_path / "m.xlsx")
    assert m.header_row == 3
    assert list(m.rows["source_row"]) == [4, 6]


def test_sheet_by_name_and_unknown_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [("a.pdf", "CV", "c1")], sheet="Data")
    assert read_manifest(path, sheet="Data").sheet == "Data"
    with pytest.raises(ManifestError, match="not in"):
        read_manifest(path, sheet="Nope")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "m.csv", [("Lebenslauf Müller.pdf", "CV", "c1", "", "", "")], encoding=encoding
    )
    m = read_manifest(path)
    assert m.rows.iloc[0]["file_path"] == "Lebenslauf Müller.pdf"
    assert m.encoding == encoding


def test_undecodable_csv_is_rejected_clearly(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_bytes(b"file_path,type,candidate_id\n\x81\x8d\x90,CV,c1\n")
    with pytest.raises(ManifestError, match="UTF-8"):
        read_manifest(tmp_path / "m.csv")


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [("a.pdf",)], header=("document",))
    with pytest.raises(ManifestError, match="no column for type"):
        read_manifest(path)


def test_column_map_for_unrecognised_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "m.csv", [("a.pdf", "CV", "c1")], header=("Datei", "Art", "Kandidat")
    )
    m = read_manifest(
        path, column_map={"file_path": "Datei", "type": "Art", "candidate_id": "Kandidat"}
    )
    assert m.rows.iloc[0]["file_path"] == "a.pdf"


def test_row_key_is_stable_across_sorting_and_other_edits(tmp_path: Path) -> None:
    a = write_csv(
        tmp_path / "a.csv",
        [("x.pdf", "CV", "c1", "", "", "one"), ("y.pdf", "cv", "c2", "", "", "")],
    )
    b = write_csv(
        tmp_path / "b.csv",
        [("y.pdf", "resume", "c2", "", "", "renamed"), ("./x.pdf", "CV", "c1", "", "", "")],
    )
    keys_a = dict(
        zip(read_manifest(a).rows["file_path"], read_manifest(a).rows["row_key"], strict=True)
    )
    rows_b = read_manifest(b).rows
    assert set(rows_b["row_key"]) == set(keys_a.values())


def test_legacy_xls_is_refused_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "m.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ManifestError, match=r"save it as \.xlsx"):
        read_manifest(tmp_path / "m.xls")


@pytest.mark.parametrize("delimiter", [";", "|", "\t"])
def test_a_file_with_old_mac_line_ends_keeps_its_delimiter(tmp_path: Path, delimiter: str) -> None:
    """Lines ended by a CR alone: the delimiter is still told from the records (the sniffer
    once read the whole file as one line, refused every candidate and fell back to a comma)."""
    path = tmp_path / "m.csv"
    path.write_bytes(delimiter.join(["file_path", "type", "candidate_id"]).encode() + b"\r"
                     + delimiter.join(["a.pdf", "CV", "c-1"]).encode() + b"\r")  # fmt: skip
    rows = read_manifest(path).rows
    assert rows[["file_path", "type", "candidate_id"]].values.tolist() == [["a.pdf", "CV", "c-1"]]
