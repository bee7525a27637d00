"""Result tables the large write-back tests share: every row assigned, then some failed."""

from __future__ import annotations

import numpy as np

from spott_migrate.writeback import ResultTable


def all_assigned(rows: int) -> ResultTable:
    """Records 2 .. rows + 1 assigned, each with its own attachment id."""
    numbers = np.arange(2, rows + 2)
    return ResultTable.of(
        numbers,
        {
            "spott_status": ["assigned"] * rows,
            "spott_attachment_id": [f"att-{n}" for n in numbers],
            "spott_error": [""] * rows,
        },
    )


def every_third_failed(rows: int, error: str) -> ResultTable:
    """Every third of those records failed with ``error`` (their ids left as they are)."""
    some = np.arange(2, rows + 2)[::3]
    return ResultTable.of(
        some, {"spott_status": ["failed"] * len(some), "spott_error": [error] * len(some)}
    )


def as_rows(table: ResultTable) -> dict[int, dict[str, str]]:
    """``{record: {column: text}}``, as the reference writers take results."""
    return {int(r): table.row(i) for i, r in enumerate(table.rows.tolist())}
