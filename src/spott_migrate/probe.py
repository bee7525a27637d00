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
import hashlib
import io
import os
import stat
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import numpy as np

from .sniff import sniff
from .spott_api import MIME_BY_EXTENSION

T = TypeVar("T")

# filetype looks at most this far into a file; SVG text is found well within it too.
SNIFF_BYTES = 8192
_HASH_CHUNK = 1 << 20
# Files probed in line before deciding whether a thread pool would help, and the mean time per
# file above which it does: several times a warm-cache probe, i.e. the disk is being waited on.
_SLICE = 128
_SLOW_PER_FILE = 200e-6
_SLOW_SLICES = 3


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
    # Modification time (ns) when probed: compared again just before the file is sent.
    mtime_ns: int = 0


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
    found: np.ndarray  # int8: a Found per path
    size: np.ndarray  # int64
    mime: list[str | None]
    # The MIME type each path's extension promises (None: not an extension Spott takes).
    expected: list[str | None] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    # Where the name on disk is in another Unicode normal form than asked: the path found.
    renamed: dict[int, str] = field(default_factory=dict)
    suggestions: dict[int, str] = field(default_factory=dict)
    digests: dict[int, str] = field(default_factory=dict)
    mtime: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # ns, per path

    def __len__(self) -> int:
        return len(self.paths)

    def on_disk(self, i: int) -> str:
        """The path to open for position ``i`` (the name as found on disk)."""
        return self.renamed.get(i, self.paths[i])

    def probe(self, i: int) -> FileProbe:
        """Position ``i`` as a :class:`FileProbe`."""
        found = int(self.found[i])
        return FileProbe(
            Path(self.on_disk(i)),
            exists=found != Found.MISSING,
            is_file=found in (Found.FILE, Found.UNREADABLE),
            readable=found == Found.FILE,
            size=int(self.size[i]),
            sniffed_mime=self.mime[i],
            error=self.errors.get(i),
            suggestion=self.suggestions.get(i),
            mtime_ns=int(self.mtime[i]) if i < len(self.mtime) else 0,
        )

    @classmethod
    def from_probes(cls, probes: Mapping[Path, FileProbe]) -> ProbeTable:
        """A table of probes made one by one (keyed by the path asked for)."""
        found: list[int] = []
        table = cls([], np.zeros(0, np.int8), np.zeros(0, np.int64), [])
        for asked, probe in probes.items():
            i = len(table.paths)
            table.paths.append(str(asked))
            if not probe.exists:
                found.append(Found.MISSING)
            elif not probe.is_file:
                found.append(Found.NOT_A_FILE)
            else:
                found.append(Found.FILE if probe.readable else Found.UNREADABLE)
            table.mime.append(probe.sniffed_mime)
            if probe.error is not None:
                table.errors[i] = probe.error
            if probe.suggestion is not None:
                table.suggestions[i] = probe.suggestion
            if str(probe.path) != str(asked):
                table.renamed[i] = str(probe.path)
        table.found = np.asarray(found, dtype=np.int8)
        table.size = np.asarray([p.size for p in probes.values()], dtype=np.int64)
        table.mtime = np.asarray([p.mtime_ns for p in probes.values()], dtype=np.int64)
        table.expected = _expected(table.paths)
        return table


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
    # Plain values per path, not objects: a size, or why there is none (see _stat_one).
    stats = lanes.map(_stat_one, paths)
    sizes = np.fromiter(
        (x[0] if type(x) is tuple else x if type(x) is int else _NOTHING for x in stats),
        np.int64,
        len(stats),
    )
    mtimes = np.fromiter((x[1] if type(x) is tuple else 0 for x in stats), np.int64, len(stats))
    found = np.where(sizes >= 0, Found.FILE, Found.MISSING).astype(np.int8)
    found[sizes == _NOT_A_FILE] = Found.NOT_A_FILE
    table = ProbeTable(list(paths), found, np.maximum(sizes, 0), [], mtime=mtimes)
    table.errors = {i: x for i, x in enumerate(stats) if type(x) is str}
    del stats, sizes
    missing = [i for i in np.flatnonzero(found == Found.MISSING).tolist() if i not in table.errors]
    if missing:
        _look_again(table, missing)
    wanted = hash_if(table) if hash_if is not None else set()
    table.expected = _expected(table.paths)
    regular = np.flatnonzero(table.found == Found.FILE).tolist()
    on_disk, expected, size = table.on_disk, table.expected, table.size

    def read(i: int) -> str | tuple[str | None, str | None, str | None] | None:
        return _read_one(on_disk(i), expected[i], int(size[i]), i in wanted)

    reads = lanes.map(read, regular)
    lanes.close()
    table.mime = [None] * len(table.paths)
    mime = table.mime
    for i, outcome in zip(regular, reads, strict=True):
        if not isinstance(outcome, tuple):
            mime[i] = outcome  # the common case: sniffed, nothing else to say
            continue
        sniffed, error, digest = outcome
        if error is not None:
            table.found[i] = Found.UNREADABLE
            table.errors[i] = error
            continue
        mime[i] = sniffed
        if digest is not None:
            table.digests[i] = digest
    return table


HashChooser = Callable[[ProbeTable], Collection[int]]


def _expected(paths: Sequence[str]) -> list[str | None]:
    """The MIME type each path's extension promises, from the text (one look-up per suffix)."""
    if os.sep != "/":
        suffixes = [Path(p).suffix for p in paths]
    else:
        # PurePath.suffix: the name's last dot, unless the name starts or ends with it.
        names = [p[p.rfind("/") + 1 :] for p in paths]
        suffixes = [n[d:] if 0 < (d := n.rfind(".")) < len(n) - 1 else "" for n in names]
    by_suffix = {x: MIME_BY_EXTENSION.get(x.lower()) for x in set(suffixes)}
    return [by_suffix[x] for x in suffixes]


_NOTHING, _NOT_A_FILE = -1, -2


def _stat_one(path: str) -> tuple[int, int] | int | str:
    """(size, modification time in ns) of a regular file; ``_NOTHING`` or ``_NOT_A_FILE``; or
    the error's text when the stat itself failed."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _NOTHING
    except OSError as exc:
        return exc.strerror or str(exc)
    if not stat.S_ISREG(info.st_mode):
        return _NOT_A_FILE
    return info.st_size, info.st_mtime_ns


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_one(
    path: str, expected: str | None, size: int, want_digest: bool
) -> str | tuple[str | None, str | None, str | None] | None:
    """The sniffed MIME type of one regular file, from one open and one pass; with a digest
    wanted, or on an error, the tuple (sniffed MIME, error, digest)."""
    # os.open and os.read: a buffered file object per file costs twice the open and read.
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return None, exc.strerror or str(exc), None
    rest = _Rest(fd)
    try:
        head = os.read(fd, SNIFF_BYTES)
        while len(head) < min(size, SNIFF_BYTES):  # a short read (some network file systems)
            more = os.read(fd, SNIFF_BYTES - len(head))
            if not more:
                break
            head += more
        # The sniffer may look further into the file (a zip's or an OLE2 file's directory).
        sniffed = sniff(head, cast(BinaryIO, rest), expected=expected)
        if not want_digest:
            return sniffed
        hasher = hashlib.sha256(head)
        os.lseek(fd, len(head), os.SEEK_SET)
        while chunk := os.read(fd, _HASH_CHUNK):
            hasher.update(chunk)
        return sniffed, None, hasher.hexdigest()
    except OSError as exc:
        return None, exc.strerror or str(exc), None
    finally:
        rest.close()
        os.close(fd)


class _Rest:
    """An open file as a binary stream, made only if the sniffer looks past the head."""

    __slots__ = ("_fd", "_stream")

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._stream: io.FileIO | None = None

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            self._stream = io.FileIO(self._fd, "rb", closefd=False)
        return getattr(self._stream, name)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


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
            outcome = _stat_one(other)
            if type(outcome) is tuple or outcome == _NOT_A_FILE:
                table.renamed[i] = other
                is_file = type(outcome) is tuple
                table.found[i] = Found.FILE if is_file else Found.NOT_A_FILE
                if isinstance(outcome, tuple):
                    table.size[i], table.mtime[i] = outcome
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


def _other_form(path: str, listings: dict[str, dict[str, str] | None]) -> str | None:
    """``path`` as it is spelled on disk when only Unicode normal forms differ, else None."""
    folder, name = os.path.split(path)
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
    folder, name = os.path.split(path)
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
        recent: list[float] = []
        while start < len(items) and self._pool is None:
            part = items[start : start + _SLICE]
            began = time.perf_counter()
            done.extend(map(func, part))
            start += len(part)
            # The fastest of the last few slices: a slice that lost the CPU to another process
            # (a shared machine) is slow too, but only waiting storage makes every one slow.
            recent = [*recent[-(_SLOW_SLICES - 1) :], (time.perf_counter() - began) / len(part)]
            slow = len(recent) == _SLOW_SLICES and min(recent) > _SLOW_PER_FILE
            if slow and start < len(items):
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
