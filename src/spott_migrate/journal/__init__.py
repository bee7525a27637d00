"""What a run remembers on disk beside the manifest: the per-row journal, the lock, shard names.

The journal (SQLite) is the truth about every row; the workbook's result columns are a view of
it. Every file kept beside the manifest is named in :mod:`.sidecars`.
"""

from .columns import JournalView, read_journals
from .lock import ManifestLock
from .shard import Shard
from .sidecars import journal_path, journal_paths, lock_path
from .store import Entry, Journal, State, load_entries, merge_entries, utc_now

__all__ = [
    "Entry",
    "Journal",
    "JournalView",
    "ManifestLock",
    "Shard",
    "State",
    "journal_path",
    "journal_paths",
    "load_entries",
    "lock_path",
    "merge_entries",
    "read_journals",
    "utc_now",
]
