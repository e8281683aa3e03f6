"""Fixes: each one is pure, removes its finding, and shows its change as a TOML diff."""

from __future__ import annotations

import pytest

from cases import CASES, CASES_BY_ID
from tui_lab.data import load
from tui_lab.diagnosis import Finding, Severity, apply_fix, check_data, check_experiment, describe_change, fix_for
from tui_lab.diagnosis.fixes import FixError
from tui_lab.experiment import validate

STATIC_AND_DATA = [
    (case.id, finding_id)
    for case in CASES
    for finding_id in case.expect
    if finding_id not in ("constant-predictions", "single-class-predictions", "dead-relu", "nan-loss",
                          "labels-not-binary")
]


def findings(experiment):
    return check_experiment(experiment) + check_data(experiment, load(experiment.data))


@pytest.mark.parametrize("case_id,finding_id", STATIC_AND_DATA)
def test_fix_removes_finding(case_id, finding_id):
    experiment = CASES_BY_ID[case_id].experiment
    finding = next(f for f in findings(experiment) if f.id == finding_id)
    fixed = apply_fix(finding, experiment)
    assert finding_id not in {f.id for f in findings(fixed)}
    assert validate(fixed) == []


@pytest.mark.parametrize("case_id,finding_id", STATIC_AND_DATA)
def test_fix_adds_no_error(case_id, finding_id):
    experiment = CASES_BY_ID[case_id].experiment
    before = findings(experiment)
    finding = next(f for f in before if f.id == finding_id)
    errors_before = {f.id for f in before if f.severity is Severity.ERROR}
    errors_after = {f.id for f in findings(apply_fix(finding, experiment)) if f.severity is Severity.ERROR}
    assert errors_after <= errors_before


def test_fix_leaves_input_unchanged():
    experiment = CASES_BY_ID["seed-constant-one"].experiment
    text = experiment.to_toml()
    for finding in check_experiment(experiment):
        if fix_for(finding) is not None:
            apply_fix(finding, experiment)
    assert experiment.to_toml() == text


def test_softmax_activation_layer_replaced():
    experiment = CASES_BY_ID["softmax-as-activation-layer"].experiment
    finding = next(f for f in check_experiment(experiment) if f.id == "softmax-single-unit")
    fixed = apply_fix(finding, experiment)
    assert fixed.layers[-1].type == "Activation"
    assert fixed.layers[-1].get("activation") == "sigmoid"


def test_from_logits_fix_sets_logits_metric():
    experiment = CASES_BY_ID["logits-without-from-logits"].experiment
    finding = next(f for f in check_experiment(experiment) if f.id == "from-logits-mismatch")
    fixed = apply_fix(finding, experiment)
    assert fixed.compile.loss == {"type": "BinaryCrossentropy", "from_logits": True}
    assert fixed.compile.metrics == ({"type": "BinaryAccuracy", "threshold": 0.0},)


def test_class_weight_balanced():
    experiment = CASES_BY_ID["rare-positives"].experiment
    finding = next(f for f in findings(experiment) if f.id == "class-imbalance")
    fixed = apply_fix(finding, experiment)
    assert fixed.fit.class_weight == {0: round(834 / (2 * 809), 4), 1: round(834 / (2 * 25), 4)}


def test_leakage_fix_drops_boat():
    experiment = CASES_BY_ID["leaky-boat-column"].experiment
    finding = next(f for f in findings(experiment) if f.id == "target-leakage")
    fixed = apply_fix(finding, experiment)
    assert "boat" not in fixed.data.features
    assert fixed.data.missing_indicators == ("body",)


def test_no_fix_raises():
    finding = Finding("keras-warning", Severity.WARNING, "title", "evidence", "read it")
    assert fix_for(finding) is None
    with pytest.raises(FixError, match="keras-warning"):
        apply_fix(finding, CASES[0].experiment)


def test_describe_change_diff():
    experiment = CASES_BY_ID["seed-constant-one"].experiment
    finding = next(f for f in check_experiment(experiment) if f.id == "learning-rate-high")
    lines = describe_change(experiment, apply_fix(finding, experiment))
    assert "-learning_rate = 0.1" in lines
    assert "+learning_rate = 0.001" in lines


def test_describe_change_same_empty():
    experiment = CASES[0].experiment
    assert describe_change(experiment, experiment) == []
