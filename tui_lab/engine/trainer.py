"""Train an experiment on a dataset and report every step as engine events."""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_lab.data import split_index
from tui_lab.engine.build import build_and_compile, make_callbacks, model_summary, uses_logits
from tui_lab.engine.callback import EngineCallback, plain_logs
from tui_lab.engine.capture import capture_keras_messages
from tui_lab.engine.predictions import prediction_stats, sigmoid
from tui_lab.engine.probe import Probe
from tui_lab.engine.quiet import import_tensorflow_and_keras
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport, TrainingFailed, TrainingFinished, TrainingStarted

STATUSES = ("finished", "stopped", "early_stopped", "nan", "failed")


@dataclass
class TrainingResult:
    """The outcome of `train`: the model (None when building failed), history and reports.

    `status` is one of `STATUSES`; "failed" comes with `failure`.
    """

    model: Any
    history: dict[str, list[float]]
    reports: list[EpochReport]
    status: str
    keras_warnings: list[str] = field(default_factory=list)
    failure: TrainingFailed | None = None
    stop_seen_at: float | None = None
    """`time.monotonic()` when the last batch ended, for a run stopped by request."""


def _arrays(dataset: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(dataset.x, dtype="float32")
    y = np.asarray(dataset.y, dtype="float32").reshape(-1, 1)
    if x.ndim != 2:
        raise ValueError(f"expected the features as a 2-D array (rows x features), received shape {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"expected one label per row, received {len(x)} rows and {len(y)} labels")
    return x, y


def _trace_loss(model: Any, x: np.ndarray, y: np.ndarray) -> None:
    """Trace the forward pass and loss once in graph mode, where Keras emits its loss warnings."""
    tf, _ = import_tensorflow_and_keras()

    @tf.function
    def loss(x_batch: Any, y_batch: Any) -> Any:
        return model.compute_loss(y=y_batch, y_pred=model(x_batch, training=False), training=False)

    loss(tf.constant(x[:2]), tf.constant(y[:2]))


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = next((line.strip() for line in text if line.strip()), "")
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _status(callback: EngineCallback, callbacks: list[Any]) -> str:
    if callback.loss_not_finite:
        return "nan"
    if callback.stop_requested:
        return "stopped"
    for keras_callback in callbacks:
        if type(keras_callback).__name__ == "EarlyStopping" and keras_callback.stopped_epoch > 0:
            return "early_stopped"
    return "finished"


def train(
    experiment: Experiment,
    dataset: Any,
    *,
    run_id: str,
    on_event: Callable[[object], None],
    stop_event: Any = None,
    epochs: int | None = None,
    probe: bool = True,
) -> TrainingResult:
    """Build, compile and fit the experiment's model on `dataset.x` and `dataset.y`.

    Sends `TrainingStarted`, `BatchProgress` (at most about 4 a second), one
    `EpochReport` per epoch and `TrainingFinished` to `on_event`. An error raised
    while building or fitting becomes a `TrainingFailed` event and a result with
    status "failed"; `train` does not raise it. `epochs` overrides `experiment.fit.epochs`.
    """
    messages: list[str] = []
    model = None
    reports: list[EpochReport] = []
    try:
        x, y = _arrays(dataset)
        epochs = int(epochs or experiment.fit.epochs)
        split = split_index(len(x), experiment.fit.validation_split)
        from_logits = uses_logits(experiment)

        built = build_and_compile(experiment, x.shape[1])
        model = built.model
        messages.extend(built.keras_warnings)

        with capture_keras_messages(messages):
            layer_probe = Probe(model, x[:split], y[:split], from_logits, x_validation=x[split:]) if probe else None
            if layer_probe is not None:
                layer_probe.warm_up()
            else:
                _trace_loss(model, x, y)
            callbacks = make_callbacks(experiment)

        batches = max(1, math.ceil(split / experiment.fit.batch_size))
        summary, total_params = model_summary(model)
        on_event(TrainingStarted(
            run_id=run_id,
            epochs=epochs,
            batches=batches,
            train_rows=split,
            validation_rows=len(x) - split,
            summary=summary,
            total_params=total_params,
            keras_warnings=list(messages),
        ))

        callback = EngineCallback(
            epochs=epochs, batches=batches, on_event=on_event, stop_event=stop_event,
            x_validation=x[split:], y_validation=y[split:], from_logits=from_logits, probe=layer_probe,
        )
        reports = callback.reports
        class_weight = experiment.fit.class_weight
        with capture_keras_messages(messages):
            history = model.fit(
                x, y,
                batch_size=experiment.fit.batch_size,
                epochs=epochs,
                validation_split=experiment.fit.validation_split,
                shuffle=experiment.fit.shuffle,
                class_weight={int(k): float(v) for k, v in class_weight.items()} if class_weight else None,
                callbacks=[*callbacks, callback],
                verbose=0,
            )
    except Exception as error:
        failure = TrainingFailed(run_id=run_id, message=_one_line(error), details=traceback.format_exc())
        on_event(failure)
        return TrainingResult(model, {}, reports, "failed", messages, failure)

    history_lists = {name: [float(v) for v in values] for name, values in history.history.items()}
    status = _status(callback, callbacks)
    on_event(TrainingFinished(
        run_id=run_id,
        status=status,
        epochs_run=len(reports),
        history=history_lists,
    ))
    return TrainingResult(model, history_lists, reports, status, messages, stop_seen_at=callback.stop_seen_at)


def evaluate_model(model: Any, experiment: Experiment, dataset: Any) -> EpochReport:
    """Return the validation figures of a model without training it (epoch 0).

    `logs` contains `model.evaluate` results with a "val_" prefix when the model is
    compiled, and is empty otherwise. Raises `ValueError` when the model's input
    width differs from the dataset's feature count.
    """
    x, y = _arrays(dataset)
    expected = model.inputs[0].shape[-1] if getattr(model, "inputs", None) else None
    if expected is not None and expected != x.shape[1]:
        raise ValueError(
            f"expected {expected} features for this model, received {x.shape[1]}: "
            "choose the feature columns the model was trained on"
        )

    split = split_index(len(x), experiment.fit.validation_split)
    x_validation, y_validation = x[split:], y[split:]
    messages: list[str] = []
    with capture_keras_messages(messages):
        output = np.asarray(model.predict_on_batch(x_validation), dtype="float64")
        logs: dict[str, float] = {}
        if getattr(model, "compiled", False) and getattr(model, "loss", None) is not None:
            results = model.evaluate(x_validation, y_validation, verbose=0, return_dict=True)
            logs = {f"val_{name}": value for name, value in plain_logs(results).items()}

    probabilities = sigmoid(output) if uses_logits(experiment) else output
    return EpochReport(
        epoch=0,
        epochs=0,
        logs=logs,
        predictions=prediction_stats(probabilities, y_validation),
    )
