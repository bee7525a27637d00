"""Measuring one run: wall clock, this process's CPU and the sandbox's CPU; medians of runs."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

_T0 = time.perf_counter()


def say(message: str) -> None:
    """One progress line on the terminal, stamped with seconds since start."""
    print(f"[{time.perf_counter() - _T0:7.1f} s] {message}", file=sys.stderr, flush=True)


def process_cpu() -> float:
    """User + system CPU seconds of this process, every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Sample:
    """One measured run."""

    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    files: int = 0
    bytes: int = 0
    requests: int = 0
    # spott-migrate only: the run phase (upload + assign) without read, validate, write-back.
    run_seconds: float = 0.0

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0


@contextmanager
def measured(server_cpu: Callable[[], float]) -> Iterator[Sample]:
    """Time the block; fill the yielded sample's seconds and CPU figures when it ends."""
    sample = Sample()
    s0, c0, t0 = server_cpu(), process_cpu(), time.perf_counter()
    try:
        yield sample
    finally:
        sample.seconds = time.perf_counter() - t0
        sample.client_cpu = process_cpu() - c0
        sample.server_cpu = server_cpu() - s0


@dataclass
class Series:
    """Repeated samples of one client on one workload."""

    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def median(self, attr: str) -> float:
        values = [float(getattr(s, attr)) for s in self.samples]
        return statistics.median(values) if values else 0.0

    @property
    def files_per_s(self) -> float:
        return self.median("files_per_s")

    @property
    def mb_per_s(self) -> float:
        return self.median("mb_per_s")

    def cpu_ms_per_file(self, which: str) -> float:
        """Median CPU milliseconds per file, ``which`` = ``client_cpu`` or ``server_cpu``."""
        per = [getattr(s, which) / s.files * 1000 for s in self.samples if s.files]
        return statistics.median(per) if per else 0.0


def ratio(a: float, b: float) -> float:
    """a / b, or 0 when b is 0."""
    return a / b if b else 0.0


def spread(values: Sequence[float]) -> str:
    """min–max of a few values, for the notes."""
    return f"{min(values):.0f}–{max(values):.0f}" if values else "–"
