"""Rules that read the experiment alone: layers, compile and fit options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from tui_lab.diagnosis.catalogue import make_finding
from tui_lab.diagnosis.finding import Finding, Severity
from tui_lab.diagnosis.model_view import (
    CATEGORICAL_LOSSES, DROPOUT_LAYERS, PASS_THROUGH_LAYERS,
    PROBABILITY_ACTIVATIONS, REGRESSION_LOSSES, OutputView, describe_layer, layer_activation,
    loss_view, output_view,
)
from tui_lab.diagnosis.thresholds import THRESHOLDS, Thresholds
from tui_lab.experiment import (
    Experiment, learning_rate, metric_name, optimizer_class, spec_args, spec_type,
)
from tui_lab.keras_names import CONSTANT_INITIALIZERS, DEFAULT_LEARNING_RATES

ADAM_FAMILY = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop")
"""Optimizers that share Adam's learning-rate range (RMSprop included)."""

THRESHOLD_ACCURACY = ("accuracy", "BinaryAccuracy")
"""Metric names that threshold predictions at 0.5 unless a threshold is set."""


def check_static(experiment: Experiment, keras_warnings: Iterable[str] = (),
                 thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Run every static rule on `experiment`; `keras_warnings` become keras-warning findings."""
    output = output_view(experiment)
    if output is None:
        count = len(experiment.layers)
        return [make_finding("empty-model", f"the model has {count} layers and none is a Dense layer",
                             value=float(count))] + _keras_warnings(keras_warnings)

    checks: list[Callable[[Experiment, OutputView, Thresholds], Iterable[Finding]]] = [
        _softmax_single_unit, _loss_output_mismatch, _output_activation, _from_logits_mismatch,
        _accuracy_metric, _learning_rate, _linear_hidden_layer, _constant_initializer,
        _dropout_placement, _batchnorm_small_batch, _early_stopping_eager,
    ]
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(experiment, output, thresholds))
    findings.extend(_keras_warnings(keras_warnings))
    return findings


def _softmax_single_unit(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    if output.units != 1 or not output.softmax_indices:
        return []
    index = output.softmax_indices[0]
    where = describe_layer(index, experiment.layers[index])
    if index == output.dense_index:
        applies = f"{where} applies softmax to its single unit"
    else:
        dense = describe_layer(output.dense_index, experiment.layers[output.dense_index])
        applies = f"{where} applies softmax to the single output unit of {dense}"
    return [make_finding(
        "softmax-single-unit",
        f"{applies}; softmax over one value is 1.0 for every row",
        value=float(output.units), threshold=1.0, subject=f"layers[{index}]",
    )]


def _loss_output_mismatch(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    loss = loss_view(experiment.compile.loss)
    evidence = None
    if loss.name in CATEGORICAL_LOSSES and output.units == 1:
        evidence = (f"loss {loss.name} needs one output unit per class, but the output Dense has "
                    "1 unit; with one unit the loss is constant and nothing is learned")
    elif loss.name in REGRESSION_LOSSES and output.activation in PROBABILITY_ACTIVATIONS:
        evidence = (f"loss {loss.name} is a regression loss on a {output.activation} output: "
                    "its gradient fades as the output saturates, and it does not measure "
                    "how well classes are separated")
    elif loss.is_binary and output.units > 1:
        evidence = (f"loss {loss.name} compares each of the {output.units} output units with "
                    "the same 0/1 label; a binary classifier has one output unit")
    if evidence is None:
        return []
    return [make_finding("loss-output-mismatch", evidence, value=loss.name,
                         subject=f"layers[{output.dense_index}]")]


def _output_activation(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    loss = loss_view(experiment.compile.loss)
    allowed = PROBABILITY_ACTIVATIONS + ("linear",)
    if not loss.is_binary or loss.from_logits or output.activation in allowed:
        return []
    layer = experiment.layers[output.activation_index]
    return [make_finding(
        "output-activation",
        f"{describe_layer(output.activation_index, layer)} ends the model with "
        f"{output.activation}, but {loss.name} expects probabilities in [0, 1] "
        "and clips other values",
        value=output.activation, subject=f"layers[{output.activation_index}]",
    )]


def _from_logits_mismatch(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    loss = loss_view(experiment.compile.loss)
    if not loss.is_binary:
        return []
    if output.activation == "linear" and not loss.from_logits:
        evidence = (f"the output {describe_layer(output.dense_index, experiment.layers[output.dense_index])} "
                    f"is linear (raw scores, logits), but {loss.name} has from_logits false "
                    "and reads them as probabilities")
    elif output.activation in PROBABILITY_ACTIVATIONS and loss.from_logits:
        evidence = (f"the output applies {output.activation} (probabilities), but {loss.name} "
                    "has from_logits true and applies a second sigmoid to them")
    else:
        return []
    return [make_finding("from-logits-mismatch", evidence, value=output.activation,
                         subject=f"layers[{output.activation_index}]",
                         params={"from_logits": output.activation == "linear"})]


def _accuracy_metric(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    loss = loss_view(experiment.compile.loss)
    on_logits = output.activation == "linear" and loss.from_logits
    findings = []
    for index, metric in enumerate(experiment.compile.metrics):
        name = metric_name(metric)
        if name == "Accuracy":
            evidence = (f"compile.metrics[{index}] is {_show_spec(metric)}, the Accuracy class, "
                        "which counts exact equality of label and prediction: a predicted "
                        "0.97 never equals the label 1, so it stays near 0 for a model that learns")
        elif on_logits and name in THRESHOLD_ACCURACY and _threshold(metric) != 0.0:
            evidence = (f"compile.metrics[{index}] is {_show_spec(metric)}, which thresholds at "
                        f"{_threshold(metric)}, but the output is logits (linear with from_logits "
                        "true), whose class boundary is 0.0")
        else:
            continue
        findings.append(make_finding(
            "accuracy-metric", evidence, value=spec_type(metric),
            subject=f"compile.metrics[{index}]",
            fix=("Use BinaryAccuracy(threshold=0.0) for logits." if on_logits
                 else "Use metrics=[\"accuracy\"]."),
            params={"index": index, "logits": on_logits},
        ))
    return findings


def _threshold(metric) -> float:
    if metric_name(metric) == "BinaryAccuracy":
        return float(spec_args(metric).get("threshold", 0.5))
    return 0.5


def _show_spec(spec) -> str:
    if isinstance(spec, str):
        return repr(spec)
    args = ", ".join(f"{name}={value!r}" for name, value in spec_args(spec).items())
    return f"{spec_type(spec)}({args})"


def _learning_rate(experiment: Experiment, _: OutputView, limits: Thresholds) -> list[Finding]:
    optimizer = optimizer_class(experiment.compile.optimizer)
    rate = learning_rate(experiment.compile.optimizer)
    if rate <= 0:
        return [make_finding("learning-rate-low",
                             f"{optimizer} learning_rate is {rate:g}; at 0 or below the weights "
                             "never move toward a lower loss",
                             severity=Severity.ERROR, value=rate, threshold=0.0,
                             subject="compile.optimizer", fix=_learning_rate_fix(optimizer))]
    if optimizer in ADAM_FAMILY:
        low, high = limits.adam_learning_rate_low, limits.adam_learning_rate_high
    elif optimizer == "SGD":
        low, high = limits.sgd_learning_rate_low, limits.sgd_learning_rate_high
    else:
        # NOTE: other optimizers (Adagrad, Adadelta, Ftrl, Lion, Lamb) have no range here.
        return []
    if rate > high:
        return [make_finding("learning-rate-high",
                             f"{optimizer} learning_rate is {rate:g}, above {high:g}",
                             value=rate, threshold=high, subject="compile.optimizer",
                             fix=_learning_rate_fix(optimizer))]
    if rate < low:
        return [make_finding("learning-rate-low",
                             f"{optimizer} learning_rate is {rate:g}, below {low:g}",
                             value=rate, threshold=low, subject="compile.optimizer",
                             fix=_learning_rate_fix(optimizer))]
    return []


def recommended_learning_rate(optimizer: str) -> float:
    """Return the learning rate a fix sets: 1e-3 for the Adam family, 1e-2 for SGD, else Keras's default."""
    if optimizer in ADAM_FAMILY:
        return 1e-3
    if optimizer == "SGD":
        return 1e-2
    return DEFAULT_LEARNING_RATES.get(optimizer, 1e-3)


def _learning_rate_fix(optimizer: str) -> str:
    if optimizer == "SGD":
        return "Set learning_rate to 1e-2."
    if optimizer in ADAM_FAMILY:
        return "Set learning_rate to 1e-3."
    return "Set learning_rate to a small positive value such as 1e-3."


def _linear_hidden_layer(experiment: Experiment, output: OutputView, _: Thresholds) -> list[Finding]:
    linear = []
    layers = experiment.layers
    for index in range(output.dense_index):
        layer = layers[index]
        if layer.type != "Dense" or layer_activation(layer) is not None:
            continue
        follower = index + 1
        while follower < len(layers) and layers[follower].type in PASS_THROUGH_LAYERS:
            follower += 1
        if follower < len(layers) and layers[follower].type != "Dense" \
                and layer_activation(layers[follower]) is not None:
            continue
        linear.append(index)
    if not linear:
        return []
    shown = "; ".join(describe_layer(i, layers[i]) for i in linear)
    return [make_finding("linear-hidden-layer",
                         f"{shown}: no activation follows before the next Dense, so it is a "
                         "linear map that the next layer could absorb",
                         value=float(len(linear)), subject=f"layers[{linear[0]}]",
                         params={"indices": tuple(linear)})]


def _constant_initializer(experiment: Experiment, _: OutputView, __: Thresholds) -> list[Finding]:
    constant = []
    for index, layer in enumerate(experiment.layers):
        if layer.type != "Dense" or int(layer.get("units", 1)) < 2:
            continue
        initializer = layer.get("kernel_initializer")
        name = spec_type(initializer) if initializer is not None else ""
        if name in CONSTANT_INITIALIZERS:
            constant.append(index)
    if not constant:
        return []
    shown = "; ".join(describe_layer(i, experiment.layers[i]) for i in constant)
    return [make_finding("constant-initializer",
                         f"{shown}: every unit starts with the same weights, gets the same "
                         "gradient and stays a copy of the others",
                         value=float(len(constant)), subject=f"layers[{constant[0]}]",
                         params={"indices": tuple(constant)})]


def _dropout_placement(experiment: Experiment, output: OutputView, limits: Thresholds) -> list[Finding]:
    problems: list[str] = []
    layers = experiment.layers
    units = None
    for index, layer in enumerate(layers):
        if layer.type == "Dense":
            units = int(layer.get("units", 1))
            continue
        if layer.type not in DROPOUT_LAYERS:
            continue
        rate = float(layer.get("rate", 0.0))
        where = describe_layer(index, layer)
        if index > output.dense_index:
            problems.append(f"{where} comes after the output Dense and zeroes predictions in training")
        elif rate > limits.dropout_rate_high:
            problems.append(f"{where}: rate {rate:g} is above {limits.dropout_rate_high:g}")
        elif units is not None and units * (1 - rate) < limits.dropout_min_units_kept:
            kept = units * (1 - rate)
            problems.append(f"{where} keeps {kept:g} of the {units} units of the Dense before it on "
                            f"average, fewer than {limits.dropout_min_units_kept:g}")
    if not problems:
        return []
    return [make_finding("dropout-placement", "; ".join(problems), value=float(len(problems)),
                         threshold=limits.dropout_rate_high)]


def _batchnorm_small_batch(experiment: Experiment, _: OutputView, limits: Thresholds) -> list[Finding]:
    has_batchnorm = any(layer.type == "BatchNormalization" for layer in experiment.layers)
    batch_size = experiment.fit.batch_size
    if not has_batchnorm or batch_size >= limits.batchnorm_min_batch_size:
        return []
    return [make_finding("batchnorm-small-batch",
                         f"batch_size is {batch_size} with BatchNormalization, below "
                         f"{limits.batchnorm_min_batch_size}: each batch's mean and variance are noise",
                         value=float(batch_size), threshold=float(limits.batchnorm_min_batch_size),
                         subject="fit.batch_size")]


def _early_stopping_eager(experiment: Experiment, _: OutputView, limits: Thresholds) -> list[Finding]:
    findings = []
    for index, callback in enumerate(experiment.fit.callbacks):
        if spec_type(callback) != "EarlyStopping":
            continue
        args = spec_args(callback)
        patience = int(args.get("patience", 0))
        if patience > limits.early_stopping_max_eager_patience or args.get("restore_best_weights", False):
            continue
        findings.append(make_finding(
            "early-stopping-eager",
            f"fit.callbacks[{index}] EarlyStopping has patience {patience} (at most "
            f"{limits.early_stopping_max_eager_patience}) and no restore_best_weights: one noisy "
            "epoch ends training with the last weights",
            value=float(patience), threshold=float(limits.early_stopping_max_eager_patience),
            subject=f"fit.callbacks[{index}]", params={"index": index}))
    return findings


def _keras_warnings(warnings: Iterable[str]) -> list[Finding]:
    findings = []
    seen = set()
    for text in warnings:
        text = str(text).strip()
        # The same warning can come once per traced shape, (None, 1) and (256, 1).
        key = re.sub(r"\d+|None", "#", text)
        if not text or key in seen:
            continue
        seen.add(key)
        findings.append(make_finding("keras-warning", text, value=text))
    return findings
