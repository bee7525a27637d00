"""A hand-tuned reference client, written only to find the sandbox's practical ceiling.

It does the same work as spott-migrate (every file uploaded AND assigned) with everything a
careful engineer would do for speed and nothing for safety: one pooled ``httpx.Client``,
10-file batches of one type, 1 MiB file reads, a thread pool, and one assign per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import IO, Any

import httpx

from benchmarks.datagen import BenchFile
from spott_migrate.spott_api import API_KEY_HEADER, ASSIGN_PATH, UPLOAD_PATH

READ_SIZE = 1 << 20


class _BigReads:
    """File wrapper: httpx asks for 64 KiB at a time; hand it 1 MiB instead."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(max(size, READ_SIZE) if size > 0 else -1)

    def fileno(self) -> int:
        return self._handle.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


def batches(files: Sequence[BenchFile], size: int) -> list[list[BenchFile]]:
    """Files grouped by wire type, in order, ``size`` at a time."""
    by_type: dict[str, list[BenchFile]] = {}
    for f in files:
        by_type.setdefault(f.wire_type, []).append(f)
    return [group[i : i + size] for group in by_type.values() for i in range(0, len(group), size)]


def _upload_and_assign(client: httpx.Client, batch: list[BenchFile]) -> int:
    names = [f"{i}_{f.path.name}" for i, f in enumerate(batch)]  # unique within the batch
    with ExitStack() as stack:
        parts: list[tuple[str, Any]] = [
            ("files", (name, _BigReads(stack.enter_context(f.path.open("rb"))), f.mime))
            for name, f in zip(names, batch, strict=True)
        ]
        answer = client.post(UPLOAD_PATH, params={"type": batch[0].wire_type}, files=parts)
    answer.raise_for_status()
    temp_ids = {item["attachmentName"]: item["attachmentId"] for item in answer.json()}
    by_record: dict[tuple[str, str], list[dict[str, str]]] = {}
    for name, f in zip(names, batch, strict=True):
        item = {"id": temp_ids[name], "type": f.wire_type, "name": f.path.name}
        by_record.setdefault((f.target_field, f.target_id), []).append(item)
    for (field, record_id), items in by_record.items():
        client.post(ASSIGN_PATH, json={"attachments": items, field: record_id}).raise_for_status()
    return 1 + len(by_record)


def run_reference(
    url: str, api_key: str, files: Sequence[BenchFile], *, threads: int = 4, batch: int = 10
) -> int:
    """Upload and assign every file; return the number of requests sent."""
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    with (
        httpx.Client(
            base_url=url, headers={API_KEY_HEADER: api_key}, limits=limits, timeout=120
        ) as client,
        ThreadPoolExecutor(max_workers=threads) as pool,
    ):
        return sum(pool.map(lambda b: _upload_and_assign(client, b), batches(files, batch)))
