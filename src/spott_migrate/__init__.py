"""spott-migrate: move legacy ATS files into Spott from a spreadsheet manifest.

The pipeline, one function per stage::

    manifest = read_manifest("manifest.xlsx")          # read
    checked  = check("manifest.xlsx")                   # probe + validate + plan, no network
    report   = migrate("manifest.xlsx")                 # run + write back (re-runs do what is left)

Names are imported on first use, so ``import spott_migrate.client`` (say, in a small upload
script) does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Check": "pipeline",
    "Code": "codes",
    "Manifest": "manifest",
    "MigrationReport": "pipeline",
    "Plan": "plan",
    "RunControl": "run",
    "RunResult": "run",
    "Secret": "config",
    "Settings": "config",
    "SpottClient": "client",
    "SpottMigrateError": "errors",
    "Validation": "validation",
    "check": "pipeline",
    "make_plan": "plan",
    "merge": "pipeline",
    "migrate": "pipeline",
    "read_manifest": "manifest",
    "validate": "validation",
}

__all__ = [
    "Check",
    "Code",
    "Manifest",
    "MigrationReport",
    "Plan",
    "RunControl",
    "RunResult",
    "Secret",
    "Settings",
    "SpottClient",
    "SpottMigrateError",
    "Validation",
    "check",
    "make_plan",
    "merge",
    "migrate",
    "read_manifest",
    "validate",
]

if TYPE_CHECKING:
    from .client import SpottClient
    from .codes import Code
    from .config import Secret, Settings
    from .errors import SpottMigrateError
    from .manifest import Manifest, read_manifest
    from .pipeline import Check, MigrationReport, check, merge, migrate
    from .plan import Plan, make_plan
    from .run import RunControl, RunResult
    from .validation import Validation, validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'spott_migrate' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
