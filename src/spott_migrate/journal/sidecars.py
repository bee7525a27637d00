"""The files a run keeps beside a manifest, named in one place: journals and the lock.

``manifest.xlsx.spott-journal.sqlite`` is the main journal; a shard's carries its tag
(``manifest.xlsx.shard-2-of-4.spott-journal.sqlite``).
"""

from __future__ import annotations

from pathlib import Path

JOURNAL_SUFFIX = ".spott-journal.sqlite"
LOCK_SUFFIX = ".spott-lock"
SHARD_PREFIX = "shard-"


def shard_tag(index: int, count: int) -> str:
    """The name part that tells a shard's files apart: ``shard-2-of-4``."""
    return f"{SHARD_PREFIX}{index}-of-{count}"


def _sidecar(manifest_path: Path, tag: str | None, suffix: str) -> Path:
    middle = f".{tag}" if tag else ""
    return manifest_path.with_name(f"{manifest_path.name}{middle}{suffix}")


def journal_path(manifest_path: Path, tag: str | None = None) -> Path:
    """Where a manifest's journal lives: beside it, named after it (and the shard, if any)."""
    return _sidecar(manifest_path, tag, JOURNAL_SUFFIX)


def journal_paths(manifest_path: Path) -> list[Path]:
    """Every journal of a manifest that exists: the main one and each shard's."""
    main = journal_path(manifest_path)
    pattern = f"{manifest_path.name}.{SHARD_PREFIX}*{JOURNAL_SUFFIX}"
    shards = sorted(manifest_path.parent.glob(pattern))
    return [p for p in [main, *shards] if p.exists()]


def lock_path(manifest_path: Path, tag: str | None = None) -> Path:
    """Where a manifest's lock file lives."""
    return _sidecar(manifest_path, tag, LOCK_SUFFIX)


def shard_lock_paths(manifest_path: Path) -> list[Path]:
    """Every shard lock file beside the manifest (held or not)."""
    pattern = f"{manifest_path.name}.{SHARD_PREFIX}*{LOCK_SUFFIX}"
    return sorted(manifest_path.parent.glob(pattern))
