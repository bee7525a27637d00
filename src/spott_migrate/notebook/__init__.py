"""The notebook experience: a control panel over the same functions the CLI uses.

    from spott_migrate.notebook import Panel
    Panel("manifest.xlsx")      # load, map columns, check, plan, pilot, run, pause, re-run failed

Plots and the HTML report live in :mod:`spott_migrate.report`.
"""

from .keyfield import KeyField
from .memory import ColumnMemory
from .panel import Panel
from .progress import LiveProgress, ProgressSnapshot
from .session import RunOutcome, Session

__all__ = [
    "ColumnMemory",
    "KeyField",
    "LiveProgress",
    "Panel",
    "ProgressSnapshot",
    "RunOutcome",
    "Session",
]
