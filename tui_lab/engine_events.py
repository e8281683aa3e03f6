"""Engine events for a model file opened in the app, and for evaluating a model without training.

Like the classes of `tui_lab.reports`, each is a small frozen dataclass of plain values,
so it pickles over the engine's queue. Nothing here imports Keras or Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelLoaded:
    """The engine loaded a .keras file and keeps the model for evaluating and saving.

    `experiment` is the experiment table (`Experiment.to_dict()` form) that rebuilds the
    model. `experiment_path` is the experiment TOML found beside the model file, or
    None when the table was rebuilt from the model's layers and compile options.
    """

    path: str
    experiment: dict[str, Any]
    experiment_path: str | None = None


@dataclass(frozen=True)
class LoadFailed:
    """The engine could not load the .keras file at `path`; the model it held is unchanged."""

    path: str
    message: str


@dataclass(frozen=True)
class EvaluationFailed:
    """The engine could not evaluate its model on the experiment's data."""

    message: str
