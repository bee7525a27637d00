"""Progress reporting as a small protocol, so the terminal, the notebook and tests can listen.

``TqdmProgress`` draws two bars (files and bytes) with ``tqdm.auto``, which picks the notebook
widget or the terminal bar by itself; ``NullProgress`` listens to nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

from tqdm.auto import tqdm


class Progress(Protocol):
    """What the executor tells whoever is watching."""

    def start(self, files: int, total_bytes: int) -> None:
        """The run is about to send ``files`` files, ``total_bytes`` bytes in all."""

    def advance_bytes(self, n: int) -> None:
        """``n`` more bytes went out (negative: a failed attempt's bytes are taken back)."""

    def file_done(self, status: str, code: str | None = None) -> None:
        """One file reached a final status this run (``assigned`` or ``failed``)."""

    def close(self) -> None:
        """The run is over."""


class NullProgress:
    """Reports nothing."""

    def start(self, files: int, total_bytes: int) -> None:
        pass

    def advance_bytes(self, n: int) -> None:
        pass

    def file_done(self, status: str, code: str | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class TqdmProgress:
    """Two tqdm bars: files (with counts per status) and bytes (with rate and ETA)."""

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self._kwargs = tqdm_kwargs
        self._files: Any = None
        self._bytes: Any = None
        self._counts: dict[str, int] = {}

    def start(self, files: int, total_bytes: int) -> None:
        self._files = tqdm(total=files, desc="files", unit="file", position=0, **self._kwargs)
        self._bytes = tqdm(
            total=total_bytes,
            desc="bytes",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            position=1,
            **self._kwargs,
        )

    def advance_bytes(self, n: int) -> None:
        if self._bytes is not None:
            self._bytes.update(n)

    def file_done(self, status: str, code: str | None = None) -> None:
        self._counts[status] = self._counts.get(status, 0) + 1
        if self._files is not None:
            self._files.update(1)
            self._files.set_postfix(self._counts, refresh=False)

    def close(self) -> None:
        for bar in (self._files, self._bytes):
            if bar is not None:
                bar.close()
