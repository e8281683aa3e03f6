"""One-key fixes: a pure function `Experiment -> Experiment` for each fixable finding.

`fix_for(finding)` returns the function (or None when the finding has no automatic
fix), `apply_fix` applies it, and `describe_change` shows what a fix changed as a
diff of the two TOML files, which the UI shows before it applies one.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import replace

from tui_lab.diagnosis.finding import Finding
from tui_lab.diagnosis.model_view import (
    ACTIVATION_LAYERS, DROPOUT_LAYERS, CATEGORICAL_LOSSES, layer_activation, loss_view, output_view,
)
from tui_lab.diagnosis.static_rules import THRESHOLD_ACCURACY, recommended_learning_rate
from tui_lab.diagnosis.thresholds import THRESHOLDS
from tui_lab.experiment import (
    Experiment, LayerSpec, metric_name, optimizer_class, spec_args, spec_type,
)
from tui_lab.keras_names import CONSTANT_INITIALIZERS

Fix = Callable[[Experiment], Experiment]


class FixError(ValueError):
    """A finding that has no automatic fix, or whose fix cannot apply to this experiment."""


# --- layer helpers ---------------------------------------------------------------------


def _set_output_activation(experiment: Experiment, activation: str | None) -> Experiment:
    """Give the output Dense `activation` and remove the activation layers that follow it."""
    output = output_view(experiment)
    if output is None:
        raise FixError("expected a model with a Dense output layer, received none; add layers first")
    layers = list(experiment.layers)
    layers[output.dense_index] = layers[output.dense_index].with_args(activation=activation)
    kept = layers[:output.dense_index + 1] + [
        layer for layer in layers[output.dense_index + 1:]
        if not (layer.type == "Activation" or layer.type in ACTIVATION_LAYERS)
    ]
    return replace(experiment, layers=tuple(kept))


def _probability_activation(experiment: Experiment) -> str | None:
    """Return "sigmoid", or None (a linear output) when the loss takes logits."""
    return None if loss_view(experiment.compile.loss).from_logits else "sigmoid"


def _fix_softmax_single_unit(experiment: Experiment) -> Experiment:
    output = output_view(experiment)
    if output is None or not output.softmax_indices:
        return experiment
    wanted = _probability_activation(experiment)
    layers = list(experiment.layers)
    dense = layers[output.dense_index]
    later = [index for index in output.softmax_indices if index > output.dense_index]
    for index in reversed(output.softmax_indices):
        if index == output.dense_index:
            layers[index] = dense.with_args(activation=wanted)
        elif index == later[0] and layer_activation(dense) is None and wanted is not None:
            layers[index] = LayerSpec("Activation", {"activation": wanted})
        else:
            del layers[index]
    return replace(experiment, layers=tuple(layers))


def _fix_output_activation(experiment: Experiment) -> Experiment:
    return _set_output_activation(experiment, "sigmoid")


def _fix_loss_output_mismatch(experiment: Experiment) -> Experiment:
    output = output_view(experiment)
    loss = loss_view(experiment.compile.loss)
    if loss.is_binary and output is not None and output.units > 1:
        layers = list(experiment.layers)
        layers[output.dense_index] = layers[output.dense_index].with_args(units=1)
        experiment = replace(experiment, layers=tuple(layers))
        if output.activation == "softmax":
            experiment = _set_output_activation(experiment, _probability_activation(experiment))
        return experiment
    if loss.name in CATEGORICAL_LOSSES and loss.from_logits:
        return experiment.with_compile(loss={"type": "BinaryCrossentropy", "from_logits": True})
    return experiment.with_compile(loss="binary_crossentropy")


def _fix_from_logits(experiment: Experiment) -> Experiment:
    output = output_view(experiment)
    from_logits = output is not None and output.activation == "linear"
    loss = experiment.compile.loss
    args = spec_args(loss)
    args["from_logits"] = from_logits
    if not from_logits:
        del args["from_logits"]
    experiment = experiment.with_compile(loss={"type": loss_view(loss).name, **args})
    return _fix_accuracy_metric(experiment)


def _fix_accuracy_metric(experiment: Experiment) -> Experiment:
    output = output_view(experiment)
    on_logits = (output is not None and output.activation == "linear"
                 and loss_view(experiment.compile.loss).from_logits)
    logits_accuracy = {"type": "BinaryAccuracy", "threshold": 0.0}
    metrics = []
    for metric in experiment.compile.metrics:
        name = metric_name(metric)
        threshold = float(spec_args(metric).get("threshold", 0.5)) if name == "BinaryAccuracy" else 0.5
        if name == "Accuracy":
            metric = dict(logits_accuracy) if on_logits else "accuracy"
        elif on_logits and name in THRESHOLD_ACCURACY and threshold != 0.0:
            metric = dict(logits_accuracy)
        elif not on_logits and name == "BinaryAccuracy" and threshold == 0.0:
            metric = "accuracy"
        if metric not in metrics:
            metrics.append(metric)
    return experiment.with_compile(metrics=tuple(metrics))


def _fix_learning_rate(experiment: Experiment) -> Experiment:
    spec = experiment.compile.optimizer
    optimizer = optimizer_class(spec)
    table = {"type": optimizer, **spec_args(spec), "learning_rate": recommended_learning_rate(optimizer)}
    return experiment.with_compile(optimizer=table)


def _fix_linear_hidden_layer(finding: Finding) -> Fix:
    def fix(experiment: Experiment) -> Experiment:
        layers = list(experiment.layers)
        for index in finding.params.get("indices", ()):
            if index < len(layers) and layers[index].type == "Dense":
                layers[index] = layers[index].with_args(activation="relu")
        return replace(experiment, layers=tuple(layers))

    return fix


def _fix_constant_initializer(experiment: Experiment) -> Experiment:
    layers = []
    for layer in experiment.layers:
        initializer = layer.get("kernel_initializer")
        if layer.type == "Dense" and initializer is not None and spec_type(initializer) in CONSTANT_INITIALIZERS:
            layer = layer.with_args(kernel_initializer=None)
        layers.append(layer)
    return replace(experiment, layers=tuple(layers))


def _fix_dropout_placement(experiment: Experiment) -> Experiment:
    output = output_view(experiment)
    limits = THRESHOLDS
    layers: list[LayerSpec] = []
    units = None
    for index, layer in enumerate(experiment.layers):
        if layer.type == "Dense":
            units = int(layer.get("units", 1))
        if layer.type not in DROPOUT_LAYERS:
            layers.append(layer)
            continue
        if output is not None and index > output.dense_index:
            continue
        rate = min(float(layer.get("rate", 0.0)), limits.dropout_rate_high)
        if units is not None and units * (1 - rate) < limits.dropout_min_units_kept:
            rate = math.floor((1 - limits.dropout_min_units_kept / units) * 20) / 20
        if rate <= 0:
            continue
        layers.append(layer.with_args(rate=rate))
    return replace(experiment, layers=tuple(layers))


def _fix_early_stopping(experiment: Experiment) -> Experiment:
    callbacks = []
    for callback in experiment.fit.callbacks:
        args = spec_args(callback)
        eager = (int(args.get("patience", 0)) <= THRESHOLDS.early_stopping_max_eager_patience
                 and not args.get("restore_best_weights", False))
        if spec_type(callback) == "EarlyStopping" and eager:
            callback = {**callback, "patience": 10, "restore_best_weights": True}
        callbacks.append(callback)
    return experiment.with_fit(callbacks=tuple(callbacks))


def _fix_class_imbalance(finding: Finding) -> Fix | None:
    counts = {int(label): int(count) for label, count in finding.params.get("counts", {}).items()}
    if len(counts) != 2 or min(counts.values()) <= 0:
        return None
    rows = sum(counts.values())
    weights = {label: round(rows / (2 * count), 4) for label, count in sorted(counts.items())}
    return lambda experiment: experiment.with_fit(class_weight=weights)


def _fix_drop_features(finding: Finding) -> Fix | None:
    dropped = set(finding.params.get("features", ()))
    if not dropped:
        return None

    def fix(experiment: Experiment) -> Experiment:
        matches = {name.casefold() for name in dropped}
        features = tuple(f for f in experiment.data.features if f.casefold() not in matches)
        indicators = tuple(c for c in experiment.data.missing_indicators if c.casefold() not in matches)
        if not features:
            raise FixError(f"expected at least one feature to remain after removing "
                           f"{', '.join(sorted(dropped))}, received none; add another feature first")
        return experiment.with_data(features=features, missing_indicators=indicators)

    return fix


def _fix_nan_loss(finding: Finding) -> Fix | None:
    cause = finding.params.get("cause")
    if cause == "inputs":
        return lambda experiment: experiment.with_data(impute="median")
    if cause == "learning_rate":
        return _fix_learning_rate
    return None


def _fix_dead_relu(finding: Finding) -> Fix | None:
    # Only a learning rate above the recommended one is a change this key can make.
    return _fix_learning_rate if finding.params.get("learning_rate_above_recommended") else None


FIXES: dict[str, Fix] = {
    "softmax-single-unit": _fix_softmax_single_unit,
    "loss-output-mismatch": _fix_loss_output_mismatch,
    "output-activation": _fix_output_activation,
    "from-logits-mismatch": _fix_from_logits,
    "accuracy-metric": _fix_accuracy_metric,
    "learning-rate-high": _fix_learning_rate,
    "learning-rate-low": _fix_learning_rate,
    "constant-initializer": _fix_constant_initializer,
    "dropout-placement": _fix_dropout_placement,
    "batchnorm-small-batch": lambda experiment: experiment.with_fit(batch_size=32),
    "early-stopping-eager": _fix_early_stopping,
    "unscaled-features": lambda experiment: experiment.with_data(scale="standard"),
    "missing-values": lambda experiment: experiment.with_data(impute="median"),
    "unshuffled-validation-split": lambda experiment: experiment.with_data(shuffle=True),
}
"""Fixes that need nothing from the finding but its id."""

FINDING_FIXES: dict[str, Callable[[Finding], Fix | None]] = {
    "linear-hidden-layer": _fix_linear_hidden_layer,
    "class-imbalance": _fix_class_imbalance,
    "identifier-feature": _fix_drop_features,
    "target-leakage": _fix_drop_features,
    "constant-feature": _fix_drop_features,
    "nan-loss": _fix_nan_loss,
    "dead-relu": _fix_dead_relu,
}
"""Fixes built from a finding's params (the features to drop, the class counts, ...)."""


def fix_for(finding: Finding) -> Fix | None:
    """Return the fix for `finding`, or None when it has no automatic fix."""
    if finding.id in FIXES:
        return FIXES[finding.id]
    if finding.id in FINDING_FIXES:
        return FINDING_FIXES[finding.id](finding)
    return None


def apply_fix(finding: Finding, experiment: Experiment) -> Experiment:
    """Return `experiment` with the fix for `finding` applied.

    Raises `FixError` when the finding has no automatic fix.
    """
    fix = fix_for(finding)
    if fix is None:
        raise FixError(f"expected a finding with an automatic fix, received {finding.id!r}, "
                       f"which has none; make the change by hand: {finding.fix}")
    return fix(experiment)


def describe_change(before: Experiment, after: Experiment, context: int = 2) -> list[str]:
    """Return the unified diff of the two experiments' TOML, one line per item, without newlines."""
    diff = difflib.unified_diff(
        before.to_toml().splitlines(), after.to_toml().splitlines(),
        fromfile="before", tofile="after", n=context, lineterm="",
    )
    return list(diff)
