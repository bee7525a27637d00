"""Finding parts inside an ``.xlsx`` package: the worksheet by name, the shared strings.

Both directions use it: the manifest reader guards a sheet before it is read, the write-back
edits that same part.

The path to a sheet is never guessed from its name: the workbook lists sheets in tab order
with a relationship id, and the workbook's relationships map that id to a part.
"""

from __future__ import annotations

import posixpath
import threading
import zipfile
from dataclasses import dataclass

from lxml import etree

from ..errors import FileLayoutError as LayoutError

_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Transitional (what Excel writes by default) and Strict OOXML namespaces.
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)

_local = threading.local()


def parser() -> etree.XMLParser:
    """This thread's parser: lxml parser objects must not be shared between threads.

    No entity expansion or network access (the file is user input); huge_tree lifts lxml's
    limits on text size and depth that a large but legitimate sheet can exceed.
    """
    found: etree.XMLParser | None = getattr(_local, "parser", None)
    if found is None:
        found = _local.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=True
        )
    return found


@dataclass(frozen=True)
class SheetPart:
    name: str  # the sheet's tab name
    part: str  # zip member name of its XML
    shared_strings: str | None  # zip member name of the shared-strings table, if any


def locate_sheet(package: zipfile.ZipFile, sheet: str | None) -> SheetPart:
    """The worksheet called ``sheet`` (exact name first, then ignoring case), or the first."""
    members = {name.lower(): name for name in package.namelist()}  # OPC names ignore case
    book_part = _office_document(package, members)
    rels = _relationships(package, members, book_part)
    book = _parse(package, members, book_part)
    ns = etree.QName(book).namespace
    sheets: list[tuple[str, str]] = []  # (name, relationship id) in tab order
    for node in book.iterfind(f"{{{ns}}}sheets/{{{ns}}}sheet"):
        rid = next((node.get(f"{{{rel}}}id") for rel in _REL_NS if node.get(f"{{{rel}}}id")), "")
        sheets.append((node.get("name", ""), rid))
    if not sheets:
        raise LayoutError("the workbook lists no sheets")

    worksheets = [(name, rid) for name, rid in sheets if _kind(rels, rid) == "worksheet"]
    if sheet is None:
        if not worksheets:
            raise LayoutError("the workbook has no worksheet (only chart or dialog sheets)")
        name, rid = worksheets[0]
    else:
        match = [s for s in sheets if s[0] == sheet] or [
            s for s in sheets if s[0].casefold() == sheet.casefold()
        ]
        if not match:
            listed = ", ".join(repr(name) for name, _ in sheets)
            raise LayoutError(f"no sheet named {sheet!r} (sheets: {listed})")
        name, rid = match[0]
        if _kind(rels, rid) != "worksheet":
            raise LayoutError(
                f"sheet {name!r} is a {_kind(rels, rid) or 'missing'} part, not a worksheet"
            )
    shared = next((target for kind, target in rels.values() if kind == "sharedStrings"), None)
    return SheetPart(name, _member(members, rels[rid][1]), _member_or_none(members, shared))


def _office_document(package: zipfile.ZipFile, members: dict[str, str]) -> str:
    if "_rels/.rels" not in members:
        return _member(members, "xl/workbook.xml")
    for kind, target in _relationships(package, members, "").values():
        if kind == "officeDocument":
            return _member(members, target)
    raise LayoutError("the package names no workbook part")


def _relationships(
    package: zipfile.ZipFile, members: dict[str, str], source: str
) -> dict[str, tuple[str, str]]:
    """``{id: (type's last path segment, resolved part name)}`` for ``source``'s rels part."""
    folder, base = posixpath.split(source)
    rels_part = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels_part.lower() not in members:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for rel in _parse(package, members, rels_part).iter(_PKG_RELS):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        # Targets are relative to the source's folder unless absolute ("/xl/...").
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        found[rel.get("Id", "")] = (kind, posixpath.normpath(resolved))
    return found


def _kind(rels: dict[str, tuple[str, str]], rid: str) -> str:
    return rels[rid][0] if rid in rels else ""


def _parse(package: zipfile.ZipFile, members: dict[str, str], part: str) -> etree._Element:
    return etree.fromstring(package.read(_member(members, part)), parser())


def _member(members: dict[str, str], part: str) -> str:
    try:
        return members[part.lower()]
    except KeyError:
        raise LayoutError(f"the package has no part {part!r}") from None


def _member_or_none(members: dict[str, str], part: str | None) -> str | None:
    return members.get(part.lower()) if part else None
