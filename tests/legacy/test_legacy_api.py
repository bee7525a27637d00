"""The public surface of spott_migrate.legacy is deliberate: changing it is a decision."""

from __future__ import annotations

import spott_migrate.legacy as legacy


def test_public_names_are_pinned() -> None:
    assert sorted(legacy.__all__) == sorted(
        [
            "BUILD_PROBLEM", "DEFAULT_PATTERN", "DEFAULT_RULES", "LAYOUTS", "MANIFEST_COLUMNS",
            "ConversionFailure", "Converter", "Crosswalk", "CsvColumns", "EmailMatch",
            "EmailResolver", "Export", "FolderExport", "Inference", "Layout", "PeopleSearch",
            "RecordLookup", "TypeRule", "TypeRules", "ZipExport", "apply_crosswalk",
            "attach_emails", "build_from_attachment_list", "build_from_tree", "build_manifest",
            "check_records", "conversion_command", "convert_files", "explain_unresolved",
            "find_attachment_lists", "find_converter", "is_placed", "load_crosswalk",
            "load_emails", "load_rules", "open_export", "reset_resolution", "resolve_emails",
            "resolve_manifest", "summary", "write_manifest",
        ]
    )  # fmt: skip
    assert all(hasattr(legacy, name) for name in legacy.__all__)


def test_build_problem_column_is_the_cores() -> None:
    from spott_migrate.manifest import schema

    assert legacy.BUILD_PROBLEM == schema.BUILD_PROBLEM
    assert set(schema.CANONICAL_COLUMNS) <= set(legacy.MANIFEST_COLUMNS)
