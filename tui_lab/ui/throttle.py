"""Run a screen update at most once per interval, however often it is asked for."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Throttle:
    """Call `callback` at most once every `interval` seconds.

    A request right after the last call is held back. The requests made while one
    is held back fold into a single call at the end of the interval. Fast training
    requests an update every epoch, five or more times a second, and each update
    repaints a pane: over SSH that is bytes nobody can read.
    """

    def __init__(self, owner: MessagePump, interval: float, callback: Callable[[], None]) -> None:
        self.owner = owner
        self.interval = interval
        self.callback = callback
        self._last_call = -interval
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """Whether a call is held back until the interval ends."""
        return self._timer is not None

    def request(self) -> None:
        """Call now if the interval has passed since the last call, else once it has."""
        if self._timer is not None:
            return
        waited = time.monotonic() - self._last_call
        if waited >= self.interval:
            self._call()
        else:
            self._timer = self.owner.set_timer(self.interval - waited, self._call)

    def flush(self) -> None:
        """Make a held-back call now."""
        if self._timer is not None:
            self._timer.stop()
            self._call()

    def cancel(self) -> None:
        """Drop a held-back call."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _call(self) -> None:
        self._timer = None
        self._last_call = time.monotonic()
        self.callback()
