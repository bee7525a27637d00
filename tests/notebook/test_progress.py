"""LiveProgress: counts from many threads, throttled updates, an ETA that ignores pauses."""

from __future__ import annotations

import inspect
import threading

from spott_migrate.notebook import LiveProgress, ProgressSnapshot
from spott_migrate.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_is_a_progress() -> None:
    """LiveProgress has every method of the Progress protocol, with the same parameters."""
    members = [n for n in vars(Progress) if not n.startswith("_")]
    assert members == ["start", "advance_bytes", "file_done", "close"]
    for name in members:
        ours, theirs = getattr(LiveProgress, name), getattr(Progress, name)
        assert inspect.signature(ours) == inspect.signature(theirs), name


def test_counts_per_status_and_code_from_many_threads() -> None:
    progress = LiveProgress()
    progress.start(400, 400_000)

    def work() -> None:
        for i in range(100):
            progress.advance_bytes(1000)
            progress.file_done(
                "failed" if i % 10 == 0 else "assigned", "x" if i % 10 == 0 else None
            )

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = progress.snapshot()
    assert snap.files_done == 400 and snap.bytes_sent == 400_000
    assert dict(snap.by_status) == {"assigned": 360, "failed": 40}
    assert dict(snap.by_code) == {"x": 40}


def test_updates_are_throttled_but_start_and_close_always_sent() -> None:
    clock = Clock()
    seen: list[ProgressSnapshot] = []
    progress = LiveProgress(seen.append, min_interval=0.5, clock=clock)
    progress.start(3, 300)
    for _ in range(3):
        progress.advance_bytes(100)  # same instant: only the start went out
    assert len(seen) == 1
    clock.now += 0.6
    progress.file_done("assigned")
    assert len(seen) == 2 and seen[-1].files_done == 1
    progress.close()
    assert seen[-1].finished and seen[-1].bytes_sent == 300


def test_eta_from_pace_and_pause_not_counted() -> None:
    clock = Clock()
    progress = LiveProgress(clock=clock)
    progress.start(10, 1000)
    assert progress.snapshot().eta_seconds is None  # no pace yet
    clock.now += 10
    for _ in range(5):
        progress.advance_bytes(100)
        progress.file_done("assigned")
    snap = progress.snapshot()
    assert snap.fraction == 0.5 and snap.eta_seconds == 10.0
    assert snap.bytes_per_second == 50.0
    progress.pause()
    clock.now += 1000
    assert progress.snapshot().paused and progress.snapshot().elapsed == 10.0
    progress.resume()
    clock.now += 10
    assert progress.snapshot().elapsed == 20.0
    progress.close()
    assert progress.snapshot().eta_seconds == 0.0


def test_retried_bytes_taken_back_never_below_zero() -> None:
    progress = LiveProgress()
    progress.start(1, 100)
    progress.advance_bytes(80)
    progress.advance_bytes(-200)
    assert progress.snapshot().bytes_sent == 0


def test_a_held_back_update_is_sent_when_the_interval_is_over() -> None:
    seen: list[ProgressSnapshot] = []
    done = threading.Event()

    def record(snap: ProgressSnapshot) -> None:
        seen.append(snap)
        if snap.files_done == 2:
            done.set()

    progress = LiveProgress(record, min_interval=0.05)
    progress.start(2, 0)
    progress.file_done("assigned")  # both within the interval: held back…
    progress.file_done("assigned")
    assert done.wait(2), "the last count was never shown"  # …then sent without a new event
