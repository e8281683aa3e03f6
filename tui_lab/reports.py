"""What the training engine reports: plain numbers that cross a process boundary.

Every class here is a small frozen dataclass of floats, ints, strings, lists and
dicts, so it pickles over a multiprocessing pipe, turns into JSON with
`dataclasses.asdict`, and is safe to hand from a worker to the UI. Nothing here
imports Keras or Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HISTOGRAM_BINS = 20
"""Number of equal-width bins over [0, 1] in a prediction histogram."""


@dataclass(frozen=True)
class PredictionStats:
    """The distribution of predicted probabilities on the validation rows after an epoch.

    When the loss is computed `from_logits`, the engine applies the sigmoid first, so
    these are always probabilities in [0, 1]. `histogram` counts the rows in each of
    `HISTOGRAM_BINS` equal bins over [0, 1]; the last bin includes 1.0.
    """

    count: int
    min: float
    max: float
    mean: float
    std: float
    positive_rate: float
    """Share of rows predicted positive at a 0.5 threshold."""
    true_positive_share: float
    """Share of validation rows whose label is 1."""
    accuracy: float
    """Share of rows whose 0.5-thresholded prediction equals the label."""
    saturated_share: float
    """Share of predictions outside [0.01, 0.99]."""
    histogram: list[int] = field(default_factory=list)
    nan_count: int = 0

    @property
    def is_constant(self) -> bool:
        """Whether every prediction is the same value (spread below 1e-6 or std below 1e-4)."""
        return self.count > 0 and (self.max - self.min < 1e-6 or self.std < 1e-4)


@dataclass(frozen=True)
class LayerProbe:
    """Statistics of one layer on the fixed probe batch after an epoch.

    `dead_share` is the share of units whose output is zero on at least 99% of the
    probe rows, or `None` for layers without a ReLU output. The gradient figures
    are of the loss with respect to the layer's kernel, `None` for layers without one.
    """

    name: str
    type: str
    activation: str | None
    units: int | None
    dead_share: float | None = None
    gradient_norm: float | None = None
    mean_abs_gradient: float | None = None


@dataclass(frozen=True)
class ProbeStats:
    """Per-layer statistics and train/inference accuracy on the fixed probe batch."""

    layers: list[LayerProbe] = field(default_factory=list)
    train_mode_accuracy: float | None = None
    inference_mode_accuracy: float | None = None
    seconds: float = 0.0
    """Wall time spent computing these statistics."""


@dataclass(frozen=True)
class EpochReport:
    """Everything measured at the end of one epoch (epochs count from 1)."""

    epoch: int
    epochs: int
    logs: dict[str, float]
    """The Keras logs of the epoch: loss, val_loss, and each metric with its val_ twin."""
    predictions: PredictionStats | None
    probe: ProbeStats | None = None
    seconds: float = 0.0
    learning_rate: float | None = None


@dataclass(frozen=True)
class BatchProgress:
    """Progress inside an epoch; a newer one replaces an older one."""

    epoch: int
    epochs: int
    batch: int
    batches: int


@dataclass(frozen=True)
class TrainingStarted:
    """The engine built and compiled the model and is about to call `fit`."""

    run_id: str
    epochs: int
    batches: int
    train_rows: int
    validation_rows: int
    summary: list[dict[str, Any]]
    """One row per layer as `model.summary()` gives it: name, type, output_shape, params."""
    total_params: int
    keras_warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrainingFinished:
    """Training ended without an error.

    `status` is one of "finished", "stopped" (by the user), "early_stopped" (by a
    callback) or "nan" (stopped at once because the loss became NaN).
    """

    run_id: str
    status: str
    epochs_run: int
    history: dict[str, list[float]]


@dataclass(frozen=True)
class TrainingFailed:
    """Training raised an error; `message` is one line for the user, `details` the traceback."""

    run_id: str
    message: str
    details: str = ""


@dataclass(frozen=True)
class ModelSaved:
    """The trained model was written to `path`, with its experiment beside it at `experiment_path`."""

    path: str
    experiment_path: str | None = None


@dataclass(frozen=True)
class SaveFailed:
    """Saving to `path` failed; the model stays in memory so that it can be saved elsewhere."""

    path: str
    message: str


@dataclass(frozen=True)
class EngineReady:
    """The engine process imported TensorFlow and Keras and takes work."""

    tensorflow_version: str
    keras_version: str
    seconds: float


@dataclass(frozen=True)
class EngineUnavailable:
    """TensorFlow or Keras could not be imported; training cannot run."""

    message: str
