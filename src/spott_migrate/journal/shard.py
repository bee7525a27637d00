"""Splitting one manifest across machines or notebooks: ``--shard K/N``.

Rows are dealt out by their row key, so the split is the same on every machine and survives
re-sorting. Each shard keeps its own journal beside the manifest; ``merge`` folds them all into
the one manifest when every shard is done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigError
from .sidecars import shard_tag


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ConfigError(f"shard {self.index}/{self.count}: K must be between 1 and N")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` → Shard(2, 4)."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise ConfigError(f"--shard takes K/N, e.g. 2/4, not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def owns(self, row_key: str) -> bool:
        """Whether the row with this key belongs to this shard."""
        return int(row_key[:12], 16) % self.count == self.index - 1

    @property
    def tag(self) -> str:
        """The name part that tells this shard's files apart: ``shard-2-of-4``."""
        return shard_tag(self.index, self.count)
