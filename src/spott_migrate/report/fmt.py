"""Numbers as people read them: sizes, durations, rates."""

from __future__ import annotations

import math


def size(n: float) -> str:
    """``1234567`` -> ``'1.2 MB'`` (decimal units, as file managers show them)."""
    if n < 1000:
        return f"{n:.0f} B"
    for unit in ("KB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}"
    return f"{n:.1f} GB"  # pragma: no cover


def duration(seconds: float | None) -> str:
    """``75`` -> ``'1:15'``, ``3725`` -> ``'1:02:05'``; unknown -> ``'–'``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "–"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rate(bytes_per_second: float) -> str:
    """``2_500_000`` -> ``'2.5 MB/s'``."""
    return f"{size(bytes_per_second)}/s"
