"""Section 4: what a run would send: requests, files, bytes and a time estimate."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ...config import Settings
from ...pipeline import Check
from ...report import fmt
from ..pace import Pace


class PlanView:
    """One paragraph with the plan's numbers."""

    def __init__(self) -> None:
        self.widget = widgets.HTML()

    def show(self, checked: Check, settings: Settings, pace: Pace | None = None) -> None:
        """Describe the plan of a fresh check; time it at ``pace`` once runs have measured one."""
        plan = checked.plan
        if plan.files == 0:
            self.widget.value = "<p>Nothing left to send.</p>"
            return
        pace = pace or Pace()
        types = ", ".join(f"{escape(t)} {n}" for t, n in sorted(plan.files_by_type.items()))
        seconds = pace.estimate_seconds(plan, settings)
        eta = "under a second" if seconds < 1 else fmt.duration(seconds)
        if pace.measured:
            basis = (
                f"at the pace measured so far ({pace.requests_per_second:.1f} requests/s "
                f"over {pace.requests} requests)"
            )
        else:
            basis = (
                f"at {settings.requests_per_minute:g} requests/min (a guess until a pilot "
                "has measured this Spott)"
            )
        files = "file" if plan.files == 1 else "files"
        self.widget.value = (
            f"<p><b>{plan.files}</b> {files}, <b>{fmt.size(plan.bytes)}</b> in "
            f"<b>{plan.requests}</b> requests ({len(plan.batches)} uploads + "
            f"{len(plan.groups)} assigns; at least {plan.lower_bound} are needed) · "
            f"about <b>{eta}</b> {basis}"
            f"<br/><span style='color:#666'>{types}</span></p>"
        )
