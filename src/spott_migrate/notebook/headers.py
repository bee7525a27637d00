"""What a manifest's header row holds, for the column-mapping dropdowns.

When :func:`~spott_migrate.manifest.read_manifest` refuses a file because a required column is
missing, the panel still needs the header cells to offer them in dropdowns. The reading itself
(encodings, sheets, the first non-empty row) stays the manifest reader's: this module calls its
helpers rather than repeat them.
"""

from __future__ import annotations

from pathlib import Path

from ..manifest import read_header, sheet_names
from ..manifest import schema as s

__all__ = ["guess_mapping", "header_cells", "missing_columns", "sheet_names"]


def header_cells(path: Path, sheet: str | None = None) -> list[str]:
    """The header row's cells as text (empty cells dropped), as the reader would find them."""
    return read_header(path, sheet)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Canonical column -> header, from the schema's aliases (first match wins)."""
    found: dict[str, str] = {}
    for header in headers:
        canonical = s.ALIASES.get(s.header_key(header))
        if canonical is not None and canonical in s.CANONICAL_COLUMNS:
            found.setdefault(canonical, header)
    return found


def missing_columns(mapping: dict[str, str]) -> list[str]:
    """Required columns a mapping lacks (a target counts once, as ``candidate_id/…``)."""
    missing = [c for c in s.REQUIRED_COLUMNS if c not in mapping]
    if not any(c in mapping for c in s.TARGET_COLUMNS):
        missing.append("/".join(s.TARGET_COLUMNS))
    return missing
