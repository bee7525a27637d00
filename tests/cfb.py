"""A small writer of OLE2 compound files (MS-CFB version 3), for tests that need real ones.

olefile only reads; Word and Excel are not here. Every stream goes to regular 512-byte sectors,
in the order given, so a test chooses where each one lies (``WordDocument`` away from the first
sector, say). Streams shorter than the 4,096-byte mini-stream cutoff are padded with zeros to
it, because the format keeps shorter ones in a mini stream this writer does not build.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

SECTOR = 512
CUTOFF = 4096
FREE = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: The first bytes of a Word 97-2003 FIB: wIdent 0xA5EC, nFib 0x00C1 (Word 97).
WORD_FIB = struct.pack("<HH", 0xA5EC, 0x00C1)
#: A BIFF8 BOF record opening an Excel 97-2003 workbook stream.
EXCEL_BOF = bytes.fromhex("0908100000060500")


def _sort_key(name: str) -> tuple[int, str]:
    # Siblings are ordered by name length first, then by upper-cased name (MS-CFB 2.6.4).
    return (len(name), name.upper())


def compound_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """A compound file whose root storage holds ``streams``, laid out in the given order."""
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = -(-len(data) // SECTOR)
        first = len(sectors)
        for i in range(count):
            sectors.append(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(first + i + 1 if i < count - 1 else END_OF_CHAIN)
        return first

    padded = [(name, data.ljust(CUTOFF, b"\0")) for name, data in streams]
    starts = [place(data) for _, data in padded]

    # The root's children form a balanced binary search tree; its deepest level is red.
    left = [NO_STREAM] * (len(padded) + 1)
    right = list(left)
    depth = [0] * (len(padded) + 1)

    def tree(ids: list[int], level: int) -> int:
        if not ids:
            return NO_STREAM
        middle = len(ids) // 2
        node = ids[middle]
        depth[node] = level
        left[node] = tree(ids[:middle], level + 1)
        right[node] = tree(ids[middle + 1 :], level + 1)
        return node

    by_name = sorted(range(1, len(padded) + 1), key=lambda i: _sort_key(padded[i - 1][0]))
    top = tree(by_name, 0)
    deepest = max(depth[1:], default=0)

    def entry(name: str, kind: int, sid: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le")
        red = sid > 0 and deepest > 0 and depth[sid] == deepest
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            raw,
            len(raw) + 2 if name else 0,
            kind,
            0 if red else 1,
            left[sid] if sid else NO_STREAM,
            right[sid] if sid else NO_STREAM,
            child,
            b"\0" * 16,
            0,
            0,
            0,
            start,
            size,
        )

    entries = [entry("Root Entry", 5, 0, top, END_OF_CHAIN, 0)]
    for sid, ((name, data), start) in enumerate(zip(padded, starts, strict=True), start=1):
        entries.append(entry(name, 2, sid, NO_STREAM, start, len(data)))
    unused = struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM, b"", 0, 0, 0, 0, 0
    )
    entries += [unused] * (-len(entries) % (SECTOR // 128))
    directory = place(b"".join(entries))

    per_fat = SECTOR // 4
    fat_count = 1
    while len(sectors) + fat_count > fat_count * per_fat:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("too large for a header-only DIFAT")
    first_fat = len(sectors)
    table = fat + [FAT_SECTOR] * fat_count
    table += [FREE] * (fat_count * per_fat - len(table))
    packed = struct.pack(f"<{len(table)}I", *table)
    sectors += [packed[i * SECTOR : (i + 1) * SECTOR] for i in range(fat_count)]

    difat = [first_fat + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        MAGIC,
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_count,
        directory,
        0,
        CUTOFF,
        END_OF_CHAIN,
        0,
        END_OF_CHAIN,
        0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def word97(text: str = "Cover letter", *, word_first: bool = False) -> bytes:
    """A Word 97-2003 shaped file: FIB-headed ``WordDocument``, ``1Table`` and ``CompObj``.

    Unless ``word_first``, the ``1Table`` stream comes first, so ``WordDocument`` does not
    start at the first sector (as in files re-saved by other tools).
    """
    word = WORD_FIB + b"\0" * 28 + text.encode("cp1252")
    table = b"\x01" * 64
    comp = b"\x01\xfe\x00\x00" + b"Microsoft Word 97-2003 Document\0"
    streams = [("WordDocument", word), ("1Table", table), ("\x01CompObj", comp)]
    return compound_file(streams if word_first else streams[1:2] + streams[:1] + streams[2:])


def excel97(*, workbook_first: bool = True) -> bytes:
    """An Excel 97-2003 shaped file: a ``Workbook`` stream opening with a BIFF8 BOF record.

    With ``workbook_first=False`` the summary stream comes first, and nothing at a fixed
    offset says "Excel" any more: only the directory does.
    """
    streams = [("Workbook", EXCEL_BOF + b"\0" * 64), ("\x05SummaryInformation", b"")]
    return compound_file(streams if workbook_first else streams[::-1])
