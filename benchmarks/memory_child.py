"""The child process of the memory benchmark: one upload, then its memory figures as JSON.

    python -m benchmarks.memory_child MODE URL API_KEY FILE...

Imports only the standard library and httpx up front; ``streamed`` imports spott_migrate.
Prints one JSON line: peak RSS (VmHWM) at the end, RSS just before the upload (after
imports and client set-up), and the upload's seconds.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

UPLOAD_PATH = "/attachments/temporary"
MODES = {
    "streamed": "spott-migrate `SpottClient.upload` (file objects, streamed)",
    "bytes": "the same request with each file read into `bytes` first",
    "httpx-streamed": "plain `httpx.Client` with file objects, without importing spott_migrate",
}


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory line in MB (0 where there is no /proc)."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """Peak RSS of this program: VmHWM, else ``ru_maxrss``.

    ``ru_maxrss`` is not used first: Linux carries the parent's peak into it across fork and
    exec, so a child of a 100 MB parent reports at least 100 MB whatever it does itself.
    """
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, url: str, key: str, paths: list[Path]) -> dict[str, float]:
    """Upload ``paths`` as one CV batch the way ``mode`` says; report memory figures."""
    import httpx

    mime = "application/pdf"
    if mode == "streamed":
        from spott_migrate import Settings, SpottClient
        from spott_migrate.client import UploadPart

        settings = Settings(base_url=url, api_key=key, requests_per_minute=1e7)
        parts = [UploadPart(p.name, p, mime) for p in paths]
        with SpottClient(settings=settings) as client:
            baseline, started = _status_mb("VmRSS"), time.perf_counter()
            client.upload("CV", parts)
    else:
        with (
            httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=300) as http,
            ExitStack() as stack,
        ):
            baseline, started = _status_mb("VmRSS"), time.perf_counter()
            files = [
                (
                    "files",
                    (
                        p.name,
                        p.read_bytes() if mode == "bytes" else stack.enter_context(p.open("rb")),
                        mime,
                    ),
                )
                for p in paths
            ]
            http.post(UPLOAD_PATH, params={"type": "CV"}, files=files).raise_for_status()
    seconds = time.perf_counter() - started
    return {"peak_mb": peak_rss_mb(), "baseline_mb": baseline, "seconds": seconds}


def main(argv: Sequence[str]) -> int:
    if len(argv) < 4 or argv[0] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, key, *paths = argv
    print(json.dumps(_child(mode, url, key, [Path(p) for p in paths])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
