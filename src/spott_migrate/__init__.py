"""spott-migrate: move legacy ATS files into Spott from a spreadsheet manifest.

The pipeline, one function per stage::

    manifest = read_manifest("manifest.xlsx")          # read
    checked  = check("manifest.xlsx")                   # probe + validate + plan, no network
    report   = migrate("manifest.xlsx")                 # run + write back (re-runs do what is left)
"""

from .client import SpottClient
from .codes import Code
from .config import Secret, Settings
from .control import RunControl
from .errors import SpottMigrateError
from .manifest import Manifest, read_manifest
from .migrate import Check, MigrationReport, check, migrate
from .plan import Plan, make_plan
from .run import RunResult
from .validate import Validation, validate

__version__ = "0.1.0"

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
    "migrate",
    "read_manifest",
    "validate",
]
