"""Tiny but genuine files of every type Spott accepts, built in memory for the sandbox tests.

(Named ``sandbox_files`` rather than ``files`` so it cannot shadow another test folder's
helper of the same name on ``sys.path``.)
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import httpx
from tests.cfb import excel97, word97

from spott_migrate.spott_api import ASSIGN_PATH, MIME_BY_EXTENSION, UPLOAD_PATH


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png() -> bytes:
    """A 1x1 grey PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")  # filter byte + one grey pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """SOI, a JFIF APP0 segment, EOI: enough for any sniffer."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif() -> bytes:
    """A 1x1 transparent GIF89a."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
        b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def bmp() -> bytes:
    """A 1x1 24-bit BMP."""
    pixel_row = b"\x00\x00\xff\x00"  # one BGR pixel padded to 4 bytes
    info = struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(pixel_row), 2835, 2835, 0, 0)
    size = 14 + len(info) + len(pixel_row)
    return b"BM" + struct.pack("<IHHI", size, 0, 0, 14 + len(info)) + info + pixel_row


def webp() -> bytes:
    """A 1x1 lossless WebP (RIFF header, one VP8L chunk of 13 bytes plus padding)."""
    payload = bytes.fromhex("2f00000010071011118888fe07")
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(payload)) + payload + b"\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tiff() -> bytes:
    """A 1x1 bilevel little-endian TIFF."""
    entries = [
        (256, 3, 1, 1),  # ImageWidth
        (257, 3, 1, 1),  # ImageLength
        (258, 3, 1, 1),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 0),  # Photometric: white is zero
        (273, 4, 1, 0),  # StripOffsets, patched below
        (278, 3, 1, 1),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = data_offset if tag == 273 else value
        if kind == 3:  # SHORT values are left-aligned in the 4-byte field
            ifd += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            ifd += struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00"


def ico() -> bytes:
    """An icon holding one 1x1 PNG image."""
    image = png()
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 1, 1, 0, 0, 1, 32, len(image), 6 + 16)
    return header + entry + image


def svg() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" '
        b'height="1"/></svg>\n'
    )


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Target="{target}" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
    '{main}.main+xml"/></Types>'
)


def docx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _TYPES.format(
                part="word/document.xml", main="wordprocessingml.document"
            ),
            "_rels/.rels": _RELS.format(target="word/document.xml"),
            "word/document.xml": '<?xml version="1.0"?><w:document/>',
        }
    )


def xlsx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _TYPES.format(
                part="xl/workbook.xml", main="spreadsheetml.sheet"
            ),
            "_rels/.rels": _RELS.format(target="xl/workbook.xml"),
            "xl/workbook.xml": '<?xml version="1.0"?><workbook/>',
            "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet/>',
        }
    )


def docx_unusual_order() -> bytes:
    """A docx whose package files come last, after entries filetype would inspect."""
    entries = {f"customXml/item{i}.xml": "<x/>" * 50 for i in range(6)}
    entries.update(
        {
            "word/document.xml": '<?xml version="1.0"?><w:document/>',
            "_rels/.rels": _RELS.format(target="word/document.xml"),
            "[Content_Types].xml": _TYPES.format(
                part="word/document.xml", main="wordprocessingml.document"
            ),
        }
    )
    return _zip(entries)


def doc() -> bytes:
    """A Word 97-2003 compound file whose WordDocument stream starts at the first sector."""
    return word97(word_first=True)


def doc_word_stream_not_first() -> bytes:
    """A Word 97-2003 file whose WordDocument stream lies after another (filetype misses it)."""
    return word97()


def xls() -> bytes:
    """An Excel 97-2003 compound file: OLE2, but no WordDocument stream."""
    return excel97()


#: extension -> (bytes builder); every extension of MIME_BY_EXTENSION is covered.
BUILDERS = {
    ".pdf": pdf,
    ".docx": docx,
    ".doc": doc,
    ".jpeg": jpeg,
    ".jpg": jpeg,
    ".png": png,
    ".gif": gif,
    ".bmp": bmp,
    ".webp": webp,
    ".tiff": tiff,
    ".tif": tiff,
    ".svg": svg,
    ".ico": ico,
    ".xlsx": xlsx,
}
assert set(BUILDERS) == set(MIME_BY_EXTENSION)


def part(name: str, content: bytes | None = None, mime: str | None = None) -> tuple:
    """An httpx ``files`` entry for field ``files``; content and MIME from the extension."""
    ext = "." + name.rsplit(".", 1)[-1].lower()
    data = BUILDERS[ext]() if content is None else content
    return ("files", (name, data, mime or MIME_BY_EXTENSION[ext]))


def upload(client: httpx.Client, *parts: tuple, type_: str = "CV") -> httpx.Response:
    """POST the parts to the temporary-upload endpoint."""
    return client.post(UPLOAD_PATH, params={"type": type_}, files=list(parts))


def upload_ids(client: httpx.Client, *names: str) -> list[str]:
    """Upload one genuine file per name; return the temporary ids in request order."""
    response = upload(client, *(part(n) for n in names))
    assert response.status_code == 201, response.text
    by_name = {item["attachmentName"]: item["attachmentId"] for item in response.json()}
    return [by_name[n] for n in names]


def assign(
    client: httpx.Client, ids: list[str], type_: str = "CV", **targets: str
) -> httpx.Response:
    body = {"attachments": [{"id": i, "type": type_} for i in ids], **targets}
    return client.post(ASSIGN_PATH, json=body)


def assert_envelope(response: httpx.Response, status: int) -> dict:
    """The response is an error with Spott's envelope and the given status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


#: The records store the shared test sandbox is started with.
RECORDS = {
    "candidates": [
        {
            "id": "c-1",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "emails": ["ada@example.com"],
            "phones": ["+44 20 7946 0001"],
        },
        {"id": "c-2", "firstName": "Alan", "lastName": "Turing", "emails": ["alan@example.com"]},
    ],
    "companies": [{"id": "co-1", "name": "Acme", "domain": "acme.example"}],
    "vacancies": [{"id": "v-1", "name": "Data Engineer", "companyId": "co-1"}],
    "contacts": [
        {
            "id": "p-1",
            "firstName": "Bob",
            "lastName": "Boss",
            "emails": ["bob@acme.example"],
            "companyId": "co-1",
        }
    ],
}
