"""Training progress: epoch i/N and batch j/M bars, the elapsed time and a status line."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label, ProgressBar

from tui_lab.reports import BatchProgress, EpochReport


def format_elapsed(seconds: float) -> str:
    """Return a duration as m:ss, or h:mm:ss from one hour on."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class TrainingProgress(Widget):
    """Epoch and batch progress bars, the time since training started, and a status text.

    Batch updates may arrive 10 times a second, so `update_batch` relabels only the
    counters that changed since the last update. The clock ticks once a second.
    """

    DEFAULT_CSS = """
    TrainingProgress {
        height: 2;
    }
    TrainingProgress > Horizontal {
        height: 1;
    }
    TrainingProgress Label {
        width: auto;
        padding-right: 1;
    }
    TrainingProgress ProgressBar {
        width: 1fr;
        padding-right: 1;
    }
    TrainingProgress ProgressBar Bar {
        width: 1fr;
    }
    TrainingProgress #progress-status {
        width: 1fr;
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._started: float | None = None
        self._stopped: float | None = None
        self._epoch: tuple[int, int] = (0, 0)
        self._batch: tuple[int, int] = (0, 0)
        self._ready = False
        self._run_name: str | None = None
        """The name of the run in progress, such as "training run 7", or None between runs."""
        self.status = "idle"
        """The status text shown now."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("Epoch -/-", id="epoch-label", markup=False)
            yield ProgressBar(id="epoch-bar", show_percentage=False, show_eta=False)
            yield Label("Batch -/-", id="batch-label", markup=False)
            yield ProgressBar(id="batch-bar", show_percentage=False, show_eta=False)
            yield Label("0:00", id="elapsed-label", markup=False)
        yield Label(self.status, id="progress-status", markup=False)

    def on_mount(self) -> None:
        # Textual sets `is_mounted` only after this handler, so the widget keeps its own flag.
        self._ready = True
        self.set_interval(1.0, self._update_elapsed)
        self._show_all()

    @property
    def epoch_text(self) -> str:
        """The epoch counter as shown, such as "Epoch 3/20"."""
        epoch, epochs = self._epoch
        return f"Epoch {epoch}/{epochs}" if epochs else "Epoch -/-"

    @property
    def batch_text(self) -> str:
        """The batch counter as shown, such as "Batch 12/33"."""
        batch, batches = self._batch
        return f"Batch {batch}/{batches}" if batches else "Batch -/-"

    @property
    def elapsed(self) -> float:
        """Seconds since training started, frozen when it stopped, and 0 before it starts."""
        if self._started is None:
            return 0.0
        end = self._stopped if self._stopped is not None else time.monotonic()
        return end - self._started

    def start(self, epochs: int, batches: int, run_name: str = "training") -> None:
        """Reset the bars for a run of `epochs` epochs of `batches` batches and restart the clock at 0:00.

        Until `stop`, the status line reads "`run_name`: epoch i/`epochs`", where i is
        the epoch in progress (the last one ended, between epochs).
        """
        self._started = time.monotonic()
        self._stopped = None
        self._run_name = run_name
        self._set_epoch(0, epochs, shown=min(1, epochs))
        self._set_batch(0, batches)
        self._show_run_status()
        self._update_elapsed()

    def stop(self, status: str) -> None:
        """Stop the clock and show `status`, such as "training run 7 finished after 20 epochs"."""
        if self._started is not None and self._stopped is None:
            self._stopped = time.monotonic()
        self._run_name = None
        self.set_status(status)
        self._update_elapsed()

    def update_batch(self, progress: BatchProgress) -> None:
        """Show the batch reached inside the current epoch."""
        self._ensure_started()
        self._set_epoch(progress.epoch - 1, progress.epochs, shown=progress.epoch)
        self._set_batch(progress.batch, progress.batches)
        self._show_run_status()

    def update_epoch(self, report: EpochReport) -> None:
        """Show that epoch `report.epoch` of `report.epochs` ended."""
        self._ensure_started()
        self._set_epoch(report.epoch, report.epochs)
        _, batches = self._batch
        if batches:
            self._set_batch(batches, batches)
        self._show_run_status()

    def set_status(self, text: str) -> None:
        """Show `text` on the status line."""
        self.status = text
        if self._ready:
            self.query_one("#progress-status", Label).update(text)

    def _show_run_status(self) -> None:
        epoch, epochs = self._epoch
        if self._run_name is not None and epochs:
            self.set_status(f"{self._run_name}: epoch {epoch}/{epochs}")

    def _ensure_started(self) -> None:
        # Starts the clock for updates that arrive without `start`. After `stop` the
        # clock stays frozen until the next `start`, so a late update cannot restart it.
        if self._started is None:
            self._started = time.monotonic()

    def _set_epoch(self, done: int, epochs: int, shown: int | None = None) -> None:
        """Fill the epoch bar to `done` epochs and label it with `shown` (default `done`)."""
        epoch = done if shown is None else shown
        changed = (epoch, epochs) != self._epoch
        self._epoch = (epoch, epochs)
        if not self._ready:
            return
        if changed:
            self.query_one("#epoch-label", Label).update(self.epoch_text)
        self.query_one("#epoch-bar", ProgressBar).update(total=max(epochs, 1), progress=done)

    def _set_batch(self, batch: int, batches: int) -> None:
        if (batch, batches) == self._batch:
            return
        self._batch = (batch, batches)
        if self._ready:
            self.query_one("#batch-label", Label).update(self.batch_text)
            self.query_one("#batch-bar", ProgressBar).update(total=max(batches, 1), progress=batch)

    def _show_all(self) -> None:
        """Show the numbers stored by updates that arrived before the widget was mounted."""
        epoch, epochs = self._epoch
        batch, batches = self._batch
        self.query_one("#epoch-label", Label).update(self.epoch_text)
        self.query_one("#epoch-bar", ProgressBar).update(total=max(epochs, 1), progress=epoch)
        self.query_one("#batch-label", Label).update(self.batch_text)
        self.query_one("#batch-bar", ProgressBar).update(total=max(batches, 1), progress=batch)
        self._update_elapsed()

    def _update_elapsed(self) -> None:
        if self._started is None or not self._ready:
            return
        self.query_one("#elapsed-label", Label).update(format_elapsed(self.elapsed))
