"""Benchmark data: valid files of given sizes, manifests and the sandbox's records store.

Files start with a small valid PDF (or PNG) so both spott-migrate's probe and the sandbox's
content sniffing accept them; the rest is filler. Data sets are cached under the data folder
and rebuilt only when their description changes; manifests are written fresh for every run.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PDF_MIME = "application/pdf"
PNG_MIME = "image/png"
#: Assign field -> manifest column.
TARGET_COLUMNS = {
    "candidateId": "candidate_id",
    "companyId": "company_id",
    "vacancyId": "vacancy_id",
}
_RECORD_KEYS = {"candidateId": "candidates", "companyId": "companies", "vacancyId": "vacancies"}
_FILLER = random.Random(7).randbytes(1 << 16)


@dataclass(frozen=True, slots=True)
class BenchFile:
    """One file to migrate: where it is, its wire type and the one record it goes to."""

    path: Path
    wire_type: str
    mime: str
    target_field: str
    target_id: str
    size: int


def pdf_document(text: str = "Benchmark") -> bytes:
    """A minimal valid one-page PDF (about 400 bytes)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def png_image() -> bytes:
    """A minimal valid 1 × 1 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def write_padded(path: Path, head: bytes, size: int) -> None:
    """Write ``head``, the path (so no two files are equal), then filler up to ``size`` bytes.

    Real data, not a sparse file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    start = head + b"\n%" + str(path).encode() + b"\n"
    with path.open("wb") as out:
        out.write(start[:size])
        left = size - min(len(start), size)
        while left > 0:
            piece = _FILLER[: min(left, len(_FILLER))]
            out.write(piece)
            left -= len(piece)


def write_sparse(path: Path, head: bytes, size: int) -> None:
    """Write ``head`` and extend the file to ``size`` bytes with a hole (no disk blocks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(head)
        out.truncate(size)


def cached(folder: Path, spec: str, build: Callable[[], None]) -> bool:
    """Run ``build`` unless ``folder`` already holds data built from the same ``spec``.

    Returns True when it built. The spec is written last, so an interrupted build is redone.
    """
    marker = folder / ".spec"
    if marker.exists() and marker.read_text() == spec:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    build()
    marker.write_text(spec)
    return True


def uniform_set(root: Path, name: str, count: int, size: int) -> list[BenchFile]:
    """``count`` CV PDFs of ``size`` bytes, each for its own candidate, 1,000 per folder."""
    folder = root / f"{name}-{count}x{size}"
    files = [
        BenchFile(
            folder / f"d{i // 1000:02d}" / f"cv_{i:06d}.pdf",
            "CV",
            PDF_MIME,
            "candidateId",
            f"{name}-{i:06d}",
            size,
        )
        for i in range(count)
    ]
    head = pdf_document()

    def build() -> None:
        for f in files:
            write_padded(f.path, head, size)

    cached(folder, f"uniform v2 {count} {size}", build)
    return files


def sparse_set(root: Path, count: int, size: int) -> list[BenchFile]:
    """``count`` sparse PDFs of ``size`` bytes (a valid PDF, then a hole of zeros)."""
    folder = root / f"sparse-{count}x{size}"
    files = [
        BenchFile(folder / f"big_{i:02d}.pdf", "CV", PDF_MIME, "candidateId", f"m-{i:02d}", size)
        for i in range(count)
    ]
    head = pdf_document()

    def build() -> None:
        for f in files:
            write_sparse(f.path, head, size)

    cached(folder, f"sparse v1 {count} {size}", build)
    return files


# (record kind, [(wire type, mime, min files, max files)]) for the mixed manifest.
_MIX: dict[str, list[tuple[str, str, int, int]]] = {
    "candidateId": [
        ("CV", PDF_MIME, 1, 1),
        ("COVER_LETTER", PDF_MIME, 0, 1),
        ("ID_DOCUMENT", PNG_MIME, 0, 2),
        ("OFFER", PDF_MIME, 0, 1),
        ("TRANSCRIPT", PDF_MIME, 0, 1),
    ],
    "companyId": [("LOGO", PNG_MIME, 1, 1), ("TERMS_AND_CONDITIONS", PDF_MIME, 0, 2)],
    "vacancyId": [("JOB_DESCRIPTION", PDF_MIME, 1, 2)],
}


def mixed_set(root: Path, records: int, seed: int = 1) -> list[BenchFile]:
    """Several files per record and several types: 70 % candidates, 15 % companies, vacancies.

    Rows come back shuffled, as a manifest exported from a legacy system often is.
    """
    rng = random.Random(seed)
    folder = root / f"mixed-{records}-{seed}"
    kinds = ["candidateId"] * 14 + ["companyId"] * 3 + ["vacancyId"] * 3
    files: list[BenchFile] = []
    for r in range(records):
        kind = kinds[r % len(kinds)]
        for wire_type, mime, low, high in _MIX[kind]:
            for n in range(rng.randint(low, high)):
                ext = "png" if mime == PNG_MIME else "pdf"
                path = folder / f"r{r:05d}" / f"{wire_type.lower()}_{n}.{ext}"
                size = rng.randint(2_000, 60_000)
                files.append(BenchFile(path, wire_type, mime, kind, f"x-{r:05d}", size))
    rng.shuffle(files)
    heads = {PDF_MIME: pdf_document(), PNG_MIME: png_image()}

    def build() -> None:
        for f in files:
            write_padded(f.path, heads[f.mime], f.size)

    cached(folder, f"mixed v2 {records} {seed}", build)
    return files


def tiny_set(root: Path, count: int, folders: int = 10) -> list[BenchFile]:
    """``count`` tiny valid PDFs in ``folders`` folders; four per candidate, four types.

    Every file differs in content, and a candidate's four differ in size too (as real files
    do), so validation has no duplicate content to hash.
    """
    folder = root / f"tiny-{count}"
    types = ("CV", "COVER_LETTER", "ID_DOCUMENT", "OFFER")
    per_folder = -(-count // folders)
    sizes = [len(pdf_document(f"{t} 000000")) for t in types]
    files = [
        BenchFile(
            folder / f"f{i // per_folder:02d}" / f"doc_{i:06d}.pdf",
            types[i % 4],
            PDF_MIME,
            "candidateId",
            f"t-{i // 4:06d}",
            sizes[i % 4],
        )
        for i in range(count)
    ]

    def build() -> None:
        for sub in {f.path.parent for f in files}:
            sub.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            with open(f.path, "wb") as out:
                out.write(pdf_document(f"{types[i % 4]} {i:06d}"))

    cached(folder, f"tiny v2 {count} {folders}", build)
    return files


def manifest_rows(files: Iterable[BenchFile], base: Path | None = None) -> list[list[str]]:
    """Header and rows of a manifest; paths relative to ``base`` when given, else absolute."""
    header = ["file_path", "type", *TARGET_COLUMNS.values()]
    rows = [header]
    for f in files:
        path = os.path.relpath(f.path, base) if base is not None else str(f.path)
        ids = [f.target_id if f.target_field == field else "" for field in TARGET_COLUMNS]
        rows.append([path, f.wire_type, *ids])
    return rows


def write_manifest(path: Path, files: Sequence[BenchFile], *, relative: bool = False) -> Path:
    """Write a ``.csv`` or ``.xlsx`` manifest listing ``files``; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = manifest_rows(files, path.parent if relative else None)
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
        return path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Manifest")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def records_store(files: Iterable[BenchFile]) -> dict[str, list[dict[str, Any]]]:
    """A sandbox records store holding every record the files go to."""
    store: dict[str, list[dict[str, Any]]] = {k: [] for k in _RECORD_KEYS.values()}
    seen: set[tuple[str, str]] = set()
    for f in files:
        if (f.target_field, f.target_id) in seen:
            continue
        seen.add((f.target_field, f.target_id))
        kind = _RECORD_KEYS[f.target_field]
        if kind == "candidates":
            store[kind].append({"id": f.target_id, "firstName": "Bench", "lastName": f.target_id})
        else:
            store[kind].append({"id": f.target_id, "name": f"Bench {f.target_id}"})
    return store


#: The million-row set: four types per candidate, in this order.
MILLION_TYPES = ("CV", "COVER_LETTER", "ID_DOCUMENT", "OFFER")


def million_set(root: Path, count: int, per_folder: int = 1000) -> Path:
    """``count`` small valid PDFs, ``per_folder`` to a folder; four per candidate, four types.

    Sizes vary from file to file (a candidate's four mostly differ, now and then two agree, as
    in real exports), so validation hashes only the few true same-size pairs. Returns the
    folder; :func:`million_rows` lists the files relative to it.
    """
    folder = root / f"million-{count}"

    def build() -> None:
        rng = random.Random(12)
        bodies = [pdf_document(f"{t} {{n}}") for t in MILLION_TYPES]
        for i in range(count):
            if i % per_folder == 0:
                os.makedirs(folder / _million_dir(i, per_folder), exist_ok=True)
            head = bodies[i % 4].replace(b"{n}", b"%07d" % i)
            # A comment after %%EOF: the file stays a valid PDF, its size is what varies.
            body = head + b"%" + b"x" * rng.randrange(0, 800) + b"\n"
            fd = os.open(folder / million_path(i, per_folder), os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.write(fd, body)
            finally:
                os.close(fd)

    cached(folder, f"million v1 {count} {per_folder}", build)
    return folder


def _million_dir(i: int, per_folder: int) -> str:
    return f"export_{i // per_folder:04d}"


def million_path(i: int, per_folder: int = 1000) -> str:
    """The relative path of file ``i`` of :func:`million_set`."""
    kind = MILLION_TYPES[i % 4].lower()
    return f"{_million_dir(i, per_folder)}/{kind}_{i:07d}.pdf"


def million_rows(count: int, per_folder: int = 1000) -> Iterator[list[str]]:
    """Header and rows of a manifest over the first ``count`` files of :func:`million_set`."""
    yield ["file_path", "type", "candidate_id", "company_id", "vacancy_id"]
    for i in range(count):
        yield [million_path(i, per_folder), MILLION_TYPES[i % 4], f"cand-{i // 4:06d}", "", ""]
