"""Opt-in PDF conversion: the command line, a fake LibreOffice, and the real one if present."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from spott_migrate.errors import ConfigError
from spott_migrate.legacy import (
    Converter,
    apply_crosswalk,
    build_from_tree,
    conversion_command,
    convert_files,
    find_converter,
    load_crosswalk,
)
from spott_migrate.legacy import convert as convert_module
from spott_migrate.legacy.problems import code_of


def test_conversion_command_line(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    command = conversion_command("/usr/bin/soffice", Path("in/cv.rtf"), Path("out"), profile)
    assert command == [
        "/usr/bin/soffice",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        "out",
        "in/cv.rtf",
    ]


def test_converter_is_found_by_either_name() -> None:
    assert find_converter(lambda name: "/opt/lo/" + name if name == "libreoffice" else None) == (
        "/opt/lo/libreoffice"
    )
    assert find_converter(lambda name: None) is None


def test_missing_libreoffice_is_said_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert_module, "find_converter", lambda: None)
    with pytest.raises(ConfigError, match="LibreOffice is not installed"):
        Converter.detect()


class FakeLibreOffice:
    """Writes a small PDF where LibreOffice would, and remembers the commands."""

    def __init__(self, fail_on: str = "") -> None:
        self.commands: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        self.commands.append(command)
        source, out_dir = Path(command[-1]), Path(command[command.index("--outdir") + 1])
        if self.fail_on and self.fail_on in source.name:
            return subprocess.CompletedProcess(
                command, 1, b"", b"Error: source file could not be loaded"
            )
        (out_dir / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4 converted")
        return subprocess.CompletedProcess(command, 0, b"", b"")


def _resolved(sample: Path):  # type: ignore[no-untyped-def]
    return apply_crosswalk(
        build_from_tree(sample / "tree"), load_crosswalk(sample / "crosswalk.csv")
    )


def test_converted_rows_point_at_the_pdf_and_say_where_from(sample: Path, tmp_path: Path) -> None:
    fake = FakeLibreOffice()
    df, failures = convert_files(_resolved(sample), Converter("soffice", runner=fake), tmp_path)
    assert failures == []
    rows = df.set_index("source_path")
    resume = rows.loc["candidates/L-1003/Resume - Grace Hopper.rtf"]
    assert Path(resume["file_path"]) == tmp_path / "candidates/L-1003/Resume - Grace Hopper.pdf"
    assert resume["converted_from"].endswith("Resume - Grace Hopper.rtf")
    assert resume["spott_build_problem"] == "" and resume["candidate_id"] == "c-hopper"
    # E-mails need a person; files outside the layout are not worth converting.
    assert code_of(rows.loc["candidates/L-1009/Interview notes.eml", "spott_build_problem"]) == (
        "extension_not_allowed"
    )
    converted = sorted(Path(c[-1]).name for c in fake.commands)
    assert converted == ["References.txt", "Resume - Grace Hopper.rtf"]


def test_a_failed_conversion_keeps_the_row_and_says_why(sample: Path, tmp_path: Path) -> None:
    fake = FakeLibreOffice(fail_on="References")
    df, failures = convert_files(_resolved(sample), Converter("soffice", runner=fake), tmp_path)
    assert [f.source_path for f in failures] == ["candidates/L-1003/References.txt"]
    problem = df.set_index("source_path").loc[
        "candidates/L-1003/References.txt", "spott_build_problem"
    ]
    assert problem.startswith("extension_not_allowed: Spott does not accept .txt and LibreOffice")
    assert "could not be loaded" in problem


@pytest.mark.skipif(find_converter() is None, reason="LibreOffice (soffice) is not installed")
def test_real_libreoffice_makes_a_pdf(sample: Path, tmp_path: Path) -> None:
    source = tmp_path / "Resume.rtf"
    source.write_bytes((sample / "tree/candidates/L-1003/Resume - Grace Hopper.rtf").read_bytes())
    pdf = Converter.detect().convert(source, tmp_path / "out")
    assert pdf.read_bytes().startswith(b"%PDF")
