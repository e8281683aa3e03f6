"""The Keras callback that turns a running `fit` into engine events."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tui_lab.engine.predictions import prediction_stats, sigmoid
from tui_lab.engine.probe import Probe
from tui_lab.engine.quiet import import_keras
from tui_lab.reports import BatchProgress, EpochReport

keras = import_keras()

BATCH_PROGRESS_INTERVAL = 0.25
"""Minimum seconds between two `BatchProgress` events; the last batch of an epoch always sends one.

Four updates a second move the batch bar smoothly enough, and each one costs the UI a
repaint while TensorFlow needs both cores."""


def plain_logs(logs: dict[str, Any] | None) -> dict[str, float]:
    """Return Keras logs as a dict of Python floats."""
    return {name: float(np.asarray(value)) for name, value in (logs or {}).items()}


class EngineCallback(keras.callbacks.Callback):
    """Send progress and epoch reports, and stop `fit` on request or when the loss is NaN.

    `fit` resets `model.stop_training` when it starts, so a stop request is an event
    (anything with `is_set()`) that this callback checks after every batch. A loss
    that is NaN or infinite stops training after that batch, like `TerminateOnNaN`.
    """

    def __init__(
        self,
        *,
        epochs: int,
        batches: int,
        on_event: Callable[[object], None],
        stop_event: Any,
        x_validation: np.ndarray,
        y_validation: np.ndarray,
        from_logits: bool,
        probe: Probe | None,
    ) -> None:
        super().__init__()
        self.epochs = epochs
        self.batches = batches
        self.on_event = on_event
        self.stop_event = stop_event
        self.x_validation = x_validation
        self.y_validation = y_validation
        self.from_logits = from_logits
        self.probe = probe

        self.reports: list[EpochReport] = []
        self.stop_requested = False
        self.stop_seen_at: float | None = None
        """`time.monotonic()` at the end of the batch after which a stop request took effect."""
        self.loss_not_finite = False
        self._epoch = 0
        self._epoch_started = 0.0
        self._last_progress = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch + 1
        self._epoch_started = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(np.asarray(loss))):
            self.loss_not_finite = True
            self.model.stop_training = True

        self._check_stop_request()

        now = time.perf_counter()
        last_batch = batch + 1 >= self.batches
        if last_batch or self.model.stop_training or now - self._last_progress >= BATCH_PROGRESS_INTERVAL:
            self._last_progress = now
            self.on_event(BatchProgress(self._epoch, self.epochs, batch + 1, self.batches))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = time.perf_counter() - self._epoch_started

        probe = self.probe.run() if self.probe is not None else None

        predictions = None
        if len(self.x_validation):
            output = self.probe.validation_output if self.probe is not None else None
            if output is None:
                output = self.model.predict_on_batch(self.x_validation)
            output = np.asarray(output, dtype="float64")
            probabilities = sigmoid(output) if self.from_logits else output
            predictions = prediction_stats(probabilities, self.y_validation)

        report = EpochReport(
            epoch=epoch + 1,
            epochs=self.epochs,
            logs=plain_logs(logs),
            predictions=predictions,
            probe=probe,
            seconds=seconds,
            learning_rate=current_learning_rate(self.model),
        )
        self.reports.append(report)
        self.on_event(report)

        # A request that arrived during the validation pass or the statistics ends the
        # run here, before another epoch starts.
        self._check_stop_request()

    def _check_stop_request(self) -> None:
        if self.stop_event is None or not self.stop_event.is_set():
            return
        if not self.stop_requested:
            self.stop_seen_at = time.monotonic()
        self.stop_requested = True
        self.model.stop_training = True


def current_learning_rate(model: Any) -> float | None:
    """Return the optimizer's current learning rate, or None when it has none."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None
