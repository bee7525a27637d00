"""Manifest rows from an attachments list: one CSV (or sheet) row per file.

The widespread layout is the one bulk loaders use, one file per entity::

    candidate.externalID,relativeFilePath,isResume
    1001,files/1001/Ada Lovelace.pdf,1

where the entity comes from the header's prefix. Generic lists with a record-type column, a
type column or a column of Spott ids work too; headers are found by their usual names, and
`CsvColumns` names the ones that are spelt otherwise. File paths are relative to the CSV's
own folder, inside a zip as on disk.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from ..codes import Code, format_error
from ..errors import ConfigError
from .columns import (
    BUILD_PROBLEM,
    ENTITIES,
    FILE_PATH,
    LEGACY_EMAIL,
    LEGACY_ENTITY,
    LEGACY_ID,
    NAME,
    RESOLVED_BY,
    SOURCE_PATH,
    TARGET_COLUMNS,
    TYPE,
    TYPE_RULE,
    Entity,
    blank_row,
    clean_id,
    entity_of,
    manifest_frame,
    word_key,
)
from .export import Export, FolderExport, clean_relative
from .rules import TypeRules, is_true
from .tables import EXCEL_SUFFIXES, find_column, read_csv_bytes

ALIASES: dict[str, tuple[str, ...]] = {
    "legacy_id": (
        "legacy_id",
        "record_id",
        "external_id",
        "externalid",
        "parent_id",
        "owner_id",
        "entity_id",
        "candidate_id_legacy",
    ),
    "path": (
        "relativeFilePath",
        "file_path",
        "filepath",
        "relative_path",
        "path",
        "file",
        "attachment",
        "document",
    ),
    "entity": ("entity", "record_type", "entity_type", "parent_type", "owner_type", "object"),
    "type": ("type", "document_type", "doc_type", "attachment_type", "file_type", "category"),
    "name": ("name", "display_name", "title", "file_name", "filename"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "spott_id": ("spott_id", "spott_record_id"),
}
# "<entity>.externalID" (or ".id"): the record kind lives in the header itself.
_PREFIXED_ID = re.compile(r"^(?P<entity>[A-Za-z]+)\.(?:externalid|id)$", re.IGNORECASE)


@dataclass(frozen=True)
class CsvColumns:
    """Header names for an attachments list, where they differ from the usual ones.

    ``flags`` are extra yes/no columns and the type each stands for (``{"isLogo": "LOGO"}``);
    ``isResume`` and ``isCV`` are known already.
    """

    legacy_id: str | None = None
    path: str | None = None
    entity: str | None = None
    type: str | None = None
    name: str | None = None
    email: str | None = None
    spott_id: str | None = None
    flags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, pairs: Sequence[str]) -> CsvColumns:
        """From ``field=Header`` texts, as the CLI's ``--column`` gives them."""
        values: dict[str, Any] = {}
        for pair in pairs:
            key, sep, header = pair.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in ALIASES or not header.strip():
                fields = ", ".join(ALIASES)
                raise ConfigError(
                    f"--column wants FIELD=HEADER with FIELD one of {fields}; got {pair!r}"
                )
            values[key] = header.strip()
        return cls(**values)


def looks_like_attachment_list(frame: pd.DataFrame, columns: CsvColumns | None = None) -> bool:
    """Whether a table has a file path column and a record id column."""
    cols = columns or CsvColumns()
    try:
        path = find_column(frame, ALIASES["path"], cols.path)
        lid = _id_column(frame, cols)
    except ConfigError:
        return False
    return path is not None and lid[0] is not None


def read_export_table(export: Export, rel: str) -> pd.DataFrame:
    """A CSV or the first sheet of an ``.xlsx`` in the export, every cell a string."""
    data = export.read_bytes(rel)
    if PurePosixPath(rel).suffix.lower() in EXCEL_SUFFIXES:
        frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl")
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame
    return read_csv_bytes(data, f"{export.label}:{rel}")


def find_attachment_lists(export: Export, columns: CsvColumns | None = None) -> list[str]:
    """The top-level tables of an export that look like attachment lists."""
    found = []
    for rel in export.files():
        if "/" in rel or PurePosixPath(rel).suffix.lower() not in {".csv", *EXCEL_SUFFIXES}:
            continue
        try:
            frame = read_export_table(export, rel)
        except (ConfigError, ValueError):
            continue
        if looks_like_attachment_list(frame, columns):
            found.append(rel)
    return found


def _id_column(frame: pd.DataFrame, cols: CsvColumns) -> tuple[str | None, Entity | str | None]:
    """The legacy id column and, for ``candidate.externalID`` headers, the kind it names."""
    explicit = find_column(frame, (), cols.legacy_id, what="legacy_id") if cols.legacy_id else None
    if explicit:
        m = _PREFIXED_ID.match(explicit)
        return explicit, (entity_of(m["entity"]) or m["entity"]) if m else None
    for header in frame.columns:
        m = _PREFIXED_ID.match(str(header))
        if m:
            return str(header), entity_of(m["entity"]) or m["entity"]
    return find_column(frame, ALIASES["legacy_id"]), None


def build_from_attachment_list(
    export: Export,
    rel: str,
    *,
    columns: CsvColumns | None = None,
    entity: str | None = None,
    rules: TypeRules | None = None,
) -> pd.DataFrame:
    """Manifest rows for one attachments table inside ``export`` (at relative path ``rel``)."""
    cols = columns or CsvColumns()
    rules = rules or TypeRules()
    frame = read_export_table(export, rel)
    what = f"{export.label}:{rel}"
    path_col = find_column(frame, ALIASES["path"], cols.path, what="path")
    id_col, header_entity = _id_column(frame, cols)
    if path_col is None or id_col is None:
        raise ConfigError(
            f"{what}: need a file path column and a record id column "
            f"(found headers: {', '.join(map(str, frame.columns))}); name them with --column"
        )
    entity_col = find_column(frame, ALIASES["entity"], cols.entity, what="entity")
    type_col = find_column(frame, ALIASES["type"], cols.type, what="type")
    name_col = find_column(frame, ALIASES["name"], cols.name, what="name")
    email_col = find_column(frame, ALIASES["email"], cols.email, what="email")
    spott_col = find_column(frame, ALIASES["spott_id"], cols.spott_id, what="spott_id")
    target_cols = {kind: find_column(frame, (column,)) for kind, column in TARGET_COLUMNS.items()}
    flag_types = {word_key(k): v for k, v in cols.flags.items()}
    flag_cols = [
        str(c)
        for c in frame.columns
        if word_key(str(c)) in flag_types or rules.flag_type(str(c)) is not None
    ]
    if flag_types:
        rules = TypeRules(rules.rules, rules.default, {**rules.flags, **flag_types})
    fixed_entity = _fixed_entity(entity, header_entity, entity_col, what)
    base = posixpath.dirname(rel)

    rows: list[dict[str, str]] = []
    for record in frame.to_dict("records"):
        if not any(str(v).strip() for v in record.values()):
            continue  # spreadsheet tools leave rows of empty cells behind
        row = blank_row()
        raw_path = str(record[path_col]).strip()
        row[SOURCE_PATH] = raw_path
        row[LEGACY_ID] = clean_id(record[id_col])
        entity_text = str(record[entity_col]).strip() if entity_col else str(fixed_entity or "")
        kind = entity_of(entity_text) if entity_text else None
        row[LEGACY_ENTITY] = kind or entity_text
        if name_col:
            row[NAME] = str(record[name_col]).strip()
        if email_col:
            row[LEGACY_EMAIL] = str(record[email_col]).strip()
        row[FILE_PATH] = _local_file(export, base, raw_path)
        given = clean_id(record[spott_col]) if spott_col else ""
        if kind is not None:
            own = target_cols[kind]
            given = given or (clean_id(record[own]) if own else "")
            if given:
                row[TARGET_COLUMNS[kind]] = given
                row[RESOLVED_BY] = "given"
        problem = _row_problem(raw_path, row[LEGACY_ID], entity_text, kind)
        if problem:
            row[BUILD_PROBLEM] = format_error(Code.TARGET_MISSING, problem)
        set_flags = [c for c in flag_cols if is_true(record[c])]
        declared = str(record[type_col]) if type_col else ""
        name_for_rules = PurePosixPath(raw_path.replace("\\", "/")).name or row[NAME]
        folders = list(PurePosixPath(raw_path.replace("\\", "/")).parent.parts)
        inference = rules.infer(
            name_for_rules, folders, declared=declared, declared_by=type_col or "", flags=set_flags
        )
        row[TYPE], row[TYPE_RULE] = inference.type, inference.rule
        rows.append(row)
    return manifest_frame(rows)


def _fixed_entity(
    entity: str | None, header_entity: str | None, entity_col: str | None, what: str
) -> str | None:
    if entity_col:
        return None
    if header_entity:
        return header_entity
    if entity:
        if entity_of(entity) is None:
            raise ConfigError(f"unknown record kind {entity!r}; use one of {', '.join(ENTITIES)}")
        return entity
    raise ConfigError(
        f"{what}: cannot tell which kind of record each row belongs to; add an entity column, "
        "use a '<entity>.externalID' header, or give the entity (candidate, company or vacancy)"
    )


def _row_problem(raw_path: str, legacy_id: str, entity_text: str, kind: Entity | None) -> str:
    if not raw_path:
        return f"{entity_text} {legacy_id}: the row names no file".strip()
    if not legacy_id:
        return f"{raw_path}: the row has no legacy record id"
    if kind is None:
        return (
            f"{entity_text} {legacy_id}: Spott attaches files only to candidates, companies and "
            "vacancies"
        )
    return ""


def _local_file(export: Export, base: str, raw_path: str) -> str:
    """Where a listed file is on disk; a path that will not exist if the export lacks it."""
    if not raw_path:
        return ""
    joined = clean_relative(posixpath.join(base, raw_path.replace("\\", "/")))
    if joined is not None:
        found = export.find(joined)
        return str(export.local_path(found or joined))
    if isinstance(export, FolderExport):
        # Absolute or "../" paths are fine on disk, as long as they point at a file.
        candidate = (export.local_path(base) / raw_path).resolve()
        if candidate.is_file():
            return str(candidate)
    # Lists written on another machine often hold absolute paths ("C:\export\files\cv.pdf"):
    # the longest tail of the path that names a file in the export is taken.
    parts = [p for p in raw_path.replace("\\", "/").split("/") if p and p not in {".", ".."}]
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        found = export.find(posixpath.join(base, tail)) or export.find(tail)
        if found:
            return str(export.local_path(found))
    return str(Path(raw_path))
