"""Does a file's content really have the MIME type its multipart part claims?

`filetype` does the binary formats from the first 8 KB. Where it is too narrow for real files
we widen it, and say so:

- ``.doc``: filetype only knows Word files whose FIB sits at offset 512 (or that carry a
  ``MSWordDoc`` marker at a fixed place); many real ``.doc`` files do not. We accept any OLE2
  container that filetype does not positively identify as something else (``.xls``, ``.ppt``...).
- ``.docx``/``.xlsx``: filetype looks only at the first few zip entries; when it answers plain
  zip we scan the local file headers we have for ``word/`` or ``xl/`` entries.
- ``.svg``: not a filetype format; text (no NUL bytes) containing ``<svg``.
"""

from __future__ import annotations

import struct

import filetype

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
SVG = "image/svg+xml"

#: How many leading bytes of each part the server keeps for sniffing.
SNIFF_BYTES = 64 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_LOCAL = b"PK\x03\x04"

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


def _zip_entry_names(head: bytes) -> list[bytes]:
    names = []
    start = head.find(_ZIP_LOCAL)
    while start != -1 and start + 30 <= len(head):
        (name_len,) = struct.unpack_from("<H", head, start + 26)
        names.append(head[start + 30 : start + 30 + name_len])
        start = head.find(_ZIP_LOCAL, start + 30 + name_len)
    return names


def _ooxml_kind(head: bytes) -> str | None:
    for name in _zip_entry_names(head):
        if name.startswith(b"word/"):
            return DOCX
        if name.startswith(b"xl/"):
            return XLSX
        if name.startswith(b"ppt/"):
            return PPTX
    return None


def _looks_like_svg(head: bytes) -> bool:
    return b"\x00" not in head and b"<svg" in head.lower()


def sniff(head: bytes) -> str | None:
    """Best guess of the canonical MIME type of content starting with ``head``."""
    kind = filetype.guess(head[:8192])
    guessed = canonical_mime(kind.mime) if kind is not None else None
    if guessed == "application/zip" and head.startswith(_ZIP_LOCAL):
        return _ooxml_kind(head) or guessed
    if guessed is None and head.startswith(_OLE_MAGIC):
        return DOC
    if guessed is None and _looks_like_svg(head):
        return SVG
    return guessed


def content_matches(declared: str, head: bytes) -> bool:
    """Whether content starting with ``head`` is of the declared MIME type."""
    return sniff(head) == canonical_mime(declared)
