"""``spott-migrate index``: a local copy of what a tenant holds, and opening it for checks.

Building pages ``GET /candidates``, ``/clients`` and ``/vacancies`` (50 a page, the most the
API allows) through `SpottClient`, so the rate limit and retries are those of a run. Running it
again refreshes: each kind is listed again with ``modifiedSince`` = the newest change already
held, so only records changed since come back. A listing that was interrupted resumes from the
cursor saved with its last stored page. Records deleted in Spott cannot be seen by a refresh;
``full=True`` starts over.

Opening an index for checks refuses one made against another base URL or left unfinished
(either would report real records as missing) and warns when it is older than ``max_age``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm.auto import tqdm

from ..client import SpottClient
from ..errors import ConfigError
from .files import DEFAULT_MAX_AGE
from .records import RECORD_KINDS, RecordKind, parse_record
from .store import IndexStore, normal_base_url, parse_stamp

_PLURAL = {"candidate": "candidates", "company": "clients", "vacancy": "vacancies"}


class IndexProgress(Protocol):
    """What building an index tells whoever is watching."""

    def start(self, kind: RecordKind, resumed: bool, incremental: bool) -> None:
        """Listing ``kind`` begins (again after an interruption, or only changes)."""

    def page(self, kind: RecordKind, records: int) -> None:
        """One more page of ``records`` records was stored."""

    def close(self) -> None:
        """The build is over."""


class NullIndexProgress:
    """Reports nothing."""

    def start(self, kind: RecordKind, resumed: bool, incremental: bool) -> None:
        pass

    def page(self, kind: RecordKind, records: int) -> None:
        pass

    def close(self) -> None:
        pass


class TqdmIndexProgress:
    """One tqdm bar per kind: records stored, with the pages in the postfix."""

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self._kwargs = tqdm_kwargs
        self._bar: Any = None
        self._pages = 0

    def start(self, kind: RecordKind, resumed: bool, incremental: bool) -> None:
        self.close()
        how = " (resumed)" if resumed else " (changes only)" if incremental else ""
        self._bar = tqdm(desc=f"{_PLURAL[kind]}{how}", unit=" records", **self._kwargs)
        self._pages = 0

    def page(self, kind: RecordKind, records: int) -> None:
        self._pages += 1
        if self._bar is not None:
            self._bar.update(records)
            self._bar.set_postfix(pages=self._pages, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@dataclass
class IndexResult:
    """What one ``index`` run did."""

    path: Path
    base_url: str
    pages: dict[str, int] = field(default_factory=dict)
    records_seen: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)
    incremental: list[str] = field(default_factory=list)
    requests_sent: int = 0


def build_index(
    path: str | Path,
    client: SpottClient,
    *,
    full: bool = False,
    kinds: Sequence[RecordKind] = RECORD_KINDS,
    progress: IndexProgress | None = None,
) -> IndexResult:
    """Create, refresh or resume the index at ``path`` from the tenant ``client`` talks to.

    Raises :class:`ConfigError` when ``path`` holds an index of another base URL (unless
    ``full``, which empties it first). API errors propagate; what was stored stays, and the
    next call resumes there.
    """
    progress = progress or NullIndexProgress()
    base_url = normal_base_url(client.base_url)
    target = Path(path)
    before = client.requests_sent
    with IndexStore(target, writable=True) as store:
        if full:
            store.clear()
        held = store.base_url
        if held is None:
            store.start(base_url)
        elif held != base_url:
            raise ConfigError(
                f"{target} is an index of {held}, not {base_url}; give another --output, or"
                " pass --full to rebuild it for this tenant"
            )
        result = IndexResult(target, base_url)
        try:
            for kind in kinds:
                _list_kind(store, client, kind, result, progress)
        finally:
            progress.close()
            result.counts = {str(k): n for k, n in store.counts().items()}
            result.requests_sent = client.requests_sent - before
    return result


def _list_kind(
    store: IndexStore,
    client: SpottClient,
    kind: RecordKind,
    result: IndexResult,
    progress: IndexProgress,
) -> None:
    state = store.scan(kind)
    if state is not None and not state.done and state.pages and state.cursor is None:
        store.finish_scan(kind)  # its last page was stored; only the mark was lost
        state = store.scan(kind)
    if state is not None and not state.done:
        since, cursor = state.since, state.cursor
        result.resumed.append(kind)
    else:
        since = state.high_water if state is not None else None
        cursor = None
        store.begin_scan(kind, since)
        if since:
            result.incremental.append(kind)
    progress.start(kind, resumed=kind in result.resumed, incremental=bool(since))
    pages = seen = 0
    for page in client.record_pages(kind, modified_since=since, cursor=cursor):
        records = [r for r in (parse_record(kind, item) for item in page.items) if r]
        store.save_page(kind, records, page.next_cursor if page.has_next else None)
        pages += 1
        seen += len(records)
        progress.page(kind, len(records))
    store.finish_scan(kind)
    result.pages[kind] = pages
    result.records_seen[kind] = seen


@dataclass
class TenantIndex:
    """A finished index opened for look-ups: what validation and resolution consult."""

    store: IndexStore
    refreshed_at: dt.datetime
    warnings: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def label(self) -> str:
        when = self.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")
        return f"the Spott index {self.path.name} (refreshed {when})"

    def unknown(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` no record of ``kind`` in the index has."""
        return self.store.unknown(_kind(kind), ids)

    def holds(self, kind: str, record_id: str) -> bool:
        return self.store.holds(_kind(kind), record_id)

    def candidates_with_email(self, email: str) -> list[str]:
        return self.store.candidates_with_email(email)

    def candidates_with_phone(self, phone: str) -> list[str]:
        return self.store.candidates_with_phone(phone)

    def records_with_attribute(self, kind: str, label: str, value: str) -> list[str]:
        return self.store.records_with_attribute(_kind(kind), label, value)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> TenantIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kind(kind: str) -> RecordKind:
    if kind not in RECORD_KINDS:
        raise ValueError(f"kind must be one of {', '.join(RECORD_KINDS)}")
    return kind


def refresh_command(path: Path, base_url: str) -> str:
    """The command that refreshes the index at ``path`` for ``base_url``."""
    return f"spott-migrate index --base-url {base_url} --output {path}"


def open_index(
    path: str | Path,
    base_url: str,
    *,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    now: dt.datetime | None = None,
) -> TenantIndex:
    """Open a finished index made against ``base_url``; its ``warnings`` say if it is old.

    Raises :class:`ConfigError` for a file that is not an index, one of another base URL, and
    one whose listing did not finish.
    """
    store = IndexStore(path)
    try:
        wanted = normal_base_url(base_url)
        command = refresh_command(store.path, wanted)
        if store.base_url != wanted:
            raise ConfigError(
                f"the Spott index {store.path} was made against {store.base_url}, not {wanted}"
                f" (pass --base-url {store.base_url} if that is the tenant you mean); its ids"
                f" are another tenant's. Build one for this tenant ({command}) or run without"
                " it (--no-index)"
            )
        scans = store.scans()
        unfinished = [_PLURAL[k] for k in RECORD_KINDS if k not in scans or not scans[k].done]
        if unfinished:
            raise ConfigError(
                f"the Spott index {store.path} is unfinished (listing {', '.join(unfinished)}"
                f" did not complete); finish it: {command}"
            )
        finished = min(parse_stamp(s.finished_at or s.started_at) for s in scans.values())
    except BaseException:
        store.close()
        raise
    index = TenantIndex(store, finished)
    age = (now or dt.datetime.now(dt.UTC)) - finished
    if age > max_age:
        index.warnings.append(
            f"the Spott index {store.path} is {_age_text(age)} old; records created in Spott since"
            f" would be reported as target_not_found. Refresh it: {command}"
        )
    return index


def _age_text(age: dt.timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.0f} hours"
    return f"{hours / 24:.0f} days"
