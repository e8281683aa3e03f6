"""Runtime rules on epoch reports built by hand."""

from __future__ import annotations

import math

import pytest

from tui_lab.data import load
from tui_lab.diagnosis import Severity, check_training
from tui_lab.experiment import DataSpec, Experiment, LayerSpec
from tui_lab.presets import preset
from tui_lab.reports import EpochReport, LayerProbe, PredictionStats, ProbeStats

HEALTHY = preset("baseline")


def stats(mean=0.4, std=0.2, positive_rate=0.35, accuracy=0.8, saturated=0.05, count=262, tps=0.38):
    return PredictionStats(count=count, min=max(0.0, mean - 2 * std), max=min(1.0, mean + 2 * std), mean=mean,
                           std=std, positive_rate=positive_rate, true_positive_share=tps, accuracy=accuracy,
                           saturated_share=saturated)


def probe(dead=0.0, gradients=(0.1, 0.05, 0.04), mean_abs=(1e-3, 1e-3, 1e-3), train_acc=0.8, infer_acc=0.8):
    layers = [LayerProbe("dense", "Dense", "relu", 32, dead, gradients[0], mean_abs[0])]
    for i, (norm, mean) in enumerate(zip(gradients[1:-1], mean_abs[1:-1]), start=1):
        layers.append(LayerProbe(f"dense_{i}", "Dense", "relu", 16, 0.0, norm, mean))
    layers.append(LayerProbe("output", "Dense", "sigmoid", 1, None, gradients[-1], mean_abs[-1]))
    return ProbeStats(layers, train_acc, infer_acc)


def run(losses, val_losses=None, predictions=None, probes=None, epochs=None):
    count = len(losses)
    val_losses = val_losses or [loss * 1.05 for loss in losses]
    predictions = predictions or [stats() for _ in range(count)]
    probes = probes or [probe() for _ in range(count)]
    return [EpochReport(epoch=i + 1, epochs=epochs or count, logs={"loss": loss, "val_loss": val},
                        predictions=pred, probe=prb)
            for i, (loss, val, pred, prb) in enumerate(zip(losses, val_losses, predictions, probes))]


LEARNING = [0.66, 0.58, 0.52, 0.49, 0.47, 0.46, 0.455, 0.452, 0.45, 0.449]


def ids(reports, experiment=HEALTHY, dataset=None):
    return {finding.id for finding in check_training(experiment, reports, dataset)}


def test_learning_run_quiet():
    assert check_training(HEALTHY, run(LEARNING)) == []


def test_no_reports_quiet():
    assert check_training(HEALTHY, []) == []


def test_constant_predictions_first_epoch():
    reports = run([0.7], predictions=[stats(mean=1.0, std=0.0, positive_rate=1.0, accuracy=0.34)])
    found = check_training(HEALTHY, reports)
    assert [f.id for f in found] == ["constant-predictions"]
    assert found[0].evidence.startswith("all 262 validation predictions are 1.000")
    assert found[0].epochs == (1,)


def test_constant_recovered_quiet():
    reports = run([0.7, 0.6], predictions=[stats(std=0.0), stats()])
    assert "constant-predictions" not in ids(reports)


def test_single_class_three_epochs():
    single = stats(positive_rate=0.0, accuracy=0.62, tps=0.38)
    found = [f for f in check_training(HEALTHY, run(LEARNING[:5], predictions=[stats(), stats()] + [single] * 3))
             if f.id == "single-class-predictions"]
    assert len(found) == 1
    assert found[0].epochs == (3, 4, 5)


def test_single_class_two_epochs_quiet():
    single = stats(positive_rate=0.0, accuracy=0.62)
    assert "single-class-predictions" not in ids(run(LEARNING[:4], predictions=[stats(), stats()] + [single] * 2))


def test_single_class_left_out_when_constant():
    constant = stats(mean=0.3, std=0.0, positive_rate=0.0, accuracy=0.62)
    found = ids(run(LEARNING[:3], predictions=[constant] * 3))
    assert "constant-predictions" in found
    assert "single-class-predictions" not in found


def test_saturated_outputs():
    saturated = stats(saturated=0.95, accuracy=0.6)
    assert "saturated-outputs" in ids(run(LEARNING[:3], predictions=[saturated] * 3))


def test_saturated_but_accurate_quiet():
    assert "saturated-outputs" not in ids(run(LEARNING[:3], predictions=[stats(saturated=0.95, accuracy=0.93)] * 3))


def test_nan_loss_high_learning_rate():
    experiment = HEALTHY.with_compile(optimizer={"type": "SGD", "learning_rate": 5.0})
    found = [f for f in check_training(experiment, run([0.7, math.nan])) if f.id == "nan-loss"]
    assert len(found) == 1
    assert found[0].params["cause"] == "learning_rate"
    assert found[0].epochs == (2,)


def test_nan_loss_inputs():
    spec = DataSpec(impute="none")
    found = [f for f in check_training(Experiment(data=spec, layers=HEALTHY.layers), run([math.nan]), load(spec))
             if f.id == "nan-loss"]
    assert len(found) == 1
    assert found[0].params["cause"] == "inputs"
    assert "age" in found[0].evidence


def test_nan_gradient_counts():
    nan_probe = probe(gradients=(math.nan, 0.0, 0.0))
    assert "nan-loss" in ids(run([0.69, 0.68], probes=[nan_probe, nan_probe]))


def test_loss_not_decreasing():
    assert "loss-not-decreasing" in ids(run([0.69, 0.688, 0.687, 0.689, 0.686, 0.687, 0.686]))


def test_plateau_after_learning_quiet():
    assert "loss-not-decreasing" not in ids(run([0.69, 0.5, 0.45, 0.45, 0.45, 0.45, 0.45]))


def test_plateau_five_epochs_quiet():
    assert "loss-not-decreasing" not in ids(run([0.69, 0.69, 0.69, 0.69, 0.69]))


def test_loss_diverging():
    found = [f for f in check_training(HEALTHY, run([0.7, 0.5, 0.9, 1.4, 2.0])) if f.id == "loss-diverging"]
    assert len(found) == 1
    assert found[0].epochs == (4, 5)


def test_single_spike_quiet():
    assert "loss-diverging" not in ids(run([0.7, 0.5, 1.2, 0.5]))


def test_negative_loss_not_diverging():
    assert "loss-diverging" not in ids(run([-5.0, -30.0, -31.0, -31.5]))


def test_dead_relu_warning():
    found = [f for f in check_training(HEALTHY, run(LEARNING[:3], probes=[probe(dead=0.6)] * 3)) if f.id == "dead-relu"]
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING


def test_dead_relu_all_units_error():
    found = [f for f in check_training(HEALTHY, run(LEARNING[:2], probes=[probe(dead=1.0)] * 2)) if f.id == "dead-relu"]
    assert found[0].severity is Severity.ERROR


def test_dead_relu_one_epoch_quiet():
    assert "dead-relu" not in ids(run(LEARNING[:2], probes=[probe(), probe(dead=1.0)]))


def test_vanishing_gradients_ratio():
    small = probe(gradients=(1e-5, 1e-3, 0.1))
    assert "vanishing-gradients" in ids(run(LEARNING[:2], probes=[small, small]))


def test_vanishing_gradients_mean_abs():
    faded = probe(mean_abs=(1e-9, 1e-4, 1e-3))
    assert "vanishing-gradients" in ids(run(LEARNING[:2], probes=[faded, faded]))


def test_all_zero_gradients_not_vanishing():
    zero = probe(gradients=(0.0, 0.0, 0.0), mean_abs=(0.0, 0.0, 0.0))
    assert "vanishing-gradients" not in ids(run(LEARNING[:2], probes=[zero, zero]))


def test_exploding_gradients():
    large = probe(gradients=(50.0, 1.0, 0.1))
    assert "exploding-gradients" in ids(run(LEARNING[:2], probes=[large, large]))


def test_exploding_one_epoch_quiet():
    assert "exploding-gradients" not in ids(run(LEARNING[:2], probes=[probe(), probe(gradients=(50.0, 1.0, 0.1))]))


OVERFIT_LOSS = [0.6, 0.5, 0.45, 0.42, 0.40, 0.38, 0.36]
OVERFIT_VAL = [0.6, 0.5, 0.48, 0.51, 0.53, 0.55, 0.58]


def test_overfitting():
    experiment = HEALTHY.with_fit(callbacks=())
    found = [f for f in check_training(experiment, run(OVERFIT_LOSS, OVERFIT_VAL)) if f.id == "overfitting"]
    assert len(found) == 1
    assert found[0].epochs == (4, 5, 6, 7)


def test_overfitting_restored_weights_quiet():
    assert "overfitting" not in ids(run(OVERFIT_LOSS, OVERFIT_VAL))


def test_val_noise_quiet():
    experiment = HEALTHY.with_fit(callbacks=())
    assert "overfitting" not in ids(run(OVERFIT_LOSS, [0.6, 0.5, 0.48, 0.49, 0.485, 0.49, 0.487]), experiment)


def test_suspicious_validation():
    assert "suspicious-validation" in ids(run(LEARNING[:2], predictions=[stats(accuracy=0.97)] * 2))


def test_high_accuracy_on_rare_class_quiet():
    rare = stats(accuracy=0.97, tps=0.03, positive_rate=0.01)
    assert "suspicious-validation" not in ids(run(LEARNING[:2], predictions=[rare] * 2))


def test_suspicious_other_source_quiet(tmp_path):
    experiment = HEALTHY.with_data(source=str(tmp_path / "other.csv"), target="label")
    assert "suspicious-validation" not in ids(run(LEARNING[:2], predictions=[stats(accuracy=0.97)] * 2), experiment)


def test_still_improving():
    found = [f for f in check_training(HEALTHY, run([0.7, 0.6, 0.5, 0.45, 0.4])) if f.id == "still-improving"]
    assert len(found) == 1
    assert found[0].severity is Severity.INFO


def test_still_improving_early_stop_quiet():
    assert "still-improving" not in ids(run([0.7, 0.6, 0.5, 0.45, 0.4], epochs=20))


def test_train_inference_gap():
    gap = probe(train_acc=0.6, infer_acc=0.82)
    assert "train-inference-gap" in ids(run(LEARNING[:2], probes=[gap, gap]))


def test_train_inference_small_gap_quiet():
    gap = probe(train_acc=0.76, infer_acc=0.82)
    assert "train-inference-gap" not in ids(run(LEARNING[:2], probes=[gap, gap]))


@pytest.mark.parametrize("rule", ["single-class-predictions", "saturated-outputs", "dead-relu"])
def test_recovered_condition_quiet(rule):
    bad = {"single-class-predictions": {"predictions": stats(positive_rate=0.0, accuracy=0.62)},
           "saturated-outputs": {"predictions": stats(saturated=0.95, accuracy=0.6)},
           "dead-relu": {"probes": probe(dead=0.9)}}[rule]
    key, value = next(iter(bad.items()))
    good = stats() if key == "predictions" else probe()
    assert rule not in ids(run(LEARNING[:5], **{key: [value] * 4 + [good]}))


def test_layers_without_probe_quiet():
    reports = [EpochReport(1, 1, {"loss": 0.6}, None)]
    assert check_training(Experiment(layers=(LayerSpec("Dense", {"units": 1}),)), reports) == []
