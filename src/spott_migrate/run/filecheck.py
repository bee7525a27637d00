"""Is the file still the one the check approved? Asked just before it is sent.

An export still being copied, a share being synced, a user tidying folders: between the check
and the upload a file can change, vanish or lose its permissions. Sending it anyway would
assign bytes nobody checked, so a changed file fails its own row and the run goes on.
"""

from __future__ import annotations

import os

from ..codes import Code
from ..errors import FileChangedError
from ..jobs import FileJob


def changed_since_check(job: FileJob) -> FileChangedError | None:
    """Why ``job``'s file can no longer be sent as checked, or None when it still can."""
    try:
        info = os.stat(job.path)
    except FileNotFoundError:
        return FileChangedError(
            f"{job.path.name} was removed after the check", path=job.path, code=Code.FILE_MISSING
        )
    except OSError as exc:
        return FileChangedError(
            f"cannot read {job.path.name}: {exc.strerror or exc}",
            path=job.path,
            code=Code.FILE_UNREADABLE,
        )
    if info.st_size != job.size:
        return FileChangedError(
            f"{job.path.name} changed after the check ({job.size} bytes then, "
            f"{info.st_size} now); check it and re-run",
            path=job.path,
        )
    if job.mtime_ns and info.st_mtime_ns != job.mtime_ns:
        return FileChangedError(
            f"{job.path.name} was modified after the check; check it and re-run", path=job.path
        )
    return None
