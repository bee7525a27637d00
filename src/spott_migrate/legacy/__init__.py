"""From a legacy ATS export to a ready spott-migrate manifest.

Build rows from a folder-per-record tree, an attachments list or a zip of either; infer each
file's type by rules; fill Spott ids from a crosswalk or by e-mail search; check the targets
exist; convert refused formats to PDF; write the manifest. Rows that cannot be placed are
kept and say why in ``spott_build_problem``.
"""

from __future__ import annotations

from .attachments_csv import CsvColumns, build_from_attachment_list, find_attachment_lists
from .build import LAYOUTS, build_manifest, explain_unresolved, reset_resolution, resolve_manifest
from .columns import BUILD_PROBLEM, MANIFEST_COLUMNS
from .convert import (
    ConversionFailure,
    Converter,
    conversion_command,
    convert_files,
    find_converter,
)
from .crosswalk import Crosswalk, apply_crosswalk, load_crosswalk
from .exists import RecordLookup, check_records
from .export import Export, FolderExport, ZipExport, open_export
from .people import attach_emails, load_emails
from .problems import is_placed, summary
from .resolve import EmailMatch, EmailResolver, PeopleSearch, resolve_emails
from .rules import DEFAULT_RULES, Inference, TypeRule, TypeRules, load_rules
from .tree import DEFAULT_PATTERN, Layout, build_from_tree
from .write import write_manifest

__all__ = [
    "BUILD_PROBLEM",
    "DEFAULT_PATTERN",
    "DEFAULT_RULES",
    "LAYOUTS",
    "MANIFEST_COLUMNS",
    "ConversionFailure",
    "Converter",
    "Crosswalk",
    "CsvColumns",
    "EmailMatch",
    "EmailResolver",
    "Export",
    "FolderExport",
    "Inference",
    "Layout",
    "PeopleSearch",
    "RecordLookup",
    "TypeRule",
    "TypeRules",
    "ZipExport",
    "apply_crosswalk",
    "attach_emails",
    "build_from_attachment_list",
    "build_from_tree",
    "build_manifest",
    "check_records",
    "conversion_command",
    "convert_files",
    "explain_unresolved",
    "find_attachment_lists",
    "find_converter",
    "is_placed",
    "load_crosswalk",
    "load_emails",
    "load_rules",
    "open_export",
    "reset_resolution",
    "resolve_emails",
    "resolve_manifest",
    "summary",
    "write_manifest",
]
