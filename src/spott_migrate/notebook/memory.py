"""Column mappings remembered beside the manifest, so a reload or a new session keeps them.

Stored as ``<manifest>.spott-columns.json`` next to the journal (``<manifest>.spott-journal…``),
one mapping per sheet. Only mappings chosen by hand are kept; the aliases find the rest again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

SUFFIX = ".spott-columns.json"


def memory_path(manifest: Path) -> Path:
    """Where the mappings of ``manifest`` are remembered."""
    return manifest.with_name(manifest.name + SUFFIX)


class ColumnMemory:
    """Canonical column -> header text, per sheet, kept in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, manifest: Path) -> ColumnMemory:
        """The memory of one manifest."""
        return cls(memory_path(manifest))

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # nothing remembered, or a file we cannot use: start afresh
        sheets = data.get("sheets", {}) if isinstance(data, dict) else {}
        return {
            str(k): {str(c): str(h) for c, h in v.items()}
            for k, v in sheets.items()
            if isinstance(v, dict)
        }

    def get(self, sheet: str | None, headers: Iterable[str] | None = None) -> dict[str, str]:
        """The remembered mapping of ``sheet``; entries whose header is gone are dropped."""
        mapping = self._load().get(sheet or "", {})
        if headers is None:
            return mapping
        present = set(headers)
        return {c: h for c, h in mapping.items() if h in present}

    def remember(self, sheet: str | None, mapping: Mapping[str, str]) -> None:
        """Keep ``mapping`` for ``sheet`` (an empty mapping forgets it)."""
        sheets = self._load()
        if mapping:
            sheets[sheet or ""] = dict(mapping)
        else:
            sheets.pop(sheet or "", None)
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(json.dumps({"sheets": sheets}, indent=2), encoding="utf-8")
        os.replace(partial, self.path)
