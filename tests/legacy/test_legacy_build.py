"""The whole build in one call, for each sample shape, with fakes for Spott."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from spott_migrate.legacy import (
    CsvColumns,
    TypeRules,
    build_manifest,
    is_placed,
    load_crosswalk,
    load_emails,
    resolve_manifest,
    summary,
)

from .conftest import FakeSpott
from .outcomes import TREE_OUTCOMES, outcomes


def _build(source: Path, sample: Path, fake: FakeSpott, rules: TypeRules, tmp: Path, **kw):  # type: ignore[no-untyped-def]
    return build_manifest(
        source,
        rules=rules,
        crosswalk=load_crosswalk(sample / "crosswalk.xlsx"),
        emails=load_emails(sample / "candidates.csv"),
        search=fake,
        lookup=fake,
        work_dir=tmp,
        **kw,
    )


@pytest.mark.parametrize("shape", ["tree", "tree_export.zip"])
def test_tree_shapes_place_what_can_be_placed(
    shape: str, sample: Path, fake_spott: FakeSpott, sample_rules: TypeRules, tmp_path: Path
) -> None:
    df = _build(sample / shape, sample, fake_spott, sample_rules, tmp_path)
    assert outcomes(df) == TREE_OUTCOMES
    placed = df[is_placed(df)]
    assert len(placed) == 13
    assert set(placed["resolved_by"]) == {"crosswalk", "email"}
    # Every row is kept, placed or not, and the unplaced say why in the result columns too.
    assert len(df) == 25
    unplaced = df[~is_placed(df)]
    assert (unplaced["spott_status"] == "invalid").all()
    assert (unplaced["spott_error"] == unplaced["spott_build_problem"]).all()
    assert summary(df) == {
        "ambiguous": 2,
        "extension_not_allowed": 3,
        "target_missing": 2,
        "target_not_found": 1,
        "unresolved": 4,
    }


def test_csv_shapes_place_what_can_be_placed(
    sample: Path, fake_spott: FakeSpott, sample_rules: TypeRules, tmp_path: Path
) -> None:
    df = _build(sample / "csv_export.zip", sample, fake_spott, sample_rules, tmp_path)
    assert outcomes(df) == {
        "L-1001": {"placed"},
        "L-1002": {"placed"},
        "L-1003": {"extension_not_allowed", "file_missing"},
        "L-1004": {"placed"},
        "L-1005": {"ambiguous"},
        "L-1010": {"unresolved"},
    }
    generic = _build(
        sample / "csv" / "generic_attachments.csv",
        sample,
        fake_spott,
        sample_rules,
        tmp_path,
        columns=CsvColumns.parse(
            [
                "entity=Owner",
                "legacy_id=Owner No",
                "path=Stored As",
                "type=Doc Kind",
                "spott_id=Spott",
            ]
        ),
    )
    assert outcomes(generic) == {
        "C-200": {"placed"},
        "V-300": {"placed"},
        "L-1002": {"placed"},
        "L-1011": {"placed"},
        "P-7001": {"target_missing"},
    }


def test_without_look_ups_every_row_says_what_to_do(sample: Path, tmp_path: Path) -> None:
    df = build_manifest(
        sample / "tree", emails=load_emails(sample / "candidates.csv"), work_dir=tmp_path
    )
    rows = df.set_index("source_path")["spott_build_problem"]
    assert rows["candidates/L-1004/cv_alan_turing.docx"] == (
        "unresolved: candidate L-1004: no crosswalk was given; "
        "e-mail alan.turing@example.com not searched (--resolve-emails)"
    )
    assert rows["vacancies/V-300/Job Spec - Data Engineer.docx"] == (
        "unresolved: vacancy V-300: no crosswalk was given"
    )
    assert not is_placed(df).any()


def test_resolving_again_gives_the_same_manifest(
    sample: Path, fake_spott: FakeSpott, tmp_path: Path
) -> None:
    crosswalk = load_crosswalk(sample / "crosswalk.csv")
    kwargs = {
        "crosswalk": crosswalk,
        "emails": load_emails(sample / "candidates.csv"),
        "search": fake_spott,
        "lookup": fake_spott,
    }
    first = build_manifest(sample / "tree", work_dir=tmp_path, **kwargs)
    again = resolve_manifest(first, **kwargs)
    pd.testing.assert_frame_equal(first, again)
