"""A training engine without TensorFlow that replays recorded events, for UI tests.

`FakeEngine` implements `tui_lab.engine.protocol.Engine`. It sends `EngineReady` on
`start()`, and on `train()` replays a recorded run (a JSON list of
`{"event": ClassName, "data": {...}}`, the form `dataclasses.asdict` gives) in a
thread, with the new run id. `stop()` ends the replay with a "stopped" finish, and
`save()` writes a placeholder model file and the experiment TOML beside it. `load()`
sends `ModelLoaded` for a path given in `models` and `LoadFailed` for any other, and
`evaluate()` sends the first recorded epoch report as epoch 0.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tui_lab import reports
from tui_lab.engine_events import EvaluationFailed, LoadFailed, ModelLoaded
from tui_lab.experiment import Experiment, save, write_atomic

PLACEHOLDER_MODEL = b"tui-lab fake engine: not a Keras model\n"
"""Placeholder bytes that `FakeEngine.save` writes in place of a `.keras` archive."""


def load_events(path: str | os.PathLike[str]) -> list[object]:
    """Read a recorded run: a JSON list of `{"event": ClassName, "data": {...}}`."""
    with open(path, encoding="utf-8") as stream:
        entries = json.load(stream)
    if not isinstance(entries, list):
        raise ValueError(
            f"{path}: expected a JSON list of {{\"event\": ..., \"data\": ...}} entries, "
            f"received a {type(entries).__name__}; record the run again"
        )
    return [event_from_entry(entry) for entry in entries]


def event_from_entry(entry: dict[str, Any]) -> object:
    """Turn one `{"event": ClassName, "data": {...}}` entry into its report dataclass."""
    try:
        from tui_lab.report_json import event_from_json
    except ModuleNotFoundError as error:
        if error.name != "tui_lab.report_json":
            raise
        return _event_from_entry(entry)
    return event_from_json(entry)


def _event_from_entry(entry: dict[str, Any]) -> object:
    name = entry.get("event")
    event_class = getattr(reports, str(name), None)
    if not (isinstance(event_class, type) and dataclasses.is_dataclass(event_class)):
        raise ValueError(
            f"expected an event class of tui_lab.reports, received {name!r}; "
            "check the recorded run"
        )
    data = dict(entry.get("data", {}))

    if event_class is reports.EpochReport:
        if data.get("predictions") is not None:
            data["predictions"] = reports.PredictionStats(**data["predictions"])
        if data.get("probe") is not None:
            probe = dict(data["probe"])
            probe["layers"] = [reports.LayerProbe(**layer) for layer in probe.get("layers", [])]
            data["probe"] = reports.ProbeStats(**probe)
    return event_class(**data)


class FakeEngine:
    """An `Engine` that replays a recorded run instead of training.

    `events` is a path to a recorded run or a list of report events. `delay` is the
    pause in seconds between replayed events. `ready_delay` postpones `EngineReady`,
    to show the app while "TensorFlow" loads. `models` maps the .keras paths that
    `load` accepts to the experiment each one holds. The calls it received are kept in
    `trained`, `saved`, `loaded`, `evaluated` and `closed` for tests.
    """

    def __init__(
        self,
        events: str | os.PathLike[str] | Sequence[object],
        delay: float = 0.0,
        ready_delay: float = 0.0,
        models: Mapping[str, Experiment] | None = None,
    ) -> None:
        if isinstance(events, (str, os.PathLike)):
            self.recorded = load_events(events)
        else:
            self.recorded = list(events)
        self.delay = delay
        self.ready_delay = ready_delay
        self.trained: list[tuple[Experiment, str, int | None]] = []
        self.saved: list[str] = []
        self.models = {str(path): experiment for path, experiment in (models or {}).items()}
        self.loaded: list[str] = []
        self.evaluated: list[Experiment] = []
        self.closed = False
        self._queue: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self._closing = threading.Event()
        self._replay: threading.Thread | None = None
        self._has_model = False

    def start(self) -> None:
        """Send `EngineReady`, after `ready_delay` seconds."""
        ready = reports.EngineReady(tensorflow_version="fake", keras_version="fake", seconds=0.0)
        if self.ready_delay <= 0:
            self._queue.put(ready)
            return

        def send_later() -> None:
            if not self._closing.wait(self.ready_delay):
                self._queue.put(ready)

        threading.Thread(target=send_later, name="fake engine start", daemon=True).start()

    def train(self, experiment: Experiment, run_id: str, epochs: int | None = None) -> None:
        """Replay the recorded run under `run_id`; `epochs` limits the epoch reports sent."""
        if self._replay is not None and self._replay.is_alive():
            self._queue.put(reports.TrainingFailed(
                run_id, "expected no training to be running, but one is; stop it first"))
            return
        self.trained.append((experiment, run_id, epochs))
        self._stop.clear()
        self._replay = threading.Thread(
            target=self._send_replay, args=(run_id, epochs), name="fake engine replay", daemon=True
        )
        self._replay.start()

    def _send_replay(self, run_id: str, epochs: int | None) -> None:
        epochs_sent = 0
        for event in self.recorded:
            if self._closing.is_set():
                return
            if self._stop.is_set():
                self._queue.put(reports.TrainingFinished(run_id, "stopped", epochs_sent, {}))
                self._has_model = True
                return
            if isinstance(event, reports.EpochReport):
                if epochs is not None and epochs_sent >= epochs:
                    continue
                epochs_sent += 1
            if isinstance(event, reports.TrainingFinished):
                self._has_model = True
            if hasattr(event, "run_id"):
                event = dataclasses.replace(event, run_id=run_id)
            self._queue.put(event)
            if self.delay > 0:
                self._closing.wait(self.delay)

    def stop(self) -> None:
        """End the replay before its next event, with a "stopped" finish."""
        self._stop.set()

    def save(self, path: str, experiment: Experiment) -> None:
        """Write a placeholder model to `path` and the experiment TOML beside it."""
        if not self._has_model:
            self._queue.put(reports.SaveFailed(path, "no trained model to save; train one first"))
            return
        model_path = Path(path)
        experiment_path = model_path.with_suffix(".toml")
        try:
            write_atomic(model_path, PLACEHOLDER_MODEL)
            save(experiment, experiment_path)
        except OSError as error:
            reason = error.strerror or str(error)
            self._queue.put(reports.SaveFailed(path, f"could not write {path}: {reason}"))
            return
        self.saved.append(path)
        self._queue.put(reports.ModelSaved(str(model_path), str(experiment_path)))

    def load(self, path: str) -> None:
        """Send `ModelLoaded` with the experiment `models` gives for `path`, or `LoadFailed`."""
        self.loaded.append(str(path))
        experiment = self.models.get(str(path))
        if experiment is None:
            self._queue.put(LoadFailed(str(path), f"model file not found: {path}. Check the path and try again"))
            return
        self._has_model = True
        self._queue.put(ModelLoaded(str(path), experiment.to_dict()))

    def evaluate(self, experiment: Experiment) -> None:
        """Send the first recorded epoch report as epoch 0, or `EvaluationFailed` without a model."""
        self.evaluated.append(experiment)
        if not self._has_model:
            self._queue.put(EvaluationFailed("there is no model to evaluate; open a .keras file or train first"))
            return
        recorded = [event for event in self.recorded if isinstance(event, reports.EpochReport)]
        if not recorded:
            self._queue.put(EvaluationFailed("the recorded run has no epoch report to replay"))
            return
        self._queue.put(dataclasses.replace(recorded[0], epoch=0, epochs=0, probe=None))

    def events(self, timeout: float) -> list[object]:
        """Return the queued events, waiting up to `timeout` seconds for the first."""
        try:
            first = self._queue.get(timeout=timeout)
        except queue.Empty:
            return []
        events = [first]
        while True:
            try:
                events.append(self._queue.get_nowait())
            except queue.Empty:
                return events

    def close(self) -> None:
        """End the replay and mark the engine closed, within about a second."""
        started = time.monotonic()
        self._stop.set()
        self._closing.set()
        if self._replay is not None:
            self._replay.join(timeout=1.0)
        self.closed = True
        self.close_seconds = time.monotonic() - started
