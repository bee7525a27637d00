"""Content decides, the name follows: the type and names a file is sent under.

Legacy exports are full of files whose content is one format Spott accepts under another
format's extension (a PNG named ``.jpg``, a DOCX named ``.doc``). Such a file is sent as what
it is: the MIME type of its content, and an upload and display name ending in the content's
extension. Validation decides *whether* a row goes (see ``--strict-content``); this module
says *how*.
"""

from __future__ import annotations

import re
from typing import Final

from . import sniff
from .spott_api import ALLOWED_MIME_TYPES, MIME_BY_EXTENSION

#: The formats Spott takes, one spelling each (as :func:`sniff.sniff` reports them).
ACCEPTED: Final = frozenset(sniff.canonical(m) for m in ALLOWED_MIME_TYPES)

# The extension a renamed file gets: the usual one where the API lists two (.jpg, .tiff).
_EXTENSION: Final = {
    sniff.PDF: ".pdf",
    sniff.DOCX: ".docx",
    sniff.DOC: ".doc",
    sniff.JPEG: ".jpg",
    sniff.PNG: ".png",
    sniff.GIF: ".gif",
    sniff.BMP: ".bmp",
    sniff.WEBP: ".webp",
    sniff.TIFF: ".tiff",
    sniff.SVG: ".svg",
    sniff.ICO: ".ico",
    sniff.XLSX: ".xlsx",
}
assert set(_EXTENSION) == ACCEPTED, "every accepted format needs an extension"

# How messages name a format.
_LABEL: Final = {
    sniff.PDF: "PDF",
    sniff.DOCX: "DOCX",
    sniff.DOC: "DOC",
    sniff.JPEG: "JPEG",
    sniff.PNG: "PNG",
    sniff.GIF: "GIF",
    sniff.BMP: "BMP",
    sniff.WEBP: "WEBP",
    sniff.TIFF: "TIFF",
    sniff.SVG: "SVG",
    sniff.ICO: "ICO",
    sniff.XLSX: "XLSX",
    sniff.XLS: "an Excel 97-2003 workbook (XLS)",
    sniff.PPT: "a PowerPoint 97-2003 presentation (PPT)",
    sniff.PPTX: "a PowerPoint presentation (PPTX)",
    sniff.DOCM: "a macro-enabled Word document (DOCM)",
    sniff.XLSM: "a macro-enabled workbook (XLSM)",
    sniff.PPTM: "a macro-enabled presentation (PPTM)",
    sniff.MSG: "an Outlook message (MSG)",
    sniff.OLE_STORAGE: "an OLE2 compound file that is no Word document",
    sniff.ZIP: "a zip archive",
    "application/rtf": "an RTF document",
    "application/x-msdownload": "a Windows program (EXE)",
    "application/vnd.oasis.opendocument.text": "an OpenDocument text (ODT)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (ODS)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (ODP)",
}

# What counts as a name's extension when it is replaced: a short run of letters and digits
# with at least one letter ("v1.2" ends in a version number, not an extension).
_EXTENSION_LIKE = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")


def is_accepted(mime: str | None) -> bool:
    """Whether content of this MIME type is a format Spott takes."""
    return mime is not None and sniff.canonical(mime) in ACCEPTED


def label(mime: str) -> str:
    """A short name for a format, for messages: ``GIF``, ``an RTF document``."""
    return _LABEL.get(sniff.canonical(mime), mime)


def extension_for(mime: str) -> str:
    """The extension a file of this accepted format is sent under (``.gif``)."""
    return _EXTENSION[sniff.canonical(mime)]


def names_format(name: str, mime: str) -> bool:
    """Whether ``name``'s extension already stands for this format (``.jpeg`` and ``.jpg`` do)."""
    _, dot, ext = name.rpartition(".")
    promised = MIME_BY_EXTENSION.get(f".{ext.lower()}") if dot else None
    return promised is not None and sniff.canonical(promised) == sniff.canonical(mime)


def name_for_content(name: str, mime: str) -> str:
    """``name`` with the extension of its content: ``logo.png`` holding a GIF -> ``logo.gif``.

    A name that already has an extension of that format is kept; one without an extension
    gets it appended (``Company logo`` -> ``Company logo.gif``). Content Spott does not take
    has no such extension: its name is kept.
    """
    if names_format(name, mime) or not is_accepted(mime):
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION_LIKE.fullmatch(ext):
        name = stem
    return name + extension_for(mime)


def note(mime: str) -> str:
    """The ``spott_note`` text of a row sent as its content: ``renamed: content is GIF``."""
    return f"renamed: content is {label(mime)}"
