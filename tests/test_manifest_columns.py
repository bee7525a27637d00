"""The CSV reader's column-wise way (a plain export: no quotes, every line alike) reads what
the csv module reads, cell for cell, on generated files; any other file goes the csv way."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pandas as pd
import pytest

from spott_migrate.errors import ManifestError
from spott_migrate.manifest import Manifest, read, read_manifest

HEADER = ["file_path", "type", "candidate_id", "company_id", "spott_status", "note"]
CELLS = ["a.pdf", " padded.pdf ", "", "CV", "cv", "c-1", "Zoë", "x;y", "x|y", "tab\there", "\x0c"]


def generated(rng: random.Random) -> tuple[bytes, str]:
    delimiter = rng.choice([",", ";", "\t", "|"])
    end = rng.choice(["\n", "\r\n", "\r"])
    width = len(HEADER) if rng.random() < 0.8 else len(HEADER) - 1
    lines = [delimiter.join(HEADER[:width])]
    pool = [c for c in CELLS if delimiter not in c]
    if rng.random() < 0.4:  # no space anywhere: the reader skips stripping
        pool = [c for c in pool if not any(ch.isspace() for ch in c)]
    for _ in range(rng.randrange(0, 30)):
        cells = [rng.choice(pool) for _ in range(width)]
        if rng.random() < 0.05:
            cells = cells[:-1]  # a short line: the csv way
        lines.append(delimiter.join(cells))
    text = end.join(lines) + (end if rng.random() < 0.7 else "")
    if rng.random() < 0.1:
        text = text.replace("a.pdf", '"a.pdf"', 1)  # a quote: the csv way
    if rng.random() < 0.05:
        text = text.replace(end, "\n" if end != "\n" else "\r\n", 1)  # mixed line ends
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    data = text.encode("utf-16-le") if encoding == "utf-16" else text.encode(encoding)
    if encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + data
    return data, ".tsv" if delimiter == "\t" and rng.random() < 0.5 else ".csv"


@pytest.mark.parametrize("seed", range(200))
def test_the_column_wise_read_equals_the_csv_module(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, suffix = generated(random.Random(seed))
    path = tmp_path / f"m{suffix}"
    path.write_bytes(data)
    both = read_both_ways(path, monkeypatch)
    if both is None:
        return  # refused alike
    fast, slow = both
    assert (fast.column_map, fast.header_row, fast.encoding) == (
        slow.column_map,
        slow.header_row,
        slow.encoding,
    )


def read_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Manifest, Manifest] | None:
    """The manifest read the column-wise way when it can, and then the csv module's way:
    the same rows (returned), or the same error (None)."""
    try:
        fast = read_manifest(path)
    except ManifestError as exc:
        fast_error: str | None = str(exc)
    else:
        fast_error = None
    monkeypatch.setattr(read, "uniform_columns", lambda *args: None)
    try:
        slow = read_manifest(path)
    except ManifestError as exc:
        assert fast_error == str(exc)
        return None
    assert fast_error is None
    pd.testing.assert_frame_equal(fast.rows, slow.rows)
    return fast, slow


def test_a_plain_export_is_read_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("file_path,type,candidate_id\r\na.pdf,CV,c-1\r\nb.pdf,CV,c-2\r\n")
    grid = read._read_csv_grid(path)[1]
    assert isinstance(grid, read.ColumnGrid)
    columns = [list(c) for c in grid.columns]
    assert columns == [["file_path", "a.pdf", "b.pdf"], ["type", "CV", "CV"],
                       ["candidate_id", "c-1", "c-2"]]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "padded"),
    [
        (b"a,b\nc.pdf,CV\n", False),
        (b"a\tb\r\nc.pdf\tCV\r\n", False),  # the delimiter is no padding
        (b"a,b\nc .pdf,CV\n", True),  # a false alarm: the space is inside
        (b"a,b\nc.pdf,CV\x0c\n", True),
        ("a,b\nZoë.pdf,CV\n".encode(), True),  # not ASCII: stripped to be sure
    ],
)
def test_a_file_without_spaces_is_not_stripped(data: bytes, padded: bool) -> None:
    delimiter = "\t" if b"\t" in data else ","
    assert read._may_be_padded(data, delimiter) is padded


def test_a_field_over_the_csv_limit_is_refused_as_before(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "m.csv"
    path.write_text("file_path,type\n" + "x" * (csv.field_size_limit() + 1) + ",CV\n")
    with pytest.raises(ManifestError, match="field larger than field limit"):
        read_manifest(path)


@pytest.mark.parametrize("seed", range(300))
def test_the_long_line_test_agrees_with_measuring_every_line(seed: int) -> None:
    from spott_migrate.manifest.csvlines import _longest_line, _may_hold_a_line_over

    rng = random.Random(seed)
    end = rng.choice(["\n", "\r\n", "\r"])
    limit = rng.randrange(1, 40)
    lines = ["x" * rng.choice([0, 1, limit - 1, limit, limit + 1, 2 * limit, rng.randrange(90)])
             for _ in range(rng.randrange(1, 12))]  # fmt: skip
    raw = (end.join(lines) + rng.choice(["", end])).encode()
    assert _may_hold_a_line_over(raw, end, limit) is (_longest_line(raw, end) > limit)


@pytest.mark.parametrize(
    "text",
    [
        "file_path,type,candidate_id\r\na.pdf,CV\rx,c-1\r\nb.pdf,CV,c-2\nz\r\n",  # lone CR, LF
        "file_path,type,candidate_id\r\na.pdf\r,CV,c-1\n\r\nb.pdf,CV,c-2\r\n",
        "file_path,type\r\na.pdf\rb.pdf,CV\nc.pdf,CV\r\n",  # only the parser's lines tell
    ],
)
def test_a_lone_cr_and_a_lone_lf_that_look_like_a_pair_read_as_the_csv_module_reads(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Among the delimiters and line ends alone, a lone CR and a lone LF look like a CRLF;
    the lines the parser then finds do not match the count, and the csv module reads it."""
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode())
    read_both_ways(path, monkeypatch)
