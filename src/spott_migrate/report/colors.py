"""One colour per row status, shared by the plots, the HTML report and the panel's tables."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from ..manifest import schema as s

# Order in legends and tables: the good news first, then what needs a look.
STATUS_ORDER: Final = (s.ASSIGNED, s.PENDING, s.FAILED, s.INVALID)

# Colour-blind-safe picks (Okabe-Ito), readable as a row background when lightened.
STATUS_COLORS: Final = MappingProxyType(
    {s.ASSIGNED: "#009E73", s.PENDING: "#999999", s.FAILED: "#D55E00", s.INVALID: "#E69F00"}
)
STATUS_BACKGROUNDS: Final = MappingProxyType(
    {s.ASSIGNED: "#e3f4ee", s.PENDING: "#f0f0f0", s.FAILED: "#fbe6d9", s.INVALID: "#fcf1d9"}
)


def status_color(status: str) -> str:
    """The plot colour of a status (grey for anything unexpected)."""
    return STATUS_COLORS.get(status, "#999999")
