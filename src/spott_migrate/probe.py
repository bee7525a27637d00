"""The filesystem edge of validation: stat each file once, sniff its first bytes, hash on demand.

Two passes over the distinct paths, as columns: a stat of each, then one read of each regular
file, which takes its first 8 KB for the content check and, only for files the caller names
(true same-size collisions within a record), the rest for a digest. Where storage makes each
file wait, a thread pool overlaps the waits. A name that is not on disk is looked for in its
other Unicode normal form (macOS writes NFD) and, failing that, the nearest existing name in
its folder is kept as a hint. :class:`FileProbe` is the one-path view the validator's row
checks read.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import stat
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, TypeVar

import filetype

from .spott_api import MIME_BY_EXTENSION

T = TypeVar("T")

# filetype looks at most this far into a file; SVG text is found well within it too.
SNIFF_BYTES = 8192
_HASH_CHUNK = 1 << 20
# Files probed in line before deciding whether a thread pool would help, and the mean time per
# file above which it does: several times a warm-cache probe, i.e. the disk is being waited on.
_SLICE = 128
_SLOW_PER_FILE = 200e-6


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
    # For a missing file: the nearest existing name in its folder, when one is close.
    suggestion: str | None = None


def sniff_mime(head: bytes, expected: str | None = None) -> str | None:
    """The MIME type the first bytes of a file show, or None.

    ``expected`` (the type the file's name promises) is checked first, with that one format's
    matcher: a full ``filetype.guess`` tries some eighty and is most of a probe's CPU.
    """
    matcher = _matcher(expected) if expected else None
    if matcher is not None and matcher.match(head):
        return expected
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in text:
        return "image/svg+xml"
    return None


@functools.lru_cache(maxsize=64)
def _matcher(mime: str) -> Any:
    # filetype.get_type walks its whole table on every call: look each type up once.
    return filetype.get_type(mime=mime)


class Found(IntEnum):
    """What the stat pass found at a path."""

    MISSING = 0
    FILE = 1  # a regular file; whether it can be read is the read pass's to say
    NOT_A_FILE = 2
    UNREADABLE = 3


@dataclass
class ProbeTable:
    """Probes of distinct paths, as columns: position ``i`` is ``paths[i]``."""

    paths: list[str]
    found: list[int]  # a Found per path
    size: list[int]
    mime: list[str | None]
    errors: dict[int, str] = field(default_factory=dict)
    # Where the name on disk is in another Unicode normal form than asked: the path found.
    renamed: dict[int, str] = field(default_factory=dict)
    suggestions: dict[int, str] = field(default_factory=dict)
    digests: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.paths)

    def on_disk(self, i: int) -> str:
        """The path to open for position ``i`` (the name as found on disk)."""
        return self.renamed.get(i, self.paths[i])

    def probe(self, i: int) -> FileProbe:
        """Position ``i`` as a :class:`FileProbe`."""
        found = self.found[i]
        return FileProbe(
            Path(self.on_disk(i)),
            exists=found != Found.MISSING,
            is_file=found in (Found.FILE, Found.UNREADABLE),
            readable=found == Found.FILE,
            size=self.size[i],
            sniffed_mime=self.mime[i],
            error=self.errors.get(i),
            suggestion=self.suggestions.get(i),
        )

    @classmethod
    def from_probes(cls, probes: Mapping[Path, FileProbe]) -> ProbeTable:
        """A table of probes made one by one (keyed by the path asked for)."""
        table = cls([], [], [], [])
        for asked, probe in probes.items():
            i = len(table.paths)
            table.paths.append(str(asked))
            if not probe.exists:
                found = Found.MISSING
            elif not probe.is_file:
                found = Found.NOT_A_FILE
            else:
                found = Found.FILE if probe.readable else Found.UNREADABLE
            table.found.append(found)
            table.size.append(probe.size)
            table.mime.append(probe.sniffed_mime)
            if probe.error is not None:
                table.errors[i] = probe.error
            if probe.suggestion is not None:
                table.suggestions[i] = probe.suggestion
            if str(probe.path) != str(asked):
                table.renamed[i] = str(probe.path)
        return table


def path_suffix(path: str) -> str:
    """``PurePath(path).suffix`` from the text alone."""
    name = path[path.rfind("/") + 1 :] if os.sep == "/" else Path(path).name
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def probe_file(path: Path) -> FileProbe:
    """Stat and sniff one file; never raises for a bad path, it reports it."""
    table = probe_paths([str(path)])
    return table.probe(0)


def probe_paths(
    paths: Sequence[str], *, workers: int = 16, hash_if: HashChooser | None = None
) -> ProbeTable:
    """Probe each of ``paths`` (distinct texts): stat all, then read each regular file once.

    ``hash_if`` is shown the table after the stat pass and names the positions whose full
    content must be hashed (their digests land in ``table.digests``): the read that sniffs a
    file then hashes it too, so no file is read twice.
    """
    lanes = _Lanes(workers)
    stats = lanes.map(_stat_one, paths)
    table = ProbeTable(list(paths), [s[0] for s in stats], [s[1] for s in stats], [])
    table.errors = {i: s[2] for i, s in enumerate(stats) if s[2] is not None}
    del stats
    missing = [i for i, f in enumerate(table.found) if f == Found.MISSING and i not in table.errors]
    if missing:
        _look_again(table, missing)
    wanted = hash_if(table) if hash_if is not None else set()
    regular = [i for i, f in enumerate(table.found) if f == Found.FILE]
    work = [
        (
            table.on_disk(i),
            MIME_BY_EXTENSION.get(path_suffix(table.paths[i]).lower()),
            table.size[i],
            i in wanted,
        )
        for i in regular
    ]
    reads = lanes.map(_read_one, work)
    lanes.close()
    table.mime = [None] * len(table.paths)
    for i, (mime, error, digest) in zip(regular, reads, strict=True):
        if error is not None:
            table.found[i] = Found.UNREADABLE
            table.errors[i] = error
            continue
        table.mime[i] = mime
        if digest is not None:
            table.digests[i] = digest
    return table


HashChooser = Callable[[ProbeTable], Collection[int]]


def _stat_one(path: str) -> tuple[int, int, str | None]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Found.MISSING, 0, None
    except OSError as exc:
        return Found.MISSING, 0, exc.strerror or str(exc)
    if not stat.S_ISREG(info.st_mode):
        return Found.NOT_A_FILE, 0, None
    return Found.FILE, info.st_size, None


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_one(work: tuple[str, str | None, int, bool]) -> tuple[str | None, str | None, str | None]:
    """(sniffed MIME, error, digest) of one regular file, from one open and one pass."""
    path, expected, size, want_digest = work
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return None, exc.strerror or str(exc), None
    try:
        head = os.read(fd, SNIFF_BYTES)
        while len(head) < min(size, SNIFF_BYTES):  # a short read (some network file systems)
            more = os.read(fd, SNIFF_BYTES - len(head))
            if not more:
                break
            head += more
        digest = None
        if want_digest:
            hasher = hashlib.sha256(head)
            while chunk := os.read(fd, _HASH_CHUNK):
                hasher.update(chunk)
            digest = hasher.hexdigest()
    except OSError as exc:
        return None, exc.strerror or str(exc), None
    finally:
        os.close(fd)
    return sniff_mime(head, expected), None, digest


# Fuzzy "did you mean" look-ups compare a missing name with every name in its folder; past this
# many comparisons in one probe (a whole export renamed), the remaining misses get no hint.
_HINT_BUDGET = 2_000_000
_HINT_CUTOFF = 0.8


def _look_again(table: ProbeTable, missing: list[int]) -> None:
    """For paths not found: the same name in another Unicode normal form, else a hint.

    Each folder is listed once, and only folders of paths that missed.
    """
    listings: dict[str, dict[str, str] | None] = {}
    budget = [_HINT_BUDGET]
    for i in missing:
        path = table.paths[i]
        other = _other_form(path, listings) if not path.isascii() else None
        if other is not None:
            found, size, _ = _stat_one(other)
            if found != Found.MISSING:
                table.renamed[i] = other
                table.found[i], table.size[i] = found, size
                continue
        hint = _nearest(path, listings, budget)
        if hint is not None:
            table.suggestions[i] = hint


def _listing(folder: str, listings: dict[str, dict[str, str] | None]) -> dict[str, str] | None:
    """The folder's names keyed by their NFC form; None if it cannot be listed."""
    if folder not in listings:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            listings[folder] = None
        else:
            listings[folder] = {unicodedata.normalize("NFC", n): n for n in names}
    return listings[folder]


def _split(path: str) -> tuple[str, str]:
    folder, name = os.path.split(path)
    return folder, name


def _other_form(path: str, listings: dict[str, dict[str, str] | None]) -> str | None:
    """``path`` as it is spelled on disk when only Unicode normal forms differ, else None."""
    folder, name = _split(path)
    if not name:
        return None
    names = _listing(folder, listings)
    if names is None:  # the folder itself may be spelled in another form
        if not folder or folder == path or folder.isascii():
            return None
        real_folder = _other_form(folder, listings)
        if real_folder is None:
            return None
        folder, names = real_folder, _listing(real_folder, listings)
        if names is None:
            return None
    real = names.get(unicodedata.normalize("NFC", name))
    if real is None:
        return None
    other = os.path.join(folder, real)
    return other if other != path else None


def _nearest(
    path: str, listings: dict[str, dict[str, str] | None], budget: list[int]
) -> str | None:
    """The name in the folder of ``path`` closest to its own, if close enough."""
    folder, name = _split(path)
    names = _listing(folder, listings) if name else None
    if not names or budget[0] <= 0:
        return None
    budget[0] -= len(names)
    close = difflib.get_close_matches(
        unicodedata.normalize("NFC", name).casefold(),
        [n.casefold() for n in names],
        n=1,
        cutoff=_HINT_CUTOFF,
    )
    if not close:
        return None
    by_folded = {n.casefold(): real for n, real in names.items()}
    return by_folded[close[0]]


class _Lanes:
    """Runs a pass in line until files prove slow to reach, then on a thread pool (kept for
    the passes that follow).

    From a warm page cache a stat or a read is a few µs of CPU, and threads only add GIL
    hand-offs (four times slower on two cores, measured). Threads pay off while storage makes
    each file wait (a cold disk, a network share), so slices run in line until one averages
    over ``_SLOW_PER_FILE``; the rest then go to the pool, a slice per task.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def map(self, func: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
        done: list[T] = []
        start = 0
        while start < len(items) and self._pool is None:
            part = items[start : start + _SLICE]
            began = time.perf_counter()
            done.extend(map(func, part))
            start += len(part)
            if start < len(items) and (time.perf_counter() - began) / len(part) > _SLOW_PER_FILE:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="probe")
        rest = items[start:]
        if rest and self._pool is not None:
            size = max(_SLICE // 8, len(rest) // (self.workers * 4))
            slices = [rest[i : i + size] for i in range(0, len(rest), size)]
            for results in self._pool.map(lambda chunk: list(map(func, chunk)), slices):
                done.extend(results)
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def probe_files(paths: Iterable[Path], *, workers: int = 16) -> dict[Path, FileProbe]:
    """Probe each distinct path once (one :class:`FileProbe` per path, keyed as given)."""
    unique = list(dict.fromkeys(paths))
    table = probe_paths([str(p) for p in unique], workers=workers)
    return {p: table.probe(i) for i, p in enumerate(unique)}


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

    lanes = _Lanes(workers)
    digests = lanes.map(one, unique)
    lanes.close()
    return {p: h for p, h in zip(unique, digests, strict=True) if h is not None}
