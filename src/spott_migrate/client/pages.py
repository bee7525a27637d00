"""Cursor pagination, the style of ``GET /candidates``, ``/clients`` and ``/vacancies``.

Each answer is ``{"items": [...], "pageInfo": {"nextCursor", "hasNextPage"}}``; the next page
is asked for with ``cursor=<nextCursor>``. (``GET /attachments`` pages by number instead; see
``SpottClient.list_attachments``.) A page that does not have this shape is an error, not an
empty page: an index built from a misread answer would report real records as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import OutcomeUnknownError


@dataclass(frozen=True)
class CursorPage:
    """One page of a cursor list: its items, and the cursor that continues after it."""

    items: list[dict[str, Any]]
    # The cursor this page was asked for with (None: the first page).
    cursor: str | None
    next_cursor: str | None
    has_next: bool


def parse_cursor_page(body: Any, cursor: str | None, what: str) -> CursorPage:
    """Read one answer; raise :class:`OutcomeUnknownError` when it is not a cursor page."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise OutcomeUnknownError(f"{what}: the answer has no list of items")
    items = body["items"]
    if not all(isinstance(item, Mapping) for item in items):
        raise OutcomeUnknownError(f"{what}: an item of the answer is not an object")
    info = body.get("pageInfo")
    if not isinstance(info, Mapping):
        info = {}
    next_cursor = info.get("nextCursor")
    if next_cursor is not None and not isinstance(next_cursor, str):
        next_cursor = str(next_cursor)
    has_next = bool(info.get("hasNextPage")) and bool(next_cursor)
    if info.get("hasNextPage") and not next_cursor:
        raise OutcomeUnknownError(f"{what}: hasNextPage is true but there is no nextCursor")
    if has_next and next_cursor == cursor:
        raise OutcomeUnknownError(f"{what}: the cursor did not move on")
    return CursorPage([dict(i) for i in items], cursor, next_cursor or None, has_next)
