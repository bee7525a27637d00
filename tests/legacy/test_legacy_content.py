"""Legacy exports as they are: files whose content Spott takes under another name are kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from spott_migrate import Settings, migrate
from spott_migrate.legacy import Crosswalk, build_manifest, is_placed, write_manifest
from spott_migrate.legacy.cli import build_manifest_command
from spott_migrate.legacy.problems import code_of
from spott_migrate.manifest import read_manifest
from spott_migrate.sandbox import Sandbox

from ..corpus import fpdf_pdf, picture, rtf_text


def _export(root: Path) -> Path:
    files = {
        "candidates/L-1/CV.txt": fpdf_pdf("a PDF the old system saved as .txt"),
        "candidates/L-1/Passport.png": picture("JPEG", (6, 4), "grey"),
        "candidates/L-1/notes.txt": b"Called on Monday.\n",
        "candidates/L-1/Resume.rtf": rtf_text(),
        "companies/C-1/logo.png": picture("GIF", (8, 8), "red"),
        "companies/C-1/Terms.pdf": fpdf_pdf("terms"),
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


CROSSWALK = Crosswalk.from_pairs([("candidate", "L-1", "cand-1"), ("company", "C-1", "comp-1")])


def _by_file(df: pd.DataFrame) -> dict[str, dict[str, str]]:
    return {
        Path(p).name: row for p, row in zip(df["file_path"], df.to_dict("records"), strict=True)
    }


def test_accepted_content_under_a_wrong_name_is_kept_and_noted(tmp_path: Path) -> None:
    df = build_manifest(_export(tmp_path / "export"), crosswalk=CROSSWALK, work_dir=tmp_path / "w")
    rows = _by_file(df)
    assert is_placed(df).sum() == 4
    assert rows["CV.txt"]["spott_build_problem"] == ""
    assert rows["CV.txt"]["spott_note"] == "renamed: content is PDF"
    assert rows["Passport.png"]["spott_note"] == "renamed: content is JPEG"
    assert rows["logo.png"]["spott_note"] == "renamed: content is GIF"
    assert rows["Terms.pdf"]["spott_note"] == ""
    # What Spott does not take is still a problem, with the fix to make.
    assert code_of(rows["notes.txt"]["spott_build_problem"]) == "extension_not_allowed"
    assert code_of(rows["Resume.rtf"]["spott_build_problem"]) == "extension_not_allowed"
    assert rows["notes.txt"]["spott_note"] == rows["Resume.rtf"]["spott_note"] == ""


def test_the_built_manifest_migrates_them_as_their_content(
    tmp_path: Path, sandbox: Sandbox, settings: Settings
) -> None:
    # The root conftest's sandbox holds cand-1 and comp-1, the crosswalk's targets.
    df = build_manifest(_export(tmp_path / "export"), crosswalk=CROSSWALK, work_dir=tmp_path / "w")
    path = write_manifest(df, tmp_path / "manifest.xlsx")
    report = migrate(path, settings=settings)
    assert report.statuses == {"assigned": 4, "invalid": 2}
    names = sorted(u.name for u in sandbox.state.uploads())
    assert names == ["CV.pdf", "Passport.jpg", "Terms.pdf", "logo.gif"]
    notes = _by_file(read_manifest(path).rows)
    assert notes["CV.txt"]["spott_note"] == "renamed: content is PDF"
    assert notes["CV.txt"]["spott_status"] == "assigned"


def test_the_cli_says_how_many_go_as_their_content(tmp_path: Path) -> None:
    export = _export(tmp_path / "export")
    (tmp_path / "crosswalk.csv").write_text(
        "entity,legacy_id,spott_id\ncandidate,L-1,cand-1\ncompany,C-1,comp-1\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        build_manifest_command,
        [
            str(export),
            "-o",
            str(tmp_path / "m.xlsx"),
            "--crosswalk",
            str(tmp_path / "crosswalk.csv"),
        ],
    )
    assert result.exit_code == 1, result.output  # two files Spott does not take
    assert "renamed       3 file(s) go as their content (see spott_note)" in result.output
