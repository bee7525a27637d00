"""A legacy export's files, whether they sit in a folder or in a zip archive.

Builders only see relative POSIX paths (``candidates/1001/cv.pdf``) and ask for a file on disk
when a manifest row needs one. For a zip that is the moment the single member is streamed out
to the work folder: the archive is never unpacked as a whole, and members no row refers to
(the attachments CSV itself, stray files) never touch the disk.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from ..errors import ConfigError

# Files that operating systems and mail clients leave in folders; never attachments.
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "icon\r"})


def is_junk(rel: str) -> bool:
    """Whether a relative path is system litter (hidden files, ``__MACOSX``, Office lock files)."""
    parts = rel.split("/")
    name = parts[-1]
    return (
        any(p.startswith(".") or p == "__MACOSX" for p in parts)
        or name.lower() in JUNK_NAMES
        or name.startswith("~$")
    )


def clean_relative(path: str) -> str | None:
    """A relative path in POSIX form, or None if it would leave the export (``..``, absolute)."""
    text = path.replace("\\", "/").strip()
    if not text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    norm = posixpath.normpath(text)
    if norm == "." or norm == ".." or norm.startswith("../"):
        return None
    return norm


class Export(ABC):
    """The files of one export, addressed by relative POSIX path."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._prefix = ""
        self._index: dict[str, str] | None = None
        self._listing: list[str] | None = None

    @abstractmethod
    def _all_files(self) -> list[str]:
        """Every non-junk file, relative to the export's own root."""

    @abstractmethod
    def _local(self, full: str) -> Path:
        """A path on disk holding the file at ``full`` (relative to the export's own root)."""

    @abstractmethod
    def read_bytes(self, rel: str) -> bytes:
        """The content of a small file such as a CSV."""

    def files(self) -> list[str]:
        """Every file below the current root, relative to it, sorted."""
        if self._listing is None:
            # Listed once: a 20,000-file export is walked once, not at every step.
            self._listing = sorted(self._all_files())
        n = len(self._prefix)
        return [f[n:] for f in self._listing if f.startswith(self._prefix)]

    def find(self, rel: str) -> str | None:
        """The export's spelling of ``rel``; case is ignored as Windows-made exports expect."""
        if self._index is None:
            self._index = {}
            for f in self.files():
                self._index.setdefault(f.lower(), f)
        clean = clean_relative(rel)
        return None if clean is None else self._index.get(clean.lower())

    def local_path(self, rel: str) -> Path:
        """Where the file ``rel`` is (or would be) on disk."""
        return self._local(self._prefix + rel)

    @property
    def root(self) -> str:
        """The folder inside the export that paths are relative to (``""``: its top)."""
        return self._prefix

    @root.setter
    def root(self, prefix: str) -> None:
        self._prefix = prefix
        self._index = None

    def descend(self) -> str:
        """Step into the single folder everything is in (``Export_2024/…``), if there is one.

        Returns the folder stepped into, or ``""`` when there are several things at the top.
        """
        files = self.files()
        tops = {f.split("/", 1)[0] for f in files}
        if len(tops) != 1 or not all("/" in f for f in files):
            return ""
        top = tops.pop()
        self.root = self._prefix + top + "/"
        return top

    def find_root(self, fits: Callable[[list[str]], bool]) -> None:
        """Step through wrapping folders until ``fits(files)`` holds; stay put if it never does."""
        start = self.root
        while not fits(self.files()):
            if not self.descend():
                self.root = start
                return

    def close(self) -> None:  # noqa: B027 - only archives hold something to release
        """Release the archive, if any."""

    def __enter__(self) -> Export:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FolderExport(Export):
    """An export unpacked in a folder; files are used where they are."""

    def __init__(self, root: str | Path) -> None:
        self.folder = Path(root).resolve()
        if not self.folder.is_dir():
            raise ConfigError(f"{root} is not a folder")
        super().__init__(str(root))

    def _all_files(self) -> list[str]:
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
            rel_dir = Path(dirpath).relative_to(self.folder).as_posix()
            for name in filenames:
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if not is_junk(rel):
                    found.append(rel)
        return found

    def _local(self, full: str) -> Path:
        return self.folder / full

    def read_bytes(self, rel: str) -> bytes:
        return self.local_path(rel).read_bytes()


class ZipExport(Export):
    """An export still packed in a zip; members are streamed out one by one when needed."""

    def __init__(self, archive: str | Path, work_dir: str | Path) -> None:
        super().__init__(str(archive))
        self.archive = Path(archive)
        self.work_dir = Path(work_dir).resolve()
        try:
            self._zip = zipfile.ZipFile(self.archive)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ConfigError(f"cannot open {archive} as a zip archive: {exc}") from exc
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            rel = clean_relative(info.filename)
            # Unsafe names (absolute, "..") are skipped: extracting them could write anywhere.
            if rel is None or info.is_dir() or is_junk(rel):
                continue
            self._members.setdefault(rel, info)

    def _all_files(self) -> list[str]:
        return list(self._members)

    def _local(self, full: str) -> Path:
        target = self.work_dir / full
        info = self._members.get(full)
        if info is None:
            return target
        if not (target.is_file() and target.stat().st_size == info.file_size):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            with self._zip.open(info) as src, partial.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            partial.replace(target)
        return target

    def read_bytes(self, rel: str) -> bytes:
        return self._zip.read(self._members[self._prefix + rel])

    def close(self) -> None:
        self._zip.close()


def open_export(source: str | Path, work_dir: str | Path | None = None) -> Export:
    """Open a folder or a ``.zip`` as an `Export`; zip members go to ``work_dir`` when used."""
    path = Path(source)
    if path.is_dir():
        return FolderExport(path)
    if path.is_file() and zipfile.is_zipfile(path):
        return ZipExport(path, work_dir or default_work_dir(path))
    raise ConfigError(f"{source} is neither a folder nor a zip archive")


def default_work_dir(source: str | Path) -> Path:
    """The folder beside an export where extracted and converted files go by default."""
    path = Path(source).resolve()
    return path.with_name(path.stem + "_spott_files")
