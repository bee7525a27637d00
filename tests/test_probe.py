"""Probing files: the targeted sniff, and the same answers in line or on the thread pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from spott_migrate import probe
from spott_migrate.probe import probe_files
from spott_migrate.sniff import sniff

from .files import pdf_bytes, png_bytes, write

PDF = "application/pdf"
PNG = "image/png"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def test_the_type_the_name_promises_is_confirmed_by_its_own_check() -> None:
    assert sniff(pdf_bytes(), expected=PDF) == PDF
    assert sniff(png_bytes(), expected=PNG) == PNG


def test_content_of_another_type_is_still_named() -> None:
    # A JPEG saved as .png: the PNG check says no, the full look says what it is.
    assert sniff(JPEG_HEAD, expected=PNG) == "image/jpeg"
    assert sniff(pdf_bytes()) == PDF


def test_unrecognised_content_and_svg_text() -> None:
    assert sniff(b"just some text, no format at all", expected=PDF) is None
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    assert sniff(svg, expected="image/svg+xml") == "image/svg+xml"


def _tree(root: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        if i % 7 == 0:
            paths.append(root / f"missing-{i}.pdf")
        elif i % 5 == 0:
            paths.append(write(root / f"image-{i}.png", JPEG_HEAD))  # content mismatch
        else:
            paths.append(write(root / f"cv-{i}.pdf", pdf_bytes(pad=i)))
    return paths


def test_probing_on_the_pool_gives_the_same_answers_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _tree(tmp_path, 600)
    pools: list[int] = []

    class CountedPool(ThreadPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            pools.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(probe, "ThreadPoolExecutor", CountedPool)
    in_line = probe_files(paths)
    pools.clear()
    # Make every slice look slow, so all but the first run on the thread pool.
    monkeypatch.setattr(probe, "_SLOW_PER_FILE", -1.0)
    pooled = probe_files(paths, workers=4)
    assert pools == [4]
    assert list(pooled) == list(in_line) == paths
    assert pooled == in_line
    assert sum(not p.exists for p in pooled.values()) == len(range(0, 600, 7))
    assert pooled[tmp_path / "image-5.png"].sniffed_mime == "image/jpeg"
    assert pooled[tmp_path / "cv-1.pdf"].sniffed_mime == PDF


def test_file_identity_is_the_normalised_resolved_path(tmp_path: Path) -> None:
    import os

    from spott_migrate.manifest import read_manifest

    from .helpers import write_csv

    manifest = read_manifest(write_csv(tmp_path / "m.csv", [("a.pdf", "CV", "c1", "", "", "")]))
    for text in ["a.pdf", "./x//y/../a.pdf", "sub\\b.pdf", "/abs/./c.pdf", "//share/d.pdf"]:
        assert manifest.file_identity(text) == os.path.normpath(manifest.resolve(text))
