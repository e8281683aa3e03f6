"""The interface between the UI and a training engine, free of TensorFlow."""

from __future__ import annotations

from typing import Protocol

from tui_lab.experiment import Experiment


class Engine(Protocol):
    """A training engine that the UI drives with commands and reads events from.

    Events are the dataclasses of `tui_lab.reports`: `EngineReady`,
    `EngineUnavailable`, `TrainingStarted`, `BatchProgress`, `EpochReport`,
    `TrainingFinished`, `TrainingFailed`, `ModelSaved` and `SaveFailed`, and those of
    `tui_lab.engine_events`: `ModelLoaded`, `LoadFailed` and `EvaluationFailed`.
    """

    def start(self) -> None:
        """Start loading TensorFlow in the background; `EngineReady` follows."""

    def train(self, experiment: Experiment, run_id: str, epochs: int | None = None) -> None:
        """Start training `experiment`; `epochs` overrides `experiment.fit.epochs`."""

    def stop(self) -> None:
        """Ask the running training to stop after the current batch."""

    def save(self, path: str, experiment: Experiment) -> None:
        """Save the last trained model to `path` (.keras) and the experiment beside it."""

    def load(self, path: str) -> None:
        """Load a .keras file (safe mode) as the model to evaluate or save; `ModelLoaded` or `LoadFailed` follows."""

    def evaluate(self, experiment: Experiment) -> None:
        """Evaluate the last loaded or trained model on the experiment's data; an epoch 0 `EpochReport` follows."""

    def events(self, timeout: float) -> list[object]:
        """Return the events queued so far, waiting up to `timeout` seconds for the first."""

    def close(self) -> None:
        """End any training and release the engine, within 2 seconds."""
