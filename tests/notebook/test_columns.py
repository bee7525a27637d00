"""Header reading for the mapping dropdowns, and mappings remembered beside the manifest."""

from __future__ import annotations

from pathlib import Path

from spott_migrate.notebook import ColumnMemory
from spott_migrate.notebook.headers import (
    guess_mapping,
    header_cells,
    missing_columns,
    sheet_names,
)
from spott_migrate.notebook.memory import memory_path

from ..helpers import write_csv, write_xlsx


def test_headers_of_xlsx_and_csv(tmp_path: Path) -> None:
    header = ("Pfad", "Attachment Type", "Candidate", "", "", "")
    xlsx = write_xlsx(tmp_path / "m.xlsx", [("a", "CV", "1")], header=header, sheet="Docs")
    csv = write_csv(tmp_path / "m.csv", [("a", "CV", "1")], header=header, encoding="cp1252")
    assert sheet_names(xlsx) == ["Docs"] and sheet_names(csv) == []
    assert header_cells(xlsx, "Docs") == ["Pfad", "Attachment Type", "Candidate"]
    assert header_cells(csv) == ["Pfad", "Attachment Type", "Candidate"]
    guessed = guess_mapping(header_cells(csv))
    assert guessed == {"type": "Attachment Type", "candidate_id": "Candidate"}
    assert missing_columns(guessed) == ["file_path"]
    assert missing_columns({"file_path": "x"}) == ["type", "candidate_id/company_id/vacancy_id"]


def test_memory_round_trip_per_sheet(tmp_path: Path) -> None:
    manifest = tmp_path / "m.xlsx"
    memory = ColumnMemory.beside(manifest)
    assert memory.path == memory_path(manifest) == tmp_path / "m.xlsx.spott-columns.json"
    assert memory.get("S") == {}
    memory.remember("S", {"file_path": "Pfad"})
    memory.remember(None, {"type": "Art"})
    again = ColumnMemory.beside(manifest)
    assert again.get("S") == {"file_path": "Pfad"}
    assert again.get(None) == {"type": "Art"}
    # a header that is gone is not offered again
    assert again.get("S", headers=["Path", "type"]) == {}
    again.remember("S", {})
    assert again.get("S") == {}


def test_unreadable_memory_is_ignored(tmp_path: Path) -> None:
    memory = ColumnMemory(tmp_path / "broken.json")
    memory.path.write_text("{not json", encoding="utf-8")
    assert memory.get("x") == {}
    memory.remember("x", {"file_path": "P"})
    assert memory.get("x") == {"file_path": "P"}
