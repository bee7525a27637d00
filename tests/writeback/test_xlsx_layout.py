"""Where results land: existing or new columns, header rows, sheets, missing rows, odd XML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from spott_migrate.errors import WriteBackError
from spott_migrate.writeback import read_results, write_results

from .workbooks import (
    EXCEL_LIKE_SHEET,
    EXCEL_LIKE_STRINGS,
    HEADER,
    MAIN_NS,
    members,
    minimal_workbook,
)


def header_of(path: Path, sheet: str | None = None, row: int = 1) -> list[object]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [c.value for c in ws[row]]


def test_rewriting_replaces_our_cells_instead_of_adding_columns(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {2: {"spott_status": "failed", "spott_error": "file_missing: x"}})
    write_results(rich_xlsx, {2: {"spott_status": "assigned", "spott_error": ""}})

    assert header_of(rich_xlsx) == [*HEADER, "spott_status", "spott_error"]
    ws = openpyxl.load_workbook(rich_xlsx)["Manifest"]
    assert ws["F2"].value == "assigned"
    assert ws["G2"].value is None  # "" cleared the cell
    assert b'r="G2"' not in members(rich_xlsx)["xl/worksheets/sheet1.xml"]  # unstyled: removed


def test_new_columns_follow_the_order_first_seen(rich_xlsx: Path) -> None:
    write_results(
        rich_xlsx,
        {
            3: {"spott_error": "e", "spott_status": "failed"},
            2: {"spott_status": "assigned", "spott_resolved_by": "email"},
        },
    )
    assert header_of(rich_xlsx)[len(HEADER) :] == [
        "spott_error",
        "spott_status",
        "spott_resolved_by",
    ]


def test_existing_result_header_in_another_spelling_is_reused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["file_path", " SPOTT_Status ", "type", "Spott Error"])
    ws.append(["a.pdf", "pending", "cv"])
    ws["B2"].fill = PatternFill("solid", fgColor="00FF00")
    wb.save(tmp_path / "m.xlsx")

    write_results(tmp_path / "m.xlsx", {2: {"spott_status": "assigned", "spott_error": "none"}})

    ws = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    assert [c.value for c in ws[1]] == ["file_path", " SPOTT_Status ", "type", "Spott Error"]
    assert (ws["B2"].value, ws["D2"].value) == ("assigned", "none")
    assert ws["B2"].fill.fgColor.rgb == "0000FF00"  # the cell we overwrote keeps its style


def test_new_header_cells_copy_the_header_style(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {2: {"spott_status": "assigned"}})
    ws = openpyxl.load_workbook(rich_xlsx)["Manifest"]
    assert ws["F1"].font.b and ws["F1"].fill.fgColor.rgb == ws["E1"].fill.fgColor.rgb
    assert not ws["F2"].font.b  # data cells do not take the header's look


def test_new_cells_take_the_column_format(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["file_path", "type"])
    ws.append(["a.pdf", "cv"])
    ws.column_dimensions["C"].font = Font(italic=True)
    wb.save(tmp_path / "m.xlsx")

    write_results(tmp_path / "m.xlsx", {2: {"spott_status": "assigned"}})

    assert openpyxl.load_workbook(tmp_path / "m.xlsx").active["C2"].font.i


def test_header_row_below_title_rows_on_a_named_sheet(rich_xlsx: Path) -> None:
    write_results(
        rich_xlsx,
        {4: {"spott_status": "assigned"}, 6: {"spott_status": "failed"}},
        sheet="Other Sheet",
        header_row=3,
    )
    wb = openpyxl.load_workbook(rich_xlsx)
    other = wb["Other Sheet"]
    assert other["A1"].value == "Export of 2024-05-01" and other["F1"].value is None
    assert [other.cell(r, 6).value for r in (3, 4, 5, 6)] == [
        "spott_status",
        "assigned",
        None,
        "failed",
    ]
    assert wb["Manifest"].max_column == len(HEADER)  # the first sheet was not touched
    assert read_results(rich_xlsx, sheet="Other Sheet", header_row=3) == {
        4: {"spott_status": "assigned"},
        6: {"spott_status": "failed"},
    }


def test_sheet_names_match_exactly_then_ignoring_case(rich_xlsx: Path) -> None:
    write_results(rich_xlsx, {4: {"spott_status": "x"}}, sheet="notes", header_row=1)
    notes = openpyxl.load_workbook(rich_xlsx)["Notes"]
    # Header "free text" ends at column A, so ours is B, above the user's 42 in B2.
    assert (notes["B1"].value, notes["B2"].value, notes["B4"].value) == ("spott_status", 42, "x")


def test_unknown_sheet_is_a_write_back_error(rich_xlsx: Path) -> None:
    before = rich_xlsx.read_bytes()
    with pytest.raises(WriteBackError, match=r"no sheet named 'Nope'.*'Manifest'"):
        write_results(rich_xlsx, {2: {"spott_status": "x"}}, sheet="Nope")
    assert rich_xlsx.read_bytes() == before


def test_chartsheets_are_skipped_by_default_and_refused_by_name(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    wb.create_chartsheet("Chart")
    ws = wb.create_sheet("Data")
    ws.append(["file_path"])
    ws.append(["a.pdf"])
    wb.save(tmp_path / "m.xlsx")

    write_results(tmp_path / "m.xlsx", {2: {"spott_status": "ok"}})
    # (openpyxl cannot load a chartsheet without drawing, so check with our reader)
    assert read_results(tmp_path / "m.xlsx", sheet="Data") == {2: {"spott_status": "ok"}}
    with pytest.raises(WriteBackError, match="not a worksheet"):
        write_results(tmp_path / "m.xlsx", {2: {"spott_status": "ok"}}, sheet="Chart")


def test_missing_rows_are_created_in_order(rich_xlsx: Path) -> None:
    write_results(
        rich_xlsx, {13: {"spott_status": "a"}, 20: {"spott_status": "b"}, 3: {"spott_status": "c"}}
    )

    xml = members(rich_xlsx)["xl/worksheets/sheet1.xml"].decode()
    import re

    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(numbers) and {13, 20} <= set(numbers)
    ws = openpyxl.load_workbook(rich_xlsx)["Manifest"]
    assert [ws.cell(r, 6).value for r in (3, 13, 14, 20)] == ["c", "a", None, "b"]
    assert ws["A14"].value == "merged remark"  # the existing row 14 is still there

    before = members(rich_xlsx)["xl/worksheets/sheet1.xml"]
    write_results(rich_xlsx, {30: {"spott_status": ""}})  # clearing a row that is not there
    assert members(rich_xlsx)["xl/worksheets/sheet1.xml"] == before
    assert b'<dimension ref="A1:F20"/>' in members(rich_xlsx)["xl/worksheets/sheet1.xml"]


def test_excel_written_sheet_keeps_its_namespaces_and_shared_strings(tmp_path: Path) -> None:
    path = minimal_workbook(tmp_path / "m.xlsx", EXCEL_LIKE_SHEET, shared=EXCEL_LIKE_STRINGS)
    before = members(path)

    write_results(
        path, {2: {"spott_status": "assigned", "spott_error": "x"}, 3: {"spott_status": "failed"}}
    )

    after = members(path)
    assert after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]
    xml = after["xl/worksheets/sheet1.xml"].decode()
    root = EXCEL_LIKE_SHEET[: EXCEL_LIKE_SHEET.index("<dimension")]
    assert xml.startswith(root)  # declaration, every prefix and mc:Ignorable as they were
    assert '<row r="3" spans="1:6" x14ac:dyDescent="0.25">' in xml  # hint widened for F3
    assert '<c r="F2" s="1" t="inlineStr">' in xml  # "Spott Status" reused; its style kept
    assert '<dimension ref="A1:G3"/>' in xml
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == [
        "file_path",
        "type",
        "candidate_id",
        None,
        None,
        "Spott Status",
        "spott_error",
    ]
    assert (ws["F2"].value, ws["G2"].value, ws["F3"].value) == ("assigned", "x", "failed")
    assert ws["C2"].value == 17
    assert read_results(path) == {
        2: {"spott_status": "assigned", "spott_error": "x"},
        3: {"spott_status": "failed", "spott_error": ""},
    }


def test_rows_and_cells_without_r_attributes(tmp_path: Path) -> None:
    def cell(text: str) -> str:
        return f'<c t="inlineStr"><is><t>{text}</t></is></c>'

    sheet = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        f"<row>{cell('file_path')}{cell('type')}</row>"  # row 1
        f"<row>{cell('a.pdf')}{cell('cv')}</row>"  # row 2
        f'<row r="5">{cell("e.pdf")}<c r="D5"><v>4</v></c>{cell("after D")}</row>'
        f"<row>{cell('f.pdf')}</row>"  # row 6
        "</sheetData></worksheet>"
    )
    path = minimal_workbook(tmp_path / "m.xlsx", sheet)
    write_results(
        path,
        {
            2: {"spott_status": "s2"},
            3: {"spott_status": "s3"},  # missing: goes between rows 2 and 5
            5: {"spott_status": "s5"},  # between B5 and D5
            6: {"spott_status": "s6"},
            7: {"spott_status": "s7"},
        },
    )
    ws = openpyxl.load_workbook(path).active
    grid = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert grid == {
        "A1": "file_path", "B1": "type", "C1": "spott_status",
        "A2": "a.pdf", "B2": "cv", "C2": "s2",
        "C3": "s3",
        "A5": "e.pdf", "C5": "s5", "D5": 4, "E5": "after D",
        "A6": "f.pdf", "C6": "s6",
        "C7": "s7",
    }  # fmt: skip
    assert set(read_results(path)) == {2, 3, 5, 6, 7}


def test_prefixed_spreadsheetml_namespace(tmp_path: Path) -> None:
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>file_path</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>a.pdf</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    path = minimal_workbook(tmp_path / "m.xlsx", sheet)
    write_results(path, {2: {"spott_status": "assigned"}})
    xml = members(path)["xl/worksheets/sheet1.xml"].decode()
    assert xml.startswith(f'<x:worksheet xmlns:x="{MAIN_NS}">')
    assert '<x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">assigned</x:t>' in xml
    assert "xmlns=" not in xml and xml.count("xmlns:x=") == 1
    assert openpyxl.load_workbook(path).active["B2"].value == "assigned"


@pytest.mark.parametrize(
    ("sheet_data", "message"),
    [
        ('<row r="1"><c r="A1"><v>1</v></c></row><!-- note --><row r="2"/>', "<!--"),
        ('<row r="2"/><row r="1"><c r="A1"><v>1</v></c></row>', "row 1 comes after row 2"),
        ('<row r="1"><c r="A1"><v>1</v></c></row>stray text', "unexpected content"),
        ('<row r="2"><c r="A2"><v>1</v></c></row>', "no row 1 to serve as the header"),
        ('<row r="1"><c r="A1"/></row>', "empty: no header"),
        ('<row r="1"><c r="1A"><v>h</v></c></row>', "bad cell reference"),
    ],
)
def test_sheets_we_cannot_edit_safely_are_refused(
    tmp_path: Path, sheet_data: str, message: str
) -> None:
    path = minimal_workbook(
        tmp_path / "m.xlsx",
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{sheet_data}</sheetData></worksheet>',
    )
    before = path.read_bytes()
    with pytest.raises(WriteBackError, match=message):
        write_results(path, {2: {"spott_status": "x"}})
    assert path.read_bytes() == before


def test_not_a_zip_is_a_write_back_error(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(WriteBackError, match=r"m\.xlsx"):
        write_results(path, {2: {"spott_status": "x"}})
    assert path.read_bytes() == b"not a zip at all"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.xlsx"]  # no backup, no temp


def test_zip_comment_and_directory_entries_survive(rich_xlsx: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(rich_xlsx) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.comment = b"made by a tool"
        dst.writestr(zipfile.ZipInfo("customXml/"), b"")
        for info in src.infolist():
            dst.writestr(info, src.read(info))
    write_results(path, {2: {"spott_status": "x"}})
    with zipfile.ZipFile(path) as package:
        assert package.comment == b"made by a tool"
        assert package.namelist()[0] == "customXml/"
        assert package.testzip() is None
