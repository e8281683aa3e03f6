"""The app's run history: each training run in the run store, the edited experiment in the autosave.

`RunRecorder` wraps a `RunStore` and an `Autosave` for the UI. A store or autosave
failure never closes the app: the recorder logs it, passes one line to `report_error`
(the app shows it as a notification) and carries on. When the store cannot be opened,
training still runs and nothing is recorded.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tui_lab.autosave import Autosave, autosave_path
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport
from tui_lab.store import RunHistory, RunStore, StoreError

LOGGER = logging.getLogger(__name__)


class RunRecorder:
    """Records the runs of one app in a `RunStore` and autosaves the experiment being edited.

    `store_path` is the `--store` file, or None for the default store in the user data
    directory. The autosave sits beside it (see `autosave_path`). The recorder keeps
    the store id of the run in progress, so the app only reports events to it.
    """

    def __init__(self, store_path: str | os.PathLike[str] | None,
                 report_error: Callable[[str], None]) -> None:
        self.store_path = store_path
        self.report_error = report_error
        self.store: RunStore | None = None
        self.autosave = Autosave(autosave_path(store_path))
        self.current_run: int | None = None
        self.interrupted: list[int] = []

    # --- the store --------------------------------------------------------------------

    def open(self) -> None:
        """Open the store and mark runs whose process ended mid-training as interrupted."""
        try:
            self.store = RunStore(self.store_path)
        except (StoreError, OSError) as error:
            self._failed("the run store could not be opened; runs are not recorded", error)
            return
        try:
            self.interrupted = self.store.mark_interrupted()
        except StoreError as error:
            self._failed("marking interrupted runs failed", error)

    def close(self) -> None:
        """Close the store; a run still in progress stays `running` until the next start marks it."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def start(self, experiment: Experiment, versions: Any) -> str:
        """Record a new run and return the run id to give the engine.

        The id is the store's run id as text. Without a store (or when the insert
        fails) it is a time-based id that is not recorded.
        """
        self.current_run = None
        if self.store is not None:
            try:
                self.current_run = self.store.start_run(experiment, versions)
            except StoreError as error:
                self._failed("recording the run failed", error)
        if self.current_run is None:
            return f"run-{time.strftime('%Y%m%d-%H%M%S')}"
        return str(self.current_run)

    def record_epoch(self, report: EpochReport) -> None:
        """Store one epoch of the run in progress."""
        if self.store is None or self.current_run is None:
            return
        try:
            self.store.record_epoch(self.current_run, report)
        except StoreError as error:
            self._failed(f"recording epoch {report.epoch} of run {self.current_run} failed", error)

    def finish(self, status: str, findings: Iterable[Any] = (), error: str | None = None) -> int | None:
        """End the run in progress with `status`, its findings and error text; return its store id."""
        run_id = self.current_run
        self.current_run = None
        if self.store is None or run_id is None:
            return run_id
        try:
            self.store.finish_run(run_id, status, error=error, findings=findings)
        except (StoreError, TypeError) as failure:
            # TypeError: a finding that is neither a mapping nor a dataclass.
            self._failed(f"recording the end of run {run_id} failed", failure)
        return run_id

    def add_model_path(self, run_id: int | None, path: str) -> None:
        """Record that the model of run `run_id` was saved at `path`."""
        if self.store is None or run_id is None:
            return
        try:
            self.store.add_model_path(run_id, path)
        except StoreError as error:
            self._failed(f"recording the model path of run {run_id} failed", error)

    def overlay(self, run_ids: Sequence[int]) -> list[RunHistory]:
        """Return the stored curves and histograms of `run_ids`, in order (empty on failure)."""
        if self.store is None:
            return []
        try:
            return list(self.store.overlay(run_ids).values())
        except StoreError as error:
            self._failed("reading the runs to compare failed", error)
            return []

    # --- the autosave -----------------------------------------------------------------

    def save_experiment(self, experiment: Experiment) -> None:
        """Autosave the experiment being edited (a no-op when it did not change)."""
        try:
            self.autosave.save(experiment)
        except OSError as error:
            self._failed(f"autosaving to {self.autosave.path} failed", error)

    def _failed(self, action: str, error: Exception) -> None:
        LOGGER.warning("%s: %s", action, error)
        self.report_error(f"{action}: {error}")


def overlay_label(history: RunHistory) -> str:
    """Return the short name of a compared run: its id and name, such as `#12 baseline`."""
    return f"#{history.run_id} {history.name}"


def last_histogram(history: RunHistory) -> list[int]:
    """Return the prediction histogram of the run's last epoch that has one, or an empty list."""
    for histogram in reversed(history.histograms):
        if histogram:
            return list(histogram)
    return []
