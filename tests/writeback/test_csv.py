"""CSV manifests keep their encoding, delimiter, quoting and line ends; values are defused."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from spott_migrate.manifest import read_manifest
from spott_migrate.writeback import read_results, write_results


def write_raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def records(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_utf8_with_bom_round_trip(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "m.csv",
        "\ufefffile_path,type,name\r\ncv/zoë.pdf,cv,Zoë\r\ncv/李.pdf,cv,李\r\n".encode(),
    )
    write_results(path, {2: {"spott_status": "assigned", "spott_error": "→ ok"}})

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.decode("utf-8-sig").split("\r\n") == [
        "file_path,type,name,spott_status,spott_error",
        "cv/zoë.pdf,cv,Zoë,assigned,→ ok",
        "cv/李.pdf,cv,李",  # untouched row: unchanged, not padded
        "",
    ]
    assert read_results(path) == {2: {"spott_status": "assigned", "spott_error": "→ ok"}}


def test_cp1252_round_trip_keeps_every_other_byte(tmp_path: Path) -> None:
    raw = "file_path;type;name\ncv\\zoë.pdf;cv;Müller\n".encode("cp1252")
    # 0x81 is undefined in cp1252 but occurs in real files; it must survive untouched.
    raw += b"odd\x81name.pdf;cv;x\n"
    path = write_raw(tmp_path / "m.csv", raw)

    write_results(path, {2: {"spott_status": "assigned", "spott_error": "café ✓"}})

    lines = path.read_bytes().split(b"\n")
    assert lines[0] == b"file_path;type;name;spott_status;spott_error"
    assert lines[1] == "cv\\zoë.pdf;cv;Müller;assigned;café ?".encode("cp1252")  # ✓ not in cp1252
    assert lines[2] == b"odd\x81name.pdf;cv;x"
    assert read_results(path)[2] == {"spott_status": "assigned", "spott_error": "café ?"}


def test_semicolons_quote_all_and_no_final_newline(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "m.csv",
        b'"file_path";"type";"note"\r\n"a.pdf";"cv";"has ; inside"\r\n"b.pdf";"cv";""',
    )
    write_results(path, {3: {"spott_status": "failed"}})
    assert path.read_bytes() == (
        b'"file_path";"type";"note";"spott_status"\r\n'
        b'"a.pdf";"cv";"has ; inside"\r\n'
        b'"b.pdf";"cv";"";"failed"'
    )


@pytest.mark.parametrize(("suffix", "delimiter"), [(".tsv", "\t"), (".csv", "\t"), (".csv", "|")])
def test_other_delimiters(tmp_path: Path, suffix: str, delimiter: str) -> None:
    text = f"file_path{delimiter}type\na, b.pdf{delimiter}cv\n"
    path = write_raw(tmp_path / f"m{suffix}", text.encode())
    write_results(path, {2: {"spott_status": "ok"}})
    assert (
        path.read_text()
        == f"file_path{delimiter}type{delimiter}spott_status\na, b.pdf{delimiter}cv{delimiter}ok\n"
    )


def test_formula_lookalikes_are_prefixed_and_read_back_exactly(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "m.csv", b"file_path\n" + b"x.pdf\n" * 8)
    values = {
        2: '=HYPERLINK("http://evil","x")',
        3: "+1",
        4: "-2",
        5: "@SUM(A1)",
        6: "'=already quoted",
        7: "'plain apostrophe",
        8: "\tTAB",
        9: "safe",
    }
    write_results(path, {row: {"spott_error": v} for row, v in values.items()})

    stored = {n: r[1] for n, r in enumerate(records(path), 1) if n > 1}
    assert stored == {
        2: '\'=HYPERLINK("http://evil","x")',
        3: "'+1",
        4: "'-2",
        5: "'@SUM(A1)",
        6: "''=already quoted",
        7: "'plain apostrophe",
        8: "'\tTAB",
        9: "safe",
    }
    assert {row: r["spott_error"] for row, r in read_results(path).items()} == values


def test_short_records_are_padded_and_missing_records_added(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "m.csv", b"file_path,type,name\na.pdf\n\nc.pdf,cv,C\n")
    write_results(
        path, {2: {"spott_status": "s2"}, 3: {"spott_status": "s3"}, 6: {"spott_status": "s6"}}
    )
    assert path.read_text().split("\n") == [
        "file_path,type,name,spott_status",
        "a.pdf,,,s2",
        ",,,s3",  # record 3 was an empty line
        "c.pdf,cv,C",
        ",,,",  # record 5 did not exist: an empty record, not a blank line
        ",,,s6",
        "",
    ]
    before = path.read_bytes()
    write_results(path, {9: {"spott_status": ""}})  # clearing a record that is not there
    assert path.read_bytes() == before


def test_header_row_below_a_title_and_existing_columns_reused(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "m.csv",
        b"Export 2024-05-01,,\nfile_path,Spott Status,type\na.pdf,pending,cv\nb.pdf,,cv\n",
    )
    write_results(path, {3: {"spott_status": "assigned"}}, header_row=2)
    write_results(
        path, {3: {"SPOTT_STATUS": "failed"}, 4: {"spott_status": "assigned"}}, header_row=2
    )
    assert records(path) == [
        ["Export 2024-05-01", "", ""],
        ["file_path", "Spott Status", "type"],
        ["a.pdf", "failed", "cv"],
        ["b.pdf", "assigned", "cv"],
    ]
    assert read_results(path, header_row=2) == {
        3: {"spott_status": "failed"},
        4: {"spott_status": "assigned"},
    }


def test_multiline_fields_and_crlf_are_kept(tmp_path: Path) -> None:
    raw = b'file_path,note\r\na.pdf,"two\nlines"\r\nb.pdf,x\r\n'
    path = write_raw(tmp_path / "m.csv", raw)
    write_results(path, {3: {"spott_status": "ok"}})  # record 3 is b.pdf
    assert path.read_bytes() == (
        b'file_path,note,spott_status\r\na.pdf,"two\nlines"\r\nb.pdf,x,ok\r\n'
    )


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "m.csv", b"file_path\na.pdf\n")
    write_results(path, {2: {"spott_error": "nul\x00 bell\x07 ok"}})
    assert read_results(path)[2]["spott_error"] == "nul bell ok"


def test_project_reader_agrees_on_row_numbers(tmp_path: Path) -> None:
    from spott_migrate.manifest import read_manifest

    path = write_raw(
        tmp_path / "m.csv",
        b"file_path;type;candidate_id\na.pdf;cv;c-1\n\nb.pdf;cv;c-2\n",
    )
    rows = read_manifest(path).rows
    write_results(path, {int(r): {"spott_status": f"row {r}"} for r in rows["source_row"]})
    again = read_manifest(path).rows
    assert dict(zip(again["file_path"], again["spott_status"], strict=True)) == {
        "a.pdf": "row 2",
        "b.pdf": "row 4",
    }


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_mark_is_read_and_written_back_in_its_own_encoding(
    tmp_path: Path, codec: str
) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-delimited."""
    mark = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text = "file_path\ttype\tcandidate_id\r\nJürgen.pdf\tCV\tc1\r\n"
    path = write_raw(tmp_path / "m.txt", mark + text.encode(codec))
    manifest = read_manifest(path)
    assert manifest.rows["file_path"].tolist() == ["Jürgen.pdf"]
    write_results(path, {2: {"spott_status": "assigned ✓"}})
    raw = path.read_bytes()
    assert raw.startswith(mark) and not raw[2:].startswith(mark)
    assert raw[2:].decode(codec) == (
        "file_path\ttype\tcandidate_id\tspott_status\r\nJürgen.pdf\tCV\tc1\tassigned ✓\r\n"
    )
    assert read_manifest(path).rows["spott_status"].tolist() == ["assigned ✓"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (codecs.BOM_UTF8 + b"file_path,type\n\xff.pdf,CV\n", "UTF-8 mark but is not valid"),
        ("file_path,type\n".encode("utf-16-le"), "NUL bytes"),
    ],
)
def test_undecodable_csv_is_a_clear_error_both_ways(
    tmp_path: Path, raw: bytes, message: str
) -> None:
    from spott_migrate.errors import ManifestError, WriteBackError

    path = write_raw(tmp_path / "m.csv", raw)
    with pytest.raises(ManifestError, match=message):
        read_manifest(path)
    with pytest.raises(WriteBackError, match=message):
        write_results(path, {2: {"spott_status": "x"}})
    assert path.read_bytes() == raw


def test_csv_without_header_record(tmp_path: Path) -> None:
    from spott_migrate.errors import WriteBackError

    path = write_raw(tmp_path / "m.csv", b"")
    with pytest.raises(WriteBackError, match="no record 1"):
        write_results(path, {2: {"spott_status": "x"}})
    assert path.read_bytes() == b""


def test_reading_a_csv_from_memory_matches_csv_module(tmp_path: Path) -> None:
    """Sanity: what we write parses with the plain csv module as the same fields."""
    path = write_raw(tmp_path / "m.csv", b'file_path,name\n"a,b.pdf","say ""hi"""\n')
    write_results(path, {2: {"spott_error": 'x,"y"\nz'}})
    parsed = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    assert parsed == [["file_path", "name", "spott_error"], ["a,b.pdf", 'say "hi"', 'x,"y"\nz']]
