"""The manifest's columns, declared once: canonical names, header aliases, result columns."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

FILE_PATH: Final = "file_path"
TYPE: Final = "type"
CANDIDATE_ID: Final = "candidate_id"
COMPANY_ID: Final = "company_id"
VACANCY_ID: Final = "vacancy_id"
NAME: Final = "name"

TARGET_COLUMNS: Final = (CANDIDATE_ID, COMPANY_ID, VACANCY_ID)
CANONICAL_COLUMNS: Final = (FILE_PATH, TYPE, *TARGET_COLUMNS, NAME)
REQUIRED_COLUMNS: Final = (FILE_PATH, TYPE)

# The target kind of each id column, as the assign endpoint names its fields.
TARGET_FIELDS: Final = MappingProxyType(
    {CANDIDATE_ID: "candidateId", COMPANY_ID: "companyId", VACANCY_ID: "vacancyId"}
)

STATUS: Final = "spott_status"
ATTACHMENT_ID: Final = "spott_attachment_id"
ERROR: Final = "spott_error"
UPDATED_AT: Final = "spott_updated_at"
# What was changed for a row to go, e.g. "renamed: content is GIF"; written only where a row
# has a note or the manifest already has the column.
NOTE: Final = "spott_note"
RESULT_COLUMNS: Final = (STATUS, ATTACHMENT_ID, ERROR, UPDATED_AT, NOTE)
# A problem found by a manifest builder (legacy import), reported by validation as the row's own.
BUILD_PROBLEM: Final = "spott_build_problem"

# Columns the reader adds; never read from, never written to the user's file.
SOURCE_ROW: Final = "source_row"
ROW_KEY: Final = "row_key"

ASSIGNED: Final = "assigned"
INVALID: Final = "invalid"
FAILED: Final = "failed"
PENDING: Final = "pending"
STATUSES: Final = (ASSIGNED, INVALID, FAILED, PENDING)

_ALIASES: Final = {
    FILE_PATH: (
        "file_path",
        "filepath",
        "path",
        "file",
        "filename",
        "file_name",
        "relativefilepath",
        "relative_path",
        "document",
        "document_path",
        "attachment",
        "attachment_path",
        "location",
    ),
    TYPE: (
        "type",
        "attachment_type",
        "attachmenttype",
        "document_type",
        "doc_type",
        "file_type",
        "category",
    ),
    CANDIDATE_ID: ("candidate_id", "candidateid", "candidate", "spott_candidate_id"),
    COMPANY_ID: (
        "company_id",
        "companyid",
        "company",
        "client_id",
        "clientid",
        "client",
        "spott_company_id",
    ),
    VACANCY_ID: (
        "vacancy_id",
        "vacancyid",
        "vacancy",
        "job_id",
        "jobid",
        "job",
        "spott_vacancy_id",
    ),
    NAME: ("name", "display_name", "displayname", "attachment_name", "title"),
}


def header_key(text: str) -> str:
    """Header cells compare case-, space-, dash- and underscore-insensitively."""
    return re.sub(r"[\s_\-.]+", "", str(text).strip().lower())


ALIASES: Final = MappingProxyType(
    {header_key(alias): canonical for canonical, names in _ALIASES.items() for alias in names}
)
