"""Which files a check must hash: only those that could be content duplicates.

Two rows that send different paths to the same record are the same attachment twice when the
files' contents are equal; that needs a digest, but only where the sizes agree too. Sizes come
from the probe's stat pass, so the files to hash are named before the read pass, which then
reads each of them once for both the content check and the digest.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .journal import Entry, JournalView, State
from .manifest import Manifest
from .manifest import schema as s
from .probe import Found, ProbeTable, hash_files

_KEYS = [*s.TARGET_COLUMNS, "_size"]


class SameSizeFiles:
    """Which files must be hashed: those that could be content duplicates (same record, same
    size, another path). Rows assigned before count too, with the size their journal kept
    from the upload. Shown the probe table after its stat pass (see ``probe_paths``)."""

    def __init__(
        self,
        manifest: Manifest,
        todo: np.ndarray,
        positions: Sequence[int] | np.ndarray,
        entries: Mapping[str, Entry],
    ) -> None:
        self.manifest, self.todo, self.entries = manifest, todo, entries
        self.where = np.asarray(positions, dtype=np.int64)
        self.earlier: list[str] = []  # paths of assigned rows to hash (they are not probed)

    def __call__(self, table: ProbeTable) -> set[int]:
        rows, where = self.manifest.rows, self.where
        size = np.full(len(where), -1, dtype=np.int64)
        has = where >= 0
        found = table.found[where[has]]
        size[has] = np.where(found == Found.FILE, table.size[where[has]], -1)
        ids = {c: rows[c].to_numpy()[self.todo] for c in s.TARGET_COLUMNS}
        has_target = np.zeros(len(where), dtype=bool)
        for column in ids.values():
            has_target |= column != ""
        ok = (size > 0) & has_target
        if not ok.any():
            return set()
        todo = pd.DataFrame({c: v[ok] for c, v in ids.items()}).assign(
            _size=size[ok], _at=where[ok], _todo=True
        )
        suspects = todo[todo.duplicated(_KEYS, keep=False)]
        journal = JournalView.of(self.entries).frame
        assigned = journal[(journal["state"] == State.ASSIGNED.value) & journal["size"].notna()]
        sized = {k: int(v) for k, v in zip(assigned.index, assigned["size"], strict=True) if v}
        if sized:
            earlier = rows[rows[s.ROW_KEY].isin(sized.keys()) & (rows[s.FILE_PATH] != "")]
            earlier = earlier[list(s.TARGET_COLUMNS)].assign(
                _size=earlier[s.ROW_KEY].map(sized).astype(np.int64),
                _path=earlier[s.FILE_PATH],
                _todo=False,
            )
            # Only those that share a record and a size with a row to do.
            index = todo.set_index(_KEYS).index
            earlier = earlier[earlier.set_index(_KEYS).index.isin(index)]
            if len(earlier):
                partners = todo[index.isin(earlier.set_index(_KEYS).index)]
                suspects = pd.concat([suspects, partners]).drop_duplicates("_at")
                earlier = earlier.assign(_path=self.manifest.path_texts(earlier["_path"].tolist()))
        else:
            earlier = None
        if suspects.empty and earlier is None:
            return set()
        suspects = suspects.assign(_path=[table.paths[i] for i in suspects["_at"]])
        both = pd.concat([suspects, earlier]) if earlier is not None else suspects
        grouped = both.groupby(_KEYS, sort=False).agg(
            paths=("_path", "nunique"), todo=("_todo", "any")
        )
        chosen = grouped[(grouped["paths"] > 1) & grouped["todo"]].index
        picked = both[both.set_index(_KEYS).index.isin(chosen)]
        self.earlier = sorted(set(picked.loc[~picked["_todo"].astype(bool), "_path"]))
        return {int(i) for i in picked.loc[picked["_todo"].astype(bool), "_at"]}

    def content(self, table: ProbeTable) -> dict[str, str]:
        """Digests by file identity: the probe's, and those of the assigned rows' files."""
        at = sorted(table.digests)
        identities = self.manifest.identities([table.paths[i] for i in at])
        content = {ident: table.digests[i] for ident, i in zip(identities, at, strict=True)}
        if self.earlier:
            digests = hash_files(Path(p) for p in self.earlier)
            content.update({os.path.normpath(p): h for p, h in digests.items()})
        return content
