"""Writes of several threads made durable together: fewer syncs, and no caller returns before
its own rows are written (or without the error of the write that carried them)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from spott_migrate.journal.groupsync import GroupSync


def test_threads_that_wait_share_one_write_and_return_only_once_written() -> None:
    written: list[list[int]] = []
    durable: set[int] = set()

    def slow_write(rows: Sequence[int]) -> None:
        time.sleep(0.02)  # a sync to disk
        written.append(list(rows))
        durable.update(rows)

    group: GroupSync[int] = GroupSync(slow_write)
    early: list[int] = []

    def worker(n: int) -> None:
        group.write([n, n + 1000])
        if not {n, n + 1000} <= durable:
            early.append(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert early == []
    assert sorted(r for batch in written for r in batch) == sorted([*range(16), *range(1000, 1016)])
    assert len(written) < 16  # shared: at most one write under way, the rest waited for it


def test_a_failed_write_fails_every_caller_it_carried_and_the_next_goes_on() -> None:
    calls: list[list[int]] = []
    gate = threading.Event()

    def write(rows: Sequence[int]) -> None:
        calls.append(list(rows))
        if len(calls) == 1:
            gate.wait(5)  # the others pile up behind the first write
            return
        if len(calls) == 2:
            raise OSError("disk full")

    group: GroupSync[int] = GroupSync(write)
    outcomes: dict[int, str] = {}

    def worker(n: int) -> None:
        try:
            group.write([n])
        except OSError as exc:
            outcomes[n] = str(exc)
        else:
            outcomes[n] = "ok"

    first = threading.Thread(target=worker, args=(0,))
    first.start()
    while not calls:
        time.sleep(0.001)
    rest = [threading.Thread(target=worker, args=(n,)) for n in range(1, 6)]
    for thread in rest:
        thread.start()
    time.sleep(0.05)  # all of them waiting behind the first write
    gate.set()
    for thread in [first, *rest]:
        thread.join()
    assert calls[0] == [0] and sorted(calls[1]) == [1, 2, 3, 4, 5]
    assert outcomes == {0: "ok", **{n: "disk full" for n in range(1, 6)}}
    group.write([9])  # a later write is not refused for an earlier failure
    assert calls[-1] == [9]


def test_one_thread_alone_writes_its_own_rows() -> None:
    calls: list[list[str]] = []
    group: GroupSync[str] = GroupSync(lambda rows: calls.append(list(rows)))
    group.write(["a"])
    group.write(["b", "c"])
    assert calls == [["a"], ["b", "c"]]
    with pytest.raises(ZeroDivisionError):
        GroupSync(lambda rows: 1 / 0).write([1])
