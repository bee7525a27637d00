"""Writing results changes our cells and nothing else: compared part by part, cell by cell."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell

from spott_migrate.writeback import RESULT_COLUMNS, read_results, write_results

from .workbooks import DATA_ROWS, HEADER, infos, members

SHEET = "xl/worksheets/sheet1.xml"
FIRST_NEW = len(HEADER) + 1  # our columns are appended after "note" (column E)

TRICKY = {
    2: "=SUM(A1:A3)",  # must stay text, never become a formula
    3: "Zoë → 日本語 🎉",
    4: "bell\x07 null\x00 vt\x0b ok",  # XML-forbidden characters are dropped
    5: "  spaces kept  ",
    6: "<tag> & \"quotes\" 'single'",
    7: "line one\nline two",
    8: "+49 30 1234",
    9: "_x0041_ literal",  # Excel would show "A" unless escaped
    10: "crlf\r\nkept",  # a raw CR would turn into LF when the XML is read
}
EXPECTED = {**TRICKY, 4: "bell null vt ok"}


def results_for(rows: range) -> dict[int, dict[str, str]]:
    return {
        row: {
            "spott_status": "assigned",
            "spott_attachment_id": f"att-{row}",
            "spott_error": TRICKY.get(row, ""),
            "spott_updated_at": "2024-05-01T10:00:00Z",
        }
        for row in rows
    }


def style_of(cell: Cell) -> tuple[object, ...]:
    return (
        cell.number_format,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
    )


def test_every_other_part_is_byte_identical(rich_xlsx: Path) -> None:
    before, before_infos = members(rich_xlsx), infos(rich_xlsx)
    write_results(rich_xlsx, results_for(DATA_ROWS))
    after, after_infos = members(rich_xlsx), infos(rich_xlsx)

    assert list(after) == list(before)  # same members, same order
    assert after_infos == before_infos  # same compression, timestamps, attributes
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [SHEET]


def test_sheet_xml_outside_the_rows_is_unchanged_but_for_the_dimension(rich_xlsx: Path) -> None:
    before = members(rich_xlsx)[SHEET]
    write_results(rich_xlsx, results_for(DATA_ROWS))
    after = members(rich_xlsx)[SHEET]

    def outside_rows(xml: bytes) -> tuple[bytes, bytes]:
        head, _, rest = xml.partition(b"<sheetData>")
        return re.sub(rb'<dimension ref="[^"]*"/>', b"", head), rest.partition(b"</sheetData>")[2]

    assert outside_rows(after) == outside_rows(before)
    assert after.count(b"xmlns") == before.count(b"xmlns")  # no declarations pushed into rows
    assert b'<dimension ref="A1:I14"/>' in after  # grew from A1:E14 to cover columns F..I


def test_cells_outside_our_columns_are_unchanged(rich_xlsx: Path, tmp_path: Path) -> None:
    original = tmp_path / "copy.xlsx"
    original.write_bytes(rich_xlsx.read_bytes())
    write_results(rich_xlsx, results_for(DATA_ROWS))

    old, new = openpyxl.load_workbook(original), openpyxl.load_workbook(rich_xlsx)
    assert new.sheetnames == old.sheetnames
    for name in old.sheetnames:
        ws_old, ws_new = old[name], new[name]
        for row in ws_old.iter_rows(max_col=len(HEADER)):
            for cell in row:
                other = ws_new[cell.coordinate]
                assert (other.value, other.data_type) == (cell.value, cell.data_type)
                assert style_of(other) == style_of(cell), cell.coordinate
        assert ws_new.merged_cells.ranges == ws_old.merged_cells.ranges
        assert ws_new.freeze_panes == ws_old.freeze_panes
        assert [(k, d.width) for k, d in ws_new.column_dimensions.items()] == [
            (k, d.width) for k, d in ws_old.column_dimensions.items()
        ]
        assert [str(v.sqref) for v in ws_new.data_validations.dataValidation] == [
            str(v.sqref) for v in ws_old.data_validations.dataValidation
        ]
        assert len(ws_new._images) == len(ws_old._images)  # type: ignore[attr-defined]
        assert len(ws_new._charts) == len(ws_old._charts)  # type: ignore[attr-defined]
    manifest = new["Manifest"]
    assert manifest["D12"].value == "=SUM(D2:D11)"
    assert manifest["C3"].comment.text == "check this id"
    assert manifest["A4"].hyperlink.target == "https://example.com/cv_4"
    assert manifest["D2"].number_format == "#,##0.00"
    assert "cv_paths" in new.defined_names
    assert len(manifest._images) == 1 and len(manifest._charts) == 1  # type: ignore[attr-defined]


def test_our_cells_read_back_exactly(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, results_for(DATA_ROWS))

    ws = openpyxl.load_workbook(rich_xlsx)["Manifest"]
    header = [ws.cell(1, col).value for col in range(FIRST_NEW, FIRST_NEW + 4)]
    assert header == list(RESULT_COLUMNS)[:4]  # the columns written, in the order given
    for row in DATA_ROWS:
        status, att, error, when = (ws.cell(row, FIRST_NEW + i) for i in range(4))
        assert (status.value, att.value, when.value) == (
            "assigned",
            f"att-{row}",
            "2024-05-01T10:00:00Z",
        )
        assert status.data_type == "s" and error.data_type in ("s", "n")
        if row in EXPECTED and row != 9:  # openpyxl does not undo Excel's _xHHHH_ escapes
            assert error.value == EXPECTED[row]
    assert ws.cell(2, FIRST_NEW + 2).data_type == "s"  # "=SUM(...)" is a string, not a formula

    back = read_results(rich_xlsx)
    assert set(back) == set(DATA_ROWS)
    for row in DATA_ROWS:
        assert back[row]["spott_error"] == EXPECTED.get(row, "")
        assert back[row]["spott_attachment_id"] == f"att-{row}"


def test_values_are_inline_strings_and_shared_strings_untouched(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {2: {"spott_status": "=1+1"}})
    xml = members(rich_xlsx)[SHEET].decode()
    cell = re.search(r'<c r="F2"[^>]*>.*?</c>', xml)
    assert cell is not None
    assert cell.group(0) == (
        '<c r="F2" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>'
    )
    assert "<f>" not in cell.group(0)
    assert "xl/sharedStrings.xml" not in members(rich_xlsx)


def test_the_escape_lookalike_is_stored_escaped(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {2: {"spott_error": "_x0041_"}})
    assert b">_x005F_x0041_</t>" in members(rich_xlsx)[SHEET]
    assert read_results(rich_xlsx)[2]["spott_error"] == "_x0041_"


def test_project_reader_sees_what_we_wrote(rich_xlsx: Path) -> None:
    """The calamine-based manifest reader (which decodes _xHHHH_ like Excel) agrees."""
    from spott_migrate.manifest import read_manifest

    write_results(rich_xlsx, results_for(DATA_ROWS), sheet="Manifest")
    manifest = read_manifest(rich_xlsx, sheet="Manifest")
    by_row = manifest.rows.set_index("source_row")
    for row in DATA_ROWS:
        assert by_row.loc[row, "spott_attachment_id"] == f"att-{row}"
        assert by_row.loc[row, "spott_error"] == EXPECTED.get(row, "").strip()


def test_long_values_are_cut_to_excels_cell_limit(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {2: {"spott_error": "x" * 40_000}})
    value = read_results(rich_xlsx)[2]["spott_error"]
    assert len(value) == 32_767 and value.endswith("…")


@pytest.mark.parametrize("suffix", [".xlsm"])
def test_macro_workbooks_keep_their_parts(tmp_path: Path, rich_xlsx: Path, suffix: str) -> None:
    path = tmp_path / f"book{suffix}"
    with zipfile.ZipFile(rich_xlsx) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 pretend macros")
    write_results(path, {2: {"spott_status": "assigned"}})
    assert members(path)["xl/vbaProject.bin"] == b"\xd0\xcf\x11\xe0 pretend macros"
    assert read_results(path)[2]["spott_status"] == "assigned"
