"""Peak memory of one 10-file upload, streamed from disk vs read into memory first.

Each way runs in a fresh child process (`benchmarks.memory_child`), so no earlier allocation
or import of this process counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

from benchmarks.datagen import BenchFile
from benchmarks.measure import say
from benchmarks.memory_child import MODES
from benchmarks.report import INFO, Row, Section, verdict
from benchmarks.server import BenchServer

TARGET_MB = 100.0


def measure_one(server: BenchServer, mode: str, files: Sequence[BenchFile]) -> dict[str, float]:
    """Run one mode in a fresh child process and return its figures."""
    cmd = [sys.executable, "-m", "benchmarks.memory_child", mode, server.url, server.api_key]
    cmd += [str(f.path) for f in files]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode:
        raise RuntimeError(f"memory child ({mode}) failed: {done.stderr.strip()[-500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_memory(server: BenchServer, files: Sequence[BenchFile]) -> Section:
    """Every mode once; the streamed one against the target."""
    total = sum(f.size for f in files)
    batch = f"{len(files)} × {files[0].size / 1e6:g} MB batch"
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        server.reset()
        results[mode] = measure_one(server, mode, files)
        uploads = len(server.state()["uploads"])
        if uploads != len(files):
            raise RuntimeError(f"memory ({mode}): the sandbox accepted {uploads} files")
        r = results[mode]
        say(
            f"memory, {mode}: peak RSS {r['peak_mb']:.0f} MB"
            f" (before the upload {r['baseline_mb']:.0f} MB), {total / 1e6 / r['seconds']:.0f} MB/s"
        )
    streamed, in_memory, plain = (results[m] for m in MODES)
    rows = [
        Row(
            f"memory ({batch}, sparse PDFs)",
            "peak RSS, streamed (`SpottClient.upload`)",
            f"{streamed['peak_mb']:.0f} MB ({streamed['peak_mb'] - streamed['baseline_mb']:+.0f} MB"
            " over the process before the upload)",
            f"≤ {TARGET_MB:g} MB",
            verdict(streamed["peak_mb"] <= TARGET_MB),
        ),
        Row(
            f"memory ({batch}, sparse PDFs)",
            "peak RSS, read into memory first (bytes)",
            f"{in_memory['peak_mb']:.0f} MB ({in_memory['peak_mb'] / streamed['peak_mb']:.1f}× the"
            " streamed one)",
            "–",
            INFO,
        ),
        Row(
            f"memory ({batch}, sparse PDFs)",
            "peak RSS, plain httpx streamed, no spott_migrate import",
            f"{plain['peak_mb']:.0f} MB (before the upload {plain['baseline_mb']:.0f} MB)",
            "–",
            INFO,
        ),
    ]
    how = (
        "each way runs in a fresh child process (`python -m benchmarks.memory_child`) that"
        f" uploads one {batch} of sparse files (a valid PDF, then a hole made by"
        " `truncate`) to the sandbox and reports its peak RSS at the end (VmHWM of"
        " `/proc/self/status`; not `ru_maxrss`, which Linux carries over from the parent"
        " across fork and exec) and VmRSS just before the upload. The third row separates"
        " the import cost of `spott_migrate` (pandas, via the package `__init__`) from the"
        " upload's own."
    )
    return Section(f"memory ({batch})", rows, how=how)
