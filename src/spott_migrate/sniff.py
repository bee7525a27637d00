"""What a file's content is, judged the way the programs that open it judge it.

One function, :func:`sniff`: the first bytes of a file, plus (where a format keeps what decides
it elsewhere) a bounded look into the open file, give a MIME type or None. The common case, a
file whose content is the format its name promises, costs one signature check on bytes already
read. The rules follow the readers, not the first byte offsets a naive matcher knows:

- PDF: ``%PDF-`` anywhere in the first 1,024 bytes (readers allow junk before the header).
- Word 97-2003: an OLE2 compound file with a ``WordDocument`` stream in its root storage, found
  by reading its directory (by hand for the common layout, which is ten times quicker, and with
  ``olefile`` for everything else); other OLE2 files (Excel, PowerPoint, Outlook …) are named
  as such.
- OOXML: the main part's content type in ``[Content_Types].xml``, wherever that entry sits in
  the zip (read from the first bytes when it is the first entry, else via the zip directory).
- SVG: XML whose root element is ``svg``, after an optional BOM, XML declaration, processing
  instructions, comments and a DOCTYPE (with or without an internal subset).
- ICO: the icon directory's first image is a PNG or a device-independent bitmap.
- JPEG, PNG, GIF, BMP, WEBP, TIFF: by signature.

Anything else is named by ``filetype`` when it can (an EXE, an RTF, a zip), so a refusal can
say what the file really is; ``filetype``'s word is never taken for a format Spott accepts.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO, Final

import filetype
import olefile

PDF: Final = "application/pdf"
DOC: Final = "application/msword"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCM: Final = "application/vnd.ms-word.document.macroEnabled.12"
XLSM: Final = "application/vnd.ms-excel.sheet.macroEnabled.12"
PPTM: Final = "application/vnd.ms-powerpoint.presentation.macroEnabled.12"
XLS: Final = "application/vnd.ms-excel"
PPT: Final = "application/vnd.ms-powerpoint"
MSG: Final = "application/vnd.ms-outlook"
OLE_STORAGE: Final = "application/x-ole-storage"
ZIP: Final = "application/zip"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
GIF: Final = "image/gif"
BMP: Final = "image/bmp"
WEBP: Final = "image/webp"
TIFF: Final = "image/tiff"
SVG: Final = "image/svg+xml"
ICO: Final = "image/x-icon"

#: Formats this module decides itself; filetype may name anything else.
OWN_FORMATS: Final = frozenset({PDF, DOC, DOCX, XLSX, JPEG, PNG, GIF, BMP, WEBP, TIFF, SVG, ICO})

# Readers look this far for the PDF header.
PDF_HEADER_WINDOW: Final = 1024
# How far into a text file the SVG prolog (declaration, comments, DOCTYPE) may run.
SVG_PROLOG_LIMIT: Final = 64 * 1024
# The most of one zip entry ([Content_Types].xml) that is inflated; real ones are a few KB.
ZIP_ENTRY_LIMIT: Final = 1 << 20
# The end of a zip read in one go to find that entry: a small package's whole directory.
ZIP_TAIL_BYTES: Final = 8192

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_LOCAL = b"PK\x03\x04"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CONTENT_TYPES = "[content_types].xml"
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<4sHHHHIIH")
# Sizes of the DIB headers a BMP or an ICO image may start with (core, v1 to v5, OS/2 2.x).
_DIB_HEADERS = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

# The main part's content type -> the package's MIME type. Unknown ``….main+xml`` types lose
# the suffix, which gives the registered name for most of the rest.
_MAIN_PARTS: Final = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    "application/vnd.ms-word.document.macroenabled.main+xml": DOCM,
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": XLSM,
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": PPTM,
}

# Root streams that say what an OLE2 compound file holds, in the order they are asked about.
_OLE_STREAMS: Final = (
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
    ("__properties_version1.0", MSG),
)

# filetype's spellings of the formats above, folded to ours.
_ALIASES: Final = {
    "image/vnd.microsoft.icon": ICO,
    "image/ico": ICO,
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "image/apng": PNG,
}


def canonical(mime: str) -> str:
    """One spelling per format: lower case, parameters dropped, aliases folded."""
    base = mime.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def sniff(head: bytes, more: BinaryIO | None = None, *, expected: str | None = None) -> str | None:
    """The MIME type of content that starts with ``head``, or None if it is no known format.

    ``more`` is the same file opened for reading (seekable), for the formats whose deciding
    bytes may lie beyond ``head`` (a zip's directory, an OLE2 directory, a long SVG prolog);
    without it they are judged from ``head`` alone. ``expected`` (the type the file's name
    promises) is tried first with its own signature check, which is all most files need.
    """
    quick = _QUICK.get(expected) if expected else None
    if quick is not None and quick(head, more):
        return expected
    if head.startswith(_ZIP_LOCAL):
        return _zip_kind(head, more)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(head, more)
    for mime, matches in _SIGNATURES.items():
        if matches(head):
            return mime
    if _is_ico(head, more):
        return ICO
    guessed = filetype.guess(head)
    if guessed is not None and canonical(guessed.mime) not in OWN_FORMATS:
        return canonical(guessed.mime)
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return PDF
    if _is_svg(head, more):
        return SVG
    return None


# --------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------


def _is_bmp(head: bytes) -> bool:
    return (
        head[:2] == b"BM"
        and len(head) >= 18
        and struct.unpack_from("<I", head, 14)[0] in _DIB_HEADERS
    )


def _is_tiff(head: bytes) -> bool:
    # A Canon CR2 raw file is TIFF-shaped but no TIFF image; filetype tells it apart the same way.
    return head[:4] in (b"II*\x00", b"MM\x00*") and head[8:10] != b"CR"


#: MIME type -> check on the first bytes alone, for the formats a signature decides.
_SIGNATURES: Final[dict[str, Callable[[bytes], bool]]] = {
    PDF: lambda head: head.startswith(b"%PDF-"),
    JPEG: lambda head: head.startswith(b"\xff\xd8\xff"),
    PNG: lambda head: head.startswith(_PNG_MAGIC),
    GIF: lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    WEBP: lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    TIFF: _is_tiff,
    BMP: _is_bmp,
}


def _read_at(head: bytes, more: BinaryIO | None, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset``: from ``head`` when it holds them, else from the file."""
    if offset + size <= len(head) or more is None:
        return head[offset : offset + size]
    more.seek(offset)
    return more.read(size)


def _is_ico(head: bytes, more: BinaryIO | None) -> bool:
    """An icon directory whose first image is a PNG or a bitmap (DIB) where it says it is."""
    if len(head) < 22 or head[:4] != b"\x00\x00\x01\x00":
        return False
    (count,) = struct.unpack_from("<H", head, 4)
    size, offset = struct.unpack_from("<II", head, 6 + 8)  # of the first directory entry
    if count == 0 or size == 0 or offset < 6 + 16 * count:
        return False
    payload = _read_at(head, more, offset, 8)
    if payload == _PNG_MAGIC:
        return True
    return len(payload) >= 4 and struct.unpack_from("<I", payload)[0] in _DIB_HEADERS


# --------------------------------------------------------------------------------------------
# Zip: OOXML by its content types
# --------------------------------------------------------------------------------------------


def _zip_kind(head: bytes, more: BinaryIO | None) -> str:
    types = _entry_at(head, 0, None)
    if types is None and more is not None:
        types = _entry_via_tail(more)
    if types is None:
        types = _entry_from_directory(more if more is not None else io.BytesIO(head))
    main = _main_part_type(types) if types is not None else None
    if main is not None:
        return main
    guessed = filetype.guess(head)  # an ODT, an EPUB … or just a zip
    name = canonical(guessed.mime) if guessed is not None else ZIP
    return ZIP if name in OWN_FORMATS else name


def _entry_at(buffer: bytes, offset: int, packed: int | None) -> bytes | None:
    """``[Content_Types].xml`` if the local header at ``offset`` is its and it lies in ``buffer``.

    ``packed`` is the compressed size from the zip directory; without it the local header's
    is used, unless it defers the sizes to a data descriptor.
    """
    if offset < 0 or offset + _LOCAL_HEADER.size > len(buffer):
        return None
    magic, _, flags, method, _, _, _, local_packed, _, name_len, extra_len = (
        _LOCAL_HEADER.unpack_from(buffer, offset)
    )
    name = buffer[offset + _LOCAL_HEADER.size : offset + _LOCAL_HEADER.size + name_len]
    start = offset + _LOCAL_HEADER.size + name_len + extra_len
    if packed is None:
        packed = None if flags & 0x8 else local_packed
    # Encrypted, sizes unknown, or not all here: leave it to the zip directory.
    if magic != _ZIP_LOCAL or name.lower() != _CONTENT_TYPES.encode() or flags & 0x1:
        return None
    if packed is None or start + packed > len(buffer):
        return None
    data = buffer[start : start + packed]
    if method == 0:
        return data[:ZIP_ENTRY_LIMIT]
    if method != 8:
        return None
    try:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, ZIP_ENTRY_LIMIT)
    except zlib.error:
        return None


def _entry_via_tail(more: BinaryIO) -> bytes | None:
    """``[Content_Types].xml`` through the end record and directory in the file's last bytes.

    A fast path for small packages that keep it last (openpyxl does): one read of the tail and
    a byte search instead of zipfile's parse of every entry. Anything unusual (ZIP64, a
    directory larger than the tail, several disks) returns None, for zipfile to decide.
    """
    size = more.seek(0, io.SEEK_END)
    tail_start = max(0, size - ZIP_TAIL_BYTES)
    tail = _read_at(b"", more, tail_start, size - tail_start)
    end = tail.rfind(b"PK\x05\x06")
    if end == -1 or end + _END_RECORD.size > len(tail):
        return None
    _, disk, _, _, _, directory_size, directory_offset, _ = _END_RECORD.unpack_from(tail, end)
    at = directory_offset - tail_start
    if disk or at < 0 or at + directory_size > end:
        return None
    directory = tail[at : at + directory_size]
    name_at = directory.lower().find(_CONTENT_TYPES.encode())
    header = name_at - _CENTRAL_HEADER.size
    if name_at == -1 or header < 0:
        return None
    fields = _CENTRAL_HEADER.unpack_from(directory, header)
    magic, packed, name_len, local_offset = fields[0], fields[8], fields[10], fields[16]
    if magic != b"PK\x01\x02" or name_len != len(_CONTENT_TYPES):
        return None
    if local_offset >= tail_start:
        return _entry_at(tail, local_offset - tail_start, packed)
    chunk = _read_at(b"", more, local_offset, _LOCAL_HEADER.size + 1024 + packed)
    return _entry_at(chunk, 0, packed)


# A damaged or exotic archive is simply not an OOXML package, whatever zipfile raises for it.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


def _entry_from_directory(source: BinaryIO) -> bytes | None:
    """``[Content_Types].xml`` found through the zip's central directory, wherever it sits."""
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if info.filename.lower() == _CONTENT_TYPES:
                    with archive.open(info) as entry:
                        return entry.read(ZIP_ENTRY_LIMIT)
    except _ZIP_ERRORS:
        return None
    return None


def _main_part_type(types: bytes) -> str | None:
    """The package's MIME type from the one ``….main+xml`` content type it declares."""
    text = types.lower()
    found: set[str] = set()
    at = text.find(b".main")
    # bytes.find, not a regex: this runs for every .docx probed and a pattern costs 3× more.
    while at != -1:
        end = at + 5
        if text.startswith(b"+xml", end):
            end += 4
        quote = text[end : end + 1]
        begin = text.rfind(quote, 0, at) + 1 if quote in (b'"', b"'") else 0
        attribute = text[: max(begin - 1, 0)].rstrip()
        if begin and attribute.endswith(b"=") and attribute[:-1].rstrip().endswith(b"contenttype"):
            found.add(text[begin:end].decode("ascii", "replace"))
        at = text.find(b".main", end)
    if len(found) != 1:
        return None
    (main,) = found
    return _MAIN_PARTS.get(main, main.removesuffix("+xml").removesuffix(".main"))


# --------------------------------------------------------------------------------------------
# OLE2 compound files
# --------------------------------------------------------------------------------------------


def _ole_kind(head: bytes, more: BinaryIO | None) -> str:
    names = _root_streams(head, more)
    if names is None:
        names = _root_streams_by_olefile(more if more is not None else io.BytesIO(head))
    for stream, mime in _OLE_STREAMS:
        if stream.casefold() in names:
            return mime
    return OLE_STORAGE


def _root_streams_by_olefile(source: BinaryIO) -> frozenset[str]:
    """The root storage's stream names (case-folded), as olefile reads the directory."""
    try:
        ole = olefile.OleFileIO(source)
    # olefile raises OSError for a bad header and assorted errors for damaged tables.
    except Exception:
        return frozenset()
    try:
        return frozenset(
            path[0].casefold()
            for path in ole.listdir(streams=True, storages=False)
            if len(path) == 1
        )
    except Exception:  # a directory that olefile opened but cannot walk
        return frozenset()
    finally:
        ole.close()


_CFB_HEADER = struct.Struct("<8s16sHHHHH6sIIIIIIIII")
_NO_SECTOR = 0xFFFFFFFA  # this and above: end of chain, free, FAT or DIFAT markers
_END_OF_CHAIN = 0xFFFFFFFE
_NO_STREAM = 0xFFFFFFFF
_DIRECTORY_SECTORS_LIMIT = 4096  # 16,384 entries: far beyond any real document


def _root_streams(head: bytes, more: BinaryIO | None) -> frozenset[str] | None:
    """The root storage's stream names (case-folded), read from the directory by hand.

    olefile parses every table and entry of a file (~90 µs for a small ``.doc``, ten times a
    probe); this reads only the directory sectors and the FAT entries that chain them, for the
    common layout (a header-only DIFAT). Anything else, or anything damaged, returns None and
    olefile decides. A test pins both readings equal on every compound file of the corpus.
    """
    try:
        fields = _CFB_HEADER.unpack_from(head)
        difat = struct.unpack_from("<109I", head, _CFB_HEADER.size)
    except struct.error:
        return None
    major, order, shift = fields[3], fields[4], fields[5]
    fat_sectors, directory, difat_sectors = fields[9], fields[10], fields[16]
    if order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or difat_sectors:
        return None
    size = 1 << shift
    per_fat = size // 4
    entries = bytearray()
    sector, hops = directory, 0
    while sector != _END_OF_CHAIN:
        fat_index, slot = divmod(sector, per_fat)
        if (
            sector >= _NO_SECTOR
            or fat_index >= min(fat_sectors, 109)
            or difat[fat_index] >= _NO_SECTOR
            or hops > _DIRECTORY_SECTORS_LIMIT
        ):
            return None
        data = _read_at(head, more, (sector + 1) * size, size)
        link = _read_at(head, more, (difat[fat_index] + 1) * size + 4 * slot, 4)
        if len(data) < size or len(link) < 4:
            return None
        entries += data
        (sector,), hops = struct.unpack("<I", link), hops + 1
    return _walk_root(bytes(entries))


def _walk_root(entries: bytes) -> frozenset[str] | None:
    """Names of the streams among the root entry's children (a tree of left/right siblings)."""
    count = len(entries) // 128
    if count == 0 or entries[66] != 5:  # entry 0 must be the root storage
        return None
    names: set[str] = set()
    seen: set[int] = set()
    stack = [struct.unpack_from("<I", entries, 76)[0]]
    while stack:
        index = stack.pop()
        if index == _NO_STREAM:
            continue
        if index >= count or index in seen:
            return None  # a pointer out of the directory, or a loop: damaged
        seen.add(index)
        at = 128 * index
        (name_size,) = struct.unpack_from("<H", entries, at + 64)
        if not 2 <= name_size <= 64 or name_size % 2:
            return None
        if entries[at + 66] == 2:  # a stream (1 would be a storage)
            name = entries[at : at + name_size - 2].decode("utf-16-le", "replace")
            names.add(name.casefold())
        left, right = struct.unpack_from("<II", entries, at + 68)
        stack += [left, right]
    return frozenset(names)


# --------------------------------------------------------------------------------------------
# SVG: an XML document whose root element is <svg>
# --------------------------------------------------------------------------------------------

_NAME = re.compile(rb"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?")
_SPACE = b" \t\r\n"


def _is_svg(head: bytes, more: BinaryIO | None) -> bool:
    answer = _svg_root(head)
    if answer is None and more is not None and len(head) < SVG_PROLOG_LIMIT:
        answer = _svg_root(_read_at(b"", more, 0, SVG_PROLOG_LIMIT))
    return bool(answer)


def _as_utf8(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            body = data[2 : len(data) - (len(data) % 2)]
            return body.decode(codec, "replace").encode("utf-8")
    return data


def _svg_root(data: bytes) -> bool | None:
    """True/False once the root element is reached; None if ``data`` ends in the prolog."""
    text = _as_utf8(data)
    if b"\x00" in text:
        return False
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        if pos >= len(text):
            return None
        if text.startswith(b"<?", pos):
            end = text.find(b"?>", pos + 2)
            pos = end + 2 if end != -1 else -1
        elif text.startswith(b"<!--", pos):
            end = text.find(b"-->", pos + 4)
            pos = end + 3 if end != -1 else -1
        elif text[pos : pos + 9].upper() == b"<!DOCTYPE":
            pos = _doctype_end(text, pos + 9)
        elif text.startswith(b"<", pos):
            name = _NAME.match(text, pos + 1)
            if name is None:
                return False
            local = name.group().rpartition(b":")[2]
            after = text[name.end() : name.end() + 1]
            return local == b"svg" and (after == b"" or after in b" \t\r\n/>")
        else:
            return False  # text before the root: not XML
        if pos == -1:
            return None


def _doctype_end(text: bytes, pos: int) -> int:
    """Just past the DOCTYPE's closing ``>`` (skipping its internal subset), or -1."""
    depth, quote, index = 0, 0, pos
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = 0
        elif text.startswith(b"<!--", index):  # a comment in the internal subset
            end = text.find(b"-->", index + 4)
            if end == -1:
                return -1
            index = end + 2
        elif char in b"\"'":
            quote = char
        elif char == ord("["):
            depth += 1
        elif char == ord("]"):
            depth -= 1
        elif char == ord(">") and depth <= 0:
            return index + 1
        index += 1
    return -1


def _head_only(check: Callable[[bytes], bool]) -> Callable[[bytes, BinaryIO | None], bool]:
    return lambda head, _more: check(head)


#: The check for each format a name can promise, tried first on a file of that name.
_QUICK: Final[dict[str, Callable[[bytes, BinaryIO | None], bool]]] = {
    **{mime: _head_only(matches) for mime, matches in _SIGNATURES.items()},
    ICO: _is_ico,
    SVG: _is_svg,
}
