"""The spliced sheet equals the lxml-only edit it replaced (as XML), on generated sheets of
every shape a row can take; untouched rows stay byte for byte; the package's other members
keep their compressed bytes; a million-style sheet takes the splice."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from spott_migrate.writeback import read_results, write_results
from spott_migrate.writeback._cells import Tags, number_cells
from spott_migrate.writeback._sheetxml import scan_sheet

from .tables import all_assigned, as_rows, every_third_failed
from .workbooks import MAIN_NS, members, minimal_workbook
from .xlsx_reference import reference_sheet

SHEET = "xl/worksheets/sheet1.xml"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
TEXTS = ["a.pdf", "Zoë", "x &amp; y", "&lt;b&gt;", "two words", "_x0041_ as is"]
VALUES = [
    "assigned",
    "",
    "",
    "att-17",
    "failed",
    "file_missing: no such file",
    "x & y <z>",
    "_x0041_",
    "line\r\nbreak",
    "=1+1",
    "Zoë 🎉",
    "tab\there",
    "bell\x07",
]
NAMES = ["spott_status", "spott_attachment_id", "spott_error", "SPOTT STATUS"]


def generated_sheet(rng: random.Random) -> tuple[str, int, int]:
    """A worksheet's XML with rows of every shape; (xml, header row, last row number)."""
    p = "x:" if rng.random() < 0.15 else ""
    header_row = 2 if rng.random() < 0.3 else 1
    header = ["file_path", "type", "candidate_id"]
    if rng.random() < 0.4:
        header.insert(
            rng.randrange(1, len(header) + 1), rng.choice(["spott_status", "Spott Status"])
        )
    if rng.random() < 0.3:
        header.append("spott_error")
    width = len(header)
    last = header_row + rng.randrange(0, 30)
    spans = rng.random() < 0.4

    def cell(ref: str, col: int, row: int) -> str:
        shape = rng.random()
        if shape < 0.45:
            text = rng.choice(TEXTS)
            return f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>'
        if shape < 0.6:
            return f'<{p}c r="{ref}"><{p}v>{row * col}</{p}v></{p}c>'
        if shape < 0.7:
            return f'<{p}c r="{ref}" s="1"/>'
        if shape < 0.78:
            return f'<{p}c s="1" r="{ref}" t="inlineStr"><{p}is><{p}t>styled</{p}t></{p}is></{p}c>'
        if shape < 0.86:
            rich = f'<{p}r><{p}rPr><{p}color rgb="FFFF0000"/></{p}rPr><{p}t>red</{p}t></{p}r>'
            return f'<{p}c r="{ref}" t="inlineStr"><{p}is>{rich}</{p}is></{p}c>'
        if shape < 0.9:
            return f'<{p}c r="{ref}" t="inlineStr"></{p}c>'
        return f'<{p}c t="inlineStr"><{p}is><{p}t>no ref</{p}t></{p}is></{p}c>' if col > 1 else ""

    def row(number: int, texts: list[str] | None = None) -> str:
        attrs = f' r="{number}"'
        if spans:
            attrs += f' spans="1:{width}"'
        if rng.random() < 0.08:
            attrs += ' customFormat="1" s="1"'
        if spans:
            attrs += ' x14ac:dyDescent="0.25"'
        shape = rng.random()
        if texts is None and shape < 0.05:
            return f"<{p}row{attrs}/>"
        if texts is None and shape < 0.1:
            return f"<{p}row{attrs}></{p}row>"
        cells = []
        if texts is not None:
            for col, text in enumerate(texts, 1):
                ref = f"{'ABCDEFGHIJ'[col - 1]}{number}"
                cells.append(
                    f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>'
                )
        else:
            for col in range(1, rng.randrange(0, width + 3) + 1):
                if rng.random() < 0.8:
                    cells.append(cell(f"{'ABCDEFGHIJ'[col - 1]}{number}", col, number))
        if texts is None and rng.random() < 0.05:
            cells.append(f'<{p}extLst><{p}ext uri="{{X}}"><{p}v>0</{p}v></{p}ext></{p}extLst>')
        return f"<{p}row{attrs}>{''.join(cells)}</{p}row>"

    rows = []
    if header_row == 2:
        rows.append(row(1, ["Export of 2024-05-01"]))
    rows.append(row(header_row, header))
    for number in range(header_row + 1, last + 1):
        if rng.random() < 0.85:
            rows.append(row(number))
    cols = f'<{p}cols><{p}col min="6" max="9" width="12" style="1"/></{p}cols>'
    dimension = f'<{p}dimension ref="A1:E{last}"/>' if rng.random() < 0.5 else ""
    declaration = f'xmlns:x="{MAIN_NS}"' if p else f'xmlns="{MAIN_NS}"'
    xml = (
        f'<{p}worksheet {declaration} xmlns:x14ac="{X14}">{dimension}'
        f"{cols if rng.random() < 0.4 else ''}<{p}sheetData>{''.join(rows)}</{p}sheetData>"
        f"</{p}worksheet>"
    )
    return xml, header_row, last


def generated_results(rng: random.Random, header_row: int, last: int) -> dict[int, dict[str, str]]:
    rows = list(range(header_row + 1, last + 4))
    chosen = rng.sample(rows, rng.randrange(0, len(rows) + 1))
    names = rng.sample(NAMES, rng.randrange(1, 4))
    return {
        row: {n: rng.choice(VALUES) for n in names if rng.random() < 0.85} or {names[0]: "x"}
        for row in chosen
    }


def canonical(xml: bytes) -> bytes:
    """The sheet as XML means it: every cell with its reference (as the lxml edit numbers
    them), in canonical form."""
    root = etree.fromstring(xml)
    ns = etree.QName(root).namespace
    tags = Tags.of(ns, "")
    previous = 0
    for row in root.iter(f"{{{ns}}}row"):
        number = int(row.get("r") or previous + 1)
        row.set("r", str(number))
        number_cells(row, tags, number)
        previous = number
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize("seed", range(250))
def test_equals_the_lxml_edit(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    xml, header_row, last = generated_sheet(rng)
    path = minimal_workbook(tmp_path / "m.xlsx", xml)
    results = generated_results(rng, header_row, last)
    out = tmp_path / "out.xlsx"
    write_results(path, results, header_row=header_row, output=out)
    new = members(out)[SHEET]
    assert canonical(new) == canonical(reference_sheet(path, results, header_row))
    # Rows we do not write are the very same bytes.
    before, after = scan_sheet(xml.encode()), scan_sheet(new)
    old_rows = {span.number: xml.encode()[span.start : span.end] for span in before.rows}
    for span in after.rows:
        if span.number not in results and span.number != header_row:
            assert new[span.start : span.end] == old_rows[span.number]
    openpyxl.load_workbook(out)
    book = CalamineWorkbook.from_path(str(out))
    book.get_sheet_by_name(book.sheet_names[0]).to_python()


def test_other_members_keep_their_compressed_bytes(rich_xlsx: Path) -> None:
    def raw(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as package, path.open("rb") as handle:
            out = {}
            for info in package.infolist():
                handle.seek(info.header_offset + 26)
                name, extra = np.frombuffer(handle.read(4), dtype="<u2").tolist()
                handle.seek(info.header_offset + 30 + name + extra)
                out[info.filename] = handle.read(info.compress_size)
            return out

    before = raw(rich_xlsx)
    write_results(rich_xlsx, {2: {"spott_status": "assigned"}})
    after = raw(rich_xlsx)
    assert [n for n in before if before[n] != after[n]] == [SHEET]
    with zipfile.ZipFile(rich_xlsx) as package:
        assert package.testzip() is None


def test_members_are_copied_without_copy_file_range(
    rich_xlsx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the kernel cannot copy a range, the bytes go through our memory, the same."""
    import os

    expected = rich_xlsx.with_name("expected.xlsx")
    write_results(rich_xlsx, {2: {"spott_status": "assigned"}}, output=expected)
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    out = rich_xlsx.with_name("out.xlsx")
    write_results(rich_xlsx, {2: {"spott_status": "assigned"}}, output=out)
    assert members(out) == members(expected)
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None


def test_a_million_style_sheet_is_spliced_and_rewritten(tmp_path: Path) -> None:
    """Every row written, then a third of them again (our cells replaced in place): the
    reference's XML each time, and the rows' other bytes untouched."""
    rows = 3_000
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>f/{n}.pdf</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>CV</t></is></c></row>'
        for n in range(2, rows + 2)
    )
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>file_path</t></is></c>'
    header += '<c r="B1" t="inlineStr"><is><t>type</t></is></c></row>'
    path = minimal_workbook(
        tmp_path / "m.xlsx",
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header}{cells}</sheetData></worksheet>',
    )
    first = all_assigned(rows)
    expected = reference_sheet(path, as_rows(first))
    write_results(path, first)
    assert canonical(members(path)[SHEET]) == canonical(expected)
    second = every_third_failed(rows, "x & y")
    expected = reference_sheet(path, as_rows(second))
    write_results(path, second)
    assert canonical(members(path)[SHEET]) == canonical(expected)
    back = read_results(path)
    assert back[2] == {
        "spott_status": "failed",
        "spott_attachment_id": "att-2",
        "spott_error": "x & y",
    }
    assert back[3]["spott_status"] == "assigned"
