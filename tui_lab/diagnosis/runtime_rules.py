"""Rules that read the epoch reports of a training run.

Every rule except nan-loss and constant-predictions waits until its condition has
held for several epochs in a row, and judges the run at its last report. A
condition that held early and then went away is not reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tui_lab.diagnosis.catalogue import make_finding
from tui_lab.diagnosis.finding import Finding, Severity
from tui_lab.diagnosis.static_rules import ADAM_FAMILY, recommended_learning_rate
from tui_lab.diagnosis.thresholds import THRESHOLDS, Thresholds
from tui_lab.experiment import Experiment, learning_rate, optimizer_class, spec_args, spec_type
from tui_lab.reports import EpochReport


def check_runtime(experiment: Experiment, reports: Sequence[EpochReport], dataset: Any = None,
                  thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Run every runtime rule on the epoch reports of one run, in epoch order."""
    reports = list(reports)
    if not reports:
        return []
    findings: list[Finding] = []
    constant = _constant_predictions(reports)
    findings += constant
    if not constant:
        findings += _single_class_predictions(reports, thresholds)
        findings += _saturated_outputs(reports, thresholds)
    findings += _nan_loss(experiment, reports, dataset, thresholds)
    findings += _loss_not_decreasing(reports, thresholds)
    findings += _loss_diverging(reports, thresholds)
    findings += _dead_relu(experiment, reports, thresholds)
    findings += _gradients(reports, thresholds)
    findings += _overfitting(experiment, reports, thresholds)
    findings += _suspicious_validation(experiment, reports, thresholds)
    findings += _still_improving(reports, thresholds)
    findings += _train_inference_gap(reports, thresholds)
    return findings


def trailing_epochs(reports: Sequence[EpochReport], holds: Callable[[EpochReport], bool]) -> tuple[int, ...]:
    """Return the epochs of the run of reports, up to the last one, where `holds` is true."""
    epochs: list[int] = []
    for report in reversed(reports):
        if not holds(report):
            break
        epochs.append(report.epoch)
    return tuple(reversed(epochs))


def show_epochs(epochs: Sequence[int]) -> str:
    """Return "epoch 4" or "epochs 2-6" for a run of consecutive epochs."""
    if len(epochs) == 1:
        return f"epoch {epochs[0]}"
    return f"epochs {epochs[0]}-{epochs[-1]}"


def _loss(report: EpochReport, key: str = "loss") -> float | None:
    value = report.logs.get(key)
    return None if value is None else float(value)


def _finite_losses(reports: Sequence[EpochReport], key: str = "loss") -> list[tuple[int, float]]:
    pairs = []
    for report in reports:
        value = _loss(report, key)
        if value is not None and math.isfinite(value):
            pairs.append((report.epoch, value))
    return pairs


def _constant_predictions(reports: list[EpochReport]) -> list[Finding]:
    epochs = trailing_epochs(reports, lambda r: r.predictions is not None and r.predictions.is_constant)
    if not epochs:
        return []
    stats = reports[-1].predictions
    return [make_finding(
        "constant-predictions",
        f"all {stats.count:,} validation predictions are {stats.mean:.3f} in {show_epochs(epochs)}, "
        f"so validation accuracy is stuck at {stats.accuracy:.3f}",
        value=stats.std, threshold=1e-4, epochs=epochs)]


def _single_class_predictions(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    def holds(report: EpochReport) -> bool:
        stats = report.predictions
        return stats is not None and stats.count > 0 and stats.positive_rate in (0.0, 1.0)

    epochs = trailing_epochs(reports, holds)
    if len(epochs) < limits.single_class_epochs:
        return []
    stats = reports[-1].predictions
    label = 1 if stats.positive_rate == 1.0 else 0
    share = stats.true_positive_share if label == 1 else 1 - stats.true_positive_share
    return [make_finding(
        "single-class-predictions",
        f"all {stats.count:,} validation rows are predicted {label} in {show_epochs(epochs)}, so "
        f"validation accuracy {stats.accuracy:.3f} is the share of class {label} ({share:.3f})",
        value=stats.positive_rate, threshold=float(limits.single_class_epochs), epochs=epochs)]


def _saturated_outputs(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    def holds(report: EpochReport) -> bool:
        stats = report.predictions
        return (stats is not None and stats.count > 0 and stats.saturated_share > limits.saturated_share
                and stats.accuracy < limits.saturated_max_accuracy)

    epochs = trailing_epochs(reports, holds)
    if len(epochs) < limits.saturated_epochs:
        return []
    stats = reports[-1].predictions
    return [make_finding(
        "saturated-outputs",
        f"{stats.saturated_share:.0%} of validation predictions are outside [0.01, 0.99] (limit "
        f"{limits.saturated_share:.0%}) while validation accuracy is {stats.accuracy:.3f}, in "
        f"{show_epochs(epochs)}",
        value=stats.saturated_share, threshold=limits.saturated_share, epochs=epochs)]


def _nan_loss(experiment: Experiment, reports: list[EpochReport], dataset: Any,
              limits: Thresholds) -> list[Finding]:
    loss_epochs = [r.epoch for r in reports if _loss(r) is not None and not math.isfinite(_loss(r))]
    gradient_epochs = [r.epoch for r in reports if _nan_gradient_layers(r)]
    bad = sorted(set(loss_epochs) | set(gradient_epochs))
    if not bad:
        return []
    first = bad[0]
    if first in loss_epochs:
        what = f"the loss is NaN or infinite from epoch {first}"
    else:
        layers = ", ".join(_nan_gradient_layers(next(r for r in reports if r.epoch == first)))
        what = (f"the gradient of {layers} on the probe rows is NaN or infinite from epoch {first}, "
                "so its weights turn NaN (a ReLU then outputs 0 and the loss can stay finite)")
    cause, reason = _nan_cause(experiment, dataset, limits)
    return [make_finding(
        "nan-loss", f"{what}; {reason}",
        value=next((_loss(r) for r in reports if r.epoch == first and _loss(r) is not None), math.nan),
        epochs=tuple(bad),
        fix=("Set data.impute to \"median\"." if cause == "inputs"
             else "Lower the learning rate." if cause == "learning_rate"
             else "Check the inputs for NaN, then lower the learning rate."),
        params={"cause": cause})]


def _nan_gradient_layers(report: EpochReport) -> list[str]:
    if report.probe is None:
        return []
    return [layer.name for layer in report.probe.layers
            if layer.gradient_norm is not None and not math.isfinite(layer.gradient_norm)]


def _nan_cause(experiment: Experiment, dataset: Any, limits: Thresholds) -> tuple[str, str]:
    if dataset is not None:
        x = np.asarray(dataset.x, dtype=np.float64)
        bad = ~np.isfinite(x)
        if bad.any():
            names = [str(n) for n in dataset.feature_names]
            columns = ", ".join(f"{names[i]} ({int(bad[:, i].sum()):,} rows)"
                                for i in np.flatnonzero(bad.any(axis=0)))
            return "inputs", f"likely cause: the inputs contain NaN or infinity in {columns}"
    optimizer = optimizer_class(experiment.compile.optimizer)
    rate = learning_rate(experiment.compile.optimizer)
    high = (limits.sgd_learning_rate_high if optimizer == "SGD"
            else limits.adam_learning_rate_high if optimizer in ADAM_FAMILY else None)
    if high is not None and rate > high:
        return "learning_rate", f"likely cause: the {optimizer} learning_rate {rate:g} is above {high:g}"
    if dataset is None:
        return "unknown", "the inputs were not checked for NaN, and the learning rate is in range"
    return "unknown", "the inputs are finite and the learning rate is in range"


def _loss_not_decreasing(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    losses = _finite_losses(reports)
    if len(losses) < limits.plateau_window + 1:
        return []
    last_epoch, last = losses[-1]
    first = losses[0][1]
    best_before = min(value for _, value in losses[-1 - limits.plateau_window:-1])
    if last < best_before * (1 - limits.plateau_min_gain) or last <= first * limits.plateau_first_loss_ratio:
        return []
    epochs = tuple(epoch for epoch, _ in losses[-1 - limits.plateau_window:])
    return [make_finding(
        "loss-not-decreasing",
        f"loss {last:.4f} at epoch {last_epoch} is less than {limits.plateau_min_gain:.0%} below the "
        f"best of the {limits.plateau_window} epochs before ({best_before:.4f}) and "
        f"{last / first:.0%} of the first epoch's loss {first:.4f}",
        value=last, threshold=best_before * (1 - limits.plateau_min_gain), epochs=epochs)]


def _loss_diverging(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    losses = _finite_losses(reports)
    if not losses:
        return []
    running_min = []
    lowest = math.inf
    if min(value for _, value in losses) <= 0:
        # A ratio to a minimum of 0 or below has no meaning (labels outside 0/1 give negative losses).
        return []
    for _, value in losses:
        lowest = min(lowest, value)
        running_min.append(lowest)
    epochs: list[int] = []
    for (epoch, value), minimum in zip(reversed(losses), reversed(running_min)):
        if value <= limits.diverging_factor * minimum:
            break
        epochs.append(epoch)
    if len(epochs) < limits.diverging_epochs:
        return []
    epochs.reverse()
    last, minimum = losses[-1][1], running_min[-1]
    return [make_finding(
        "loss-diverging",
        f"loss {last:.4g} is {last / minimum:.1f} times its minimum {minimum:.4g} in "
        f"{show_epochs(epochs)} (limit {limits.diverging_factor:g} times)",
        value=last / minimum, threshold=limits.diverging_factor, epochs=tuple(epochs))]


def _dead_relu(experiment: Experiment, reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    if reports[-1].probe is None:
        return []
    dead_layers = []
    for layer in reports[-1].probe.layers:
        if layer.dead_share is None:
            continue

        def holds(report: EpochReport, name: str = layer.name) -> bool:
            share = _dead_share(report, name)
            return share is not None and share >= limits.dead_share

        epochs = trailing_epochs(reports, holds)
        if len(epochs) >= limits.dead_epochs:
            dead_layers.append((layer, epochs))
    if not dead_layers:
        return []
    optimizer = optimizer_class(experiment.compile.optimizer)
    rate = learning_rate(experiment.compile.optimizer)
    all_dead = any(layer.dead_share >= 1.0 for layer, _ in dead_layers)
    shown = "; ".join(_show_dead(layer, epochs) for layer, epochs in dead_layers)
    epochs = min((epochs for _, epochs in dead_layers), key=len)
    return [make_finding(
        "dead-relu", f"{shown} (limit {limits.dead_share:.0%})",
        severity=Severity.ERROR if all_dead else Severity.WARNING,
        value=max(layer.dead_share for layer, _ in dead_layers), threshold=limits.dead_share,
        epochs=epochs, subject=dead_layers[0][0].name,
        params={"learning_rate_above_recommended": rate > recommended_learning_rate(optimizer)})]


def _dead_share(report: EpochReport, name: str) -> float | None:
    if report.probe is None:
        return None
    for layer in report.probe.layers:
        if layer.name == name:
            return layer.dead_share
    return None


def _show_dead(layer: Any, epochs: tuple[int, ...]) -> str:
    units = f" of {layer.units} units" if layer.units else " of the units"
    return f"{layer.name}: {layer.dead_share:.0%}{units} output 0 on the probe rows in {show_epochs(epochs)}"


def _gradients(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    def gradient_layers(report: EpochReport) -> list[Any]:
        if report.probe is None:
            return []
        return [layer for layer in report.probe.layers
                if layer.gradient_norm is not None and math.isfinite(layer.gradient_norm)]

    def ratio(report: EpochReport) -> float | None:
        layers = gradient_layers(report)
        if len(layers) < 2 or layers[-1].gradient_norm <= 0:
            return None
        return layers[0].gradient_norm / layers[-1].gradient_norm

    def faded(report: EpochReport) -> list[str]:
        layers = gradient_layers(report)
        if len(layers) < 2 or (layers[-1].mean_abs_gradient or 0.0) < limits.gradient_min_mean_abs:
            return []
        return [layer.name for layer in layers[:-1]
                if layer.mean_abs_gradient is not None and layer.mean_abs_gradient < limits.gradient_min_mean_abs]

    findings = []
    vanishing = trailing_epochs(reports, lambda r: (ratio(r) is not None and ratio(r) < limits.gradient_ratio_low)
                                or bool(faded(r)))
    if len(vanishing) >= limits.gradient_epochs:
        last = reports[-1]
        parts = []
        if ratio(last) is not None and ratio(last) < limits.gradient_ratio_low:
            parts.append(f"the first layer's gradient norm is {ratio(last):.2g} times the last layer's "
                         f"(limit {limits.gradient_ratio_low:g})")
        if faded(last):
            parts.append(f"mean |gradient| below {limits.gradient_min_mean_abs:g} in {', '.join(faded(last))}")
        findings.append(make_finding(
            "vanishing-gradients", f"{' and '.join(parts)} in {show_epochs(vanishing)}",
            value=ratio(last), threshold=limits.gradient_ratio_low, epochs=vanishing))

    exploding = trailing_epochs(reports, lambda r: ratio(r) is not None and ratio(r) > limits.gradient_ratio_high)
    if len(exploding) >= limits.gradient_epochs:
        value = ratio(reports[-1])
        findings.append(make_finding(
            "exploding-gradients",
            f"the first layer's gradient norm is {value:.3g} times the last layer's (limit "
            f"{limits.gradient_ratio_high:g}) in {show_epochs(exploding)}",
            value=value, threshold=limits.gradient_ratio_high, epochs=exploding))
    return findings


def _restores_best_weights(experiment: Experiment) -> bool:
    return any(spec_type(callback) == "EarlyStopping" and spec_args(callback).get("restore_best_weights")
               for callback in experiment.fit.callbacks)


def _overfitting(experiment: Experiment, reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    if _restores_best_weights(experiment):
        return []
    pairs = [(r.epoch, _loss(r, "val_loss"), _loss(r)) for r in reports]
    pairs = [(e, v, t) for e, v, t in pairs
             if v is not None and t is not None and math.isfinite(v) and math.isfinite(t)]
    if not pairs:
        return []
    best_epoch, best_val, loss_at_best = min(pairs, key=lambda item: item[1])
    epochs = []
    for epoch, val_loss, loss in reversed(pairs):
        if epoch <= best_epoch or val_loss <= limits.overfitting_factor * best_val or loss >= loss_at_best:
            break
        epochs.append(epoch)
    if len(epochs) < limits.overfitting_epochs:
        return []
    epochs.reverse()
    last_epoch, last_val, last_loss = pairs[-1]
    return [make_finding(
        "overfitting",
        f"val_loss {last_val:.4f} is {last_val / best_val:.2f} times its minimum {best_val:.4f} "
        f"(epoch {best_epoch}) in {show_epochs(epochs)}, while the loss fell from "
        f"{loss_at_best:.4f} to {last_loss:.4f}",
        value=last_val / best_val, threshold=limits.overfitting_factor, epochs=tuple(epochs))]


def _suspicious_validation(experiment: Experiment, reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    titanic = experiment.data.source == "titanic" or experiment.data.target.casefold() == "survived"
    if not titanic:
        return []
    def holds(report: EpochReport) -> bool:
        stats = report.predictions
        if stats is None or stats.count == 0:
            return False
        majority = max(stats.true_positive_share, 1 - stats.true_positive_share)
        return stats.accuracy >= limits.suspicious_accuracy and majority <= limits.suspicious_max_majority_share

    epochs = trailing_epochs(reports, holds)
    if len(epochs) < limits.suspicious_epochs:
        return []
    accuracy = reports[-1].predictions.accuracy
    return [make_finding(
        "suspicious-validation",
        f"validation accuracy is {accuracy:.3f} in {show_epochs(epochs)} (limit "
        f"{limits.suspicious_accuracy:g}); honest Titanic models reach about 0.8, so a feature "
        "probably gives the label away",
        value=accuracy, threshold=limits.suspicious_accuracy, epochs=epochs)]


def _still_improving(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    last = reports[-1]
    if last.epoch < last.epochs:
        return []
    losses = _finite_losses(reports)
    if len(losses) < limits.improving_epochs + 1 or losses[-1][0] != last.epoch:
        return []
    recent = losses[-1 - limits.improving_epochs:]
    gains = [(before - after) / before for (_, before), (_, after) in zip(recent, recent[1:]) if before > 0]
    if len(gains) < limits.improving_epochs or min(gains) <= limits.improving_gain:
        return []
    epochs = tuple(epoch for epoch, _ in recent[1:])
    return [make_finding(
        "still-improving",
        f"the loss fell by at least {min(gains):.1%} in each of {show_epochs(epochs)}, the last "
        f"epochs of the run (limit {limits.improving_gain:.0%})",
        value=min(gains), threshold=limits.improving_gain, epochs=epochs)]


def _train_inference_gap(reports: list[EpochReport], limits: Thresholds) -> list[Finding]:
    def gap(report: EpochReport) -> float | None:
        probe = report.probe
        if probe is None or probe.train_mode_accuracy is None or probe.inference_mode_accuracy is None:
            return None
        return abs(probe.train_mode_accuracy - probe.inference_mode_accuracy)

    epochs = trailing_epochs(reports, lambda r: gap(r) is not None and gap(r) > limits.train_inference_gap)
    if len(epochs) < limits.train_inference_epochs:
        return []
    probe = reports[-1].probe
    return [make_finding(
        "train-inference-gap",
        f"on the probe rows, accuracy is {probe.train_mode_accuracy:.3f} in training mode and "
        f"{probe.inference_mode_accuracy:.3f} in inference mode in {show_epochs(epochs)} (limit "
        f"{limits.train_inference_gap:g} apart)",
        value=gap(reports[-1]), threshold=limits.train_inference_gap, epochs=epochs)]
