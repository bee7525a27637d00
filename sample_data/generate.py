"""Generate the demo's sample data: real small files, a records store and a manifest.

Run ``python sample_data/generate.py`` (or ``--out DIR``) to (re)create, next to this script:

- ``files/``        one small, valid file of every family Spott accepts, plus the bad files;
- ``records.json``  the sandbox's record store (candidates, companies, vacancies, contacts);
- ``manifest.xlsx`` the manifest as a user would keep it (styled, second sheet, formula, name);
- ``manifest.csv``  the same rows as UTF-8 CSV;
- ``expected.json`` what the tool should make of each manifest row.

Everything is deterministic: no network, no clock, no randomness. Zip members (``.docx``,
``.xlsx``) carry a fixed timestamp, so two runs give byte-identical files. PDFs, the DOCX, the
legacy Word ``.doc`` (an OLE2 compound file) and the SVG are written by hand here; the raster
images use Pillow and the workbooks openpyxl.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import struct
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.writer.excel import ExcelWriter
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent

# One fixed moment for every timestamp the formats insist on (zip members, document metadata).
FIXED = dt.datetime(2024, 3, 18, 9, 30, 0)
ZIP_DATE = (2024, 3, 18, 9, 30, 0)

MANIFEST_COLUMNS = (
    "file_path", "type", "candidate_id", "company_id", "vacancy_id", "name", "notes",
)
BAD = "Deliberately bad"

# --------------------------------------------------------------------------------------------
# Records store
# --------------------------------------------------------------------------------------------

RECORDS: dict[str, list[dict[str, object]]] = {
    "candidates": [
        {"id": "cand-0001", "firstName": "Amara", "lastName": "Okafor",
         "emails": ["amara.okafor@example.com"], "phones": ["+44 20 7946 0321"]},
        {"id": "cand-0002", "firstName": "Lukas", "lastName": "Brenner",
         "emails": ["lukas.brenner@example.com"], "phones": ["+44 161 496 0137"]},
        {"id": "cand-0003", "firstName": "Sofia", "lastName": "Marchetti",
         "emails": ["sofia.marchetti@example.com", "s.marchetti@example.org"], "phones": []},
        {"id": "cand-0004", "firstName": "Daniel", "lastName": "Kowalski",
         "emails": ["daniel.kowalski@example.com"], "phones": ["+44 20 7946 0588"]},
        {"id": "cand-0005", "firstName": "Priya", "lastName": "Raman",
         "emails": ["priya.raman@example.com"], "phones": []},
        {"id": "cand-0006", "firstName": "Jonas", "lastName": "Lindqvist",
         "emails": ["jonas.lindqvist@example.com"], "phones": ["+44 113 496 0742"]},
        {"id": "cand-0007", "firstName": "Hannah", "lastName": "Whitfield",
         "emails": ["hannah.whitfield@example.com"], "phones": []},
        {"id": "cand-0008", "firstName": "Mateo", "lastName": "Álvarez",
         "emails": ["mateo.alvarez@example.com"], "phones": ["+44 20 7946 0905"]},
        # Migrated from the 2012 system with its numeric id kept as the Spott id.
        {"id": "1042", "firstName": "Grace", "lastName": "O'Neill",
         "emails": ["grace.oneill@example.net"], "phones": ["+44 117 496 0250"]},
    ],
    "companies": [
        {"id": "comp-001", "name": "Northwind Logistics", "domain": "northwind.example"},
        {"id": "comp-002", "name": "Bluefin Analytics", "domain": "bluefin.example"},
        {"id": "comp-003", "name": "Harbour & Vale LLP", "domain": "harbourvale.example"},
    ],
    "vacancies": [
        {"id": "vac-001", "name": "Senior Data Engineer", "companyId": "comp-002"},
        {"id": "vac-002", "name": "Warehouse Operations Manager", "companyId": "comp-001"},
        {"id": "vac-003", "name": "Paralegal (Employment)", "companyId": "comp-003"},
    ],
    "contacts": [
        {"id": "cont-001", "firstName": "Ingrid", "lastName": "Holm",
         "emails": ["ingrid.holm@northwind.example"], "companyId": "comp-001"},
        {"id": "cont-002", "firstName": "Marcus", "lastName": "Bell",
         "emails": ["marcus.bell@bluefin.example"], "companyId": "comp-002"},
    ],
}

# The old ATS's ids, kept by the agency's earlier data import in a Spott custom attribute (what
# `spott-migrate build-manifest --legacy-id-attribute "Legacy ID"` reads from the index).
for _kind, _prefix in (("candidates", "ATS-C"), ("companies", "ATS-K"), ("vacancies", "ATS-V")):
    for _number, _record in enumerate(RECORDS[_kind], start=1):
        _record["customAttributes"] = [{"label": "Legacy ID", "value": f"{_prefix}{_number:03d}"}]

# --------------------------------------------------------------------------------------------
# Manifest rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One manifest row and what the tool is expected to make of it."""

    file_path: str
    type: str
    candidate_id: str | int | None = None
    company_id: str | None = None
    vacancy_id: str | None = None
    name: str | None = None
    notes: str | None = None
    expected: str = "assigned"  # or the reason code of an invalid row
    duplicate_of: int | None = None  # source row of the earlier identical row

    def cells(self) -> tuple[str | int | None, ...]:
        return (self.file_path, self.type, self.candidate_id, self.company_id,
                self.vacancy_id, self.name, self.notes)


C = "files/candidates/"
CO = "files/companies/"
V = "files/vacancies/"

ROWS: tuple[Row, ...] = (
    Row(C + "amara_okafor_cv.pdf", "CV", "cand-0001", name="Amara Okafor - CV.pdf"),
    Row(C + "amara_okafor_cover_letter.docx", "Cover Letter", "cand-0001",
        notes="Type written loosely; normalised to COVER_LETTER"),
    Row(C + "amara_okafor_passport.jpg", "ID_DOCUMENT", "cand-0001",
        name="Amara Okafor - passport.jpg", notes="Right-to-work check, March 2024"),
    Row(C + "lukas_brenner_resume.pdf", "resume ", "cand-0002",
        notes="'resume' (with a stray space) means CV"),
    Row(C + "lukas_brenner_cover_letter.doc", "cover_letter", "cand-0002",
        notes="Legacy Word 97-2003 file"),
    Row(C + "sofia_marchetti_cv.pdf", "cv", "cand-0003"),
    Row(C + "sofia_marchetti_offer_letter.pdf", "OFFER", "cand-0003",
        name="Offer - Senior Data Engineer.pdf", notes="Signed offer, Bluefin Analytics"),
    Row(C + "daniel_kowalski_id_card.png", "ID Document", "cand-0004"),
    Row(C + "priya_raman_transcript.tiff", "TRANSCRIPT", "cand-0005",
        notes="Scanned degree transcript (fax-quality TIFF)"),
    Row(C + "jonas_lindqvist_interview_scorecard.xlsx", "SCORECARD", "cand-0006"),
    Row(C + "hannah_whitfield_driving_licence.webp", "ID_DOCUMENT", "cand-0007"),
    Row(C + "mateo_alvarez_passport.bmp", "passport", "cand-0008",
        notes="'passport' means ID_DOCUMENT; black-and-white scan"),
    Row(C + "grace_oneill_cv.pdf", "CV", 1042,
        notes="Numeric id from the old system: Excel stores 1042 as a number"),
    Row(CO + "northwind_logo.svg", "LOGO", company_id="comp-001"),
    Row(CO + "bluefin_logo.gif", "logo", company_id="comp-002"),
    Row(CO + "harbour_vale_favicon.ico", "FAVICON", company_id="comp-003"),
    Row(CO + "harbour_vale_terms_of_business.pdf", "Terms and Conditions", company_id="comp-003",
        name="Harbour & Vale - Terms of Business 2024.pdf"),
    Row(V + "senior_data_engineer_jd.pdf", "JOB_DESCRIPTION", vacancy_id="vac-001"),
    Row(V + "warehouse_operations_manager_job_spec.docx", "job spec", vacancy_id="vac-002",
        notes="'job spec' means JOB_DESCRIPTION"),
    # ---- deliberately bad rows -------------------------------------------------------------
    Row(C + "daniel_kowalski_cv.pdf", "CV", "cand-0004", expected="file_missing",
        notes=f"{BAD} (file_missing): the file was never exported from the old system"),
    Row(C + "jonas_lindqvist_cv.pdf", "CV", "cand-0006", expected="content_not_allowed",
        notes=f"{BAD} (content_not_allowed): a Windows .exe renamed to .pdf"),
    Row(C + "priya_raman_cv.pdf", "CV", "cand-0005", expected="file_empty",
        notes=f"{BAD} (file_empty): 0-byte file left by a failed export"),
    Row(V + "paralegal_intake_notes.txt", "JOB_DESCRIPTION", vacancy_id="vac-003",
        expected="extension_not_allowed",
        notes=f"{BAD} (extension_not_allowed): plain-text notes; Spott takes no .txt"),
    Row(C + "mateo_alvarez_cover_letter.rtf", "Cover Letter", "cand-0008",
        expected="extension_not_allowed",
        notes=f"{BAD} (extension_not_allowed): Rich Text Format; convert to PDF first"),
    Row(C + "office_cat.jpg", "Photograph of cat", "cand-0007", expected="type_unknown",
        notes=f"{BAD} (type_unknown): not a Spott attachment type"),
    Row(C + "j_smith_cv.pdf", "CV", expected="target_missing",
        notes=f"{BAD} (target_missing): no candidate, company or vacancy id"),
    Row(C + "amara_okafor_cv.pdf", "CV", "cand-0001", expected="duplicate_row", duplicate_of=2,
        notes=f"{BAD} (duplicate_row): same file and record as row 2"),
)

# --------------------------------------------------------------------------------------------
# PDF (hand-written PDF 1.4, standard Helvetica fonts, uncompressed content, exact xref)
# --------------------------------------------------------------------------------------------

Block = tuple[str, ...]

_NARROW = set("fijlrtI.,;:'!|()[] ")
_WIDE = set("mwMW@%")


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Rough Helvetica advance width, good enough to wrap and right-align."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.29
        elif ch in _WIDE:
            em += 0.86
        elif ch.isupper():
            em += 0.69
        elif ch.isdigit():
            em += 0.556
        else:
            em += 0.54
    return em * size * (1.06 if bold else 1.0)


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and _text_width(trial, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _pdf_string(text: str) -> bytes:
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += f"\\{byte:03o}".encode()
    return bytes(out + b")")


def _pdf_date(moment: dt.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def make_pdf(title: str, author: str, blocks: Sequence[Block], created: dt.datetime) -> bytes:
    """A small multi-page A4 PDF with real text from ``blocks``.

    Block kinds: ``("h1", text)``, ``("sub", text)``, ``("h2", text)``, ``("p", text)``,
    ``("li", text)``, ``("row", left, right)``, ``("gap",)``.
    """
    page_w, page_h, left, right, top, bottom = 595, 842, 56, 539, 786, 64
    width = right - left
    pages: list[list[bytes]] = [[]]
    y = float(top)

    def need(height: float) -> None:
        nonlocal y
        if y - height < bottom:
            pages.append([])
            y = float(top)

    def text_at(x: float, font: str, size: float, content: str, rgb: str = "0 0 0") -> bytes:
        return (f"BT {rgb} rg /{font} {size:g} Tf {x:.2f} {y:.2f} Td ".encode()
                + _pdf_string(content) + b" Tj ET")

    accent = "0.12 0.29 0.49"
    for block in blocks:
        kind = block[0]
        if kind == "h1":
            need(30)
            y -= 22
            pages[-1].append(text_at(left, "F2", 22, block[1], accent))
            y -= 8
        elif kind == "sub":
            for line in _wrap(block[1], width, 9.5):
                need(13)
                y -= 12
                pages[-1].append(text_at(left, "F1", 9.5, line, "0.35 0.35 0.35"))
        elif kind == "h2":
            need(40)
            y -= 24
            pages[-1].append(text_at(left, "F2", 12.5, block[1], accent))
            y -= 5
            pages[-1].append(
                f"q {accent} RG 0.7 w {left} {y:.2f} m {right} {y:.2f} l S Q".encode())
            y -= 3
        elif kind in ("p", "li"):
            indent = 14 if kind == "li" else 0
            for i, line in enumerate(_wrap(block[1], width - indent, 10)):
                need(14)
                y -= 13.5
                if kind == "li" and i == 0:
                    pages[-1].append(text_at(left + 3, "F1", 10, "•"))
                pages[-1].append(text_at(left + indent, "F1", 10, line))
            y -= 3
        elif kind == "row":
            need(18)
            y -= 16
            pages[-1].append(text_at(left, "F2", 10.5, block[1]))
            x = right - _text_width(block[2], 9.5)
            pages[-1].append(text_at(x, "F1", 9.5, block[2], "0.35 0.35 0.35"))
        elif kind == "gap":
            y -= 10
        else:  # pragma: no cover - programming error
            raise ValueError(kind)

    # Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then (page, content) pairs.
    n_pages = len(pages)
    objects: list[bytes] = []
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for base in ("Helvetica", "Helvetica-Bold"):
        objects.append(f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                       f"/Encoding /WinAnsiEncoding >>".encode())
    when = _pdf_date(created)
    objects.append(b"<< /Title " + _pdf_string(title) + b" /Author " + _pdf_string(author)
                   + b" /Creator (spott-migrate sample_data/generate.py)"
                   + f" /CreationDate ({when}) /ModDate ({when}) >>".encode())
    for number, ops in enumerate(pages, start=1):
        footer = f"{title}  -  page {number} of {n_pages}"
        ops_all = [*ops, b"BT 0.55 0.55 0.55 rg /F1 8 Tf "
                   + f"{left} 36 Td ".encode() + _pdf_string(footer) + b" Tj ET"]
        stream = b"\n".join(ops_all) + b"\n"
        content_id = 6 + 2 * (number - 1) + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] "
                       f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                       f"/Contents {content_id} 0 R >>".encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream
                       + b"endstream")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    file_id = hashlib.md5(bytes(out)).hexdigest()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


@dataclass(frozen=True)
class Job:
    title: str
    employer: str
    dates: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class CV:
    name: str
    headline: str
    contact: str
    profile: str
    jobs: tuple[Job, ...]
    education: tuple[tuple[str, str], ...]
    skills: str


def cv_blocks(cv: CV) -> list[Block]:
    blocks: list[Block] = [("h1", cv.name), ("sub", cv.headline), ("sub", cv.contact),
                           ("h2", "Profile"), ("p", cv.profile), ("h2", "Experience")]
    for job in cv.jobs:
        blocks.append(("row", f"{job.title}, {job.employer}", job.dates))
        blocks.extend(("li", point) for point in job.points)
    blocks.append(("h2", "Education"))
    for what, when in cv.education:
        blocks.append(("row", what, when))
    blocks += [("h2", "Skills"), ("p", cv.skills)]
    return blocks


CV_AMARA = CV(
    name="Amara Okafor",
    headline="Senior Data Engineer - streaming pipelines, data platforms, analytics engineering",
    contact="London, UK  |  amara.okafor@example.com  |  +44 20 7946 0321",
    profile=("Data engineer with nine years' experience building reliable batch and streaming "
             "pipelines for logistics and retail. Comfortable owning a platform end to end, from "
             "ingestion and modelling to cost control and on-call. Mentor to junior engineers and "
             "a regular speaker at the London Data Engineering meetup."),
    jobs=(
        Job("Lead Data Engineer", "Parcelwise", "2020 - present", (
            "Moved 140 nightly batch jobs to event streaming; delivery ETAs now refresh every "
            "90 seconds instead of once a day.",
            "Cut warehouse spend by 38% through partitioning, clustering and retiring unused "
            "tables.",
            "Line-managed a team of five engineers; introduced design reviews and runbooks.",
        )),
        Job("Data Engineer", "Greengage Retail", "2017 - 2020", (
            "Built the customer-360 model used by marketing, finance and store operations.",
            "Wrote the data-quality framework that now guards 2,000+ daily checks.",
        )),
        Job("Graduate Analyst", "Fenwick & Roe Consulting", "2015 - 2017", (
            "Forecasting and pricing analysis for clients in transport and energy.",
        )),
    ),
    education=(("MSc Computer Science, University of Leeds", "2015"),
               ("BSc Mathematics, University of Nottingham", "2014")),
    skills=("Python, SQL, Scala; Kafka, Spark, Flink; dbt, Airflow; BigQuery, Snowflake, "
            "PostgreSQL; Terraform, Kubernetes; data modelling, data contracts, observability."),
)

CV_LUKAS = CV(
    name="Lukas Brenner",
    headline="Warehouse & Distribution Operations - multi-site, 24/7, automation projects",
    contact="Manchester, UK  |  lukas.brenner@example.com  |  +44 161 496 0137",
    profile=("Operations manager with twelve years in third-party logistics across Germany and "
             "the UK. Runs high-volume sites safely and on budget, and has led two warehouse "
             "automation programmes from business case to go-live."),
    jobs=(
        Job("Site Operations Manager", "Keystone 3PL, Trafford Park", "2019 - present", (
            "Runs a 400,000 sq ft multi-client site with 210 staff across three shifts.",
            "Raised pick accuracy from 99.1% to 99.8% and halved agency spend in two years.",
            "Led the goods-to-person automation project: on time and 6% under budget.",
        )),
        Job("Shift Manager", "Rhein-Logistik GmbH, Duisburg", "2013 - 2019", (
            "Managed night shift inbound and outbound for automotive spare parts.",
            "Introduced daily performance boards and a near-miss reporting scheme.",
        )),
    ),
    education=(("BA Logistics Management, Hochschule Bremen", "2012"),
               ("IOSH Managing Safely; NEBOSH General Certificate", "2016, 2018")),
    skills=("Lean and 5S, WMS (Manhattan, SAP EWM), labour planning, budgeting, union "
            "consultation, H&S compliance; German (native), English (fluent)."),
)

CV_SOFIA = CV(
    name="Sofia Marchetti",
    headline="Data Engineer - cloud data platforms and machine-learning infrastructure",
    contact="Bristol, UK  |  sofia.marchetti@example.com  |  github.com/example-sofia",
    profile=("Engineer who likes boring, well-tested data pipelines. Six years across fintech "
             "and health-tech, most recently building the feature store behind a fraud model "
             "that screens four million card payments a day."),
    jobs=(
        Job("Data Engineer", "Lumen Payments", "2021 - present", (
            "Designed the feature store (Python, Spark, Redis) used by six ML models.",
            "Introduced contract tests between producers and the lakehouse; incidents down 60%.",
        )),
        Job("Software Engineer, Data", "CarePath Health", "2018 - 2021", (
            "Built FHIR ingestion for twelve NHS trusts with full audit trail.",
            "Automated GDPR subject-access exports, from two weeks to under an hour.",
        )),
    ),
    education=(("MEng Software Engineering, University of Bristol", "2018"),),
    skills=("Python, SQL, Go; Spark, Delta Lake, Airflow; AWS, Terraform; pytest, "
            "Great Expectations."),
)

CV_GRACE = CV(
    name="Grace O'Neill",
    headline="Employment Paralegal - tribunal bundles, settlement agreements, HR advisory support",
    contact="Bristol, UK  |  grace.oneill@example.net  |  +44 117 496 0250",
    profile=("Paralegal with five years in employment law, supporting partners on tribunal "
             "claims and corporate clients on restructures. Known for meticulous bundles and calm "
             "deadline management. Record migrated from the 2012 applicant system (ref. 1042)."),
    jobs=(
        Job("Paralegal, Employment", "Ashdown Crane Solicitors", "2020 - present", (
            "Prepares tribunal bundles and witness statements for 30+ live matters.",
            "Drafts settlement agreements and first-cut advice notes for partner review.",
        )),
        Job("Legal Assistant", "Mercer Hale LLP", "2018 - 2020", (
            "Managed disclosure for a 14-claimant equal-pay group action.",
        )),
    ),
    education=(("LPC, University of Law, Bristol", "2018"),
               ("LLB Law, Cardiff University", "2017")),
    skills=("Case management (Clio, iManage), legal research, bundling, client care, "
            "Welsh (conversational)."),
)

CV_JSMITH = CV(
    name="J. Smith",
    headline="Warehouse Team Leader",
    contact="Leeds, UK  |  jsmith.cv@example.com",
    profile=("Team leader with four years in chilled distribution. This CV was found in the "
             "shared inbox folder without a candidate record attached."),
    jobs=(Job("Team Leader", "ColdChain Direct", "2020 - present", (
        "Leads a team of 14 pickers on the early shift.",
        "Trained new starters on voice picking and manual handling.",
    )),),
    education=(("BTEC Level 3 Business", "2015"),),
    skills="Forklift (counterbalance, reach), voice picking, rota planning, first aid at work.",
)


def offer_letter_blocks() -> list[Block]:
    return [
        ("h1", "Bluefin Analytics"),
        ("sub", "Bluefin Analytics Ltd, 2 Quayside Walk, Bristol BS1 4XX  |  bluefin.example"),
        ("gap",),
        ("p", "4 March 2024"),
        ("p", "Private and confidential - Sofia Marchetti, by e-mail to "
              "sofia.marchetti@example.com"),
        ("h2", "Offer of employment: Senior Data Engineer"),
        ("p", "Dear Sofia,"),
        ("p", "Following your interviews with our data platform team, we are delighted to offer "
              "you the position of Senior Data Engineer (vacancy ref. vac-001) on the terms "
              "below. This offer is subject to satisfactory references and proof of your right "
              "to work in the UK."),
        ("li", "Start date: Monday 6 May 2024, or another date we agree."),
        ("li", "Base salary: GBP 82,000 per year, reviewed annually in April."),
        ("li", "Hours: 37.5 per week; hybrid, with two days a week in the Bristol office."),
        ("li", "Holiday: 27 days plus bank holidays; pension: 6% employer contribution."),
        ("li", "Notice period: one month during probation (six months), three months after."),
        ("p", "Please sign and return a copy of this letter by 15 March 2024. Your contract of "
              "employment will follow with the signed copy."),
        ("gap",),
        ("p", "Yours sincerely,"),
        ("p", "Marcus Bell, Head of Data, Bluefin Analytics"),
        ("gap",),
        ("p", "Accepted: Sofia Marchetti    Date: 7 March 2024"),
    ]


def terms_blocks() -> list[Block]:
    clauses = [
        ("1. Definitions", "'Client' means the company engaging Harbour & Vale LLP ('the "
         "Firm') for recruitment services. 'Candidate' means any person introduced by the "
         "Firm. 'Engagement' means the Client's employment or engagement of a Candidate in any "
         "capacity within twelve months of an introduction."),
        ("2. Fees", "A placement fee of 18% of the Candidate's first-year basic salary is due "
         "on Engagement. Fees are payable within 30 days of invoice. VAT is charged at the "
         "prevailing rate."),
        ("3. Rebates", "If the Candidate leaves within the first eight weeks for any reason "
         "other than redundancy, the Firm will refund the fee on a sliding scale: 100% in "
         "weeks 1-2, 75% in weeks 3-4, 50% in weeks 5-6 and 25% in weeks 7-8, provided the "
         "fee was paid on time."),
        ("4. Introductions", "An introduction is deemed made when the Firm passes a "
         "Candidate's details to the Client. The Client shall not pass those details to any "
         "third party without the Firm's written consent."),
        ("5. Candidate information", "The Firm will take reasonable steps to verify identity "
         "and right to work. References and qualifications are checked on request. The Client "
         "remains responsible for its own pre-employment checks."),
        ("6. Data protection", "Each party is a controller of the personal data it processes "
         "and shall comply with UK GDPR and the Data Protection Act 2018. Candidate data shall "
         "be used only for the purpose of assessing suitability for the vacancy."),
        ("7. Liability", "The Firm's total liability under these terms is limited to the fee "
         "paid for the relevant Engagement. Nothing limits liability for death or personal "
         "injury caused by negligence, or for fraud."),
        ("8. Temporary workers", "Where the Firm supplies temporary workers, the Conduct of "
         "Employment Agencies and Employment Businesses Regulations 2003 apply. A transfer fee "
         "is payable if the Client engages a temporary worker directly within 14 weeks of the "
         "end of an assignment, unless the Client elects an extended hire period instead."),
        ("9. Confidentiality", "Each party shall keep confidential all information received "
         "from the other that is marked confidential or would reasonably be regarded as such, "
         "including salary details, and use it only for the purposes of these terms."),
        ("10. Notices", "Notices under these terms shall be in writing and sent by e-mail to the "
         "address last notified by the receiving party; they take effect on the next working "
         "day after sending."),
        ("11. Entire agreement", "These terms, together with any signed schedule, form the "
         "entire agreement between the parties and supersede any terms the Client may put "
         "forward, including on a purchase order. Variations are valid only in writing and "
         "signed by a partner of the Firm."),
        ("12. Governing law", "These terms are governed by the law of England and Wales and the "
         "courts of England and Wales have exclusive jurisdiction."),
    ]
    blocks: list[Block] = [
        ("h1", "Harbour & Vale LLP"),
        ("sub", "Terms of Business for Permanent Recruitment - effective 1 January 2024"),
        ("sub", "Harbour & Vale LLP, 40 Wharf Road, Bristol BS1 6XX  |  harbourvale.example"),
    ]
    for heading, text in clauses:
        blocks += [("h2", heading), ("p", text)]
    blocks += [("gap",), ("p", "Signed for the Firm: Eleanor Vale, Managing Partner"),
               ("p", "Signed for the Client: ____________________   Date: ____________")]
    return blocks


def jd_blocks() -> list[Block]:
    return [
        ("h1", "Senior Data Engineer"),
        ("sub", "Bluefin Analytics  |  Bristol (hybrid)  |  Permanent  |  GBP 75,000 - 85,000"),
        ("sub", "Vacancy ref. vac-001  |  Hiring manager: Marcus Bell"),
        ("h2", "About the role"),
        ("p", "Bluefin builds demand-forecasting products for retailers and wholesalers. You "
              "will own the pipelines that turn 40 TB of point-of-sale and supply data into "
              "features for our forecasting models, and help us move from nightly batches to "
              "near-real-time."),
        ("h2", "What you will do"),
        ("li", "Design, build and operate batch and streaming pipelines in Python and SQL."),
        ("li", "Own data quality: contracts with producers, tests, alerting and incident reviews."),
        ("li", "Work with data scientists to productionise features and model outputs."),
        ("li", "Mentor two mid-level engineers and shape our engineering practices."),
        ("h2", "What we are looking for"),
        ("li", "Five or more years building production data pipelines."),
        ("li", "Strong SQL and Python; experience with Spark or Flink and an orchestrator."),
        ("li", "Cloud data warehouse experience (BigQuery or Snowflake)."),
        ("li", "Nice to have: Kafka, dbt, Terraform, retail or supply-chain data."),
        ("h2", "Benefits"),
        ("p", "27 days' holiday plus bank holidays, 6% pension, private medical cover, GBP 1,500 "
              "learning budget, two office days a week."),
    ]


# --------------------------------------------------------------------------------------------
# Zip-based formats (DOCX, XLSX), byte-stable
# --------------------------------------------------------------------------------------------


def stable_zip(members: Sequence[tuple[str, bytes]]) -> bytes:
    """Zip ``members`` in order with a fixed timestamp, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def restamp_zip(data: bytes) -> bytes:
    """Rewrite a zip (e.g. openpyxl's output) with fixed member timestamps, same order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return stable_zip(members)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _docx_paragraph(style: str | None, text: str, bold: bool = False) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:p>{ppr}<w:r>{rpr}{lines}</w:r></w:p>"


def make_docx(title: str, author: str, paragraphs: Sequence[tuple[str, str]]) -> bytes:
    """A minimal but complete WordprocessingML package.

    ``paragraphs``: (kind, text) with kind ``title``, ``heading``, ``bold``, ``bullet`` or ``p``.
    """
    body = []
    for kind, text in paragraphs:
        if kind == "title":
            body.append(_docx_paragraph("Title", text))
        elif kind == "heading":
            body.append(_docx_paragraph("Heading1", text))
        elif kind == "bold":
            body.append(_docx_paragraph(None, text, bold=True))
        elif kind == "bullet":
            body.append(_docx_paragraph("ListBullet", "• " + text))
        else:
            body.append(_docx_paragraph(None, text))
    document = (
        f'{XML_HEAD}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
        + "".join(body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" '
        'w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/>'
        "</w:sectPr></w:body></w:document>"
    )
    styles = (
        f'{XML_HEAD}<w:styles xmlns:w="{W_NS}">'
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/>'
        '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr>'
        "</w:pPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "<w:qFormat/></w:style>"
        '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
        '<w:rPr><w:color w:val="1F4E79"/><w:sz w:val="44"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="0"/>'
        '</w:pPr><w:rPr><w:b/><w:color w:val="1F4E79"/><w:sz w:val="28"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/>'
        '<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/><w:ind w:left="360"/>'
        "</w:pPr></w:style>"
        "</w:styles>"
    )
    content_types = (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    officedoc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{officedoc}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{officedoc}/extended-properties" '
        'Target="docProps/app.xml"/></Relationships>'
    )
    doc_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{officedoc}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        f"{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/"
        '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(author)}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>spott-migrate sample generator</Application>'
        "<Pages>1</Pages></Properties>"
    )
    # [Content_Types].xml first and word/ soon after: what content sniffers look for.
    return stable_zip([
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", rels.encode()),
        ("word/document.xml", document.encode()),
        ("word/_rels/document.xml.rels", doc_rels.encode()),
        ("word/styles.xml", styles.encode()),
        ("docProps/core.xml", core.encode()),
        ("docProps/app.xml", app.encode()),
    ])


def save_workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise an openpyxl workbook without its save-time clock, with fixed zip stamps."""
    workbook.properties.created = FIXED
    workbook.properties.modified = FIXED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return restamp_zip(buffer.getvalue())


# --------------------------------------------------------------------------------------------
# Legacy Word 97-2003 (.doc): an OLE2 compound file holding a Word 97 binary document
# --------------------------------------------------------------------------------------------

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
CFB_SECTOR = 512
CFB_MINI = 64
CFB_CUTOFF = 4096
WORD_CLSID = uuid.UUID("00020906-0000-0000-c000-000000000046").bytes_le
SUMMARY_FMTID = uuid.UUID("f29f85e0-4ff9-1068-ab91-08002b27b3d9").bytes_le


def _filetime(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1601, 1, 1)).total_seconds()) * 10_000_000


def _cfb_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def make_cfb(streams: Sequence[tuple[str, bytes]], root_clsid: bytes,
             modified: dt.datetime) -> bytes:
    """A version-3 compound file (MS-CFB) with ``streams`` in the root storage.

    Streams of 4096 bytes or more go to regular sectors in the given order (so the first one
    starts at file offset 512); smaller ones go to the mini stream. The directory is a
    valid red-black tree.
    """

    def pad(data: bytes, size: int) -> bytes:
        return data + b"\0" * (-len(data) % size)

    sectors: list[bytes] = []
    fat: list[int] = []

    def alloc(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        chunks = [data[i:i + CFB_SECTOR] for i in range(0, len(data), CFB_SECTOR)]
        start = len(sectors)
        for i, chunk in enumerate(chunks):
            sectors.append(pad(chunk, CFB_SECTOR))
            fat.append(start + i + 1 if i < len(chunks) - 1 else ENDOFCHAIN)
        return start

    starts: dict[str, int] = {}
    for name, data in streams:
        if len(data) >= CFB_CUTOFF:
            starts[name] = alloc(data)
    mini = bytearray()
    minifat: list[int] = []
    for name, data in streams:
        if len(data) < CFB_CUTOFF:
            if not data:
                starts[name] = ENDOFCHAIN
                continue
            count = -(-len(data) // CFB_MINI)
            first = len(minifat)
            minifat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += pad(data, CFB_MINI)
            starts[name] = first
    mini_start = alloc(bytes(mini))
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_bytes += struct.pack("<I", FREESECT) * (-len(minifat) % (CFB_SECTOR // 4))
    minifat_start = alloc(minifat_bytes)
    minifat_count = len(minifat_bytes) // CFB_SECTOR

    # Directory: entry 0 is the root; streams follow in the given order; the root's child is
    # a balanced tree of the streams, its deepest level red.
    names = [name for name, _ in streams]
    order = sorted(range(1, len(names) + 1), key=lambda i: _cfb_key(names[i - 1]))
    left = dict.fromkeys(range(len(names) + 1), NOSTREAM)
    right = dict(left)
    depth: dict[int, int] = {}

    def build(ids: list[int], level: int) -> int:
        if not ids:
            return NOSTREAM
        mid = len(ids) // 2
        node = ids[mid]
        depth[node] = level
        left[node] = build(ids[:mid], level + 1)
        right[node] = build(ids[mid + 1:], level + 1)
        return node

    tree_root = build(order, 0)
    deepest = max(depth.values(), default=0)

    def entry(name: str, kind: int, black: bool, lft: int, rgt: int, child: int,
              clsid: bytes, mtime: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le")
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw) + 2 if name else 0, kind,
                           int(black),
                           lft, rgt, child, clsid, 0, 0, mtime, start, size)

    entries = [entry("Root Entry", 5, True, NOSTREAM, NOSTREAM, tree_root, root_clsid,
                     _filetime(modified), mini_start if mini else ENDOFCHAIN, len(mini))]
    for index, (name, data) in enumerate(streams, start=1):
        black = depth[index] < deepest or deepest == 0
        entries.append(entry(name, 2, black, left[index], right[index], NOSTREAM,
                             b"\0" * 16, 0, starts[name], len(data)))
    empty = entry("", 0, False, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0)
    entries += [empty] * (-len(entries) % (CFB_SECTOR // 128))
    dir_start = alloc(b"".join(entries))

    # FAT sectors come last and describe themselves.
    fat_count = 1
    while len(sectors) + fat_count > fat_count * (CFB_SECTOR // 4):
        fat_count += 1
    if fat_count > 109:  # pragma: no cover - sample files are tiny
        raise ValueError("file too large for a header-only DIFAT")
    fat_start = len(sectors)
    fat += [FATSECT] * fat_count
    fat += [FREESECT] * (fat_count * (CFB_SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    for i in range(fat_count):
        sectors.append(fat_bytes[i * CFB_SECTOR:(i + 1) * CFB_SECTOR])

    difat = [fat_start + i for i in range(fat_count)] + [FREESECT] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6,
        b"\0" * 6, 0, fat_count, dir_start, 0, CFB_CUTOFF,
        minifat_start if minifat else ENDOFCHAIN, minifat_count if minifat else 0,
        ENDOFCHAIN, 0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _dttm(moment: dt.datetime) -> int:
    weekday = (moment.weekday() + 1) % 7  # DTTM counts from Sunday
    return (moment.minute | moment.hour << 6 | moment.day << 11 | moment.month << 16
            | (moment.year - 1900) << 20 | weekday << 29)


def _sprm(code: int, operand: bytes) -> bytes:
    return struct.pack("<H", code) + operand


SPRM_C_BOLD = 0x0835
SPRM_C_HPS = 0x4A43
SPRM_C_FTC0 = 0x4A4F
SPRM_C_FTC1 = 0x4A50
SPRM_C_FTC2 = 0x4A51
SPRM_P_DYA_BEFORE = 0xA413
SPRM_P_DYA_AFTER = 0xA414
SPRM_P_KEEP_FOLLOW = 0x2406
SPRM_P_OUTLINE_LVL = 0x2640
SPRM_P_JC = 0x2403


def _word_stylesheet() -> bytes:
    """STSH with Normal (istd 0), heading 1 (istd 1) and Default Paragraph Font (istd 10)."""

    def upx(data: bytes) -> bytes:
        return struct.pack("<H", len(data)) + data + b"\0" * (len(data) % 2)

    def std(sti: int, stk: int, base: int, nxt: int, name: str, upxs: list[bytes]) -> bytes:
        raw_name = struct.pack("<H", len(name)) + name.encode("utf-16-le") + b"\0\0"
        body_wo_base = raw_name + b"".join(upx(u) for u in upxs)
        size = 10 + len(body_wo_base)
        base_bytes = struct.pack("<HHHHH", sti, stk | base << 4, len(upxs) | nxt << 4, size, 0)
        return struct.pack("<H", size) + base_bytes + body_wo_base

    arial = 2
    normal_chp = (_sprm(SPRM_C_FTC0, struct.pack("<H", arial))
                  + _sprm(SPRM_C_FTC1, struct.pack("<H", arial))
                  + _sprm(SPRM_C_FTC2, struct.pack("<H", arial))
                  + _sprm(SPRM_C_HPS, struct.pack("<H", 21)))
    heading_pap = (struct.pack("<H", 1) + _sprm(SPRM_P_KEEP_FOLLOW, b"\x01")
                   + _sprm(SPRM_P_DYA_BEFORE, struct.pack("<H", 0))
                   + _sprm(SPRM_P_DYA_AFTER, struct.pack("<H", 60))
                   + _sprm(SPRM_P_OUTLINE_LVL, b"\x00"))
    heading_chp = _sprm(SPRM_C_BOLD, b"\x01") + _sprm(SPRM_C_HPS, struct.pack("<H", 32))
    styles: dict[int, bytes] = {
        0: std(0, 1, 0xFFF, 0, "Normal", [struct.pack("<H", 0), normal_chp]),
        1: std(1, 1, 0, 0, "heading 1", [heading_pap, heading_chp]),
        10: std(65, 2, 0xFFF, 10, "Default Paragraph Font", [b""]),
    }
    cstd = 15
    sti_max = 91
    stshi = struct.pack("<HHHHHHHHHH", cstd, 10, 1, sti_max, 15, 0, 0, 0, 0, 0)
    stshi += struct.pack("<H", 4) + b"\0" * (4 * sti_max)  # StshiLsd: no latent styles
    out = struct.pack("<H", len(stshi)) + stshi
    for istd in range(cstd):
        out += styles.get(istd, b"\0\0")
    return out


def _word_fonts() -> bytes:
    """SttbfFfn: Times New Roman, Symbol, Arial."""

    def ffn(name: str, flags: int, charset: int, panose: bytes) -> bytes:
        body = (bytes([flags]) + struct.pack("<H", 400) + bytes([charset, 0]) + panose
                + b"\0" * 24 + name.encode("utf-16-le") + b"\0\0")
        return bytes([len(body)]) + body

    fonts = [
        ffn("Times New Roman", 0x16, 0, bytes.fromhex("02020603050405020304")),
        ffn("Symbol", 0x56, 2, bytes.fromhex("05050102010706020507")),
        ffn("Arial", 0x26, 0, bytes.fromhex("020b0604020202020204")),
    ]
    return struct.pack("<HH", len(fonts), 0) + b"".join(fonts)


def _chpx_fkp(runs: Sequence[tuple[int, int, bytes]]) -> bytes:
    page = bytearray(512)
    struct.pack_into(f"<{len(runs) + 1}I", page, 0, *[r[0] for r in runs], runs[-1][1])
    rgb_at = 4 * (len(runs) + 1)
    pos = 511
    for i, (_, _, grpprl) in enumerate(runs):
        if grpprl:
            blob = bytes([len(grpprl)]) + grpprl
            pos = (pos - len(blob)) & ~1
            page[pos:pos + len(blob)] = blob
            page[rgb_at + i] = pos // 2
    if pos <= rgb_at + len(runs):  # pragma: no cover - sample text is short
        raise ValueError("too many character runs for one FKP")
    page[511] = len(runs)
    return bytes(page)


def _papx_fkp(fc_first: int, paragraphs: Sequence[tuple[int, bytes]]) -> bytes:
    page = bytearray(512)
    count = len(paragraphs)
    struct.pack_into(f"<{count + 1}I", page, 0, fc_first, *[p[0] for p in paragraphs])
    bx_at = 4 * (count + 1)
    pos = 511
    placed: dict[bytes, int] = {}
    for i, (_, istd_grpprl) in enumerate(paragraphs):
        if istd_grpprl not in placed:
            size = len(istd_grpprl)
            head = bytes([(size + 1) // 2]) if size % 2 else bytes([0, size // 2])
            blob = head + istd_grpprl
            pos = (pos - len(blob)) & ~1
            page[pos:pos + len(blob)] = blob
            placed[istd_grpprl] = pos // 2
        page[bx_at + 13 * i] = placed[istd_grpprl]
    if pos <= bx_at + 13 * count:  # pragma: no cover - sample text is short
        raise ValueError("too many paragraphs for one FKP")
    page[511] = count
    return bytes(page)


def _summary_information(title: str, author: str, created: dt.datetime, words: int,
                         chars: int) -> bytes:
    def lpstr(text: str) -> bytes:
        raw = text.encode("cp1252") + b"\0"
        raw += b"\0" * (-len(raw) % 4)
        return struct.pack("<HHI", 0x1E, 0, len(text) + 1) + raw

    def i4(value: int) -> bytes:
        return struct.pack("<HHi", 3, 0, value)

    when = struct.pack("<HHQ", 0x40, 0, _filetime(created))
    props = [
        (1, struct.pack("<HHhH", 2, 0, 1252, 0)),  # codepage
        (2, lpstr(title)),
        (4, lpstr(author)),
        (8, lpstr(author)),
        (9, lpstr("1")),  # revision number
        (0x0C, when),
        (0x0D, when),
        (0x0E, i4(1)),
        (0x0F, i4(words)),
        (0x10, i4(chars)),
        (0x12, lpstr("spott-migrate sample generator")),
        (0x13, i4(0)),
    ]
    table_size = 8 + 8 * len(props)
    offsets, values = [], b""
    for pid, value in props:
        offsets.append(struct.pack("<II", pid, table_size + len(values)))
        values += value
    section = struct.pack("<II", table_size + len(values), len(props)) + b"".join(offsets)
    section += values
    head = struct.pack("<HHI16sI16sI", 0xFFFE, 0, 0x00020006, b"\0" * 16, 1, SUMMARY_FMTID, 48)
    return head + section


def _comp_obj() -> bytes:
    def ansi(text: str) -> bytes:
        return struct.pack("<I", len(text) + 1) + text.encode("ascii") + b"\0"

    return (struct.pack("<IIi", 0xFFFE0001, 0x00000A03, -1) + WORD_CLSID
            + ansi("Microsoft Word 97-2003 Document") + ansi("MSWordDoc")
            + ansi("Word.Document.8") + struct.pack("<IIII", 0x71B239F4, 0, 0, 0))


def make_doc(title: str, author: str, paragraphs: Sequence[tuple[str, str]],
             created: dt.datetime) -> bytes:
    """A Word 97-2003 binary document (nFib 0x00C1) inside an OLE2 compound file.

    ``paragraphs``: (kind, text) with kind ``heading`` (style heading 1), ``bold`` or ``p``.
    The document has a real FIB, piece table (8-bit text), character and paragraph FKPs,
    a style sheet, font table, section with A4 page setup, DOP, SummaryInformation and
    CompObj, so Word, LibreOffice and antiword read it as a normal .doc.
    """
    fc_min = 0x400
    text = bytearray()
    para_marks: list[tuple[int, bytes]] = []
    runs: list[tuple[int, int, bytes]] = []
    normal_pap = struct.pack("<H", 0) + _sprm(SPRM_P_DYA_AFTER, struct.pack("<H", 160))
    for kind, content in paragraphs:
        start = fc_min + len(text)
        text += content.replace("\n", "\x0b").encode("cp1252") + b"\r"
        end = fc_min + len(text)
        pap = struct.pack("<H", 1) if kind == "heading" else normal_pap
        para_marks.append((end, pap))
        chp = _sprm(SPRM_C_BOLD, b"\x01") if kind == "bold" else b""
        if runs and runs[-1][2] == chp:
            runs[-1] = (runs[-1][0], end, chp)
        else:
            runs.append((start, end, chp))
    ccp_text = len(text)
    fc_mac = fc_min + ccp_text

    word = bytearray(fc_min) + text
    word += b"\0" * (-len(word) % 512)
    chpx_page = len(word) // 512
    word += _chpx_fkp(runs)
    papx_page = len(word) // 512
    word += _papx_fkp(fc_min, para_marks)
    sepx_at = len(word)
    sepx = (_sprm(0xB01F, struct.pack("<H", 11906)) + _sprm(0xB020, struct.pack("<H", 16838))
            + _sprm(0xB021, struct.pack("<H", 1440)) + _sprm(0xB022, struct.pack("<H", 1440))
            + _sprm(0x9023, struct.pack("<h", 1440)) + _sprm(0x9024, struct.pack("<h", 1440)))
    word += struct.pack("<h", len(sepx)) + sepx
    cb_mac = len(word)
    word += b"\0" * (max(CFB_CUTOFF, len(word)) - len(word))
    word += b"\0" * (-len(word) % 512)

    # Table stream, recording (fc, lcb) of each structure for the FIB.
    table = bytearray()
    where: dict[str, tuple[int, int]] = {}

    def put(key: str, data: bytes) -> None:
        where[key] = (len(table), len(data))
        table.extend(data)
        if len(table) % 2:
            table.append(0)

    put("stsh", _word_stylesheet())
    put("sed", struct.pack("<II", 0, ccp_text)
        + struct.pack("<HIHI", 0, sepx_at, 0, 0xFFFFFFFF))
    put("chpx", struct.pack("<III", fc_min, fc_mac, chpx_page))
    put("papx", struct.pack("<III", fc_min, fc_mac, papx_page))
    put("ffn", _word_fonts())
    words = sum(len(c.split()) for _, c in paragraphs)
    dop = bytearray(500)
    struct.pack_into("<H", dop, 0x02, 1 << 2)  # footnotes numbered from 1
    struct.pack_into("<H", dop, 0x0A, 720)  # default tab stop, twips
    struct.pack_into("<H", dop, 0x0E, 360)  # hyphenation hot zone
    struct.pack_into("<II", dop, 0x14, _dttm(created), _dttm(created))
    struct.pack_into("<HIIIHI", dop, 0x20, 1, 0, words, ccp_text, 1, len(paragraphs))
    struct.pack_into("<H", dop, 0x34, 1 << 2)  # endnotes numbered from 1
    put("dop", bytes(dop))
    plc_pcd = struct.pack("<II", 0, ccp_text) + struct.pack("<HIH", 0, fc_min * 2 | 0x40000000, 0)
    put("clx", b"\x02" + struct.pack("<I", len(plc_pcd)) + plc_pcd)

    # FIB: FibBase, fibRgW, fibRgLw, fibRgFcLcb97, cswNew = 0.
    lid = 0x0809  # English (United Kingdom)
    fib = bytearray(fc_min)
    flags = 1 << 9 | 1 << 12  # fWhichTblStm (1Table), fExtChar
    struct.pack_into("<HHHHHHHIBBHHII", fib, 0, 0xA5EC, 0x00C1, 0, lid, 0, flags, 0x00BF, 0,
                     0, 0, 0, 0, fc_min, fc_mac)
    struct.pack_into("<H", fib, 32, 14)
    struct.pack_into("<H", fib, 34 + 2 * 13, lid)  # lidFE
    struct.pack_into("<H", fib, 62, 22)
    struct.pack_into("<IIII", fib, 64, cb_mac, 0, 0, ccp_text)
    struct.pack_into("<H", fib, 152, 93)
    index = {"stsh": 1, "sed": 6, "chpx": 12, "papx": 13, "ffn": 15, "dop": 31, "clx": 33}
    for key, slot in index.items():
        struct.pack_into("<II", fib, 154 + 8 * slot, *where[key])
    struct.pack_into("<II", fib, 154, *where["stsh"])  # fcStshfOrig = fcStshf
    struct.pack_into("<II", fib, 154 + 8 * 87, *divmod(_filetime(created), 1 << 32)[::-1])
    struct.pack_into("<H", fib, 154 + 8 * 93, 0)  # cswNew
    word[:fc_min] = fib

    chars = sum(len(c) for _, c in paragraphs)
    return make_cfb(
        [
            ("WordDocument", bytes(word)),
            ("1Table", bytes(table)),
            ("\x05SummaryInformation",
             _summary_information(title, author, created, words, chars)),
            ("\x01CompObj", _comp_obj()),
        ],
        WORD_CLSID,
        created,
    )


# --------------------------------------------------------------------------------------------
# Images (Pillow)
# --------------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _id_document(size: tuple[int, int], background: str, heading: str,
                 lines: Sequence[str], mrz: Sequence[str] = ()) -> Image.Image:
    """A specimen identity document: header band, photo box, fields, optional MRZ."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 34), fill="#1f3b5c")
    draw.text((12, 8), heading, fill="white", font=_font(16))
    draw.rounded_rectangle((14, 48, 104, 160), radius=6, fill="#d9dde3", outline="#8a94a3")
    draw.ellipse((39, 62, 79, 102), fill="#9aa4b2")
    draw.pieslice((29, 100, 89, 170), 180, 360, fill="#9aa4b2")
    y = 50
    for line in lines:
        draw.text((118, y), line, fill="#222222", font=_font(13))
        y += 19
    for i, line in enumerate(mrz):
        draw.text((12, height - 44 + 18 * i), line, fill="#111111", font=_font(13))
    draw.text((width - 118, 40), "SPECIMEN", fill="#c0392b", font=_font(16))
    return image


def passport_jpeg() -> bytes:
    image = _id_document(
        (460, 290), "#efe8d8", "PASSPORT  -  UNITED KINGDOM (SPECIMEN)",
        ["Surname: OKAFOR", "Given names: AMARA", "Nationality: BRITISH CITIZEN",
         "Date of birth: 14 JUN 1991", "Passport no.: 000000000", "Expires: 02 FEB 2031"],
        ["P<GBROKAFOR<<AMARA<<<<<<<<<<<<<<<<<<<<<<<<<", "0000000000GBR9106149F3102022<<<<<<<<<<00"],
    )
    return _encode(image, "JPEG", quality=72, optimize=True)


def id_card_png() -> bytes:
    image = _id_document(
        (420, 250), "#e8eef6", "IDENTITY CARD (SPECIMEN)",
        ["Name: DANIEL KOWALSKI", "Date of birth: 03.09.1988", "Card no.: ZZ0000000",
         "Valid until: 11.2029"],
    ).quantize(colors=32)
    return _encode(image, "PNG", optimize=True)


def driving_licence_webp() -> bytes:
    image = _id_document(
        (420, 260), "#f3e6ee", "DRIVING LICENCE (SPECIMEN)",
        ["1. WHITFIELD", "2. HANNAH", "3. 22.01.1995  LEEDS", "4b. 30.04.2033",
         "5. WHITF000000H00ZZ", "9. AM/A/B/BE"],
    )
    return _encode(image, "WEBP", quality=60, method=4)


def passport_bmp() -> bytes:
    image = _id_document(
        (480, 300), "white", "PASAPORTE  -  PASSPORT (SPECIMEN)",
        ["Apellidos / Surname: ALVAREZ", "Nombre / Given names: MATEO",
         "Nacionalidad: ESP", "Fecha de nacimiento: 27 08 1990", "No. PAS000000"],
        ["P<ESPALVAREZ<<MATEO<<<<<<<<<<<<<<<<<<<<<<<<", "PAS0000000ESP9008271M3007016<<<<<<<<<<00"],
    ).convert("L").point(lambda v: 255 if v > 150 else 0).convert("1")
    return _encode(image, "BMP")


def transcript_tiff() -> bytes:
    image = Image.new("L", (620, 820), 255)
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "UNIVERSITY OF YORKSHIRE (SPECIMEN)", fill=0, font=_font(22))
    draw.text((40, 74), "Academic Transcript - Priya Raman - Student no. 0000000", fill=0,
              font=_font(14))
    draw.line((40, 100, 580, 100), fill=0, width=2)
    modules = [("Programming Fundamentals", "20", "72"), ("Discrete Mathematics", "20", "68"),
               ("Databases", "20", "75"), ("Algorithms and Complexity", "20", "70"),
               ("Software Engineering Project", "40", "74"), ("Machine Learning", "20", "79"),
               ("Distributed Systems", "20", "66"), ("Dissertation", "40", "77")]
    y = 120
    draw.text((40, y), "Module", fill=0, font=_font(14))
    draw.text((420, y), "Credits", fill=0, font=_font(14))
    draw.text((510, y), "Mark", fill=0, font=_font(14))
    for module, credits, mark in modules:
        y += 28
        draw.text((40, y), module, fill=0, font=_font(14))
        draw.text((430, y), credits, fill=0, font=_font(14))
        draw.text((515, y), mark, fill=0, font=_font(14))
    draw.line((40, y + 34, 580, y + 34), fill=0, width=1)
    draw.text((40, y + 48), "Award: BSc (Hons) Computer Science, First Class, July 2016", fill=0,
              font=_font(14))
    draw.text((40, 760), "Registry stamp: ____________     Issued 18 July 2016", fill=0,
              font=_font(12))
    scan = image.point(lambda v: 255 if v > 140 else 0).convert("1")
    return _encode(scan, "TIFF", compression="group4", dpi=(150, 150))


def bluefin_logo_gif() -> bytes:
    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(14, 40), (46, 18), (70, 40), (46, 62)], fill="#1565c0")
    draw.polygon([(66, 40), (84, 24), (84, 56)], fill="#1565c0")
    draw.ellipse((30, 33, 38, 41), fill="white")
    draw.text((94, 16), "Bluefin", fill="#0d2c54", font=_font(24))
    draw.text((96, 46), "ANALYTICS", fill="#1565c0", font=_font(13))
    return _encode(image.quantize(colors=16), "GIF", optimize=True)


def favicon_ico() -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill="#243b53")
    draw.text((8, 14), "HV", fill="#f0b429", font=_font(32))
    return _encode(image, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])


def cat_jpeg() -> bytes:
    image = Image.new("RGB", (240, 200), "#cfe3f2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 160, 240, 200), fill="#8d6e63")
    draw.ellipse((70, 90, 180, 175), fill="#f57c00")
    draw.ellipse((80, 40, 160, 115), fill="#f57c00")
    draw.polygon([(84, 60), (92, 22), (112, 48)], fill="#f57c00")
    draw.polygon([(156, 60), (148, 22), (128, 48)], fill="#f57c00")
    for x in (105, 135):
        draw.ellipse((x - 7, 66, x + 7, 80), fill="#2e7d32")
        draw.ellipse((x - 2, 68, x + 2, 78), fill="black")
    draw.polygon([(115, 88), (125, 88), (120, 94)], fill="#ec407a")
    for dy in (-4, 2):
        draw.line((92, 92 + dy, 70, 88 + dy * 2), fill="#5d4037")
        draw.line((148, 92 + dy, 170, 88 + dy * 2), fill="#5d4037")
    draw.arc((160, 110, 225, 175), 270, 80, fill="#f57c00", width=10)
    draw.text((10, 8), "Biscuit, office cat", fill="#263238", font=_font(14))
    return _encode(image, "JPEG", quality=70, optimize=True)


NORTHWIND_SVG = """\
<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="320" height="96" viewBox="0 0 320 96" \
role="img" aria-labelledby="title">
  <title id="title">Northwind Logistics</title>
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#0f4c81"/>
      <stop offset="1" stop-color="#2a9d8f"/>
    </linearGradient>
  </defs>
  <circle cx="48" cy="48" r="40" fill="url(#sky)"/>
  <path d="M48 14 L58 48 L48 82 L38 48 Z" fill="#ffffff"/>
  <path d="M48 14 L58 48 L48 48 Z" fill="#e76f51"/>
  <path d="M14 48 L48 40 L82 48 L48 56 Z" fill="#ffffff" opacity="0.55"/>
  <circle cx="48" cy="48" r="4" fill="#0f4c81"/>
  <text x="100" y="46" font-family="Helvetica, Arial, sans-serif" font-size="30" \
font-weight="700" fill="#0f4c81">Northwind</text>
  <text x="102" y="72" font-family="Helvetica, Arial, sans-serif" font-size="15" \
letter-spacing="4" fill="#2a9d8f">LOGISTICS</text>
</svg>
"""

# --------------------------------------------------------------------------------------------
# Bad files
# --------------------------------------------------------------------------------------------


def renamed_exe() -> bytes:
    """An inert PE image header (no code) as a Windows .exe starts: 'MZ', DOS stub, 'PE'."""
    dos = bytearray(0x80)
    struct.pack_into("<2sHHHHHHHHHHHHH", dos, 0, b"MZ", 0x90, 3, 0, 4, 0, 0xFFFF, 0, 0xB8,
                     0, 0, 0, 0x40, 0)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    message = b"This program cannot be run in DOS mode.\r\r\n$"
    dos[0x4E:0x4E + len(message)] = message
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x8664, 0, 0x65F80000, 0, 0, 0xF0, 0x0022)
    optional = struct.pack(
        "<HBBIIIIIQIIHHHHHHIIIIHHQQQQII",
        0x20B, 14, 0, 0, 0, 0, 0, 0, 0x140000000, 0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0,
        0x1000, 0x200, 0, 2, 0x8160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16,
    ) + b"\0" * (16 * 8)  # PE32+, GUI subsystem, no sections and no entry point: inert
    coff += optional
    resource_note = "LegacyATS Export Helper 4.2 - bundled installer".encode("utf-16-le")
    body = bytes(dos) + coff
    body += b"\0" * (0x200 - len(body)) + resource_note
    return body + b"\0" * (-len(body) % 0x200)


INTAKE_NOTES = """\
Paralegal (Employment) - intake call notes
Client: Harbour & Vale LLP   Contact: Eleanor Vale   Vacancy ref: vac-003
Date: 11 March 2024

- Team of 6 fee earners, employment law; paralegal supports 2 partners.
- Must have tribunal bundle experience; LPC preferred, not essential.
- Salary GBP 28-32k depending on experience; hybrid (3 days in Bristol office).
- Start ASAP; interviews w/c 25 March (two stages, second includes a drafting exercise).
- Send shortlist of 3-4 by Friday. Internal candidate already in process.

TODO: turn this into a proper job description before the advert goes live.
"""

MATEO_RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0"
    r"{\fonttbl{\f0\fswiss Arial;}}"
    r"{\info{\title Cover letter - Mateo \'c1lvarez}{\author Mateo \'c1lvarez}}"
    "\n"
    r"\paperw11906\paperh16838\margl1440\margr1440\f0\fs22"
    "\n"
    r"{\b\fs32 Mateo \'c1lvarez}\par"
    "\n"
    r"London  |  mateo.alvarez@example.com  |  +44 20 7946 0905\par\par"
    "\n"
    r"Dear Ms Holm,\par\par"
    "\n"
    r"I would like to be considered for the Warehouse Operations Manager role at Northwind "
    r"Logistics. For the past six years I have run inbound operations for a grocery "
    r"distribution centre in Dagenham, leading 120 colleagues across two shifts.\par\par"
    "\n"
    r"I am proud of three things in that time: a 31% improvement in dock-to-stock time, zero "
    r"RIDDOR-reportable incidents in the last three years, and a peak-season plan that is now "
    r"used across the network.\par\par"
    "\n"
    r"I would welcome the chance to discuss the role.\par\par"
    "\n"
    r"Yours sincerely,\par"
    "\n"
    r"Mateo \'c1lvarez\par"
    "\n}\n"
)


# --------------------------------------------------------------------------------------------
# Word documents' text
# --------------------------------------------------------------------------------------------

AMARA_LETTER: tuple[tuple[str, str], ...] = (
    ("title", "Amara Okafor"),
    ("p", "London  |  amara.okafor@example.com  |  +44 20 7946 0321"),
    ("p", "8 March 2024"),
    ("p", "Marcus Bell\nHead of Data, Bluefin Analytics\n2 Quayside Walk, Bristol"),
    ("bold", "Re: Senior Data Engineer (ref. vac-001)"),
    ("p", "Dear Mr Bell,"),
    ("p", "I was delighted to see the Senior Data Engineer role at Bluefin Analytics. Your move "
          "from nightly forecasting batches to near-real-time features is exactly the work I "
          "have spent the last four years on at Parcelwise, where my team moved 140 batch jobs "
          "to event streaming and cut warehouse spend by more than a third."),
    ("p", "What I would bring to Bluefin:"),
    ("bullet", "Hands-on experience running Kafka and Flink in production, with the on-call "
               "discipline and runbooks that go with it."),
    ("bullet", "A track record of data-quality work that producers actually adopt: data "
               "contracts, tests in CI, and clear ownership."),
    ("bullet", "Experience mentoring engineers and growing a team's practices without slowing "
               "delivery."),
    ("p", "I would welcome the chance to talk about how I could help your forecasting products "
          "get fresher data, faster. Thank you for considering my application."),
    ("p", "Yours sincerely,"),
    ("p", "Amara Okafor"),
)

WAREHOUSE_SPEC: tuple[tuple[str, str], ...] = (
    ("title", "Warehouse Operations Manager"),
    ("p", "Northwind Logistics  |  Trafford Park, Manchester  |  Permanent, full time"),
    ("p", "Vacancy ref. vac-002  |  Hiring manager: Ingrid Holm, Head of Talent"),
    ("heading", "The role"),
    ("p", "Northwind runs temperature-controlled and ambient distribution for food and "
          "pharmaceutical clients. You will lead our 350,000 sq ft Trafford Park site, around "
          "180 colleagues over three shifts, and own safety, service and cost."),
    ("heading", "Responsibilities"),
    ("bullet", "Deliver daily service levels for inbound, storage and outbound operations."),
    ("bullet", "Lead and develop five shift managers; build a culture of safety first."),
    ("bullet", "Own the site budget (GBP 9m), labour planning and agency usage."),
    ("bullet", "Drive continuous improvement with the engineering and WMS teams."),
    ("heading", "About you"),
    ("bullet", "Five or more years managing a multi-shift warehouse or distribution centre."),
    ("bullet", "Confident with WMS data, KPIs and budgets; Lean or Six Sigma a plus."),
    ("bullet", "IOSH or NEBOSH qualification; FLT experience helpful."),
    ("heading", "Package"),
    ("p", "GBP 58,000 - 65,000, 10% bonus, car allowance, 25 days' holiday plus bank holidays, "
          "pension 5% matched."),
)

LUKAS_LETTER: tuple[tuple[str, str], ...] = (
    ("heading", "Lukas Brenner"),
    ("p", "14 Canal Street, Manchester M1 3HE\nlukas.brenner@example.com  |  +44 161 496 0137"),
    ("p", "12 March 2019"),
    ("p", "Ingrid Holm\nHead of Talent, Northwind Logistics\nTrafford Park, Manchester"),
    ("bold", "Re: Warehouse Operations Manager"),
    ("p", "Dear Ms Holm,"),
    ("p", "I am writing to apply for the position of Warehouse Operations Manager at Northwind "
          "Logistics. I am currently Site Operations Manager at Keystone 3PL in Trafford Park, "
          "where I run a 400,000 sq ft multi-client site with 210 colleagues over three "
          "shifts."),
    ("p", "In my current role I have raised pick accuracy from 99.1% to 99.8%, halved agency "
          "spend and led our goods-to-person automation project to go-live on time and under "
          "budget. Before moving to Manchester I spent six years as a shift manager with "
          "Rhein-Logistik in Duisburg (Germany), where I introduced daily performance boards "
          "and a near-miss reporting scheme."),
    ("p", "Northwind's reputation for temperature-controlled distribution and for developing "
          "its people is why I would like to join you. I would be glad to discuss how my "
          "experience could support the Trafford Park site."),
    ("p", "Yours sincerely,"),
    ("p", "Lukas Brenner"),
)

# --------------------------------------------------------------------------------------------
# Spreadsheets
# --------------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def scorecard_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Scorecard"
    sheet["A1"] = "Interview scorecard - Jonas Lindqvist"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "Role: Senior Data Engineer (vac-001)  |  Panel: M. Bell, A. Okafor"
    sheet["A3"] = "Interview date"
    sheet["B3"] = dt.date(2024, 2, 27)
    sheet["B3"].number_format = "d mmm yyyy"
    headers = ("Criterion", "Weight", "Score (1-5)", "Weighted", "Evidence")
    for column, title in enumerate(headers, start=1):
        cell = sheet.cell(row=5, column=column, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    criteria = [
        ("Data modelling", 0.25, 4, "Clear star-schema design for the orders case study"),
        ("Streaming systems", 0.20, 3, "Knows Kafka well; less depth on exactly-once"),
        ("Python & SQL", 0.25, 5, "Excellent live exercise, idiomatic and well tested"),
        ("Communication", 0.15, 4, "Explained trade-offs plainly to the product manager"),
        ("Team fit & mentoring", 0.15, 3, "Limited line-management experience so far"),
    ]
    for offset, (name, weight, score, evidence) in enumerate(criteria):
        row = 6 + offset
        sheet.cell(row=row, column=1, value=name)
        sheet.cell(row=row, column=2, value=weight).number_format = "0%"
        sheet.cell(row=row, column=3, value=score)
        sheet.cell(row=row, column=4, value=f"=B{row}*C{row}").number_format = "0.00"
        sheet.cell(row=row, column=5, value=evidence)
    total = 6 + len(criteria)
    sheet.cell(row=total, column=1, value="Total").font = Font(bold=True)
    sheet.cell(row=total, column=4, value=f"=SUM(D6:D{total - 1})").number_format = "0.00"
    sheet.cell(row=total + 2, column=1, value="Recommendation")
    sheet.cell(row=total + 2, column=2, value="Proceed to final stage")
    for letter, width in zip("ABCDE", (24, 12, 12, 10, 58), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.properties.creator = "Bluefin Analytics hiring panel"
    workbook.properties.title = "Interview scorecard - Jonas Lindqvist"
    return save_workbook_bytes(workbook)


def manifest_xlsx(rows: Sequence[Row]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Attachments"
    sheet.append(list(MANIFEST_COLUMNS))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in rows:
        sheet.append(list(row.cells()))
    for cells in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in cells:
            if isinstance(cell.value, int):
                cell.number_format = "0"
    last = len(rows) + 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:G{last}"
    widths = {"A": 52, "B": 22, "C": 14, "D": 12, "E": 12, "F": 40, "G": 70}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.row_dimensions[1].height = 20

    readme = workbook.create_sheet("Read me")
    readme.merge_cells("A1:D1")
    readme["A1"] = "Spott attachment migration - sample manifest"
    readme["A1"].font = Font(bold=True, size=14, color="1F4E78")
    lines = [
        "One row on the Attachments sheet per file to attach to a Spott record.",
        "file_path: relative to the folder this workbook is in, e.g. files/candidates/cv.pdf.",
        "type: a Spott attachment type such as CV, COVER_LETTER, ID_DOCUMENT, OFFER, LOGO or "
        "JOB_DESCRIPTION; everyday spellings like 'resume' or 'Cover Letter' are accepted.",
        "candidate_id / company_id / vacancy_id: the Spott id of the record (at least one).",
        "name: optional display name for the file in Spott; notes: free text, not sent.",
        "Rows whose notes start with 'Deliberately bad' show how problems are reported.",
    ]
    for offset, text in enumerate(lines, start=3):
        readme.cell(row=offset, column=1, value=text)
    stats = 3 + len(lines) + 1
    readme.cell(row=stats, column=1, value="Rows listed").font = Font(bold=True)
    readme.cell(row=stats, column=2, value="=COUNTA(Attachments!A:A)-1").number_format = "0"
    readme.cell(row=stats + 1, column=1, value="Prepared").font = Font(bold=True)
    prepared = readme.cell(row=stats + 1, column=2, value=dt.date(2024, 3, 18))
    prepared.number_format = "d mmm yyyy"
    readme.cell(row=stats + 2, column=1, value="Prepared by").font = Font(bold=True)
    readme.cell(row=stats + 2, column=2, value="Data migration team")
    readme.column_dimensions["A"].width = 110
    readme.column_dimensions["B"].width = 22

    workbook.defined_names.add(
        DefinedName("AttachmentRows", attr_text=f"Attachments!$A$1:$G${last}"))
    workbook.properties.creator = "Data migration team"
    workbook.properties.title = "Spott attachment manifest"
    return save_workbook_bytes(workbook)


def manifest_csv(rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else str(value) for value in row.cells()])
    return buffer.getvalue().encode("utf-8")


def records_json(records: dict[str, list[dict[str, object]]]) -> bytes:
    """The records store as JSON, one record per line (easy to read and to diff)."""
    parts = []
    for kind, items in records.items():
        lines = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in items)
        parts.append(f'  "{kind}": [\n{lines}\n  ]')
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    assert json.loads(text) == records
    return text.encode("utf-8")


# The Spott wire spelling each manifest ``type`` should normalise to (None: not a Spott type).
WIRE_TYPES: dict[str, str | None] = {
    "CV": "CV", "cv": "CV", "resume ": "CV",
    "Cover Letter": "COVER_LETTER", "cover_letter": "COVER_LETTER",
    "ID_DOCUMENT": "ID_DOCUMENT", "ID Document": "ID_DOCUMENT", "passport": "ID_DOCUMENT",
    "OFFER": "OFFER", "TRANSCRIPT": "TRANSCRIPT", "SCORECARD": "SCORECARD",
    "LOGO": "LOGO", "logo": "LOGO", "FAVICON": "FAVICON",
    "Terms and Conditions": "TERMS_AND_CONDITIONS",
    "JOB_DESCRIPTION": "JOB_DESCRIPTION", "job spec": "JOB_DESCRIPTION",
    "Photograph of cat": None,
}


def expected_json(rows: Sequence[Row]) -> bytes:
    """What the tool should make of each row: status, wire type, target, reason code."""
    lines = []
    for source_row, row in enumerate(rows, start=2):
        item: dict[str, object] = {"source_row": source_row, "file_path": row.file_path,
                                   "wire_type": WIRE_TYPES[row.type]}
        for key, value in (("candidate_id", row.candidate_id), ("company_id", row.company_id),
                           ("vacancy_id", row.vacancy_id)):
            if value is not None:
                item[key] = str(value)
        if row.expected == "assigned":
            item["status"] = "assigned"
        else:
            item["status"] = "invalid"
            item["code"] = row.expected
        if row.duplicate_of is not None:
            item["duplicate_of"] = row.duplicate_of
        lines.append("    " + json.dumps(item, ensure_ascii=False))
    text = '{\n  "rows": [\n' + ",\n".join(lines) + "\n  ]\n}\n"
    return text.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

MISSING_FILES = ("files/candidates/daniel_kowalski_cv.pdf",)


def _pdf(title: str, author: str, blocks: Sequence[Block], day: int) -> Callable[[], bytes]:
    return lambda: make_pdf(title, author, blocks, dt.datetime(2024, 3, day, 10, 0))


def file_builders() -> dict[str, Callable[[], bytes]]:
    """Every file under ``files/``, by path relative to the output folder."""
    return {
        C + "amara_okafor_cv.pdf": _pdf("Amara Okafor - CV", "Amara Okafor",
                                        cv_blocks(CV_AMARA), 1),
        C + "amara_okafor_cover_letter.docx": lambda: make_docx(
            "Cover letter - Senior Data Engineer", "Amara Okafor", AMARA_LETTER),
        C + "amara_okafor_passport.jpg": passport_jpeg,
        C + "lukas_brenner_resume.pdf": _pdf("Lukas Brenner - Resume", "Lukas Brenner",
                                             cv_blocks(CV_LUKAS), 2),
        C + "lukas_brenner_cover_letter.doc": lambda: make_doc(
            "Cover letter - Warehouse Operations Manager", "Lukas Brenner", LUKAS_LETTER,
            dt.datetime(2019, 3, 12, 18, 45)),
        C + "sofia_marchetti_cv.pdf": _pdf("Sofia Marchetti - CV", "Sofia Marchetti",
                                           cv_blocks(CV_SOFIA), 3),
        C + "sofia_marchetti_offer_letter.pdf": _pdf(
            "Offer of employment - Sofia Marchetti", "Bluefin Analytics",
            offer_letter_blocks(), 4),
        C + "daniel_kowalski_id_card.png": id_card_png,
        C + "priya_raman_transcript.tiff": transcript_tiff,
        C + "jonas_lindqvist_interview_scorecard.xlsx": scorecard_xlsx,
        C + "hannah_whitfield_driving_licence.webp": driving_licence_webp,
        C + "mateo_alvarez_passport.bmp": passport_bmp,
        C + "grace_oneill_cv.pdf": _pdf("Grace O'Neill - CV", "Grace O'Neill",
                                        cv_blocks(CV_GRACE), 5),
        C + "jonas_lindqvist_cv.pdf": renamed_exe,
        C + "priya_raman_cv.pdf": lambda: b"",
        C + "mateo_alvarez_cover_letter.rtf": lambda: MATEO_RTF.encode("ascii"),
        C + "office_cat.jpg": cat_jpeg,
        C + "j_smith_cv.pdf": _pdf("CV - J Smith", "J. Smith", cv_blocks(CV_JSMITH), 6),
        CO + "northwind_logo.svg": lambda: NORTHWIND_SVG.encode("utf-8"),
        CO + "bluefin_logo.gif": bluefin_logo_gif,
        CO + "harbour_vale_favicon.ico": favicon_ico,
        CO + "harbour_vale_terms_of_business.pdf": _pdf(
            "Harbour & Vale LLP - Terms of Business", "Harbour & Vale LLP", terms_blocks(), 7),
        V + "senior_data_engineer_jd.pdf": _pdf("Senior Data Engineer - job description",
                                                "Bluefin Analytics", jd_blocks(), 8),
        V + "warehouse_operations_manager_job_spec.docx": lambda: make_docx(
            "Warehouse Operations Manager - job specification", "Northwind Logistics",
            WAREHOUSE_SPEC),
        V + "paralegal_intake_notes.txt": lambda: INTAKE_NOTES.encode("utf-8"),
    }


def generate(out_dir: Path = HERE) -> list[Path]:
    """(Re)create all sample data under ``out_dir``; return the paths written."""
    out_dir = Path(out_dir)
    outputs: dict[str, bytes] = {rel: build() for rel, build in file_builders().items()}
    outputs["records.json"] = records_json(RECORDS)
    outputs["manifest.xlsx"] = manifest_xlsx(ROWS)
    outputs["manifest.csv"] = manifest_csv(ROWS)
    outputs["expected.json"] = expected_json(ROWS)
    written = []
    for rel, data in outputs.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    for rel in MISSING_FILES:
        (out_dir / rel).unlink(missing_ok=True)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(f"{path.stat().st_size:>7}  {path}")


if __name__ == "__main__":
    main()
