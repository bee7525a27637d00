"""The column-wise CSV writer equals the record-by-record one it replaced, byte for byte, on
generated files of every shape the format allows; and it keeps what that one could not."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import random
from pathlib import Path

import pytest

from spott_migrate.manifest.schema import header_key
from spott_migrate.writeback import ResultTable, read_results, write_results

from .csv_reference import reference_csv, reference_records
from .tables import all_assigned, as_rows, every_third_failed

FIELDS = [
    "a.pdf",
    "dir/Lebenslauf Müller.pdf",
    "",
    " padded ",
    "x,y",
    "x;y",
    "tab\there",
    "pipe|here",
    'say "hi"',
    '"',
    "Zoë",
    "form\x0cfeed",
    "¤odd¤",  # becomes an undefined cp1252 byte (0x81) in cp1252 files
]
UNICODE_ONLY = ["李", "🎉 party", "line\u2028sep", "next\x85line"]
VALUES = [
    "assigned",
    "",
    "att-0000001",
    "2024-05-01T10:00:00Z",
    "=SUM(A1:A3)",
    "+49 30",
    "-1",
    "@home",
    "'quoted",
    "''=twice",
    "\ttab first",
    "x,y",
    "x;y",
    "a|b",
    'say "hi"',
    "Zoë ✓",
    "bell\x07 nul\x00 ok",
    "file_missing: no such file",
]
NAMES = ["spott_status", "spott_attachment_id", "spott_error", "SPOTT STATUS", "spott_note"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252"]


def generated_csv(rng: random.Random, path: Path) -> tuple[int, int]:
    """Write a random CSV manifest at ``path`` the way the csv module writes files; return
    (header row, number of records)."""
    delimiter = "\t" if path.suffix == ".tsv" else rng.choice([",", ";", "\t", "|"])
    line_end = rng.choice(["\n", "\r\n", "\r\n", "\r"])
    encoding = rng.choice(ENCODINGS)
    quote_all = rng.random() < 0.2
    header = ["file_path", "type", "candidate_id"]
    header += rng.sample(["spott_status", "Spott Error", "note", "spott_attachment_id"], 2)
    pool = FIELDS + ([] if encoding == "cp1252" else UNICODE_ONLY)
    newline = "\r" if line_end == "\r" else "\n"
    pool += [f"two{newline}lines", f"a{newline}{newline}b"]
    records: list[list[str]] = []
    header_row = 1
    if rng.random() < 0.3:
        records.append(["Export of 2024-05-01"])
        header_row = 2
    records.append(header)
    for _ in range(rng.randrange(0, 25)):
        shape = rng.random()
        if shape < 0.08:
            records.append([])  # an empty line
        elif shape < 0.12:
            records.append([""])  # one empty field: written as ""
        else:
            width = len(header) + rng.choice([0, 0, 0, -1, -3, 1, 2])
            records.append([rng.choice(pool) for _ in range(max(1, width))])
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=quoting)
    writer.writerows(records)
    text = buffer.getvalue()
    if rng.random() < 0.3:
        text = text[: -len(line_end)]  # no line end after the last record
    if encoding == "cp1252":
        data = text.encode("cp1252").replace(b"\xa4", b"\x81")
    elif encoding.startswith("utf-16"):
        mark = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = mark + text.encode(encoding)
    else:
        data = text.encode(encoding)
    path.write_bytes(data)
    return header_row, len(records)


def generated_results(
    rng: random.Random, header_row: int, records: int
) -> dict[int, dict[str, str]]:
    rows = range(header_row + 1, records + 4)
    chosen = rng.sample(list(rows), rng.randrange(0, len(rows) + 1))
    names = rng.sample(NAMES, rng.randrange(1, 4))
    results: dict[int, dict[str, str]] = {}
    for row in chosen:
        mine = [n for n in names if rng.random() < 0.8] or names[:1]
        results[row] = {n: rng.choice(VALUES) for n in mine}
    return results


def every_column(results: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    """The same results with every row naming every column once ("" where it named none;
    of two spellings of one column, the last a row gives)."""
    names: dict[str, str] = {}
    for values in results.values():
        for name in values:
            names.setdefault(header_key(name), name)
    full: dict[int, dict[str, str]] = {}
    for row, values in results.items():
        merged = {header_key(n): text for n, text in values.items()}
        full[row] = {name: merged.get(key, "") for key, name in names.items()}
    return full


def as_table(results: dict[int, dict[str, str]]) -> ResultTable:
    names = list(dict.fromkeys(n for values in results.values() for n in values))
    rows = list(results)
    return ResultTable.of(rows, {n: [results[r][n] for r in rows] for n in names})


@pytest.mark.parametrize("seed", range(300))
def test_equals_the_record_by_record_writer(tmp_path: Path, seed: int) -> None:
    """Byte for byte where the csv module writes the file's records as they are (it wrote
    them, in the format the writer detects); else record for record, as that writer meant
    them (it left a line break unquoted in a last record without a line end)."""
    rng = random.Random(seed)
    source = tmp_path / rng.choice(["m.csv", "m.csv", "m.tsv", "m.txt"])
    header_row, records = generated_csv(rng, source)
    results = generated_results(rng, header_row, records)
    canonical = reference_csv(source, {}, header_row) == source.read_bytes()
    out = tmp_path / f"out{source.suffix}"
    full = every_column(results)
    for given, meant in ((results, results), (as_table(full), full)):
        write_results(source, given, header_row=header_row, output=out)
        expected = reference_csv(source, meant, header_row)
        if canonical:
            assert out.read_bytes() == expected
        else:
            assert _parsed(out.read_bytes(), out) == reference_records(source, meant, header_row)


def _parsed(data: bytes, like: Path) -> list[list[str]]:
    from spott_migrate.manifest.csvformat import detect_format

    fmt = detect_format(like, 1)
    text = data.decode(fmt.encoding, fmt.errors)
    return list(csv.reader(io.StringIO(text, newline=""), **fmt.reader_options()))


def test_untouched_records_are_copied_as_they_are(tmp_path: Path) -> None:
    """Quotes the csv module would drop, mixed line ends: kept where we write nothing."""
    raw = (
        b'file_path,"type",note\r\n"a.pdf",cv,"x"\nb.pdf,cv,y\r'
        b'"c.pdf" ,cv,"mul\r\nti"\r\nd.pdf,cv,z\n'
    )
    path = tmp_path / "m.csv"
    path.write_bytes(raw)
    write_results(path, {3: {"spott_status": "ok"}, 5: {"spott_status": "ok"}})
    assert path.read_bytes() == (
        b'file_path,type,note,spott_status\r\n"a.pdf",cv,"x"\nb.pdf,cv,y,ok\r'
        b'"c.pdf" ,cv,"mul\r\nti"\r\nd.pdf,cv,z,ok\n'
    )
    assert read_results(path) == {3: {"spott_status": "ok"}, 5: {"spott_status": "ok"}}


@pytest.mark.parametrize("line_end", ["\n", "\r\n", ""])
def test_values_with_line_breaks_are_quoted_whatever_the_line_end(
    tmp_path: Path, line_end: str
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(f"file_path\na.pdf\nb.pdf{line_end}".encode())
    values = {2: "one\ntwo", 3: "cr\ronly"}
    write_results(path, {row: {"spott_error": text} for row, text in values.items()})
    assert read_results(path) == {row: {"spott_error": text} for row, text in values.items()}
    assert path.read_bytes().endswith(b'"cr\ronly"' + line_end.encode())


def test_a_record_over_the_field_limit_is_refused_as_before(tmp_path: Path) -> None:
    from spott_migrate.errors import WriteBackError

    path = tmp_path / "m.csv"
    path.write_bytes(b"file_path\n" + b"x" * (csv.field_size_limit() + 1) + b"\n")
    with pytest.raises(WriteBackError, match="field larger than field limit"):
        write_results(path, {2: {"spott_status": "x"}})


def test_a_million_style_file_takes_the_column_wise_way(tmp_path: Path) -> None:
    """Every row changed, result columns new, then written again in place: the rows stay
    what the record-by-record writer would make of them."""
    path = tmp_path / "m.csv"
    rows = 2_000
    path.write_text(
        "file_path,type,candidate_id\n"
        + "".join(f"f/{i}.pdf,CV,c-{i // 4}\n" for i in range(rows)),
        encoding="utf-8",
    )
    first = all_assigned(rows)
    expected = reference_csv(path, as_rows(first))
    write_results(path, first)
    assert path.read_bytes() == expected
    second = every_third_failed(rows, "x, y")
    expected = reference_csv(path, as_rows(second))
    write_results(path, second)
    assert path.read_bytes() == expected


def test_line_shapes_read_from_the_bytes_agree_with_the_text() -> None:
    """Line ends and delimiters per line, counted from the bytes, are the text's own (a lone
    CR beside a lone LF once the other bytes are gone is not taken for a CRLF)."""
    from spott_migrate.manifest.csvlines import CsvLines

    rng = random.Random(7)
    counted = 0
    for _ in range(5_000):
        text = "".join(
            rng.choice(["a", ",", ";", "\r", "\n", "\r\n", "\r\n", "é", '"', ""])
            for _ in range(rng.randrange(0, 30))
        )
        for delimiter in ",;":
            fast = CsvLines(text, raw=text.encode(), delimiter=delimiter)
            slow = CsvLines(text)
            assert (fast.bodies, fast.uniform_end, fast.final_end) == (
                slow.bodies,
                slow.uniform_end,
                slow.final_end,
            )
            if fast.delimiters is not None:
                counted += 1
                assert fast.delimiters.tolist() == [b.count(delimiter) for b in fast.bodies]
    assert counted > 1_000


def _plain_csv(rng: random.Random, path: Path) -> None:
    """A plain export (no quote, every line as wide), in one of the encodings and line ends
    a plain read proves; sometimes with result columns already there."""
    delimiter = "\t" if path.suffix == ".tsv" else rng.choice([",", ";", "|"])
    end = rng.choice(["\n", "\r\n", "\r"])
    header = ["file_path", "type", "candidate_id"]
    if rng.random() < 0.5:
        header += rng.sample(["spott_status", "spott_error", "note", "spott_attachment_id"], 2)
    cells = ["a.pdf", "dir/b c.pdf", "", "CV", "c-1", "Zoë", " padded ", "assigned"]
    lines = [delimiter.join(header)]
    for _ in range(rng.randrange(1, 30)):
        lines.append(delimiter.join(rng.choice(cells) for _ in header))
    text = end.join(lines) + (end if rng.random() < 0.7 else "")
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"])
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("seed", range(150))
def test_what_the_read_proved_gives_the_same_bytes(tmp_path: Path, seed: int) -> None:
    """The write-back trusts a plain read's shape of the file (not measuring its lines again)
    only for the version read, and writes the same bytes as when it measures them."""
    from spott_migrate.manifest import read_manifest

    rng = random.Random(seed)
    source = tmp_path / rng.choice(["m.csv", "m.csv", "m.tsv"])
    _plain_csv(rng, source)
    shape = read_manifest(source).shape
    assert shape is not None  # a plain file: the read proved its shape
    results = generated_results(rng, 1, shape.lines)
    measured, trusted = tmp_path / f"measured{source.suffix}", tmp_path / f"trusted{source.suffix}"
    write_results(source, results, output=measured)
    write_results(source, results, output=trusted, shape=shape)
    assert trusted.read_bytes() == measured.read_bytes()
    # A shape that does not fit the text (or another version's) is not used.
    wrong = dataclasses.replace(shape, lines=shape.lines + 1)
    other = dataclasses.replace(shape, width=shape.width + 2, signature=(0, 0, 0))
    for given in (wrong, other):
        write_results(source, results, output=trusted, shape=given)
        assert trusted.read_bytes() == measured.read_bytes()
