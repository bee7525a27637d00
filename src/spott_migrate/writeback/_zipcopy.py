"""Write a copy of a zip package with some members replaced and the rest carried over.

Carried-over members keep their order, name, timestamp, attributes, comment and compression
method, and their compressed bytes are copied as they are: nothing is decompressed or
compressed again (zipfile has no public call for this; see :func:`copy_member`). A replaced
member is compressed in a second thread while its pieces are still being made, so making
and compressing a large sheet overlap (zlib and the CRC let go of Python's lock).
"""

from __future__ import annotations

import copy
import queue
import struct
import threading
import zipfile
from collections.abc import Iterable, Mapping
from typing import IO, BinaryIO, Protocol

from ._atomic import copy_bytes

_ZIP64_EXTRA = 0x0001
_DATA_DESCRIPTOR = 0x08
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the fixed 30 bytes of a local file header
_LOCAL_SIGNATURE = b"PK\x03\x04"
# The level the rewritten sheet is deflated at. Measured on a million-row sheet (560 MB of
# XML): level 6 (zlib's default) took 3.6 s for 37.6 MB, level 3 1.1 s for 44.1 MB, level 1
# 0.9 s for 47.7 MB. Readers see the same bytes whatever the level; Excel recompresses its
# own way when it saves.
DEFLATE_LEVEL = 3


class Member(Protocol):
    """A member's new content: ``size`` at least its length, ``pieces()`` its bytes."""

    size: int

    def pieces(self) -> Iterable[bytes | memoryview]: ...


class Pieces:
    """Content already in memory, in pieces."""

    def __init__(self, pieces: Iterable[bytes | memoryview]) -> None:
        self._pieces = list(pieces)
        self.size = sum(len(piece) for piece in self._pieces)

    def pieces(self) -> Iterable[bytes | memoryview]:
        return self._pieces


def copy_zip(
    source: zipfile.ZipFile, out: BinaryIO, replace: Mapping[str, Member], *, path: str
) -> None:
    """Write ``source`` (opened from ``path``) to ``out``; members named in ``replace`` get
    their new content."""
    with zipfile.ZipFile(out, "w", allowZip64=True) as target, open(path, "rb") as raw:
        target.comment = source.comment
        for info in source.infolist():
            clone = _clone(info)
            if info.filename in replace:
                write_member(target, clone, replace[info.filename])
            else:
                copy_member(raw, info, target, clone)


def copy_member(
    raw: BinaryIO, info: zipfile.ZipInfo, target: zipfile.ZipFile, clone: zipfile.ZipInfo
) -> None:
    """Carry one member across with its compressed bytes as they are.

    zipfile writes a member only by compressing it, so the member is entered the way its own
    writer enters one: a local header from ``clone`` (sizes and CRC as the source's central
    directory records them, so no data descriptor follows), the bytes, and the entry in the
    directory written when the target is closed.
    """
    raw.seek(info.header_offset)
    fixed = raw.read(_LOCAL_HEADER.size)
    if len(fixed) < _LOCAL_HEADER.size or fixed[:4] != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"the local header of {info.filename} is damaged")
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(fixed)
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    clone.flag_bits &= ~_DATA_DESCRIPTOR
    clone.compress_size, clone.file_size, clone.CRC = (
        info.compress_size,
        info.file_size,
        info.CRC,
    )
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    fp = target.fp
    assert fp is not None
    clone.header_offset = fp.tell()
    fp.write(clone.FileHeader(zip64))
    raw.seek(start)
    try:
        copy_bytes(raw, fp, info.compress_size)
    except EOFError:
        raise zipfile.BadZipFile(f"{info.filename} ends before its recorded size") from None
    target.filelist.append(clone)
    target.NameToInfo[clone.filename] = clone
    target.start_dir = fp.tell()  # where the central directory goes (zipfile's own field)


def write_member(target: zipfile.ZipFile, clone: zipfile.ZipInfo, member: Member) -> None:
    """Compress ``member`` into ``target``; its pieces are made while earlier ones are
    compressed in a second thread."""
    # The writer picks zip64 headers from the announced size: announce at least the real one.
    clone.file_size = member.size
    if clone.compress_type == zipfile.ZIP_DEFLATED:
        # ZipInfo's field for it is private up to Python 3.12 (compress_level from 3.13).
        field = "compress_level" if hasattr(clone, "compress_level") else "_compresslevel"
        setattr(clone, field, DEFLATE_LEVEL)
    with target.open(clone, "w") as dst:
        _write_behind(dst, member.pieces())


def _write_behind(dst: IO[bytes], pieces: Iterable[bytes | memoryview]) -> None:
    """Write ``pieces`` to ``dst`` from a second thread while the next ones are made here."""
    waiting: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=3)
    failed: list[BaseException] = []
    stop = threading.Event()

    def drain() -> None:
        while (piece := waiting.get()) is not None:
            if failed or stop.is_set():
                continue
            try:
                dst.write(piece)
            except BaseException as exc:  # handed to the caller's thread below
                failed.append(exc)

    worker = threading.Thread(target=drain, name="spott-zip-writer", daemon=True)
    worker.start()
    try:
        for piece in pieces:
            if failed:
                break
            waiting.put(piece)
    except BaseException:
        stop.set()
        raise
    finally:
        waiting.put(None)
        worker.join()
    if failed:
        raise failed[0]


def _clone(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A copy the writer may mutate, without a stale zip64 size record (it adds its own)."""
    clone = copy.copy(info)
    clone.extra = _strip_extra(info.extra, _ZIP64_EXTRA)
    return clone


def _strip_extra(extra: bytes, header_id: int) -> bytes:
    kept = bytearray()
    pos = 0
    while pos + 4 <= len(extra):
        hid, size = struct.unpack_from("<HH", extra, pos)
        end = pos + 4 + size
        if hid != header_id:
            kept += extra[pos:end]
        pos = end
    return bytes(kept)
