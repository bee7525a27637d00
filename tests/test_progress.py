"""The progress bars' ETA comes from the run's measured rate over the last seconds."""

from __future__ import annotations

import io

import pytest
from tqdm import tqdm

from spott_migrate.progress import RATE_WINDOW_SECONDS, RateMeter, TqdmProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_rate_before_the_run_has_a_pace() -> None:
    clock = Clock()
    meter = RateMeter(clock=clock)
    meter.add(5)
    clock.now += 1
    assert meter.rate() is None
    clock.now += 1
    assert meter.rate() == pytest.approx(2.5)  # 5 in the first 2 s


def test_the_rate_is_that_of_the_last_seconds_not_the_average() -> None:
    clock = Clock()
    meter = RateMeter(clock=clock)
    for _ in range(600):  # 10 a second for a minute
        clock.now += 0.1
        meter.add(1)
    assert meter.rate() == pytest.approx(10, rel=0.02)
    for _ in range(20):  # then the server makes the run slow to 1 a second
        clock.now += 1
        meter.add(1)
    assert meter.rate() == pytest.approx(1, rel=0.1)  # the average would still say 8.5


def test_bytes_taken_back_count_against_the_rate() -> None:
    clock = Clock()
    meter = RateMeter(clock=clock)
    clock.now += 3
    meter.add(3000)
    meter.add(-1000)  # a failed attempt's bytes
    assert meter.rate() == pytest.approx(2000 / 3)


def test_the_files_bar_shows_the_eta_at_the_measured_rate() -> None:
    clock = Clock()
    out = io.StringIO()
    progress = TqdmProgress(clock=clock, file=out, mininterval=0)
    progress.start(files=200, total_bytes=200_000)
    for _ in range(100):  # 5 files a second for 20 s
        clock.now += 0.2
        progress.advance_bytes(1000)
        progress.file_done("assigned")
    assert progress.eta_seconds() == pytest.approx(100 / 5, rel=0.05)
    for _ in range(int(RATE_WINDOW_SECONDS)):  # then one a second
        clock.now += 1
        progress.file_done("assigned")
    eta = progress.eta_seconds()
    assert eta == pytest.approx(85 / 1, rel=0.1)
    assert eta is not None
    assert tqdm.format_interval(eta) in str(progress._files)  # what the bar shows
    progress.close()
    assert "files" in out.getvalue()


def test_before_start_there_is_no_eta() -> None:
    assert TqdmProgress(file=io.StringIO()).eta_seconds() is None
