"""Refuse to write a file that a spreadsheet program has open.

On Windows the open file blocks the rename and we fail anyway; on macOS and Linux the rename
succeeds and the program later saves its stale copy over our results. Excel and LibreOffice
leave an owner file beside the document while it is open, so we look for those.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import WriteBackError


def owner_files(path: Path) -> list[Path]:
    """Where Excel (``~$name``) and LibreOffice (``.~lock.name#``) mark ``path`` as open."""
    return [path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")]


def raise_if_open_elsewhere(path: Path) -> None:
    for owner in owner_files(path):
        if owner.exists():
            raise WriteBackError(
                f"{path} is open in another program (found {owner.name}); close it and try "
                f"again — if nothing has it open, delete {owner} (left over from a crash)"
            )
