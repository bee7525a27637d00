"""How fast this Spott really answers: the runs so far, for the plan's time estimate.

Before any run, the estimate can only assume the configured rate limit and a bandwidth; once a
pilot or a run has sent requests, the seconds it took per request say more than any setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from ..plan import Plan
from ..run import RunResult


@dataclass(frozen=True)
class Pace:
    """Requests sent and seconds spent, over the runs of one panel."""

    requests: int = 0
    seconds: float = 0.0

    @property
    def measured(self) -> bool:
        """True once a run has sent requests and taken measurable time."""
        return self.requests > 0 and self.seconds > 0

    @property
    def requests_per_second(self) -> float:
        """The measured rate (0 before any run)."""
        return self.requests / self.seconds if self.measured else 0.0

    def after(self, run: RunResult) -> Pace:
        """This pace with one more run counted."""
        return Pace(self.requests + run.requests_sent, self.seconds + max(0.0, run.elapsed))

    def estimate_seconds(self, plan: Plan, settings: Settings) -> float:
        """Seconds ``plan`` should take: at the measured rate, never faster than the limit.

        Before any run, the plan's own guess (the rate limit, or an assumed bandwidth).
        """
        if not self.measured:
            return plan.estimate_seconds(settings)
        by_limit = plan.requests / settings.requests_per_minute * 60
        return max(by_limit, plan.requests / self.requests_per_second)
