"""Write a copy of a zip package with some members replaced and the rest carried over.

Carried-over members keep their order, name, timestamp, attributes, comment and compression
method, and their uncompressed bytes are identical. (Python's ``zipfile`` has no public way to
copy the compressed stream itself, so deflated members are re-deflated, possibly at another
level; readers only ever see the uncompressed bytes.)
"""

from __future__ import annotations

import copy
import shutil
import struct
import zipfile
from collections.abc import Mapping, Sequence
from typing import BinaryIO

_ZIP64_EXTRA = 0x0001
_CHUNK = 1 << 20


Content = Sequence[bytes | memoryview]  # a member's new bytes, in pieces


def copy_zip(source: zipfile.ZipFile, out: BinaryIO, replace: Mapping[str, Content]) -> None:
    """Write ``source`` to ``out``; members named in ``replace`` get the joined pieces."""
    with zipfile.ZipFile(out, "w", allowZip64=True) as target:
        target.comment = source.comment
        for info in source.infolist():
            clone = _clone(info)
            if info.filename in replace:
                write_member(target, clone, replace[info.filename])
            else:
                copy_member(source, info, target, clone)


def copy_member(
    source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile, clone: zipfile.ZipInfo
) -> None:
    """Stream one member across (big images or other sheets never sit in memory whole)."""
    if info.is_dir():
        target.writestr(clone, b"")
        return
    with source.open(info) as src, target.open(clone, "w") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)


def write_member(target: zipfile.ZipFile, clone: zipfile.ZipInfo, pieces: Content) -> None:
    # The writer picks zip64 headers from the announced size, so announce the real one.
    clone.file_size = sum(len(piece) for piece in pieces)
    with target.open(clone, "w") as dst:
        for piece in pieces:
            dst.write(piece)


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
