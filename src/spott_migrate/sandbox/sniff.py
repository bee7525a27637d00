"""Does a file's content really have the MIME type its multipart part claims?

The server's own judgement, written apart from the client's sniffer (``spott_migrate.sniff``)
and stricter than it: both must agree on every real file the tests make, so a difference is a
bug on one side. The server keeps only the first ``SNIFF_BYTES`` and last ``TAIL_BYTES`` of each
part. Where a big file's proof lies in between, the looser rules of old apply (any OLE2 file
``filetype`` does not name otherwise is a ``.doc``; a zip is judged by the entry names in its
first bytes), so the sandbox does not refuse big real files it cannot see whole.

- Binary images, PDF at offset 0, RTF, EXE …: ``filetype`` on the first 8 KB.
- PDF: also a ``%PDF-`` header later in the first 1,024 bytes, as PDF readers allow.
- OOXML: the zip's ``_rels/.rels`` names the main part (the ``officeDocument`` relationship),
  ``[Content_Types].xml`` gives that part's content type, and the part must exist.
- ``.doc``: an OLE2 compound file with a ``WordDocument`` stream that starts with Word's FIB
  identifier (0xA5EC); other OLE2 files are whatever ``filetype`` says, or unknown.
- ``.svg``: lxml parses the start of the document; the root element must be ``svg``.
- ``.ico``, ``.bmp``: ``filetype``'s signature, then each icon image (as far as the kept bytes
  reach) must be a PNG or a bitmap, and a bitmap's info header must have a known size.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
from typing import Any

import filetype
import olefile
from lxml import etree

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
SVG = "image/svg+xml"
PDF = "application/pdf"
ICO = "image/x-icon"
BMP = "image/bmp"
ZIP = "application/zip"
OLE = "application/x-ole-storage"

#: How many leading bytes of each part the server keeps for sniffing.
SNIFF_BYTES = 64 * 1024
#: How many trailing bytes: a zip's end record, its comment (up to 64 KB) and its directory.
TAIL_BYTES = 80 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_LOCAL = b"PK\x03\x04"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_MAIN_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

# Names for one format that clients legitimately send or that filetype reports.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/vnd.microsoft.icon": "image/x-icon",
    "image/ico": "image/x-icon",
    "image/apng": "image/png",  # an animated PNG is still a PNG
}


def canonical_mime(mime: str) -> str:
    """Lower-case, parameters dropped, aliases folded (``image/jpg`` -> ``image/jpeg``)."""
    base = mime.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


class _Unseen(OSError):
    """A read reached bytes the server did not keep."""


class _KeptBytes(io.RawIOBase):
    """A part seen only through its first and last bytes; reading in between fails."""

    def __init__(self, head: bytes, tail: bytes, size: int) -> None:
        self._head, self._size, self._pos = head, max(size, len(head)), 0
        self._tail = tail[-max(self._size - len(head), 0) :] if self._size > len(head) else b""
        self._tail_start = self._size - len(self._tail)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        start, stop = self._pos, min(self._pos + len(buffer), self._size)
        if stop <= start:
            return 0
        data = self._head[start:stop]
        middle = start + len(data)
        if middle < stop:
            if middle < self._tail_start:
                raise _Unseen(f"bytes {middle}-{stop} were not kept")
            data += self._tail[middle - self._tail_start : stop - self._tail_start]
        buffer[: len(data)] = data
        self._pos = stop
        return len(data)


def _ooxml_kind(source: _KeptBytes) -> str | None:
    """The OOXML type by the package's own relationships and content types; raises
    `_Unseen` when they lie in bytes not kept."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = {info.filename for info in archive.infolist()}
            rels = etree.fromstring(archive.read("_rels/.rels"))
            targets = [
                r.get("Target", "")
                for r in rels.iter(f"{_REL_NS}Relationship")
                if r.get("Type") == _OFFICE_DOCUMENT
            ]
            if len(targets) != 1:
                return None
            part = "/" + posixpath.normpath(targets[0].lstrip("/"))
            if part[1:] not in names:
                return None
            types = etree.fromstring(archive.read("[Content_Types].xml"))
    except _Unseen:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError):
        return None
    content_type = None
    for item in types.iter(f"{_CT_NS}Override"):
        if (item.get("PartName") or "").lower() == part.lower():
            content_type = item.get("ContentType")
    if content_type is None:
        extension = posixpath.splitext(part)[1].lstrip(".").lower()
        for item in types.iter(f"{_CT_NS}Default"):
            if (item.get("Extension") or "").lower() == extension:
                content_type = item.get("ContentType")
    return _MAIN_CONTENT_TYPES.get((content_type or "").lower())


def _is_word(source: _KeptBytes) -> bool:
    """A ``WordDocument`` stream that starts with the FIB's identifier; raises `_Unseen`
    when the tables needed lie in bytes not kept."""
    try:
        ole = olefile.OleFileIO(source)
    except _Unseen:
        raise
    except Exception:  # olefile raises OSError and assorted errors on damaged tables
        return False
    try:
        if not ole.exists("WordDocument") or ole.get_type("WordDocument") != olefile.STGTY_STREAM:
            return False
        sid = ole._find("WordDocument")
        entry = ole.direntries[sid]
        if entry.size < ole.minisectorcutoff:  # a tiny stream lives in the mini stream
            first = ole.openstream("WordDocument").read(2)
        else:  # read just its first sector's first bytes, not the whole stream
            source.seek(ole.sectorsize * (entry.isectStart + 1))
            first = source.read(2)
        return bool(first == b"\xec\xa5")
    except _Unseen:
        raise
    except Exception:  # a broken chain or directory
        return False
    finally:
        ole.close()


def _zip_entry_names(head: bytes) -> list[bytes]:
    names = []
    start = head.find(_ZIP_LOCAL)
    while start != -1 and start + 30 <= len(head):
        (name_len,) = struct.unpack_from("<H", head, start + 26)
        names.append(head[start + 30 : start + 30 + name_len])
        start = head.find(_ZIP_LOCAL, start + 30 + name_len)
    return names


def _ooxml_kind_by_names(head: bytes) -> str | None:
    """The old, looser rule for a big zip whose package files were not kept."""
    for name in _zip_entry_names(head):
        if name.startswith(b"word/"):
            return DOCX
        if name.startswith(b"xl/"):
            return XLSX
        if name.startswith(b"ppt/"):
            return PPTX
    return None


def _svg_root(head: bytes) -> bool:
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        parser.feed(head)
        for _, element in parser.read_events():
            return bool(etree.QName(element).localname == "svg")
    except etree.XMLSyntaxError:
        return False
    return False


def _icon_images_are_real(source: _KeptBytes) -> bool:
    try:
        header = source.read(6)
        (count,) = struct.unpack_from("<H", header, 4)
        entries = source.read(16 * count)
    except (_Unseen, struct.error):
        return False
    if count == 0 or len(entries) < 16 * count:
        return False
    for index in range(count):
        size, offset = struct.unpack_from("<II", entries, 16 * index + 8)
        source.seek(offset)
        try:
            payload = source.read(8)
        except _Unseen:
            continue  # not kept: judged by the images that were
        if size == 0 or not (
            payload == b"\x89PNG\r\n\x1a\n"
            or (len(payload) >= 4 and struct.unpack_from("<I", payload)[0] in _DIB_SIZES)
        ):
            return False
    return True


def sniff(head: bytes, tail: bytes = b"", size: int | None = None) -> str | None:
    """Best guess of the canonical MIME type of content starting with ``head``.

    ``tail`` is the content's last bytes and ``size`` its length, where the server kept them
    (a zip's directory and often an OLE2 directory sit at the end).
    """
    kept = _KeptBytes(head, tail, len(head) if size is None else size)
    kind = filetype.guess(head[:8192])
    guessed = canonical_mime(kind.mime) if kind is not None else None
    if head.startswith(_ZIP_LOCAL):
        try:
            found = _ooxml_kind(kept)
        except _Unseen:
            found = _ooxml_kind_by_names(head)
        return found or (ZIP if guessed in (DOCX, XLSX, PPTX) else guessed)
    if head.startswith(_OLE_MAGIC):
        try:
            word = _is_word(kept)
        except _Unseen:
            word = guessed in (None, DOC)
        return DOC if word else (guessed if guessed not in (None, DOC) else OLE)
    if guessed == ICO:
        return ICO if _icon_images_are_real(kept) else None
    if guessed == BMP:
        dib = struct.unpack_from("<I", head, 14)[0] if len(head) >= 18 else 0
        return BMP if dib in _DIB_SIZES else None
    if guessed is not None:
        return guessed
    if b"%PDF-" in head[:1024]:
        return PDF
    if b"\x00" not in head and _svg_root(head):
        return SVG
    return None


def content_matches(declared: str, head: bytes, tail: bytes = b"", size: int | None = None) -> bool:
    """Whether content starting with ``head`` is of the declared MIME type."""
    return sniff(head, tail, size) == canonical_mime(declared)
