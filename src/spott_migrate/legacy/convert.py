"""Opt-in conversion of files Spott refuses (``.rtf``, ``.txt``, ``.odt`` …) to PDF.

LibreOffice in headless mode does the work when it is installed (``soffice`` or
``libreoffice`` on the PATH). Each conversion gets a throw-away LibreOffice profile: a
headless call that shares the user's profile silently does nothing while a LibreOffice window
is open. Converted files go to a work folder, never beside the originals, and the row keeps
the original path in ``converted_from``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from ..codes import Code, format_error
from ..errors import ConfigError
from .columns import BUILD_PROBLEM, CONVERTED_FROM, FILE_PATH, NAME, SOURCE_PATH
from .problems import LIBREOFFICE_EXTENSIONS, code_of, content_accepted, refresh

log = logging.getLogger(__name__)

CONVERTER_NAMES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT = 180.0

Runner = Callable[..., subprocess.CompletedProcess[bytes]]


def find_converter(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The LibreOffice executable on the PATH, or None when it is not installed."""
    for name in CONVERTER_NAMES:
        found = which(name)
        if found:
            return found
    return None


def conversion_command(executable: str, source: Path, out_dir: Path, profile: Path) -> list[str]:
    """The command line that converts ``source`` to a PDF in ``out_dir``."""
    return [
        executable,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        str(source),
    ]


class ConversionError(Exception):
    """One file could not be converted; the row stays as it was."""


@dataclass
class Converter:
    """Runs LibreOffice; ``runner`` is `subprocess.run` unless a test passes a fake."""

    executable: str
    timeout: float = DEFAULT_TIMEOUT
    runner: Runner = field(default=subprocess.run)

    @classmethod
    def detect(cls) -> Converter:
        """The converter of this machine; `ConfigError` saying so if LibreOffice is missing."""
        found = find_converter()
        if found is None:
            raise ConfigError(
                "LibreOffice is not installed (no soffice or libreoffice on the PATH); "
                "install it to convert files to PDF, or convert them by hand"
            )
        return cls(found)

    def convert(self, source: Path, out_dir: Path) -> Path:
        """Convert one file; returns the PDF's path, or raises `ConversionError`."""
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / (source.stem + ".pdf")
        if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
            return target  # converted by an earlier build
        with tempfile.TemporaryDirectory(prefix="spott-lo-") as profile:
            command = conversion_command(self.executable, source, out_dir, Path(profile))
            try:
                done = self.runner(command, capture_output=True, timeout=self.timeout, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ConversionError(f"{source.name}: {exc}") from exc
        if done.returncode != 0 or not target.is_file():
            detail = (done.stderr or b"").decode(errors="replace").strip().splitlines()
            raise ConversionError(
                f"{source.name}: LibreOffice exit {done.returncode}"
                + (f": {detail[-1]}" if detail else "")
            )
        return target


@dataclass(frozen=True)
class ConversionFailure:
    """A file that stayed unconverted, and why."""

    source_path: str
    reason: str


def convertible(df: pd.DataFrame) -> pd.Series:
    """Rows whose file LibreOffice can turn into PDF and which exists on disk.

    Files outside the layout (``target_missing``) are skipped: no fix makes them placeable.
    Unresolved rows are converted, since filling in an id by hand makes them so. A file whose
    content Spott takes already (a PDF named ``.txt``) is sent as it is, not converted.
    """
    outside = df[BUILD_PROBLEM].map(code_of) == Code.TARGET_MISSING
    readable = df[FILE_PATH].map(
        lambda p: (
            bool(p)
            and Path(p).suffix.lower() in LIBREOFFICE_EXTENSIONS
            and Path(p).is_file()
            and not content_accepted(p)
        )
    )
    return readable & ~outside


def convert_files(
    df: pd.DataFrame, converter: Converter, out_dir: str | Path
) -> tuple[pd.DataFrame, list[ConversionFailure]]:
    """Convert every convertible row's file to PDF under ``out_dir``.

    Each PDF lands in ``out_dir`` under the file's path within the export, so two
    ``cv.rtf`` of different candidates do not collide. Rows that fail keep their original
    file and so their ``extension_not_allowed`` problem.
    """
    out = df.copy()
    base = Path(out_dir)
    failures: list[ConversionFailure] = []
    for index in out.index[convertible(out)]:
        original = Path(str(out.at[index, FILE_PATH]))
        inside = _relative_folder(str(out.at[index, SOURCE_PATH]))
        try:
            pdf = converter.convert(original, base / inside)
        except ConversionError as exc:
            log.warning("not converted: %s", exc)
            failures.append(ConversionFailure(str(out.at[index, SOURCE_PATH]), str(exc)))
            if code_of(str(out.at[index, BUILD_PROBLEM])) in (None, Code.EXTENSION_NOT_ALLOWED):
                out.at[index, BUILD_PROBLEM] = format_error(
                    Code.EXTENSION_NOT_ALLOWED,
                    f"Spott does not accept {original.suffix.lower()} and LibreOffice could not "
                    f"convert it ({exc}); save it as PDF by hand",
                )
            continue
        out.at[index, CONVERTED_FROM] = str(original)
        out.at[index, FILE_PATH] = str(pdf)
        if out.at[index, NAME]:
            out.at[index, NAME] = str(PurePosixPath(str(out.at[index, NAME])).with_suffix(".pdf"))
    return refresh(out), failures


def _relative_folder(source_path: str) -> Path:
    parts: Sequence[str] = [
        p
        for p in PurePosixPath(source_path.replace("\\", "/")).parent.parts
        if p not in {"/", "..", "."}
    ]
    # A drive letter ("C:") from a Windows path is not a folder we want to recreate.
    return Path(*[p.rstrip(":") for p in parts]) if parts else Path()
