"""The whole debugging loop on the not-learning preset, with real training.

The preset is a model that predicts 1.0 for every row. The lab must name its faults
before training and its fixes, applied one at a time, must give a model that learns.
"""

from __future__ import annotations

import pytest

from tui_lab import data, diagnosis, presets
from tui_lab.engine.trainer import train
from tui_lab.experiment import LayerSpec

STATIC_FAULTS = ("softmax-single-unit", "accuracy-metric", "learning-rate-high", "early-stopping-eager")


@pytest.fixture(scope="module")
def titanic():
    return data.load(presets.preset("not-learning").data)


def best_val_accuracy(result) -> float:
    return max(result.history["val_accuracy"])


def test_not_learning_faults_before_training():
    findings = diagnosis.check_experiment(presets.preset("not-learning"))

    ids = {finding.id for finding in findings}
    for fault in STATIC_FAULTS:
        assert fault in ids


def test_fixes_one_at_a_time_learn(titanic):
    experiment = presets.preset("not-learning")

    for fault in STATIC_FAULTS:
        finding = next(f for f in diagnosis.check_experiment(experiment) if f.id == fault)
        experiment = diagnosis.apply_fix(finding, experiment)

    remaining = {finding.id for finding in diagnosis.check_experiment(experiment)}
    assert remaining.isdisjoint(STATIC_FAULTS)
    result = train(experiment, titanic, run_id="fixed", on_event=lambda event: None,
                   epochs=60, probe=False)
    assert best_val_accuracy(result) >= 0.78


def test_three_edits_by_hand_learn(titanic):
    """Sigmoid output, learning rate 0.001 and the "accuracy" metric, as a user types them."""
    experiment = presets.preset("not-learning")
    last = len(experiment.layers) - 1
    experiment = experiment.replace_layer(last, LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}))
    experiment = experiment.with_compile(optimizer={"type": "Adam", "learning_rate": 0.001},
                                         metrics=("accuracy",))
    experiment = experiment.with_fit(epochs=60)

    result = train(experiment, titanic, run_id="by-hand", on_event=lambda event: None, probe=False)

    assert best_val_accuracy(result) >= 0.78
