"""Spott API facts in one place: wire spellings, limits and the MIME allow-list.

Everything here is copied from the published reference (see ``shared/spott-api.md``). The docs
disagree with themselves on casing in places, so the wire strings are kept verbatim and are the
only thing the rest of the toolkit compares against; correct them here, nowhere else.
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType
from typing import Final

DEFAULT_BASE_URL: Final = "https://api.gospott.com"
API_KEY_HEADER: Final = "x-api-key"
API_KEY_ENV: Final = "SPOTT_API_KEY"
BASE_URL_ENV: Final = "SPOTT_BASE_URL"

UPLOAD_PATH: Final = "/attachments/temporary"
ASSIGN_PATH: Final = "/attachments/temporary/assign"
LIST_PATH: Final = "/attachments"
SEARCH_PEOPLE_PATH: Final = "/search/people"

# Record lists (cursor pagination, at most 50 a page), by the record kind a manifest names.
RECORD_LIST_PATHS: Final = MappingProxyType(
    {"candidate": "/candidates", "company": "/clients", "vacancy": "/vacancies"}
)
RECORD_PAGE_LIMIT_MAX: Final = 50

MAX_FILES_PER_UPLOAD: Final = 10
# The docs say "50MB" without saying which megabyte; the decimal one is the smaller, so safe.
MAX_FILE_BYTES: Final = 50_000_000
LIST_PAGE_SIZE_MAX: Final = 100

# Upload `type` enum, version B of the reference, in its order and spelling. The duplicate
# TERMS_AND_CONDITIONS of the docs is one wire value, so it appears once.
ATTACHMENT_TYPES: Final[tuple[str, ...]] = (
    "unassigned",
    "CV",
    "COVER_LETTER",
    "ID_DOCUMENT",
    "QUESTIONNAIRE",
    "PERSONALITY_TEST",
    "OFFER",
    "TRANSCRIPT",
    "TERMS_AND_CONDITIONS",
    "JOB_DESCRIPTION",
    "SCORECARD",
    "CANDIDATE_BRIEFING",
    "SHORTLISTED_CVS",
    "MEETING_VIDEO",
    "AUDIO",
    "OUTPUT",
    "WORD_REPORT_EXPORT_TEMPLATE",
    "PPTX_REPORT_EXPORT_TEMPLATE",
    "ExportedTemplatedReport",
    "ExportedTemplatedCv",
    "IMPORT_CSV",
    "LOGO",
    "FAVICON",
    "NOTE_TAKER_IMAGE",
)

# Words people write in a legacy export's "type" column, mapped to the wire spelling.
# Keys are normalised with `_type_key` (lower case, letters and digits only).
TYPE_SYNONYMS: Final = MappingProxyType(
    {
        "resume": "CV",
        "cv": "CV",
        "curriculumvitae": "CV",
        "lebenslauf": "CV",
        "cover": "COVER_LETTER",
        "coverletter": "COVER_LETTER",
        "motivation": "COVER_LETTER",
        "motivationletter": "COVER_LETTER",
        "id": "ID_DOCUMENT",
        "iddocument": "ID_DOCUMENT",
        "passport": "ID_DOCUMENT",
        "identity": "ID_DOCUMENT",
        "contract": "OFFER",
        "offerletter": "OFFER",
        "jobdescription": "JOB_DESCRIPTION",
        "jobspec": "JOB_DESCRIPTION",
        "jd": "JOB_DESCRIPTION",
        "terms": "TERMS_AND_CONDITIONS",
        "tandc": "TERMS_AND_CONDITIONS",
        "termsandconditions": "TERMS_AND_CONDITIONS",
        "logo": "LOGO",
        "companylogo": "LOGO",
        "none": "unassigned",
        "other": "unassigned",
    }
)


def _type_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


_TYPE_BY_KEY: Final = {_type_key(t): t for t in ATTACHMENT_TYPES}


@functools.lru_cache(maxsize=4096)
def normalise_type(text: str) -> str | None:
    """Return the wire spelling for a user-written attachment type, or None if unknown.

    Matching ignores case, spaces, dashes and underscores, then tries the synonym table.
    """
    key = _type_key(text)
    if not key:
        return None
    return _TYPE_BY_KEY.get(key) or TYPE_SYNONYMS.get(key)


# Extension -> MIME type that we put on the multipart part. The docs name only some of these
# extensions (.jpeg but not .jpg, .tiff but not .tif); the aliases map to the same MIME type.
MIME_BY_EXTENSION: Final = MappingProxyType(
    {
        ".pdf": "application/pdf",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".doc": "application/msword",
        ".jpeg": "image/jpeg",
        ".jpg": "image/jpeg",
        ".png": "image/png",
        ".gif": "image/gif",
        ".bmp": "image/bmp",
        ".webp": "image/webp",
        ".tiff": "image/tiff",
        ".tif": "image/tiff",
        ".svg": "image/svg+xml",
        ".ico": "image/x-icon",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)

ALLOWED_MIME_TYPES: Final = frozenset(MIME_BY_EXTENSION.values()) | {"image/vnd.microsoft.icon"}

# Extensions Spott does not take but legacy exports are full of; validation names a fix for them.
CONVERTIBLE_EXTENSIONS: Final = frozenset(
    {".rtf", ".txt", ".odt", ".msg", ".eml", ".html", ".htm", ".xls", ".ppt", ".pptx", ".csv"}
)
