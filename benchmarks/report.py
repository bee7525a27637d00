"""Results as rows with a verdict, and the markdown page they are written to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PASS, FAIL, INFO, ERROR = "PASS", "FAIL", "info", "ERROR"


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    scenario: str
    measured: str
    result: str
    target: str = "–"
    status: str = INFO


@dataclass
class Section:
    """What one scenario produced: table rows, detail markdown and how it was measured."""

    name: str
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    how: str = ""
    notes: list[str] = field(default_factory=list)


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return PASS if ok else FAIL


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def render(
    machine: Mapping[str, str], sections: Sequence[Section], *, quick: bool, minutes: float
) -> str:
    """The whole ``docs/benchmarks.md`` page."""
    rows = [r for s in sections for r in s.rows]
    counts = {k: sum(r.status == k for r in rows) for k in (PASS, FAIL, ERROR)}
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` ("
        + (
            "`python -m benchmarks.run --quick`: smoke sizes, not results"
            if quick
            else "`python -m benchmarks.run`"
        )
        + f"). The run took {minutes:.1f} min. Ratios were measured side by side in this one run,"
        " clients interleaved; absolute times on a shared machine are noise, ratios are the"
        " result.",
        "",
        "## Machine",
        "",
        *table(["", ""], [[k, v] for k, v in machine.items()]),
        "",
        "## Results",
        "",
        f"{counts[PASS]} PASS, {counts[FAIL]} FAIL"
        + (f", {counts[ERROR]} ERROR" if counts[ERROR] else "")
        + " against the targets of issues 6 (section 6), 11 (item 7), 12 and 16 (the real"
        " network);"
        " `info` rows have no target.",
        "",
        *table(
            ["scenario", "measured", "result", "target", "status"],
            [[r.scenario, r.measured, r.result, r.target, r.status] for r in rows],
        ),
        "",
    ]
    for section in sections:
        if section.details or section.notes:
            out += [f"### {section.name}", ""]
            out += [*section.details]
            if section.details:
                out.append("")
            out += [f"- {note}" for note in section.notes]
            if section.notes:
                out.append("")
    out += ["## How measured", ""]
    names_by_how: dict[str, list[str]] = {}
    for section in sections:
        if section.how:
            names_by_how.setdefault(section.how, []).append(section.name)
    out += [f"- **{'; '.join(names)}**: {how}" for how, names in names_by_how.items()]
    out.append("")
    return "\n".join(out)
