"""Real workbooks for the write-back tests, built with openpyxl (and by hand where openpyxl
cannot write the structure under test), plus helpers to compare them part by part."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage

HEADER = ["file_path", "type", "candidate_id", "size", "note"]
DATA_ROWS = range(2, 12)  # Excel rows 2..11 hold data; row 12 has a total formula
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def png(width: int = 24, height: int = 12) -> io.BytesIO:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def build_rich_workbook(path: Path) -> Path:
    """A manifest sheet with every feature a user's workbook may carry, and two more sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Manifest"
    ws.append(HEADER)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    for cell in ws[1]:
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    for row in DATA_ROWS:
        ws.append([f"files/cv_{row}.pdf", "cv", f"cand-{row}", row * 1250.5, f"note {row}"])
        ws.cell(row, 4).number_format = "#,##0.00"
        ws.cell(row, 1).border = Border(left=thin, bottom=thin)
    ws["E3"].font = Font(italic=True, color="FF0000")
    ws["D12"] = "=SUM(D2:D11)"
    ws["D12"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["E"].width = 18
    ws.merge_cells("A14:C14")
    ws["A14"] = "merged remark"
    validation = DataValidation(type="list", formula1='"cv,other"', allow_blank=True)
    ws.add_data_validation(validation)
    validation.add("B2:B11")
    wb.defined_names["cv_paths"] = DefinedName("cv_paths", attr_text="Manifest!$A$2:$A$11")
    ws.freeze_panes = "B2"
    ws.add_image(Image(png()), "K2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=11), titles_from_data=True)
    ws.add_chart(chart, "K10")
    ws["C3"].comment = Comment("check this id", "reviewer")
    ws["A4"].hyperlink = "https://example.com/cv_4"

    notes = wb.create_sheet("Notes")
    notes["A1"] = "free text"
    notes["B2"] = 42
    notes["B3"] = "=B2*2"
    notes["A1"].fill = PatternFill("solid", fgColor="FFFF00")

    other = wb.create_sheet("Other Sheet")
    other["A1"] = "Export of 2024-05-01"
    other["A1"].font = Font(size=14, bold=True)
    for col, name in enumerate(HEADER, 1):
        other.cell(3, col, name)
    for row in range(4, 7):
        other.append([f"other/{row}.pdf", "other", f"cand-{row}", row, ""])
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    """Every zip member's uncompressed bytes, in archive order."""
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def infos(path: Path) -> list[tuple[str, int, tuple[int, ...], int]]:
    with zipfile.ZipFile(path) as package:
        return [
            (i.filename, i.compress_type, i.date_time, i.external_attr) for i in package.infolist()
        ]


def minimal_workbook(path: Path, sheet_xml: str, *, shared: list[str] | None = None) -> Path:
    """A one-sheet workbook whose sheet XML is exactly ``sheet_xml``, optionally with a
    shared-strings table (openpyxl itself writes inline strings only)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws["A1"].fill = PatternFill("solid", fgColor="FFFF00")  # so that style id 1 exists
    wb.save(path)
    parts = members(path)
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    if shared is not None:
        items = "".join(f"<si><t>{text}</t></si>" for text in shared)
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
            f'count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>'
        ).encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for member, content in parts.items():
            package.writestr(member, content)
    return path


# What Excel itself writes: declaration, mc:Ignorable with x14ac/xr prefixes, spans, shared
# strings for text, a row style, and a styled pre-existing result column (F).
EXCEL_LIKE_SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN_NS}" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" \
xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" \
xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" \
xr:uid="{{00000000-0001-0000-0000-000000000000}}"><dimension ref="A1:F3"/><sheetViews>\
<sheetView tabSelected="1" workbookViewId="0"/></sheetViews>\
<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>\
<row r="1" spans="1:6" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>\
</c><c r="C1" t="s"><v>2</v></c><c r="F1" t="s"><v>3</v></c></row>\
<row r="2" spans="1:6" x14ac:dyDescent="0.25"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v>\
</c><c r="C2"><v>17</v></c><c r="F2" s="1"/></row>\
<row r="3" spans="1:3" x14ac:dyDescent="0.25"><c r="A3" t="s"><v>6</v></c><c r="B3" t="s"><v>5</v>\
</c><c r="C3"><v>18</v></c></row>\
</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" \
footer="0.3"/></worksheet>""".replace("\\\n", "")
EXCEL_LIKE_STRINGS = ["file_path", "type", "candidate_id", "Spott Status", "a.pdf", "cv", "b.pdf"]
