"""Named places where a test can make the process die hard, to prove recovery works.

Set ``SPOTT_MIGRATE_CRASH_AT=after_upload:3`` and the third time the run passes
``crash_point("after_upload")`` the process exits at once with code 137, as if killed: no
``finally`` blocks, no flushing. The variable is read once per process (tests set it for the
child they start); unset, the normal case, a crash point costs one cached call.
"""

from __future__ import annotations

import functools
import os
import threading

ENV = "SPOTT_MIGRATE_CRASH_AT"
EXIT_CODE = 137
_hits: dict[str, int] = {}
_lock = threading.Lock()


@functools.cache
def _target() -> tuple[str, int] | None:
    spec = os.environ.get(ENV, "")
    name, _, count = spec.partition(":")
    if not name:
        return None
    return name, int(count or 1)


def crash_point(name: str) -> None:
    """Exit hard here if the environment asks for it."""
    target = _target()
    if target is None or target[0] != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        if _hits[name] >= target[1]:
            os._exit(EXIT_CODE)
