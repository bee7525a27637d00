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
        # Set by the executor once it is paused with no request on the wire; cleared on resume.
        self._idle = threading.Event()

    def pause(self) -> None:
        """Send no new requests until :meth:`resume`."""
        self._running.clear()

    def resume(self) -> None:
        """Carry on after :meth:`pause`."""
        self._idle.clear()
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

    def mark_idle(self) -> None:
        """The executor's word: paused, and every request sent has had its answer."""
        if self.paused:
            self._idle.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the run is paused with nothing on the wire; False on timeout."""
        return self._idle.wait(timeout)

    def wait_while_paused(self, timeout: float) -> None:
        """Block up to ``timeout`` seconds while paused."""
        self._running.wait(timeout)
