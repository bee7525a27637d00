"""The committed sample data is consistent, valid and reproducible by its generator."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import struct
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import filetype
import openpyxl
import pytest
from PIL import Image

from spott_migrate.spott_api import MIME_BY_EXTENSION, normalise_type

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
MAX_BYTES = 30 * 1024
ID_COLUMNS = ("candidate_id", "company_id", "vacancy_id")
KIND_BY_COLUMN = {
    "candidate_id": "candidates",
    "company_id": "companies",
    "vacancy_id": "vacancies",
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()


def _records() -> dict[str, list[dict[str, Any]]]:
    return json.loads((SAMPLE / "records.json").read_text(encoding="utf-8"))


def _xlsx_rows() -> list[dict[str, Any]]:
    workbook = openpyxl.load_workbook(SAMPLE / "manifest.xlsx")
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def _csv_rows() -> list[dict[str, str]]:
    text = (SAMPLE / "manifest.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _expected() -> list[dict[str, Any]]:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))["rows"]


def _good() -> list[dict[str, Any]]:
    return [row for row in _expected() if row["status"] == "assigned"]


def _sniff(path: Path) -> str | None:
    kind = filetype.guess(str(path))
    return kind.mime if kind else None


def _is_svg(path: Path) -> bool:
    root = ElementTree.fromstring(path.read_bytes())
    return root.tag == "{http://www.w3.org/2000/svg}svg"


# --------------------------------------------------------------------------------------------
# records.json
# --------------------------------------------------------------------------------------------


def test_records_store_has_the_architecture_shape() -> None:
    records = _records()
    assert set(records) == {"candidates", "companies", "vacancies", "contacts"}
    ids = [item["id"] for items in records.values() for item in items]
    assert len(ids) == len(set(ids))
    assert all(isinstance(i, str) and i for i in ids)
    for candidate in records["candidates"]:
        assert {"id", "firstName", "lastName", "emails", "phones"} <= set(candidate)
    company_ids = {c["id"] for c in records["companies"]}
    for item in records["vacancies"] + records["contacts"]:
        assert item["companyId"] in company_ids
    emails = [e for items in records.values() for item in items for e in item.get("emails", [])]
    # Reserved example domains only (RFC 2606): no real mailbox can receive demo mail.
    assert all(
        re.fullmatch(r"[^@]+@([a-z0-9-]+\.)*(example(\.com|\.org|\.net)?)", e) for e in emails
    ), emails


def test_a_numeric_legacy_id_exists_as_a_string() -> None:
    ids = {c["id"] for c in _records()["candidates"]}
    assert "1042" in ids


# --------------------------------------------------------------------------------------------
# manifest.xlsx / manifest.csv / expected.json agree
# --------------------------------------------------------------------------------------------


def test_workbook_looks_like_a_users() -> None:
    workbook = openpyxl.load_workbook(SAMPLE / "manifest.xlsx")
    assert workbook.sheetnames == ["Attachments", "Read me"]
    sheet = workbook["Attachments"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(GENERATOR.MANIFEST_COLUMNS)
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("1F4E78") for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 20
    readme = workbook["Read me"]
    assert "A1:D1" in {str(r) for r in readme.merged_cells.ranges}
    formulas = [
        c.value
        for row in readme.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert "=COUNTA(Attachments!A:A)-1" in formulas
    assert "AttachmentRows" in workbook.defined_names
    number_formats = {c.number_format for row in sheet.iter_rows(min_row=2) for c in row}
    assert "0" in number_formats


def test_numeric_id_cell_is_stored_as_a_number() -> None:
    numeric = [row for row in _xlsx_rows() if isinstance(row["candidate_id"], int)]
    assert [row["candidate_id"] for row in numeric] == [1042]


def test_xlsx_csv_and_expected_list_the_same_rows() -> None:
    xlsx = _xlsx_rows()
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in xlsx]
    assert as_text == _csv_rows()
    expected = _expected()
    assert [row["file_path"] for row in xlsx] == [row["file_path"] for row in expected]
    assert [row["source_row"] for row in expected] == list(range(2, len(xlsx) + 2))
    for row, exp in zip(xlsx, expected, strict=True):
        assert normalise_type(row["type"]) == exp["wire_type"], row["type"]
        for column in ID_COLUMNS:
            written = None if row[column] is None else str(row[column])
            assert written == exp.get(column)
        is_bad = (row["notes"] or "").startswith(GENERATOR.BAD)
        assert is_bad == (exp["status"] == "invalid")
        if is_bad:
            assert f"({exp['code']})" in row["notes"]


def test_manifest_size_and_mix() -> None:
    expected = _expected()
    bad = [row for row in expected if row["status"] == "invalid"]
    assert 20 <= len(expected) <= 30
    assert {row["code"] for row in bad} == {
        "file_missing",
        "content_not_allowed",
        "file_empty",
        "extension_not_allowed",
        "type_unknown",
        "target_missing",
        "duplicate_row",
    }
    loose = {r["type"] for r in _xlsx_rows()} - set(GENERATOR.WIRE_TYPES.values())
    assert {"resume ", "Cover Letter", "cv"} <= loose


# --------------------------------------------------------------------------------------------
# Good rows: files exist, are valid, and point at real records
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", _good(), ids=lambda r: f"row{r['source_row']}")
def test_good_row_file_is_real_and_sniffs_as_its_extension(row: dict[str, Any]) -> None:
    path = SAMPLE / row["file_path"]
    assert path.is_file()
    assert 0 < path.stat().st_size < MAX_BYTES
    mime = MIME_BY_EXTENSION[path.suffix.lower()]
    if mime == "image/svg+xml":
        assert _sniff(path) is None  # text: filetype has no SVG matcher
        assert _is_svg(path)
    else:
        assert _sniff(path) == mime


@pytest.mark.parametrize("row", _good(), ids=lambda r: f"row{r['source_row']}")
def test_good_row_targets_exist(row: dict[str, Any]) -> None:
    records = _records()
    targets = [column for column in ID_COLUMNS if column in row]
    assert targets
    for column in targets:
        ids = {item["id"] for item in records[KIND_BY_COLUMN[column]]}
        assert row[column] in ids


def test_good_rows_cover_every_allowed_family() -> None:
    sniffed = {MIME_BY_EXTENSION[Path(row["file_path"]).suffix.lower()] for row in _good()}
    assert sniffed == set(MIME_BY_EXTENSION.values())


def test_good_rows_are_unique() -> None:
    keys = [(r["file_path"], r["wire_type"], *(r.get(c) for c in ID_COLUMNS)) for r in _good()]
    assert len(keys) == len(set(keys))


# --------------------------------------------------------------------------------------------
# Bad rows are bad for exactly the stated reason
# --------------------------------------------------------------------------------------------


def test_bad_rows_are_bad_for_the_stated_reason() -> None:
    expected = {row["source_row"]: row for row in _expected()}
    for row in expected.values():
        if row["status"] != "invalid":
            continue
        path = SAMPLE / row["file_path"]
        code = row["code"]
        if code == "file_missing":
            assert not path.exists()
            continue
        assert path.is_file()
        if code == "content_not_allowed":
            assert path.read_bytes()[:2] == b"MZ"
            assert _sniff(path) == "application/x-msdownload"
            assert path.suffix == ".pdf"
        elif code == "file_empty":
            assert path.stat().st_size == 0
        elif code == "extension_not_allowed":
            assert path.suffix.lower() not in MIME_BY_EXTENSION
            assert path.stat().st_size > 0
        elif code == "type_unknown":
            assert row["wire_type"] is None
            assert _sniff(path) == MIME_BY_EXTENSION[path.suffix.lower()]
        elif code == "target_missing":
            assert not any(column in row for column in ID_COLUMNS)
            assert _sniff(path) == MIME_BY_EXTENSION[path.suffix.lower()]
        elif code == "duplicate_row":
            first = expected[row["duplicate_of"]]
            assert first["status"] == "assigned"
            same = ("file_path", "wire_type", *ID_COLUMNS)
            assert all(first.get(k) == row.get(k) for k in same)
        else:  # pragma: no cover
            pytest.fail(f"no check for {code}")
    rtf = SAMPLE / "files/candidates/mateo_alvarez_cover_letter.rtf"
    assert _sniff(rtf) == "application/rtf"


# --------------------------------------------------------------------------------------------
# The files themselves
# --------------------------------------------------------------------------------------------


def test_files_folder_holds_exactly_the_generated_files() -> None:
    on_disk = {
        p.relative_to(SAMPLE).as_posix() for p in (SAMPLE / "files").rglob("*") if p.is_file()
    }
    assert on_disk == set(GENERATOR.file_builders())
    assert all((SAMPLE / rel).stat().st_size < MAX_BYTES for rel in on_disk)


REAL_PDFS = sorted(
    p for p in SAMPLE.joinpath("files").rglob("*.pdf") if p.read_bytes()[:5] == b"%PDF-"
)


@pytest.mark.parametrize("path", REAL_PDFS, ids=lambda p: p.name)
def test_pdfs_have_a_correct_xref(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.4\n")
    start = int(re.findall(rb"startxref\n(\d+)\n%%EOF\n$", data)[0])
    assert data[start : start + 5] == b"xref\n"
    first, count = map(int, re.match(rb"xref\n(\d+) (\d+)\n", data[start:]).groups())
    assert first == 0
    table = data[start:].split(b"\n", 2)[2]
    for number in range(1, count):
        entry = table[20 * number : 20 * number + 20]
        offset = int(entry[:10])
        assert entry.endswith(b" n \n")
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())
    assert b"/Type /Page " in data and b" Tj " in data


def test_doc_is_a_word97_compound_file() -> None:
    data = (SAMPLE / "files/candidates/lukas_brenner_cover_letter.doc").read_bytes()
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    w_ident, n_fib = struct.unpack_from("<HH", data, 512)  # WordDocument starts at sector 0
    assert (w_ident, n_fib) == (0xA5EC, 0x00C1)
    fc_min, fc_mac = struct.unpack_from("<II", data, 512 + 0x18)
    text = data[512 + fc_min : 512 + fc_mac].decode("cp1252")
    assert text.startswith("Lukas Brenner\r") and "Dear Ms Holm," in text
    for stream in ("WordDocument", "1Table", "\x05SummaryInformation", "\x01CompObj"):
        assert stream.encode("utf-16-le") in data


@pytest.mark.parametrize(
    "rel",
    [
        "files/candidates/amara_okafor_cover_letter.docx",
        "files/vacancies/warehouse_operations_manager_job_spec.docx",
    ],
)
def test_docx_is_a_complete_package(rel: str) -> None:
    with zipfile.ZipFile(SAMPLE / rel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        for part in (
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/_rels/document.xml.rels",
            "docProps/core.xml",
        ):
            ElementTree.fromstring(archive.read(part))


def test_images_open_with_pillow() -> None:
    for path in (SAMPLE / "files").rglob("*"):
        if path.suffix.lower() in {
            ".png",
            ".jpg",
            ".jpeg",
            ".gif",
            ".bmp",
            ".webp",
            ".tiff",
            ".ico",
        }:
            with Image.open(path) as image:
                image.load()
                assert image.width >= 16 and image.height >= 16


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


TOP_LEVEL_OUTPUTS = ("records.json", "manifest.xlsx", "manifest.csv", "expected.json")


def _tree(root: Path) -> dict[str, bytes]:
    """The generator's outputs under ``root`` (other folders in sample_data/ are not its)."""
    paths = [p for p in (root / "files").rglob("*") if p.is_file()]
    paths += [root / name for name in TOP_LEVEL_OUTPUTS if (root / name).exists()]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    GENERATOR.generate(first)
    GENERATOR.generate(second)
    one, two = _tree(first), _tree(second)
    assert one.keys() == two.keys()
    different = [rel for rel in one if one[rel] != two[rel]]
    assert different == []


def _zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _cells(data: bytes) -> list[list[tuple[object, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]


def test_committed_data_matches_the_generator(tmp_path: Path) -> None:
    """What is committed is what generate.py makes (modulo library-dependent encodings)."""
    GENERATOR.generate(tmp_path)
    fresh, committed = _tree(tmp_path), _tree(SAMPLE)
    assert fresh.keys() == committed.keys()
    for rel, data in fresh.items():
        suffix = Path(rel).suffix
        if suffix == ".docx":  # deflate output may vary between zlib builds
            assert _zip_members(data) == _zip_members(committed[rel]), rel
        elif suffix == ".xlsx":  # openpyxl's XML may vary between versions
            assert _cells(data) == _cells(committed[rel]), rel
        elif suffix in {".png", ".jpg", ".gif", ".bmp", ".webp", ".tiff", ".ico"}:
            # Pillow/FreeType versions may change pixels; keep format and geometry.
            with Image.open(io.BytesIO(data)) as new, Image.open(io.BytesIO(committed[rel])) as old:
                assert (new.format, new.size, new.mode) == (old.format, old.size, old.mode), rel
        else:  # hand-written formats: byte for byte
            assert data == committed[rel], rel
