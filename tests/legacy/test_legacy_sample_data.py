"""The committed legacy sample is what its generator makes, and its files are genuine."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import filetype

from spott_migrate.sandbox import load_records

from .conftest import SAMPLE


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("legacy_make_sample", SAMPLE / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    skip = {"make_sample.py", "README.md"}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name not in skip and "__pycache__" not in p.parts
    }


def test_sample_is_reproducible(tmp_path: Path) -> None:
    _generator().main(tmp_path)
    assert _files(tmp_path) == _files(SAMPLE)


def test_sample_files_are_what_their_extension_says() -> None:
    sniffable = {".pdf", ".docx", ".xlsx", ".png"}
    for path in (SAMPLE / "tree").rglob("*"):
        if path.suffix in sniffable:
            guess = filetype.guess(str(path))
            assert guess is not None and "." + guess.extension == path.suffix, path


def test_records_load_in_the_sandbox_store() -> None:
    store = load_records(SAMPLE / "records.json")
    assert "c-turing" in store.candidates and "co-acme" in store.companies
    raw = json.loads((SAMPLE / "records.json").read_text(encoding="utf-8"))
    shared = [c["id"] for c in raw["candidates"] if "shared@example.com" in c["emails"]]
    assert len(shared) == 2  # the ambiguous e-mail
    contact_emails = {e for p in raw["contacts"] for e in p["emails"]}
    candidate_emails = {e.lower() for c in raw["candidates"] for e in c["emails"]}
    assert contact_emails - candidate_emails == {"bob.boss@acme.example"}
