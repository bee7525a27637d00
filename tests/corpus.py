"""Real files as legacy exports hold them, each made by an independent producer.

Pillow, matplotlib, fpdf2, python-docx, python-pptx, openpyxl and XlsxWriter write what they
write; compound files come from ``cfb`` (olefile only reads), text formats are written as their
specifications say. Each :class:`Case` names a file, how it is made, what its content is and
what the toolkit must do with it: send it as named, send it renamed to its content, or refuse
it with a code. LibreOffice-made files are added where ``soffice`` is installed.
"""

from __future__ import annotations

import email.message
import functools
import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import docx
import openpyxl
import pptx
import xlsxwriter
from fpdf import FPDF
from matplotlib.figure import Figure
from PIL import Image

from spott_migrate import sniff
from spott_migrate.codes import Code

from .cfb import excel97, word97


class Outcome(Enum):
    """What the toolkit must do with a file."""

    ACCEPTED = "accepted"  # sent as named
    RENAMED = "renamed"  # sent as its content, under its content's extension
    REFUSED = "refused"  # never sent


@dataclass(frozen=True)
class Case:
    """One corpus file: its name on disk, its maker, its real format and the expected outcome."""

    name: str
    make: Callable[[], bytes]
    content: str | None  # the MIME type of the content; None for no format at all
    outcome: Outcome
    code: Code | None = None  # the refusal's code
    sent_as: str = ""  # the upload name of a renamed file
    display: str = ""  # a display name given in the manifest's name column
    shown_as: str = ""  # the display name Spott must show, where one is given

    @property
    def id(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------------
# Producers
# --------------------------------------------------------------------------------------------


def picture(fmt: str, size: tuple[int, int], colour: str, **options: object) -> bytes:
    """A small picture saved by Pillow in ``fmt``."""
    image = Image.new("RGBA" if fmt in ("PNG", "ICO", "WEBP") else "RGB", size, colour)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def exif_jpeg() -> bytes:
    """A camera-style JPEG: an EXIF APP1 segment before the image (not JFIF)."""
    exif = Image.Exif()
    exif[0x010F] = "Spott Test Camera"  # Make
    exif[0x0110] = "Model 1"  # Model
    exif[0x0132] = "2024:05:01 10:00:00"  # DateTime
    return picture("JPEG", (24, 16), "navy", exif=exif.tobytes(), quality=85)


def animated_gif() -> bytes:
    frames = [Image.new("P", (12, 12), i * 40) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    return out.getvalue()


def fpdf_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def matplotlib_chart(fmt: str) -> bytes:
    figure = Figure(figsize=(2, 1.5))
    figure.add_subplot().plot([1, 3, 2])
    out = io.BytesIO()
    figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def illustrator_svg() -> bytes:
    """An SVG as Illustrator writes it: BOM, declaration, comment, DOCTYPE with entities."""
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        "<!-- Generator: Adobe Illustrator 16.0.0, SVG Export Plug-In . SVG Version: 6.00 -->\r\n"
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\r\n'
        '\t<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">\r\n'
        "\t<!-- the next one is Illustrator's own > namespace -->\r\n"
        '\t<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">\r\n'
        "]>\r\n"
        '<svg version="1.1" xmlns:x="&ns_extend;" xmlns:i="&ns_ai;" '
        'xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">\r\n'
        '<rect width="32" height="32" fill="#0a6"/>\r\n</svg>\r\n'
    )
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def word_docx(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("Curriculum vitae", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docm_from_docx() -> bytes:
    """A macro-enabled Word package: a python-docx file whose main part says docm."""
    source = zipfile.ZipFile(io.BytesIO(word_docx("macros")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml."
                    b"document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(info, data)
    return out.getvalue()


def openpyxl_xlsx() -> bytes:
    """openpyxl writes ``[Content_Types].xml`` last, after every part."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "score"])
    sheet.append(["Ada", 10])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsxwriter_xlsx(sheet: str = "Scores") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet(sheet).write_row(0, 0, ["name", "score"])
    book.close()
    return out.getvalue()


def pptx_deck() -> bytes:
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = "Quarterly review"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def odt_text() -> bytes:
    """An OpenDocument text as the format says: a stored ``mimetype`` entry first."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" office:version="1.2"/>',
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"/>',
        )
    return out.getvalue()


def rtf_text() -> bytes:
    return b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 Cover letter\\par}"


def eml_message() -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "ada@example.com"
    message["To"] = "hr@example.com"
    message["Subject"] = "My CV"
    message.set_content("Please find my CV attached.")
    return message.as_bytes()


def html_page() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>CV</title></head><body>"
        b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg></body></html>\n'
    )


def windows_exe() -> bytes:
    """An inert PE header (no code): 'MZ', a DOS stub pointing at 'PE\\0\\0'."""
    dos = bytearray(128)
    dos[:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    return bytes(dos) + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 0) + b"\x00" * 256


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

A, R, X = Outcome.ACCEPTED, Outcome.RENAMED, Outcome.REFUSED
S = sniff

CASES: tuple[Case, ...] = (
    # As named.
    Case("fpdf2.pdf", lambda: fpdf_pdf("fpdf2 CV"), S.PDF, A),
    Case("chart.pdf", lambda: matplotlib_chart("pdf"), S.PDF, A),
    Case("blank-lines.pdf", lambda: b"\r\n\r\n  \n" + fpdf_pdf("late header"), S.PDF, A),
    Case("python-docx.docx", lambda: word_docx("python-docx"), S.DOCX, A),
    Case("openpyxl.xlsx", openpyxl_xlsx, S.XLSX, A),
    Case("xlsxwriter.xlsx", xlsxwriter_xlsx, S.XLSX, A),
    Case("word97-moved.doc", word97, S.DOC, A),
    Case("word97.doc", lambda: word97("first sector", word_first=True), S.DOC, A),
    Case("exif.jpg", exif_jpeg, S.JPEG, A),
    Case("photo.jpeg", lambda: picture("JPEG", (20, 20), "olive"), S.JPEG, A),
    Case("scan.png", lambda: picture("PNG", (9, 7), "teal"), S.PNG, A),
    Case("anim.gif", animated_gif, S.GIF, A),
    Case("paint.bmp", lambda: picture("BMP", (5, 5), "red"), S.BMP, A),
    Case("lossless.webp", lambda: picture("WEBP", (8, 8), "plum", lossless=True), S.WEBP, A),
    Case("lzw.tiff", lambda: picture("TIFF", (8, 8), "gold", compression="tiff_lzw"), S.TIFF, A),
    Case("scan.tif", lambda: picture("TIFF", (6, 6), "pink"), S.TIFF, A),
    Case(
        "favicon.ico",
        lambda: picture("ICO", (32, 32), "lime", sizes=[(16, 16), (32, 32)]),
        S.ICO,
        A,
    ),
    Case("bitmap.ico", lambda: picture("ICO", (16, 16), "cyan", bitmap_format="bmp"), S.ICO, A),
    Case("illustrator.svg", illustrator_svg, S.SVG, A),
    Case("chart.svg", lambda: matplotlib_chart("svg"), S.SVG, A),
    # Accepted content under another name: sent as what it is.
    Case(
        "png-named.jpg", lambda: picture("PNG", (11, 3), "blue"), S.PNG, R, sent_as="png-named.png"
    ),
    Case(
        "jpeg-named.png",
        lambda: picture("JPEG", (13, 5), "green"),
        S.JPEG,
        R,
        sent_as="jpeg-named.jpg",
    ),
    Case(
        "logo.png",
        lambda: picture("GIF", (10, 10), "orange"),
        S.GIF,
        R,
        sent_as="logo.gif",
        display="Company logo.png",
        shown_as="Company logo.gif",
    ),
    Case("letter.doc", lambda: word_docx("a docx named .doc"), S.DOCX, R, sent_as="letter.docx"),
    Case(
        "budget.docx",
        lambda: xlsxwriter_xlsx("Budget"),
        S.XLSX,
        R,
        sent_as="budget.xlsx",
        display="Budget",
        shown_as="Budget.xlsx",
    ),
    Case("cv-export.txt", lambda: fpdf_pdf("a PDF named .txt"), S.PDF, R, sent_as="cv-export.pdf"),
    # Refused: content Spott does not take, whatever the name.
    Case("letter.rtf", rtf_text, "application/rtf", X, Code.EXTENSION_NOT_ALLOWED),
    Case("rtf-named.doc", rtf_text, "application/rtf", X, Code.CONTENT_NOT_ALLOWED),
    Case(
        "notes.odt",
        odt_text,
        "application/vnd.oasis.opendocument.text",
        X,
        Code.EXTENSION_NOT_ALLOWED,
    ),
    Case(
        "odt-named.docx",
        odt_text,
        "application/vnd.oasis.opendocument.text",
        X,
        Code.CONTENT_NOT_ALLOWED,
    ),
    Case("old.xls", excel97, S.XLS, X, Code.EXTENSION_NOT_ALLOWED),
    Case("xls-named.doc", excel97, S.XLS, X, Code.CONTENT_NOT_ALLOWED),
    Case(
        "xls-moved.doc",
        lambda: excel97(workbook_first=False),
        S.XLS,
        X,
        Code.CONTENT_NOT_ALLOWED,
    ),
    Case("deck.pptx", pptx_deck, S.PPTX, X, Code.EXTENSION_NOT_ALLOWED),
    Case("pptx-named.docx", pptx_deck, S.PPTX, X, Code.CONTENT_NOT_ALLOWED),
    Case("macros.docx", docm_from_docx, S.DOCM, X, Code.CONTENT_NOT_ALLOWED),
    Case("readme.txt", lambda: b"Just some notes.\n", None, X, Code.EXTENSION_NOT_ALLOWED),
    Case("text-named.pdf", lambda: b"Just some notes.\n", None, X, Code.CONTENT_NOT_ALLOWED),
    Case(
        "late-header.pdf",
        lambda: b" " * 1100 + fpdf_pdf("too late"),
        None,
        X,
        Code.CONTENT_NOT_ALLOWED,
    ),
    Case("page.html", html_page, None, X, Code.EXTENSION_NOT_ALLOWED),
    Case("page-named.svg", html_page, None, X, Code.CONTENT_NOT_ALLOWED),
    Case("mail.eml", eml_message, None, X, Code.EXTENSION_NOT_ALLOWED),
    Case("setup.pdf", windows_exe, "application/x-msdownload", X, Code.CONTENT_NOT_ALLOWED),
)


@functools.cache
def content_of(case: Case) -> bytes:
    """The case's bytes, made once per test session."""
    return case.make()


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# (source, LibreOffice filter, file it is written as) -> (name on disk, content, outcome, code)
_LIBREOFFICE_CASES = (
    ("cv.txt", "doc:MS Word 97", "cv.doc", S.DOC, A, None),
    ("cv.txt", "docx:MS Word 2007 XML", "cv.docx", S.DOCX, A, None),
    ("cv.txt", "pdf:writer_pdf_Export", "cv.pdf", S.PDF, A, None),
    (
        "cv.txt",
        "odt",
        "cv.odt",
        "application/vnd.oasis.opendocument.text",
        X,
        Code.EXTENSION_NOT_ALLOWED,
    ),
    ("cv.txt", "rtf:Rich Text Format", "cv.rtf", "application/rtf", X, Code.EXTENSION_NOT_ALLOWED),
    ("scores.csv", "xlsx:Calc MS Excel 2007 XML", "scores.xlsx", S.XLSX, A, None),
    ("scores.csv", "xls:MS Excel 97", "scores.xls", S.XLS, X, Code.EXTENSION_NOT_ALLOWED),
)


def _convert(source: Path, target_filter: str, out_dir: Path, profile: Path) -> Path:
    command = [
        str(SOFFICE),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target_filter,
        "--outdir",
        str(out_dir),
        str(source),
    ]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    return out_dir / f"{source.stem}.{target_filter.split(':', 1)[0]}"


def libreoffice_cases(work: Path) -> list[Case]:
    """Files LibreOffice wrote, plus two of them under the other Word format's name."""
    sources = {
        "cv.txt": "Curriculum vitae\nAda Lovelace\nAnalytical engines\n",
        "scores.csv": "name,score\nAda,10\nAlan,9\n",
    }
    for name, text in sources.items():
        (work / name).write_text(text, encoding="utf-8")
    made: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="spott-lo-profile-") as profile:
        for source, target_filter, written, *_ in _LIBREOFFICE_CASES:
            out = _convert(work / source, target_filter, work / "out", Path(profile))
            made[written] = out.read_bytes()
    cases = [
        Case(f"lo-{written}", functools.partial(bytes, made[written]), content, outcome, code)
        for _, _, written, content, outcome, code in _LIBREOFFICE_CASES
    ]
    cases.append(
        Case(
            "lo-docx-named.doc",
            functools.partial(bytes, made["cv.docx"]),
            S.DOCX,
            R,
            sent_as="lo-docx-named.docx",
        )
    )
    cases.append(
        Case(
            "lo-doc-named.docx",
            functools.partial(bytes, made["cv.doc"]),
            S.DOC,
            R,
            sent_as="lo-doc-named.doc",
        )
    )
    return cases
