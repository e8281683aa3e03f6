"""Probe statistics, layer summaries without TensorFlow, and the JSON form of events."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tui_lab import data, presets
from tui_lab.engine.build import build_and_compile, model_summary
from tui_lab.engine.predictions import prediction_stats
from tui_lab.engine.probe import LARGE_MODEL_PARAMS, LARGE_MODEL_PROBE_ROWS, Probe
from tui_lab.engine.trainer import train
from tui_lab.layer_summary import summarize
from tui_lab.report_json import event_from_json, event_to_json
from tui_lab.reports import HISTOGRAM_BINS

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def titanic():
    return data.load(presets.preset("baseline").data)


def test_dead_share_forced_dead_layer(titanic):
    experiment = presets.preset("baseline")
    dead = experiment.layers[0].with_args(kernel_initializer="zeros",
                                          bias_initializer={"type": "Constant", "value": -1.0})
    model = build_and_compile(experiment.replace_layer(0, dead), titanic.x.shape[1]).model
    probe = Probe(model, titanic.x, titanic.y, from_logits=False)
    stats = probe.run()

    assert stats.layers[0].dead_share == 1.0
    assert stats.layers[0].gradient_norm == 0.0
    assert stats.layers[1].dead_share is None
    assert stats.layers[1].gradient_norm is None


def test_dead_share_healthy_layer(titanic):
    model = build_and_compile(presets.preset("baseline"), titanic.x.shape[1]).model
    stats = Probe(model, titanic.x, titanic.y, from_logits=False).run()

    assert stats.layers[0].dead_share < 0.5
    assert stats.layers[0].gradient_norm > 0.0
    assert 0.0 <= stats.inference_mode_accuracy <= 1.0


def test_probe_validation_output_matches_predict(titanic):
    model = build_and_compile(presets.preset("baseline"), titanic.x.shape[1]).model
    x = np.asarray(titanic.x, dtype="float32")
    probe = Probe(model, x[:1000], titanic.y[:1000], from_logits=False, x_validation=x[1000:])
    alone = Probe(model, x[:1000], titanic.y[:1000], from_logits=False).run()
    shared = probe.run()

    np.testing.assert_allclose(probe.validation_output, model.predict_on_batch(x[1000:]), atol=1e-6)
    assert shared.inference_mode_accuracy == alone.inference_mode_accuracy
    assert [layer.dead_share for layer in shared.layers] == [layer.dead_share for layer in alone.layers]


def test_probe_dense_only_one_mode(titanic):
    experiment = presets.preset("baseline")
    dense_only = replace(experiment, layers=tuple(layer for layer in experiment.layers if layer.type == "Dense"))
    model = build_and_compile(dense_only, titanic.x.shape[1]).model
    probe = Probe(model, titanic.x, titanic.y, from_logits=False)
    stats = probe.run()

    assert not probe.training_pass
    assert stats.train_mode_accuracy == stats.inference_mode_accuracy


def test_probe_dropout_both_modes(titanic):
    model = build_and_compile(presets.preset("baseline"), titanic.x.shape[1]).model
    probe = Probe(model, titanic.x, titanic.y, from_logits=False)

    assert probe.training_pass


def test_probe_cost_under_five_percent(titanic):
    result = train(presets.preset("baseline"), titanic, run_id="cost", on_event=lambda event: None, epochs=10)

    probe_seconds = sum(report.probe.seconds for report in result.reports)
    epoch_seconds = sum(report.seconds for report in result.reports)
    print(f"probe {probe_seconds * 1000:.1f} ms over {epoch_seconds:.2f} s of epochs "
          f"({100 * probe_seconds / epoch_seconds:.2f}%)")
    assert probe_seconds <= 0.05 * epoch_seconds


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_summary_matches_keras(name):
    experiment = presets.preset(name)
    rows, total = summarize(experiment, 10)
    keras_rows, keras_total = model_summary(build_and_compile(experiment, 10).model)

    assert total == keras_total
    assert [row["params"] for row in rows] == [row["params"] for row in keras_rows]
    assert [row["output_shape"] for row in rows] == [row["output_shape"] for row in keras_rows]
    assert [row["type"] for row in rows] == [row["type"] for row in keras_rows]


def test_summary_normalization_layers():
    experiment = presets.preset("baseline")
    experiment = experiment.replace_layer(1, experiment.layers[1].__class__("BatchNormalization", {}))
    layers = (*experiment.layers, experiment.layers[0].__class__("LayerNormalization", {"center": False}))
    experiment = experiment.__class__(name="norms", layers=layers)
    rows, total = summarize(experiment, 7)
    keras_rows, keras_total = model_summary(build_and_compile(experiment, 7).model)

    assert [row["params"] for row in rows] == [row["params"] for row in keras_rows]
    assert total == keras_total


def test_prediction_stats_nan_excluded():
    stats = prediction_stats(np.array([0.2, np.nan, 0.9, 0.9]), np.array([0, 1, 1, 0]))

    assert stats.nan_count == 1
    assert stats.count == 3
    assert stats.accuracy == pytest.approx(2 / 3)
    assert len(stats.histogram) == HISTOGRAM_BINS
    assert stats.histogram[18] == 2


def test_prediction_stats_all_nan():
    stats = prediction_stats(np.array([np.nan, np.nan]), np.array([0, 1]))

    assert stats.count == 0
    assert stats.nan_count == 2
    assert math.isnan(stats.mean)


@pytest.mark.parametrize("file_name", ["not_learning_run.json", "baseline_run.json"])
def test_recorded_run_round_trip(file_name):
    tables = json.loads((FIXTURES / file_name).read_text(encoding="utf-8"))
    events = [event_from_json(table) for table in tables]

    assert type(events[0]).__name__ == "TrainingStarted"
    assert type(events[-1]).__name__ == "TrainingFinished"
    assert [event_to_json(event) for event in events] == tables


def test_event_json_nan_logs():
    from tui_lab.reports import EpochReport

    report = EpochReport(epoch=1, epochs=1, logs={"loss": float("nan")}, predictions=None)
    restored = event_from_json(json.loads(json.dumps(event_to_json(report))))

    assert math.isnan(restored.logs["loss"])


def test_event_json_unknown_name():
    with pytest.raises(ValueError, match="NoSuchEvent"):
        event_from_json({"event": "NoSuchEvent", "data": {}})


def test_probe_large_model_fewer_rows(titanic):
    experiment = presets.preset("baseline")
    wide = replace(experiment, layers=(
        experiment.layers[0].with_args(units=600), experiment.layers[0].with_args(units=600),
        experiment.layers[-1],
    ))
    model = build_and_compile(wide, titanic.x.shape[1]).model
    probe = Probe(model, titanic.x, titanic.y, from_logits=False)

    assert model.count_params() >= LARGE_MODEL_PARAMS
    assert probe.rows == LARGE_MODEL_PROBE_ROWS
