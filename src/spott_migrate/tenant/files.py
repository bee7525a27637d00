"""The files knowing the tenant keeps, named in one place (and cheap to import: the CLI's
options name them before any command runs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

INDEX_FILE = "spott-index.sqlite"
PROFILE_FILE = "spott-tenant.json"
# An index older than this gives a warning with the refresh command.
DEFAULT_MAX_AGE = dt.timedelta(hours=24)


def default_index_path(manifest: str | Path) -> Path:
    """Where ``validate`` and ``run`` look for an index when none is named: beside the manifest."""
    return Path(manifest).resolve().with_name(INDEX_FILE)


def default_profile_path(manifest: str | Path) -> Path:
    """Where ``run`` looks for a profile when none is named: beside the manifest."""
    return Path(manifest).resolve().with_name(PROFILE_FILE)
