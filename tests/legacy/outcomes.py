"""What the legacy tests expect of the sample tree, and how they read a built manifest."""

from __future__ import annotations

import pandas as pd

from spott_migrate.legacy.problems import code_of

# Outcome per legacy record in the sample tree, with crosswalk, e-mails, search and check.
TREE_OUTCOMES = {
    "L-1001": {"placed"},
    "L-1002": {"placed"},
    "L-1003": {"extension_not_allowed"},
    "L-1004": {"placed"},
    "L-1005": {"ambiguous"},
    "L-1006": {"unresolved"},
    "L-1007": {"unresolved"},
    "L-1008": {"target_not_found"},
    "L-1009": {"extension_not_allowed"},
    "L-1010": {"unresolved"},
    "L-1012": {"ambiguous"},
    "C-200": {"placed"},
    "C-201": {"unresolved"},
    "V-300": {"placed"},
    "V-301": {"placed"},
    "P-7001": {"target_missing"},
    "": {"target_missing"},
}


def outcomes(df: pd.DataFrame) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in df.to_dict("records"):
        outcome = code_of(row["spott_build_problem"]) or "placed"
        out.setdefault(row["legacy_id"], set()).add(str(outcome))
    return out
