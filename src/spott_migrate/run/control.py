"""Steering a run from another thread: the notebook panel's buttons, Ctrl-C."""

from __future__ import annotations

import threading


class RunControl:
    """Pause, resume and cancel a run from another thread (the panel's buttons, Ctrl-C).

    All three take effect at request boundaries: a request in flight is never cut.
    """

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()

    def pause(self) -> None:
        """Send no new requests until :meth:`resume`."""
        self._running.clear()

    def resume(self) -> None:
        """Carry on after :meth:`pause`."""
        self._running.set()

    def cancel(self) -> None:
        """Stop the run: in-flight requests finish, untouched rows stay pending."""
        self._cancelled.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        """True while paused."""
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        """True once cancelled."""
        return self._cancelled.is_set()

    def wait_while_paused(self, timeout: float) -> None:
        """Block up to ``timeout`` seconds while paused."""
        self._running.wait(timeout)
