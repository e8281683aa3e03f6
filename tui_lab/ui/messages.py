"""Textual messages that workers post to the app, one per engine or data event.

Workers never touch widgets: they turn what they receive into these messages and
`post_message` them, and the app updates its widgets in its handlers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from textual.message import Message

from tui_lab import engine_events, reports
from tui_lab.experiment import DataSpec, Experiment


def while_screens_exist(handler: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Wrap a handler of a worker's message so that it does nothing once the app has no screens.

    A worker may post a message just before the app exits; Textual still delivers it
    after the screens are removed, when there is no widget left to update.
    """

    @functools.wraps(handler)
    def guarded(app: Any, message: Any) -> None:
        if not app.screen_stack:
            return
        handler(app, message)

    return guarded


class EngineLoaded(Message):
    """The engine imported TensorFlow and takes work."""

    def __init__(self, ready: reports.EngineReady) -> None:
        super().__init__()
        self.ready = ready


class EngineLoadFailed(Message):
    """The engine could not import TensorFlow; training cannot run."""

    def __init__(self, unavailable: reports.EngineUnavailable) -> None:
        super().__init__()
        self.unavailable = unavailable


class TrainingBegan(Message):
    """The engine built the model and started `fit`."""

    def __init__(self, started: reports.TrainingStarted) -> None:
        super().__init__()
        self.started = started


class BatchAdvanced(Message):
    """Progress inside an epoch; only the newest of each drain is posted."""

    def __init__(self, progress: reports.BatchProgress) -> None:
        super().__init__()
        self.progress = progress


class EpochCompleted(Message):
    """One epoch ended, with its logs and prediction statistics."""

    def __init__(self, report: reports.EpochReport) -> None:
        super().__init__()
        self.report = report


class TrainingEnded(Message):
    """Training finished, was stopped, stopped early, or stopped on a NaN loss."""

    def __init__(self, finished: reports.TrainingFinished) -> None:
        super().__init__()
        self.finished = finished


class TrainingFailed(Message):
    """Training raised an error inside the engine."""

    def __init__(self, failed: reports.TrainingFailed) -> None:
        super().__init__()
        self.failed = failed


class ModelSaved(Message):
    """The engine wrote the trained model and the experiment beside it."""

    def __init__(self, saved: reports.ModelSaved) -> None:
        super().__init__()
        self.saved = saved


class ModelSaveFailed(Message):
    """The engine could not write the model file."""

    def __init__(self, failed: reports.SaveFailed) -> None:
        super().__init__()
        self.failed = failed


class ModelOpened(Message):
    """The engine loaded a .keras file; `loaded.experiment` rebuilds its model."""

    def __init__(self, loaded: engine_events.ModelLoaded) -> None:
        super().__init__()
        self.loaded = loaded


class ModelOpenFailed(Message):
    """The engine could not load a .keras file."""

    def __init__(self, failed: engine_events.LoadFailed) -> None:
        super().__init__()
        self.failed = failed


class ModelEvaluationFailed(Message):
    """The engine could not evaluate its model on the current data."""

    def __init__(self, failed: engine_events.EvaluationFailed) -> None:
        super().__init__()
        self.failed = failed


class EngineLost(Message):
    """Reading events from the engine raised an error; the engine is gone."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class DataProgress(Message):
    """The data worker reached a step of loading the dataset of `spec`."""

    def __init__(self, spec: DataSpec, fraction: float, text: str) -> None:
        super().__init__()
        self.spec = spec
        self.fraction = fraction
        self.text = text


class DataLoaded(Message):
    """The data worker loaded the dataset of `spec`."""

    def __init__(self, spec: DataSpec, dataset: object) -> None:
        super().__init__()
        self.spec = spec
        self.dataset = dataset


class DataLoadFailed(Message):
    """The data worker could not load the dataset of `spec`."""

    def __init__(self, spec: DataSpec, error: str) -> None:
        super().__init__()
        self.spec = spec
        self.error = error


class CsvGuessed(Message):
    """The CSV worker chose the target and the features of the CSV file at `spec.source`."""

    def __init__(self, spec: DataSpec) -> None:
        super().__init__()
        self.spec = spec


class CsvGuessFailed(Message):
    """The CSV worker could not read the CSV file at `path` or guess its target."""

    def __init__(self, path: str, error: str) -> None:
        super().__init__()
        self.path = path
        self.error = error


MESSAGE_FOR_EVENT: dict[type, type[Message]] = {
    reports.EngineReady: EngineLoaded,
    reports.EngineUnavailable: EngineLoadFailed,
    reports.TrainingStarted: TrainingBegan,
    reports.BatchProgress: BatchAdvanced,
    reports.EpochReport: EpochCompleted,
    reports.TrainingFinished: TrainingEnded,
    reports.TrainingFailed: TrainingFailed,
    reports.ModelSaved: ModelSaved,
    reports.SaveFailed: ModelSaveFailed,
    engine_events.ModelLoaded: ModelOpened,
    engine_events.LoadFailed: ModelOpenFailed,
    engine_events.EvaluationFailed: ModelEvaluationFailed,
}
"""The message class that carries each engine event class."""


def messages_for(events: Iterable[object]) -> list[Message]:
    """Turn a drain of engine events into messages, keeping only the newest `BatchProgress`.

    Events of unknown classes are skipped, so a newer engine cannot crash the UI.
    """
    events = list(events)
    newest_batch = None
    for index, event in enumerate(events):
        if isinstance(event, reports.BatchProgress):
            newest_batch = index

    messages: list[Message] = []
    for index, event in enumerate(events):
        if isinstance(event, reports.BatchProgress) and index != newest_batch:
            continue
        message_class = MESSAGE_FOR_EVENT.get(type(event))
        if message_class is not None:
            messages.append(message_class(event))
    return messages


class StaticFindingsReady(Message):
    """The experiment and data rules ran on `experiment` and gave `findings`."""

    def __init__(self, experiment: Experiment, findings: list[Any]) -> None:
        super().__init__()
        self.experiment = experiment
        self.findings = findings
