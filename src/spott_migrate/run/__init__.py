"""Carrying one plan out over HTTP, exactly once: the executor, answer matching, run control."""

from .control import RunControl
from .executor import Executor, RunResult, Stop
from .matching import match_listed, match_uploads

__all__ = ["Executor", "RunControl", "RunResult", "Stop", "match_listed", "match_uploads"]
