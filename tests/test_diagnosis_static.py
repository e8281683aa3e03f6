"""Static rules: each one fires on its fault and stays quiet on a healthy model."""

from __future__ import annotations

import pytest

from tui_lab.diagnosis import Severity, check_experiment
from tui_lab.experiment import CompileSpec, Experiment, FitSpec, LayerSpec
from tui_lab.presets import preset


def dense(units, activation=None, **args):
    if activation is not None:
        args["activation"] = activation
    return LayerSpec("Dense", {"units": units, **args})


def model(*layers, optimizer="adam", loss="binary_crossentropy", metrics=("accuracy",),
          batch_size=32, callbacks=()):
    return Experiment(layers=tuple(layers),
                      compile=CompileSpec(optimizer=optimizer, loss=loss, metrics=metrics),
                      fit=FitSpec(batch_size=batch_size, callbacks=callbacks))


HEALTHY = model(dense(16, "relu"), dense(1, "sigmoid"))


def ids(experiment, warnings=()):
    return {finding.id for finding in check_experiment(experiment, warnings)}


def test_healthy_model_quiet():
    assert check_experiment(HEALTHY) == []


def test_baseline_preset_quiet():
    assert check_experiment(preset("baseline")) == []


def test_empty_model():
    findings = check_experiment(Experiment())
    assert [f.id for f in findings] == ["empty-model"]
    assert findings[0].severity is Severity.ERROR


def test_softmax_on_dense():
    assert "softmax-single-unit" in ids(model(dense(16, "relu"), dense(1, "softmax")))


def test_softmax_layer_after_dropout():
    experiment = model(dense(16, "relu"), dense(1), LayerSpec("Dropout", {"rate": 0.2}), LayerSpec("Softmax"))
    assert "softmax-single-unit" in ids(experiment)


def test_softmax_activation_layer():
    experiment = model(dense(16, "relu"), dense(1), LayerSpec("Activation", {"activation": "softmax"}))
    findings = [f for f in check_experiment(experiment) if f.id == "softmax-single-unit"]
    assert len(findings) == 1
    assert "layers[2]" in findings[0].evidence


def test_softmax_two_units_not_single_unit():
    experiment = model(dense(16, "relu"), dense(2, "softmax"), loss="categorical_crossentropy")
    assert "softmax-single-unit" not in ids(experiment)


def test_sigmoid_not_softmax_alarm():
    assert "softmax-single-unit" not in ids(HEALTHY)


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
def test_categorical_loss_one_unit(loss):
    assert "loss-output-mismatch" in ids(model(dense(16, "relu"), dense(1, "sigmoid"), loss=loss))


@pytest.mark.parametrize("loss", ["mse", "mean_absolute_error", "hinge", "squared_hinge"])
def test_regression_loss_on_sigmoid(loss):
    assert "loss-output-mismatch" in ids(model(dense(16, "relu"), dense(1, "sigmoid"), loss=loss))


def test_bce_two_units():
    assert "loss-output-mismatch" in ids(model(dense(16, "relu"), dense(2, "sigmoid")))


def test_mse_on_linear_output_quiet():
    assert "loss-output-mismatch" not in ids(model(dense(16, "relu"), dense(1), loss="mse"))


@pytest.mark.parametrize("activation", ["relu", "tanh", "softplus"])
def test_output_activation(activation):
    assert "output-activation" in ids(model(dense(16, "relu"), dense(1, activation)))


def test_output_activation_layer_after_dense():
    experiment = model(dense(16, "relu"), dense(1), LayerSpec("ReLU"))
    assert "output-activation" in ids(experiment)


def test_linear_output_not_output_activation():
    found = ids(model(dense(16, "relu"), dense(1)))
    assert "output-activation" not in found
    assert "from-logits-mismatch" in found


def test_sigmoid_with_from_logits():
    loss = {"type": "BinaryCrossentropy", "from_logits": True}
    assert "from-logits-mismatch" in ids(model(dense(16, "relu"), dense(1, "sigmoid"), loss=loss))


def test_logits_model_quiet():
    loss = {"type": "BinaryCrossentropy", "from_logits": True}
    metrics = ({"type": "BinaryAccuracy", "threshold": 0.0},)
    assert check_experiment(model(dense(16, "relu"), dense(1), loss=loss, metrics=metrics)) == []


@pytest.mark.parametrize("metric", ["Accuracy", {"type": "Accuracy"}])
def test_accuracy_class(metric):
    assert "accuracy-metric" in ids(model(dense(16, "relu"), dense(1, "sigmoid"), metrics=(metric,)))


@pytest.mark.parametrize("metric", ["accuracy", "binary_accuracy", {"type": "BinaryAccuracy"}])
def test_half_threshold_on_logits(metric):
    loss = {"type": "BinaryCrossentropy", "from_logits": True}
    assert "accuracy-metric" in ids(model(dense(16, "relu"), dense(1), loss=loss, metrics=(metric,)))


@pytest.mark.parametrize("metric", ["accuracy", "binary_accuracy", {"type": "BinaryAccuracy"}, "auc"])
def test_probability_metrics_quiet(metric):
    assert "accuracy-metric" not in ids(model(dense(16, "relu"), dense(1, "sigmoid"), metrics=(metric,)))


@pytest.mark.parametrize("optimizer,rate", [("Adam", 0.1), ("RMSprop", 0.05), ("SGD", 1.0)])
def test_learning_rate_high(optimizer, rate):
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"),
                       optimizer={"type": optimizer, "learning_rate": rate})
    assert "learning-rate-high" in ids(experiment)


@pytest.mark.parametrize("optimizer,rate", [("Adam", 1e-6), ("Nadam", 1e-7), ("SGD", 1e-5)])
def test_learning_rate_low(optimizer, rate):
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"),
                       optimizer={"type": optimizer, "learning_rate": rate})
    findings = [f for f in check_experiment(experiment) if f.id == "learning-rate-low"]
    assert len(findings) == 1
    assert findings[0].severity is Severity.WARNING


def test_learning_rate_zero_is_error():
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"), optimizer={"type": "Adagrad", "learning_rate": 0.0})
    findings = [f for f in check_experiment(experiment) if f.id == "learning-rate-low"]
    assert len(findings) == 1
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", {"type": "SGD", "learning_rate": 0.1}])
def test_learning_rate_usual_quiet(optimizer):
    found = ids(model(dense(16, "relu"), dense(1, "sigmoid"), optimizer=optimizer))
    assert "learning-rate-high" not in found
    assert "learning-rate-low" not in found


def test_linear_hidden_layer():
    assert "linear-hidden-layer" in ids(model(dense(16), dense(1, "sigmoid")))


def test_linear_hidden_before_dropout():
    experiment = model(dense(16), LayerSpec("Dropout", {"rate": 0.2}), dense(1, "sigmoid"))
    assert "linear-hidden-layer" in ids(experiment)


def test_hidden_with_activation_layer_quiet():
    experiment = model(dense(16), LayerSpec("BatchNormalization"), LayerSpec("LeakyReLU"), dense(1, "sigmoid"))
    assert "linear-hidden-layer" not in ids(experiment)


@pytest.mark.parametrize("initializer", ["zeros", "ones", {"type": "Constant", "value": 0.1}])
def test_constant_initializer(initializer):
    experiment = model(dense(16, "relu", kernel_initializer=initializer), dense(1, "sigmoid"))
    assert "constant-initializer" in ids(experiment)


def test_zeros_on_single_unit_quiet():
    experiment = model(dense(16, "relu"), dense(1, "sigmoid", kernel_initializer="zeros"))
    assert "constant-initializer" not in ids(experiment)


def test_dropout_after_output():
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"), LayerSpec("Dropout", {"rate": 0.2}))
    assert "dropout-placement" in ids(experiment)


def test_dropout_rate_high():
    experiment = model(dense(64, "relu"), LayerSpec("Dropout", {"rate": 0.7}), dense(1, "sigmoid"))
    assert "dropout-placement" in ids(experiment)


def test_dropout_few_units_kept():
    experiment = model(dense(8, "relu"), LayerSpec("Dropout", {"rate": 0.5}), dense(1, "sigmoid"))
    assert "dropout-placement" in ids(experiment)


def test_dropout_moderate_quiet():
    experiment = model(dense(32, "relu"), LayerSpec("Dropout", {"rate": 0.5}), dense(1, "sigmoid"))
    assert "dropout-placement" not in ids(experiment)


def test_batchnorm_small_batch():
    experiment = model(dense(16), LayerSpec("BatchNormalization"), LayerSpec("ReLU"), dense(1, "sigmoid"),
                       batch_size=4)
    assert "batchnorm-small-batch" in ids(experiment)


def test_batchnorm_batch_32_quiet():
    experiment = model(dense(16), LayerSpec("BatchNormalization"), LayerSpec("ReLU"), dense(1, "sigmoid"))
    assert "batchnorm-small-batch" not in ids(experiment)


def test_small_batch_without_batchnorm_quiet():
    assert "batchnorm-small-batch" not in ids(model(dense(16, "relu"), dense(1, "sigmoid"), batch_size=1))


@pytest.mark.parametrize("callback", [{"type": "EarlyStopping"}, {"type": "EarlyStopping", "patience": 2}])
def test_early_stopping_eager(callback):
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"), callbacks=(callback,))
    assert "early-stopping-eager" in ids(experiment)


@pytest.mark.parametrize("callback", [
    {"type": "EarlyStopping", "patience": 10},
    {"type": "EarlyStopping", "patience": 1, "restore_best_weights": True},
])
def test_early_stopping_patient_quiet(callback):
    experiment = model(dense(16, "relu"), dense(1, "sigmoid"), callbacks=(callback,))
    assert "early-stopping-eager" not in ids(experiment)


def test_keras_warning_one_each():
    warnings = ["softmax over axis -1 of shape (None, 1)", "softmax over axis -1 of shape (256, 1)", "other"]
    findings = [f for f in check_experiment(HEALTHY, warnings) if f.id == "keras-warning"]
    assert [f.evidence for f in findings] == ["softmax over axis -1 of shape (None, 1)", "other"]


def test_not_learning_preset_findings():
    found = ids(preset("not-learning"))
    assert found >= {"softmax-single-unit", "accuracy-metric", "learning-rate-high", "early-stopping-eager"}


def test_findings_sorted_errors_first():
    severities = [f.severity for f in check_experiment(preset("not-learning"))]
    assert severities == sorted(severities, reverse=True)


def test_finding_to_dict():
    finding = check_experiment(preset("not-learning"))[0]
    data = finding.to_dict()
    assert data["id"] == "softmax-single-unit"
    assert data["severity"] == "error"
    assert data["evidence"] == finding.evidence
    assert data["fix"] == finding.fix
