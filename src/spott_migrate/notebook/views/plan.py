"""Section 4: what a run would send: requests, files, bytes and a time estimate."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ...config import Settings
from ...pipeline import Check
from ...report import fmt


class PlanView:
    """One paragraph with the plan's numbers."""

    def __init__(self) -> None:
        self.widget = widgets.HTML()

    def show(self, checked: Check, settings: Settings) -> None:
        """Describe the plan of a fresh check."""
        plan = checked.plan
        if plan.files == 0:
            self.widget.value = "<p>Nothing left to send.</p>"
            return
        types = ", ".join(f"{escape(t)} {n}" for t, n in sorted(plan.files_by_type.items()))
        seconds = plan.estimate_seconds(settings)
        eta = "under a second" if seconds < 1 else fmt.duration(seconds)
        self.widget.value = (
            f"<p><b>{plan.files}</b> files, <b>{fmt.size(plan.bytes)}</b> in "
            f"<b>{plan.requests}</b> requests ({len(plan.batches)} uploads + "
            f"{len(plan.groups)} assigns; at least {plan.lower_bound} are needed) · "
            f"about <b>{eta}</b> at {settings.requests_per_minute:g} "
            f"requests/min<br/><span style='color:#666'>{types}</span></p>"
        )
