"""A pseudo-terminal harness: run `tui-lab` as a user's terminal would, and watch the screen.

The child gets a real pty of a given size. Everything it writes is timestamped, counted
and fed to a `pyte` screen, so a script can wait until a text is on screen, send keys
and time how long the screen takes to change.
"""

from __future__ import annotations

import os
import pty
import queue
import select
import signal
import struct
import sys
import fcntl
import termios
import threading
import time
from collections.abc import Sequence

import pyte


class Terminal:
    """A command running in a pseudo-terminal of `columns` x `lines`, with a rendered screen."""

    def __init__(self, command: Sequence[str], columns: int = 80, lines: int = 24,
                 env: dict[str, str] | None = None) -> None:
        self.columns = columns
        self.lines = lines
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.chunks: list[tuple[float, int]] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.started = time.perf_counter()
        self.last_arrival = self.started
        """When the latest output was read from the pty, before pyte parsed it."""

        environment = dict(os.environ if env is None else env)
        environment.setdefault("TERM", "xterm-256color")
        environment["COLUMNS"] = str(columns)
        environment["LINES"] = str(lines)

        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(command[0], list(command), environment)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        # Reading and parsing run in two threads, so a chunk is stamped when it arrives
        # even while pyte still parses the one before. A short switch interval lets the
        # reader take the GIL from the parser within a millisecond.
        sys.setswitchinterval(0.001)
        self.received: queue.SimpleQueue[tuple[float, bytes] | None] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.parser = threading.Thread(target=self._parse, daemon=True)
        self.reader.start()
        self.parser.start()

    def _read(self) -> None:
        try:
            while True:
                try:
                    ready, _, _ = select.select([self.fd], [], [], 0.5)
                    if not ready:
                        if self._exited():
                            return
                        continue
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                arrived = time.perf_counter()
                with self.lock:
                    self.chunks.append((arrived, len(data)))
                self.received.put((arrived, data))
        finally:
            self.received.put(None)

    def _parse(self) -> None:
        while (chunk := self.received.get()) is not None:
            arrived, data = chunk
            with self.changed:
                self.stream.feed(data)
                self.last_arrival = arrived
                self.changed.notify_all()

    def _exited(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return pid == self.pid

    def text(self) -> str:
        """Return the screen as it is now, one line per row."""
        with self.lock:
            return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30.0) -> float:
        """Wait until `needle` is on screen; return the seconds since the command started."""
        self.written_at(needle, timeout)
        return time.perf_counter() - self.started

    def written_at(self, needle: str, timeout: float = 30.0) -> float:
        """Wait until `needle` is on screen; return when the output that drew it was read.

        The result is a `time.perf_counter()` reading taken as the bytes arrived, so it
        leaves out the time pyte takes to parse them, which is this tool's cost and
        not the app's.
        """
        deadline = time.perf_counter() + timeout
        with self.changed:
            while needle not in "\n".join(self.screen.display):
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"{needle!r} did not appear within {timeout} s")
                self.changed.wait(remaining)
            return self.last_arrival

    def wait_for_change(self, before: str, timeout: float = 5.0) -> float:
        """Wait until the screen differs from `before`; return the seconds waited."""
        start = time.perf_counter()
        deadline = start + timeout
        with self.changed:
            while "\n".join(self.screen.display) == before:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"the screen did not change within {timeout} s")
                self.changed.wait(remaining)
        return time.perf_counter() - start

    def send(self, keys: str | bytes) -> None:
        """Write keys to the terminal as typed."""
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def bytes_between(self, start: float, end: float) -> int:
        """Return the bytes the command wrote between two `time.perf_counter()` readings."""
        with self.lock:
            return sum(size for stamp, size in self.chunks if start <= stamp < end)

    def close(self, timeout: float = 5.0) -> float:
        """Send SIGTERM if still running and wait; return the seconds it took to exit."""
        start = time.perf_counter()
        if not self._exited():
            os.kill(self.pid, signal.SIGTERM)
        deadline = start + timeout
        while time.perf_counter() < deadline:
            if self._exited():
                break
            time.sleep(0.01)
        else:
            os.kill(self.pid, signal.SIGKILL)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return time.perf_counter() - start

    def wait_exit(self, timeout: float) -> float:
        """Wait for the command to exit by itself; return the seconds waited."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self._exited():
                return time.perf_counter() - start
            time.sleep(0.005)
        raise TimeoutError(f"the command did not exit within {timeout} s")
