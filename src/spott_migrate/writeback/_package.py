"""Cell text inside an ``.xlsx`` package: shared strings and rich-text runs."""

from __future__ import annotations

import zipfile

from lxml import etree

from ..manifest.xlsxpackage import MAIN_NS
from ._text import from_cell_text


def read_shared_strings(
    package: zipfile.ZipFile, part: str | None, wanted: set[int]
) -> dict[int, str]:
    """Texts of the shared strings with the ``wanted`` indexes (streamed; stops early)."""
    found: dict[int, str] = {}
    if part is None or not wanted:
        return found
    last = max(wanted)
    with package.open(part) as stream:
        tags = [f"{{{ns}}}si" for ns in MAIN_NS]
        for index, (_, node) in enumerate(
            etree.iterparse(stream, tag=tags, resolve_entities=False, huge_tree=True)
        ):
            if index in wanted:
                found[index] = rich_text(node)
            node.clear()
            if index >= last:
                break
    return found


def rich_text(node: etree._Element) -> str:
    """Text of an ``<si>`` or ``<is>``: its ``<t>`` or its runs' ``<t>``, phonetic hints skipped."""
    if len(node) == 1 and node[0].tag.endswith("}t"):  # the usual <is><t>…</t></is>
        return from_cell_text(node[0].text or "")
    ns = etree.QName(node).namespace
    run = f"{{{ns}}}r"
    texts = (
        t.text or ""
        for t in node.iter(f"{{{ns}}}t")
        if (parent := t.getparent()) is not None and parent.tag in (node.tag, run)
    )
    return from_cell_text("".join(texts))
