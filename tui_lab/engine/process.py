"""`ProcessEngine`: the training engine in a long-lived child process.

The child is started with the "spawn" context, sends its stdout and stderr to a log
file, imports TensorFlow while the user edits, and speaks to this process through two
queues and a shared stop event. This module never imports TensorFlow.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from pathlib import Path
from typing import Any

from tui_lab.engine import worker
from tui_lab.experiment import Experiment
from tui_lab.reports import EngineUnavailable

POLL_SECONDS = 0.1
"""While `events` waits, how often it checks that the child is still alive."""

JOIN_SECONDS = 0.5
"""How long `close` waits for the child to quit before it kills it."""


LOG_KEEP_SECONDS = 7 * 24 * 3600
"""Engine logs older than this are removed when a new engine starts."""


RECYCLE_GROWTH = 0.10
"""Share by which the engine process may outgrow its size at its second run before it is replaced.

Keras 3.15 with TensorFlow 2.21 keeps about 5 MB per model built and fitted in a
process, even after `keras.backend.clear_session()`, so a long session would grow
without bound. A fresh child costs one TensorFlow import (3 to 7 s here) when it
takes the next run; at about 6 MB a run that happens once every 12 or so runs.
The check reads /proc, so it only runs on Linux.
"""


def default_log_path() -> Path:
    """Return the engine log path: one file per app process in the user's log directory.

    Logs of earlier processes older than `LOG_KEEP_SECONDS` are removed on the way.
    """
    import platformdirs

    directory = Path(platformdirs.user_log_dir("tui-lab"))
    cutoff = time.time() - LOG_KEEP_SECONDS
    for old in directory.glob("engine-*.log"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    return directory / f"engine-{os.getpid()}.log"


class ProcessEngine:
    """Runs training in a child process; implements `tui_lab.engine.protocol.Engine`."""

    def __init__(self, log_path: str | os.PathLike[str] | None = None) -> None:
        self.log_path = Path(log_path) if log_path is not None else default_log_path()
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._commands: Any = None
        self._events: Any = None
        self._stop: Any = None
        self._reported_exit = False
        self._runs_in_child = 0
        self._second_run_resident = 0

    @property
    def pid(self) -> int | None:
        """The child's process id, or None before `start`."""
        return self._process.pid if self._process is not None else None

    def is_alive(self) -> bool:
        """Return whether the child process is running."""
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        """Spawn the child; it sends `EngineReady` or `EngineUnavailable` once TensorFlow is loaded.

        A running child is kept. After the child exited (killed, or crashed), `start`
        spawns a new one, which loads TensorFlow again and has no trained model.
        """
        if self._process is not None and self._process.is_alive():
            return
        if self._process is not None:
            # Another thread may still wait in `events` on the old event queue, so only the
            # command queue is closed here. The old event queue goes with its last reference.
            self._commands.cancel_join_thread()
            self._commands.close()
            self._reported_exit = False
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._commands = self._context.Queue()
        self._events = self._context.Queue()
        self._stop = self._context.Event()
        self._process = self._context.Process(
            target=worker.main,
            args=(self._commands, self._events, self._stop, str(self.log_path), os.getpid()),
            name="tui-lab-engine",
            daemon=True,
        )
        self._process.start()
        self._runs_in_child = 0

    def _send(self, command: tuple[Any, ...]) -> None:
        if self._process is None:
            raise RuntimeError("expected a started engine, received a command before start(); call start() first")
        self._commands.put(command)

    def train(self, experiment: Experiment, run_id: str, epochs: int | None = None) -> None:
        """Start training `experiment`; `epochs` overrides `experiment.fit.epochs`.

        When the child has grown by more than `RECYCLE_GROWTH` since its first run, a
        fresh child takes the run (see `RECYCLE_GROWTH`).
        """
        self._recycle_if_grown()
        if self._stop is not None:
            self._stop.clear()
        self._send(("train", experiment.to_dict(), run_id, epochs))

    def _recycle_if_grown(self) -> None:
        self._runs_in_child += 1
        resident = self._child_resident_bytes()
        if resident is None or self._runs_in_child < 2:
            return
        if self._runs_in_child == 2:
            # The first fit allocates TensorFlow's working memory, so growth counts from here.
            self._second_run_resident = resident
            return
        if resident <= self._second_run_resident * (1 + RECYCLE_GROWTH):
            return

        # The old child quits once it reads the command. Its queues are left open for
        # a reader that may still be waiting on them, and go with their last reference.
        self._commands.put(("quit",))
        self._process = None
        self.start()
        self._runs_in_child = 1

    def _child_resident_bytes(self) -> int | None:
        if not self.is_alive():
            return None
        try:
            pages = int(Path(f"/proc/{self._process.pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return None
        return pages * os.sysconf("SC_PAGE_SIZE")

    def stop(self) -> None:
        """Ask the running training to stop after the current batch."""
        if self._stop is not None:
            self._stop.set()

    def save(self, path: str, experiment: Experiment) -> None:
        """Save the last trained model to `path` (.keras) and the experiment beside it."""
        self._send(("save", str(path), experiment.to_dict()))

    def load(self, path: str) -> None:
        """Load the .keras file at `path` in safe mode; `ModelLoaded` or `LoadFailed` follows."""
        self._send(("load", str(path)))

    def evaluate(self, experiment: Experiment) -> None:
        """Evaluate the last loaded or trained model on the experiment's data, without training.

        An `EpochReport` with epoch 0 follows, or `EvaluationFailed`.
        """
        self._send(("evaluate", experiment.to_dict()))

    def events(self, timeout: float) -> list[object]:
        """Return the events queued so far, waiting up to `timeout` seconds for the first.

        When the child has exited without being closed, one `EngineUnavailable`
        naming its exit code and log file is returned.
        """
        if self._events is None:
            return []
        received: list[object] = []
        deadline = time.monotonic() + timeout
        while not received:
            remaining = deadline - time.monotonic()
            try:
                received.append(self._events.get(timeout=max(0.0, min(POLL_SECONDS, remaining))))
            except (queue.Empty, EOFError, OSError):
                if remaining <= 0 or not self.is_alive():
                    break
        try:
            while True:
                received.append(self._events.get_nowait())
        except (queue.Empty, EOFError, OSError):
            pass

        if any(isinstance(event, EngineUnavailable) for event in received):
            # The child reported why it cannot train and then exits, so its exit is not reported again.
            self._reported_exit = True
        if not received and not self.is_alive() and not self._reported_exit:
            self._reported_exit = True
            code = self._process.exitcode
            received.append(EngineUnavailable(
                f"the engine process exited with code {code}; see its log at {self.log_path}"
            ))
        return received

    def close(self) -> None:
        """End any training and the child process, within about 2 seconds."""
        if self._process is None:
            return
        self._reported_exit = True
        self.stop()
        if self._process.is_alive():
            try:
                self._commands.put(("quit",))
            except (OSError, ValueError):
                pass
            self._process.join(JOIN_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)

        for channel in (self._commands, self._events):
            channel.cancel_join_thread()
            channel.close()
