"""Streaming multipart reader that keeps a digest of each part, never the part itself.

Starlette's ``request.form()`` would spool every file to a temporary file (to disk above 1 MB)
and write each chunk through a thread pool; the sandbox only needs size, SHA-256 and the first
and last bytes for sniffing, so it feeds ``python-multipart`` directly and hashes as bytes
arrive. Memory per request stays at one network chunk plus ``head_bytes`` and up to twice
``tail_bytes`` per part.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header


def _decode(raw: bytes) -> str:
    # Browsers and httpx send UTF-8 file names raw; fall back for legacy clients.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass
class PartDigest:
    """What is kept of one multipart part."""

    index: int
    field_name: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    # The last bytes seen (at most twice the collector's tail_bytes; see `last_bytes`).
    tail: bytearray = field(default_factory=bytearray)
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def last_bytes(self, count: int) -> bytes:
        """The part's last ``count`` bytes (fewer if fewer were kept)."""
        return bytes(self.tail[-count:]) if count else b""


@dataclass
class MultipartDigest:
    """The outcome of reading a whole multipart body."""

    parts: list[PartDigest]
    extra_parts: int = 0  # parts beyond ``max_parts``: counted, not kept
    error: str | None = None  # malformed body; the stream was still read to its end


class _Collector:
    """python-multipart callbacks that fill `PartDigest` objects."""

    def __init__(self, max_parts: int, head_bytes: int, tail_bytes: int = 0) -> None:
        self.max_parts = max_parts
        self.head_bytes = head_bytes
        self.tail_bytes = tail_bytes
        self.parts: list[PartDigest] = []
        self.extra_parts = 0
        self.finished = False
        self._current: PartDigest | None = None
        self._headers: dict[bytes, bytes] = {}
        self._field = bytearray()
        self._value = bytearray()

    def on_part_begin(self) -> None:
        self._headers = {}
        if len(self.parts) < self.max_parts:
            self._current = PartDigest(index=len(self.parts))
            self.parts.append(self._current)
        else:
            self._current = None
            self.extra_parts += 1

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._field).lower().strip()] = bytes(self._value).strip()
        self._field.clear()
        self._value.clear()

    def on_headers_finished(self) -> None:
        part = self._current
        if part is None:
            return
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" in options:
            part.field_name = _decode(options[b"name"])
        if b"filename" in options:
            part.filename = _decode(options[b"filename"])
        if b"content-type" in self._headers:
            part.content_type = self._headers[b"content-type"].decode("latin-1")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current
        if part is None:
            return
        chunk = memoryview(data)[start:end]
        part.size += len(chunk)
        part._hash.update(chunk)
        missing = self.head_bytes - len(part.head)
        if missing > 0:
            part.head += chunk[:missing]
        if self.tail_bytes:
            part.tail += chunk
            if len(part.tail) > 2 * self.tail_bytes:  # trim in bulk, not on every chunk
                del part.tail[: len(part.tail) - self.tail_bytes]

    def on_end(self) -> None:
        self.finished = True


async def read_multipart(
    chunks: AsyncIterator[bytes],
    boundary: bytes,
    *,
    max_parts: int,
    head_bytes: int,
    tail_bytes: int = 0,
) -> MultipartDigest:
    """Consume the whole body, keeping digests of at most ``max_parts`` parts.

    The body is always read to its end, even when it is malformed, so the answer (an error
    status) reaches a client that is still sending instead of a reset connection.
    """
    collector = _Collector(max_parts, head_bytes, tail_bytes)
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_end",
        )
    }
    # python-multipart types its callbacks as a TypedDict our dict of bound methods matches.
    parser: MultipartParser | None = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    error: str | None = None
    async for chunk in chunks:
        if parser is None:
            continue
        try:
            parser.write(chunk)
        except FormParserError as exc:
            error, parser = f"malformed multipart body: {exc}", None
    if error is None and not collector.finished:
        error = "multipart body ended before its closing boundary"
    return MultipartDigest(collector.parts, collector.extra_parts, error)
