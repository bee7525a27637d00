"""Manifest rows from a folder-per-record export (``candidates/<legacy id>/<files>``).

The layout is a small pattern over relative paths:

- ``{entity}``  a folder naming the record kind (``candidates``, ``companies``, ``clients``,
  ``vacancies``, ``jobs`` …);
- ``{id}``      the legacy id; it may share a segment with other text (``{id}_*``);
- ``*``         any text within one folder or file name;
- ``**``        any number of folders; at the end of a pattern, any folders and the file.

The default ``{entity}/{id}/**`` takes every file at any depth below a record's folder; the
folders in between feed type inference (``candidates/17/contracts/x.pdf`` → ``OFFER``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..codes import Code, format_error
from ..errors import ConfigError
from .columns import (
    BUILD_PROBLEM,
    ENTITIES,
    FILE_PATH,
    LEGACY_ENTITY,
    LEGACY_ID,
    SOURCE_PATH,
    TYPE,
    TYPE_RULE,
    Entity,
    blank_row,
    clean_id,
    entity_of,
    manifest_frame,
)
from .export import Export, open_export
from .rules import TypeRules

DEFAULT_PATTERN = "{entity}/{id}/**"
_PLACEHOLDER = re.compile(r"\{(entity|id)\}|\*\*|\*")


@dataclass(frozen=True)
class Layout:
    """A compiled folder pattern, plus the record kind when the pattern has no ``{entity}``."""

    pattern: str
    regex: re.Pattern[str]
    entity: Entity | None

    @classmethod
    def compile(cls, pattern: str, entity: str | None = None) -> Layout:
        """Turn a pattern such as ``{entity}/{id}/**`` into a matcher; raises `ConfigError`."""
        segments = [s for s in pattern.strip().strip("/").split("/") if s]
        if not any("{id}" in s for s in segments):
            raise ConfigError(f"layout pattern {pattern!r} has no {{id}}")
        if sum(s.count("{id}") for s in segments) > 1:
            raise ConfigError(f"layout pattern {pattern!r} has more than one {{id}}")
        parts: list[str] = []
        for i, segment in enumerate(segments):
            last = i == len(segments) - 1
            if segment == "**":
                parts.append(".+" if last else "(?:[^/]+/)*")
                continue
            parts.append(_segment_regex(segment) + ("" if last else "/"))
        kind = _entity_for(pattern, segments, entity)
        return cls(pattern, re.compile("".join(parts), re.IGNORECASE), kind)

    def fits(self, files: list[str]) -> bool:
        """Whether any file lands on a record kind Spott knows under this layout."""
        for rel in files:
            placed = self.place(rel)
            if not isinstance(placed, str) and (self.entity or entity_of(placed[0])):
                return True
        return False

    def place(self, rel: str) -> tuple[str, str, list[str]] | str:
        """``(entity text, legacy id, folders below the record)`` for a path, or why not."""
        match = self.regex.fullmatch(rel)
        if match is None:
            return f"{rel} does not fit the layout {self.pattern!r}"
        groups = match.groupdict()
        legacy_id = clean_id(groups["id"])
        if not legacy_id:
            return f"{rel}: the legacy id is empty"
        entity_text = groups.get("entity") or self.entity or ""
        # Folders between the record's own folder and the file feed type inference.
        tail = rel[match.end("id") :]
        folders = tail.split("/")[1:-1] if "/" in tail else []
        return entity_text, legacy_id, folders


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(segment):
        out.append(re.escape(segment[pos : m.start()]))
        token = m.group(0)
        if token == "{entity}":
            out.append("(?P<entity>[^/]+?)")
        elif token == "{id}":
            out.append("(?P<id>[^/]+?)")
        else:  # "*" or "**" inside a segment: both stay within the segment
            out.append("[^/]*")
        pos = m.end()
    out.append(re.escape(segment[pos:]))
    return "".join(out)


def _entity_for(pattern: str, segments: list[str], entity: str | None) -> Entity | None:
    if any("{entity}" in s for s in segments):
        return None
    if entity:
        kind = entity_of(entity)
        if kind is None:
            raise ConfigError(f"unknown record kind {entity!r}; use one of {', '.join(ENTITIES)}")
        return kind
    # A literal folder such as "candidates/{id}/**" says the kind by itself.
    for segment in segments:
        kind = entity_of(segment)
        if kind is not None:
            return kind
    raise ConfigError(
        f"layout pattern {pattern!r} does not say which kind of record the folders are; "
        "add {entity} to it or give the entity (candidate, company or vacancy)"
    )


@contextmanager
def _opened(source: Export | str | Path, work_dir: str | Path | None) -> Iterator[Export]:
    if isinstance(source, Export):
        yield source
        return
    with open_export(source, work_dir) as export:
        yield export


def build_from_tree(
    source: Export | str | Path,
    *,
    pattern: str = DEFAULT_PATTERN,
    entity: str | None = None,
    rules: TypeRules | None = None,
    work_dir: str | Path | None = None,
) -> pd.DataFrame:
    """One manifest row per file of a folder-per-record export (a folder or a zip).

    Files that fit no record (outside the pattern, or under a folder such as ``contacts``
    that Spott cannot attach files to) are kept with a ``target_missing`` problem. Targets
    are not resolved here; see `apply_crosswalk` and `resolve_emails`.
    """
    layout = Layout.compile(pattern, entity)
    rules = rules or TypeRules()
    rows: list[dict[str, str]] = []
    with _opened(source, work_dir) as export:
        # Exports are often wrapped in one dated folder; step in until the layout fits.
        export.find_root(layout.fits)
        for rel in export.files():
            row = blank_row()
            row[SOURCE_PATH] = rel
            row[FILE_PATH] = str(export.local_path(rel))
            placed = layout.place(rel)
            folders: list[str] = []
            if isinstance(placed, str):
                row[BUILD_PROBLEM] = format_error(Code.TARGET_MISSING, placed)
            else:
                entity_text, legacy_id, folders = placed
                kind = entity_of(entity_text)
                row[LEGACY_ENTITY] = kind or entity_text
                row[LEGACY_ID] = legacy_id
                if kind is None:
                    row[BUILD_PROBLEM] = format_error(
                        Code.TARGET_MISSING,
                        f"{entity_text} {legacy_id}: Spott attaches files only to candidates, "
                        "companies and vacancies",
                    )
            inference = rules.infer(Path(rel).name, folders)
            row[TYPE], row[TYPE_RULE] = inference.type, inference.rule
            rows.append(row)
    return manifest_frame(rows)
