"""`tui-lab` running in a pseudo-terminal, with the screen texts the benchmarks wait for."""

from __future__ import annotations

import os
import tempfile
import time

from benchmarks.setups import app_command
from benchmarks.terminal import Terminal

FOOTER_HINT = "t Train"
"""A footer key hint; it is drawn with the first complete frame."""

ENGINE_READY = "ready (loaded in"
"""Status line text once the engine child has imported TensorFlow."""

STOPPED = "stopped by you"
"""Status line text after a training that the stop key ended."""

ENGINE_TIMEOUT = 120.0
"""Seconds to wait for TensorFlow to load; generous because other jobs share the 2 cores."""


class AppSession:
    """One `tui-lab` process in a pty of `columns` x `lines`."""

    def __init__(self, arguments: list[str], columns: int = 80, lines: int = 24,
                 env: dict[str, str] | None = None) -> None:
        # Without `env`, the app keeps its run history and autosave in a directory of its
        # own, so the user's runs stay untouched and no notice about them covers the screen.
        self.home: tempfile.TemporaryDirectory[str] | None = None
        if env is None:
            self.home = tempfile.TemporaryDirectory(prefix="tui-lab-bench-")
            env = {**os.environ, "XDG_DATA_HOME": self.home.name, "XDG_STATE_HOME": self.home.name}
        self.terminal = Terminal(app_command(*arguments), columns, lines, env=env)

    def wait_first_frame(self, layer_text: str, timeout: float = 30.0) -> float:
        """Wait until the footer hints and `layer_text` (from the layer stack) are both drawn.

        Returns the seconds from starting the command until the output that completed
        that frame was read from the pty.
        """
        hints = self.terminal.written_at(FOOTER_HINT, timeout)
        layers = self.terminal.written_at(layer_text, timeout)
        return max(hints, layers) - self.terminal.started

    def wait_engine_ready(self) -> float:
        """Wait until the status line shows that TensorFlow is ready; return seconds since the start."""
        return self.terminal.wait_for(ENGINE_READY, ENGINE_TIMEOUT)

    def start_training(self, first_epoch_timeout: float = 60.0) -> float:
        """Press t and wait until the first epoch is drawn; return the seconds that took."""
        start = time.perf_counter()
        self.terminal.send("t")
        self.terminal.wait_for("Epoch 1/", first_epoch_timeout)
        return time.perf_counter() - start

    def wait_for_epoch(self, epoch: int, timeout: float = 120.0) -> None:
        """Wait until the progress line shows `epoch`."""
        self.terminal.wait_for(f"Epoch {epoch}/", timeout)

    def send_and_wait(self, keys: str, needle: str, timeout: float = 10.0) -> float:
        """Send `keys` and return the seconds until the app wrote the output that shows `needle`."""
        start = time.perf_counter()
        self.terminal.send(keys)
        return self.terminal.written_at(needle, timeout) - start

    def quit(self, timeout: float = 10.0) -> float:
        """Press q and return the seconds until the process exits."""
        start = time.perf_counter()
        self.terminal.send("q")
        self.terminal.wait_exit(timeout)
        return time.perf_counter() - start

    def close(self) -> None:
        """End the process if it still runs (SIGTERM, then SIGKILL), and remove its own directory."""
        self.terminal.close()
        if self.home is not None:
            self.home.cleanup()
