"""The demo on the committed sample data: every good row assigned, every bad row explained,
the sandbox agreeing row by row, and the rest of the workbook untouched."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl

from spott_migrate.demo import run_demo
from spott_migrate.manifest import read_manifest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_demo_matches_the_expected_outcome_row_by_row(tmp_path: Path) -> None:
    report, agreement = run_demo(data_dir=SAMPLE, workdir=tmp_path / "demo")
    assert agreement.startswith("sandbox agrees")
    expected = {
        r["source_row"]: r for r in json.loads((SAMPLE / "expected.json").read_text())["rows"]
    }
    written = read_manifest(tmp_path / "demo" / "manifest.xlsx").rows.set_index("source_row")
    for source_row, want in expected.items():
        got = written.loc[source_row]
        assert got["spott_status"] == want["status"], source_row
        if want["status"] == "assigned":
            assert got["spott_attachment_id"]
            assert got["spott_error"] == ""
        else:
            assert got["spott_error"].startswith(want["code"] + ":"), (
                source_row,
                got["spott_error"],
            )
    assert report.exit_code == 1  # the sample has deliberately bad rows


def test_demo_leaves_the_rest_of_the_workbook_as_it_was(tmp_path: Path) -> None:
    run_demo(data_dir=SAMPLE, workdir=tmp_path / "demo")
    before, after = SAMPLE / "manifest.xlsx", tmp_path / "demo" / "manifest.xlsx"
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(after) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]  # only the Attachments sheet
    wa, wb = openpyxl.load_workbook(before), openpyxl.load_workbook(after)
    assert wa.sheetnames == wb.sheetnames
    assert list(wa.defined_names) == list(wb.defined_names)
    sa, sb = wa["Attachments"], wb["Attachments"]
    for row in sa.iter_rows():
        for cell in row:
            other = sb[cell.coordinate]
            assert other.value == cell.value, cell.coordinate
            assert other.style_id == cell.style_id, cell.coordinate
            assert other.number_format == cell.number_format
    for key, dim in sa.column_dimensions.items():
        assert sb.column_dimensions[key].width == dim.width
    assert sb.freeze_panes == sa.freeze_panes
    # the original is kept once as a backup beside the manifest
    assert (tmp_path / "demo" / "manifest.orig.xlsx").read_bytes() == before.read_bytes()


def test_demo_refuses_to_overwrite_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    import pytest

    from spott_migrate.errors import ConfigError

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(ConfigError, match="not a demo folder"):
        run_demo(data_dir=SAMPLE, workdir=tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.docx").read_bytes() == b"precious"
