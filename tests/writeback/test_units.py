"""The small pure pieces: public surface, cell references, text rules."""

from __future__ import annotations

import pytest

import spott_migrate.writeback as writeback
from spott_migrate.manifest import schema
from spott_migrate.writeback._cellref import col_index, col_letters, format_range, parse_range
from spott_migrate.writeback._columns import find_columns, plan_columns
from spott_migrate.writeback._text import (
    csv_guard,
    csv_unguard,
    from_cell_text,
    to_cell_text,
    xml_safe,
)


def test_public_surface_is_pinned() -> None:
    assert writeback.__all__ == [
        "RESULT_COLUMNS",
        "ResultTable",
        "check_writable",
        "csv_delimiter",
        "read_results",
        "write_results",
    ]
    assert writeback.RESULT_COLUMNS == (
        "spott_status",
        "spott_attachment_id",
        "spott_error",
        "spott_updated_at",
        "spott_note",
    )
    assert writeback.RESULT_COLUMNS is schema.RESULT_COLUMNS  # declared once


@pytest.mark.parametrize(("index", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (16_384, "XFD")])
def test_column_letters(index: int, letters: str) -> None:
    assert col_letters(index) == letters
    assert col_index(letters) == index


@pytest.mark.parametrize("bad", ["", "A1", "XFE", "ÄB", "ABCD"])
def test_bad_column_letters(bad: str) -> None:
    with pytest.raises(ValueError):
        col_index(bad)


def test_ranges() -> None:
    assert parse_range("B3:A1") == (1, 1, 3, 2)
    assert format_range(parse_range("C7")) == "C7"
    assert format_range((1, 1, 20, 9)) == "A1:I20"


@pytest.mark.parametrize(
    "text", ["=1", "'=1", "''=1", "'", "'a", "+", "-", "@", "\t", "\r", "", "plain", "a=b"]
)
def test_csv_guard_is_reversible_and_defuses(text: str) -> None:
    guarded = csv_guard(text)
    assert csv_unguard(guarded) == text
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_cell_text_rules() -> None:
    assert xml_safe("a\x00b\x1fc\ud800d\ufffee") == "abcde"
    assert xml_safe("tab\tnl\ncr\r") == "tab\tnl\ncr\r"
    assert to_cell_text("_x000D_") == "_x005F_x000D_"
    assert from_cell_text(to_cell_text("_x000D_ and _x005F_")) == "_x000D_ and _x005F_"
    assert from_cell_text("a_x000A_b") == "a\nb"
    assert len(to_cell_text("🎉" * 20_000).encode("utf-16-le")) <= 2 * 32_767


def test_column_plan() -> None:
    plan = plan_columns(
        {1: "file_path", 2: "", 3: "Spott-Status", 5: "note"}, ["spott_status", "spott_error"]
    )
    assert plan.new_headers == {6: "spott_error"}
    assert plan.cells({"SPOTT_STATUS": "a", "spott_error": "b"}) == {3: "a", 6: "b"}


def test_columns_read_back_by_default() -> None:
    header = {1: "file_path", 2: "Spott Status", 3: "spott_resolved_by", 4: "Spotted", 5: "x"}
    assert find_columns(header, None) == {"spott_status": 2, "spott_resolved_by": 3}
    assert find_columns(header, ["spott_status", "missing"]) == {"spott_status": 2}
