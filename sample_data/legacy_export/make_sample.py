"""Regenerate the sample legacy export in this folder.

    python sample_data/legacy_export/make_sample.py

Writes small but genuine files (PDF, DOCX, XLSX, PNG, SVG, RTF, TXT, EML), laid out the
three ways legacy ATS exports arrive: a folder per record (``tree/``), an attachments list
beside a files folder (``csv/``), and zips of both. Beside them: the legacy people list, a
crosswalk (CSV and workbook), extra type rules, and the records a sandbox Spott should hold.
Output is deterministic (fixed zip timestamps) so regenerating changes nothing.
"""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
STAMP = (2024, 3, 1, 9, 0, 0)


# --- genuine small files ------------------------------------------------------------------


def pdf(*lines: str) -> bytes:
    """A one-page PDF showing ``lines``, with a correct cross-reference table."""
    text = "\n".join(
        f"BT /F1 12 Tf 72 {740 - 18 * i} Td ({_pdf_escape(line)}) Tj ET"
        for i, line in enumerate(lines)
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, STAMP), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx(*paragraphs: str) -> bytes:
    """A minimal Word document; [Content_Types].xml first, as Word writes it."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{_xml(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return _zip_bytes(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
                b'.org/package/2006/content-types"><Default Extension="rels" ContentType="applicat'
                b'ion/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Cont'
                b'entType="application/xml"/><Override PartName="/word/document.xml" ContentType="'
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
                b'"/></Types>',
            ),
            (
                "_rels/.rels",
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openx'
                b'mlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://s'
                b'chemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Targ'
                b'et="word/document.xml"/></Relationships>',
            ),
            (
                "word/document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>'
                f"{body}</w:body></w:document>".encode(),
            ),
        ]
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _saved(book: Workbook) -> bytes:
    """A workbook's bytes, with openpyxl's save-time clock and zip dates pinned."""
    import io
    import re

    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        entries = [(i.filename, archive.read(i)) for i in archive.infolist()]
    stamp = b"2024-03-01T09:00:00Z"
    return _zip_bytes(
        [
            (name, re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp, data))
            if name == "docProps/core.xml"
            else (name, data)
            for name, data in entries
        ]
    )


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Scorecard"
    for row in rows:
        sheet.append(row)
    return _saved(book)


def png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A solid square PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def svg(label: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        '<rect width="120" height="40" fill="#123"/>'
        f'<text x="10" y="26" fill="#fff">{_xml(label)}</text>'
        "</svg>\n"
    ).encode()


def rtf(*lines: str) -> bytes:
    return (
        "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0\\fs24 " + "\\par ".join(lines) + "}\n"
    ).encode()


def eml(subject: str, body: str) -> bytes:
    return (
        "From: recruiter@agency.example\r\nTo: hiring@acme.example\r\n"
        f"Subject: {subject}\r\nDate: Fri, 01 Mar 2024 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


# --- the export ---------------------------------------------------------------------------

# Relative path in the folder-per-record export → content.
TREE: dict[str, bytes] = {
    "export_info.txt": b"Exported from LegacyATS 7.2 on 2024-03-01. One folder per record.\n",
    ".DS_Store": b"\x00\x00\x00\x01Bud1",
    "candidates/L-1001/Ada_Lovelace_CV.pdf": pdf("Curriculum Vitae", "Ada Lovelace"),
    "candidates/L-1001/Cover Letter - Ada Lovelace.docx": docx("Dear hiring team,", "Ada"),
    "candidates/L-1001/misc/headshot.png": png((200, 160, 120)),
    "candidates/L-1002/Lebenslauf_Mueller.pdf": pdf("Lebenslauf", "Juergen Mueller"),
    "candidates/L-1002/Reisepass_Mueller.png": png((20, 40, 120)),
    "candidates/L-1002/Arbeitsvertrag_2021.pdf": pdf("Arbeitsvertrag", "Juergen Mueller"),
    "candidates/L-1003/Resume - Grace Hopper.rtf": rtf("Resume", "Grace Hopper"),
    "candidates/L-1003/References.txt": b"References for Grace Hopper: available on request.\n",
    "candidates/L-1004/cv_alan_turing.docx": docx("Alan Turing", "Mathematician"),
    "candidates/L-1005/CV.pdf": pdf("CV", "Sam Twin"),
    "candidates/L-1006/Resume.pdf": pdf("Resume", "Nora Nobody"),
    "candidates/L-1007/CV Bob Boss.pdf": pdf("CV", "Bob Boss"),
    "candidates/L-1008/Offer Letter.pdf": pdf("Offer of employment", "Ghost Candidate"),
    "candidates/L-1009/Interview notes.eml": eml("Interview Katherine Johnson", "Strong hire."),
    "candidates/L-1010/Passport scan.png": png((90, 90, 90)),
    "candidates/L-1012/CV.docx": docx("Lee Chen", "Engineer"),
    "companies/C-200/logo.png": png((0, 120, 200)),
    "companies/C-200/contracts/Master Services Agreement.pdf": pdf("Master Services Agreement"),
    "companies/C-200/Terms of Business.pdf": pdf("Terms of Business"),
    "companies/C-201/logo.svg": svg("Globex"),
    "vacancies/V-300/Job Spec - Data Engineer.docx": docx("Data Engineer", "Python, SQL"),
    "vacancies/V-300/Interview Scorecard.xlsx": xlsx([["Criterion", "Score"], ["SQL", "4"]]),
    "vacancies/V-301/JD Backend Developer.pdf": pdf("Backend Developer"),
    "contacts/P-7001/notes.pdf": pdf("Call notes with Bob Boss"),
}

# The attachments-list export: files below files/, listed by the CSVs.
CSV_FILES: dict[str, bytes] = {
    "files/L-1001/Ada Lovelace 2019.pdf": pdf("Ada Lovelace", "2019"),
    "files/L-1001/cover_letter.docx": docx("Dear hiring team,", "Ada"),
    "files/L-1002/Lebenslauf.pdf": pdf("Lebenslauf", "Juergen Mueller"),
    "files/L-1002/Reisepass.png": png((20, 40, 120)),
    "files/L-1003/resume_hopper.rtf": rtf("Resume", "Grace Hopper"),
    "files/L-1004/document_17.pdf": pdf("Alan Turing", "Publications"),
    "files/L-1004/Certificates.pdf": pdf("Certificates", "Alan Turing"),
    "files/L-1005/cv.pdf": pdf("CV", "Sam Twin"),
    "files/L-1010/cv.pdf": pdf("CV", "Pat Noemail"),
    "files/L-1011/Lebenslauf Jürgen.pdf": pdf("Lebenslauf", "Juergen Schmidt"),
    "files/C-200/acme_logo.png": png((0, 120, 200)),
    "files/V-300/spec.pdf": pdf("Data Engineer"),
    "files/P-7001/notes.pdf": pdf("Call notes with Bob Boss"),
}

# Bulk-loader layout: the record kind is in the id column's header.
CANDIDATE_ATTACHMENTS = """candidate.externalID,relativeFilePath,isResume
L-1001,files/L-1001/Ada Lovelace 2019.pdf,1
L-1001,files/L-1001/Cover_Letter.docx,0
L-1002,files\\L-1002\\Lebenslauf.pdf,true
L-1003,files/L-1003/resume_hopper.rtf,1
L-1004,files/L-1004/document_17.pdf,0
L-1004,C:\\ATS\\export\\files\\L-1004\\Certificates.pdf,0
L-1005,files/L-1005/cv.pdf,1
L-1010,files/L-1010/cv.pdf,1
L-1003,files/L-1003/missing.pdf,0
"""

# A home-grown list: semicolons, Windows-1252, headers no tool would guess (needs --column).
GENERIC_ATTACHMENTS = """Owner;Owner No;Stored As;Doc Kind;Spott
Company;C-200;files/C-200/acme_logo.png;Logo;
Vacancy;V-300;files/V-300/spec.pdf;Job Description;
Candidate;L-1002;files/L-1002/Reisepass.png;Passport;
Candidate;L-1011;files/L-1011/Lebenslauf Jürgen.pdf;Lebenslauf;c-juergen
Contact;P-7001;files/P-7001/notes.pdf;Other;
"""

PEOPLE = [
    ("L-1001", "Ada", "Lovelace", "ada@lovelace.example", "+44 20 7946 0101"),
    ("L-1002", "Jürgen", "Müller", "j.mueller@example.de", ""),
    ("L-1003", "Grace", "Hopper", "grace@hopper.example", ""),
    ("L-1004", "Alan", "Turing", "alan.turing@example.com", ""),
    ("L-1005", "Sam", "Twin", "shared@example.com", ""),
    ("L-1006", "Nora", "Nobody", "nobody@example.com", "+44 20 7946 0999"),
    ("L-1007", "Bob", "Boss", "bob.boss@acme.example", ""),
    ("L-1008", "Gus", "Ghost", "gus@ghost.example", ""),
    ("L-1009", "Katherine", "Johnson", "katherine@nasa.example", ""),
    # No e-mail, but a phone number Spott has (written differently): found by --match phone.
    ("L-1010", "Pat", "Noemail", "", "+44 (20) 7946-0110"),
    ("L-1011", "Jürgen", "Schmidt", "juergen.schmidt@example.de", ""),
    ("L-1012", "Lee", "Chen", "lee.chen@example.com", ""),
]

CROSSWALK = [
    ("candidate", "L-1001", "c-ada"),
    ("candidate", "L-1002", "c-mueller"),
    ("candidate", "L-1003", "c-hopper"),
    ("candidate", "L-1008", "c-ghost"),  # not in Spott: target_not_found
    ("candidate", "L-1009", "c-katherine"),
    ("candidate", "L-1012", "c-lee-1"),  # two Spott ids for one legacy id: ambiguous
    ("candidate", "L-1012", "c-lee-2"),
    ("company", "C-200", "co-acme"),
    ("vacancy", "V-300", "v-data-eng"),
    ("vacancy", "V-301", "v-backend"),
]

TYPE_RULES = """pattern,type,applies_to
# German words this agency's consultants used in file names
reisepass,ID_DOCUMENT,any
re:vertrag,OFFER,name
"""


def _candidate(
    cid: str, first: str, last: str, *emails: str, phones: tuple[str, ...] = (), legacy: str = ""
) -> dict[str, object]:
    record: dict[str, object] = {
        "id": cid,
        "firstName": first,
        "lastName": last,
        "emails": list(emails),
        "phones": list(phones),
    }
    if legacy:  # where the earlier data migration left the legacy id: a custom attribute
        record["customAttributes"] = [{"label": "Legacy ID", "value": legacy}]
    return record


RECORDS = {
    "candidates": [
        _candidate(
            "c-ada",
            "Ada",
            "Lovelace",
            "ada@lovelace.example",
            phones=("+44 20 7946 0101",),
            legacy="L-1001",
        ),
        _candidate("c-mueller", "Jürgen", "Müller", "j.mueller@example.de", legacy="L-1002"),
        _candidate("c-hopper", "Grace", "Hopper", "grace@hopper.example", legacy="L-1003"),
        # Mixed case on purpose: the match ignores case. Not in the crosswalk, but Spott kept
        # the legacy id: --legacy-id-attribute finds it too.
        _candidate("c-turing", "Alan", "Turing", "Alan.Turing@Example.com", legacy="L-1004"),
        # Two candidates share one address: ambiguous, never guessed.
        _candidate("c-twin-a", "Sam", "Twin", "shared@example.com"),
        _candidate("c-twin-b", "Samantha", "Twin", "shared@example.com"),
        # Contains the contact's address as a prefix: a fuzzy search finds it, exact does not.
        _candidate("c-bobby", "Bobby", "Boss", "bob.boss@acme.example.com"),
        _candidate(
            "c-katherine", "Katherine", "Johnson", "katherine@nasa.example", legacy="L-1009"
        ),
        _candidate("c-juergen", "Jürgen", "Schmidt", "juergen.schmidt@example.de", legacy="L-1011"),
        # Both kept L-1012: ambiguous by attribute too.
        _candidate("c-lee-1", "Lee", "Chen", "lee.chen@example.com", legacy="L-1012"),
        _candidate("c-lee-2", "Lee", "Chen", legacy="L-1012"),
        # No e-mail anywhere; the same phone number as L-1010, written another way.
        _candidate("c-pat", "Pat", "Noemail", phones=("+44 20 7946 0110",)),
    ],
    "companies": [
        {
            "id": "co-acme",
            "name": "Acme Analytics",
            "domain": "acme.example",
            "customAttributes": [{"label": "Legacy ID", "value": "C-200"}],
        },
        {"id": "co-globex", "name": "Globex", "domain": "globex.example"},
    ],
    "vacancies": [
        {
            "id": "v-data-eng",
            "name": "Data Engineer",
            "companyId": "co-acme",
            "customAttributes": [{"label": "Legacy ID", "value": "V-300"}],
        },
        {
            "id": "v-backend",
            "name": "Backend Developer",
            "companyId": "co-acme",
            "customAttributes": [{"label": "Legacy ID", "value": "V-301"}],
        },
    ],
    # A client contact with a candidate's legacy address: only candidates may match.
    "contacts": [
        {
            "id": "p-bob",
            "firstName": "Bob",
            "lastName": "Boss",
            "emails": ["bob.boss@acme.example"],
            "companyId": "co-acme",
        }
    ],
}


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _write_zip(path: Path, entries: list[tuple[str, bytes]]) -> None:
    path.write_bytes(_zip_bytes(entries))


def main(out: Path = HERE) -> None:
    """Write the whole sample into ``out`` (this folder unless a test says otherwise)."""
    for name in ("tree", "csv"):
        shutil.rmtree(out / name, ignore_errors=True)
    _write_files(out / "tree", TREE)
    _write_files(out / "csv", CSV_FILES)
    (out / "csv" / "candidate_attachments.csv").write_text(CANDIDATE_ATTACHMENTS, encoding="utf-8")
    (out / "csv" / "generic_attachments.csv").write_bytes(GENERIC_ATTACHMENTS.encode("cp1252"))

    # The tree zipped as exporters do: one wrapping folder, plus macOS litter.
    tree_entries = [(f"ATS_Export_2024/{rel}", data) for rel, data in TREE.items()]
    tree_entries.append(("__MACOSX/ATS_Export_2024/._export_info.txt", b"\x00\x05\x16\x07"))
    _write_zip(out / "tree_export.zip", tree_entries)
    csv_entries = [("candidate_attachments.csv", CANDIDATE_ATTACHMENTS.encode())]
    csv_entries += sorted(CSV_FILES.items())
    _write_zip(out / "csv_export.zip", csv_entries)

    people = ["legacy_id,first_name,last_name,email,phone"] + [",".join(p) for p in PEOPLE]
    (out / "candidates.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    crosswalk = ["entity,legacy_id,spott_id"] + [",".join(c) for c in CROSSWALK]
    (out / "crosswalk.csv").write_text("\n".join(crosswalk) + "\n", encoding="utf-8")
    _write_crosswalk_book(out / "crosswalk.xlsx")
    (out / "type_rules.csv").write_text(TYPE_RULES, encoding="utf-8")
    (out / "records.json").write_text(
        json.dumps(RECORDS, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _write_crosswalk_book(path: Path) -> None:
    """The same crosswalk as a workbook: one sheet per record kind, plus a notes sheet."""
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Crosswalk from the LegacyATS → Spott data migration, 2024-02"])
    for title, kind in (
        ("Candidates", "candidate"),
        ("Clients", "company"),
        ("Vacancies", "vacancy"),
    ):
        sheet = book.create_sheet(title)
        sheet.append(["Legacy ID", "Spott ID"])
        for entity, legacy, spott in CROSSWALK:
            if entity == kind:
                sheet.append([legacy, spott])
    path.write_bytes(_saved(book))


if __name__ == "__main__":
    main()
