"""The filesystem edge of validation: stat each file once, sniff its first bytes, hash on demand.

Probing is I/O-bound, so a thread pool overlaps the waits; results are plain frozen values that
the pure validator reads.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import filetype

# filetype looks at most this far into a file; SVG text is found well within it too.
T = TypeVar("T")

SNIFF_BYTES = 8192
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileProbe:
    """What the file system says about one path."""

    path: Path
    exists: bool
    is_file: bool = False
    readable: bool = False
    size: int = 0
    # MIME type recognised from the content, or None if the bytes match no known format.
    sniffed_mime: str | None = None
    error: str | None = None


def sniff_mime(head: bytes) -> str | None:
    """The MIME type the first bytes of a file show, or None."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in text:
        return "image/svg+xml"
    return None


def probe_file(path: Path) -> FileProbe:
    """Stat and sniff one file; never raises for a bad path, it reports it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return FileProbe(path, exists=False)
    except OSError as exc:
        return FileProbe(path, exists=False, error=exc.strerror or str(exc))
    if not stat.S_ISREG(info.st_mode):
        return FileProbe(path, exists=True)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        return FileProbe(path, True, True, False, info.st_size, error=exc.strerror or str(exc))
    return FileProbe(path, True, True, True, info.st_size, sniff_mime(head))


def _in_slices(func: Callable[[Path], T], items: list[Path], workers: int) -> list[T]:
    """``[func(p) for p in items]`` over a thread pool, a slice per task (one task per file
    costs more in pool overhead than a stat and a small read)."""
    if len(items) < 64:
        return [func(p) for p in items]
    size = max(16, len(items) // (workers * 4))
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe") as pool:
        return [
            r for part in pool.map(lambda chunk: [func(p) for p in chunk], slices) for r in part
        ]


def probe_files(paths: Iterable[Path], *, workers: int = 16) -> dict[Path, FileProbe]:
    """Probe each distinct path once, in parallel."""
    unique = list(dict.fromkeys(paths))
    return dict(zip(unique, _in_slices(probe_file, unique, workers), strict=True))


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_files(paths: Iterable[Path], *, workers: int = 8) -> dict[Path, str]:
    """SHA-256 of each distinct readable path, in parallel; unreadable ones are left out."""
    unique = list(dict.fromkeys(paths))

    def one(p: Path) -> str | None:
        try:
            return sha256_file(p)
        except OSError:
            return None

    digests = _in_slices(one, unique, workers)
    return {p: h for p, h in zip(unique, digests, strict=True) if h is not None}
