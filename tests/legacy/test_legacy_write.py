"""Writing the manifest: xlsx and csv, relative paths, plain-text cells, read back by the core."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from spott_migrate.errors import ConfigError
from spott_migrate.legacy import MANIFEST_COLUMNS, build_manifest, load_crosswalk, write_manifest
from spott_migrate.legacy.columns import blank_row, manifest_frame
from spott_migrate.manifest import read_manifest


@pytest.fixture
def built(sample: Path, tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The sample tree copied into tmp_path/export, built with the crosswalk."""
    export = tmp_path / "export"
    shutil.copytree(sample / "tree", export)
    df = build_manifest(
        export, crosswalk=load_crosswalk(sample / "crosswalk.csv"), work_dir=tmp_path / "work"
    )
    return tmp_path, df


def test_xlsx_has_one_sheet_with_relative_paths(built: tuple[Path, pd.DataFrame]) -> None:
    folder, df = built
    path = write_manifest(df, folder / "manifest.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Attachments"]
    rows = list(book["Attachments"].iter_rows(values_only=True))
    assert list(rows[0]) == list(MANIFEST_COLUMNS)
    paths = [r[0] for r in rows[1:]]
    assert "export/candidates/L-1001/Ada_Lovelace_CV.pdf" in paths
    assert not any(str(p).startswith("/") for p in paths)


def test_paths_outside_the_manifest_folder_stay_absolute(built: tuple[Path, pd.DataFrame]) -> None:
    folder, df = built
    path = write_manifest(df, folder / "sub" / "manifest.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert all(Path(p).is_absolute() for p in back["file_path"])


def test_cells_are_never_formulas(tmp_path: Path) -> None:
    row = blank_row() | {"file_path": "a.pdf", "type": "CV", "name": '=HYPERLINK("x")'}
    path = write_manifest(manifest_frame([row]), tmp_path / "m.xlsx")
    cell = openpyxl.load_workbook(path)["Attachments"]["F2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


def test_csv_is_utf8_and_round_trips(tmp_path: Path) -> None:
    row = blank_row() | {"file_path": "Lebenslauf Jürgen.pdf", "type": "CV"}
    path = write_manifest(manifest_frame([row]), tmp_path / "m.csv")
    assert "Jürgen".encode() in path.read_bytes()
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_other_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        write_manifest(manifest_frame([blank_row()]), tmp_path / "m.xls")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_core_reads_what_we_write(built: tuple[Path, pd.DataFrame], suffix: str) -> None:
    folder, df = built
    manifest = read_manifest(write_manifest(df, folder / f"manifest{suffix}"))
    assert len(manifest) == len(df)
    rows = manifest.rows.set_index("file_path")
    ada = rows.loc["export/candidates/L-1001/Ada_Lovelace_CV.pdf"]
    assert (ada["type"], ada["candidate_id"]) == ("CV", "c-ada")
    assert manifest.resolve("export/candidates/L-1001/Ada_Lovelace_CV.pdf").is_file()
    problems = manifest.rows["spott_build_problem"]
    assert (problems != "").sum() == (df["spott_build_problem"] != "").sum()
