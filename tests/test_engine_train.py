"""Training with real TensorFlow: presets, stop requests, NaN losses, failures and warnings."""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from tui_lab import data, presets
from tui_lab.engine.trainer import train
from tui_lab.experiment import LayerSpec
from tui_lab.reports import BatchProgress, EpochReport, TrainingFailed, TrainingFinished, TrainingStarted


@pytest.fixture(scope="module")
def titanic():
    return data.load(presets.preset("baseline").data)


def run(experiment, dataset, **options):
    events: list[object] = []
    result = train(experiment, dataset, run_id="test", on_event=events.append, **options)
    return result, events


def test_not_learning_predictions_constant(titanic):
    result, events = run(presets.preset("not-learning"), titanic, epochs=3)

    reports = [event for event in events if isinstance(event, EpochReport)]
    assert reports
    for report in reports:
        assert report.predictions.is_constant
        assert report.predictions.min == 1.0
        assert report.predictions.max == 1.0
    assert isinstance(events[0], TrainingStarted)
    assert isinstance(events[-1], TrainingFinished)


def test_not_learning_softmax_warning_captured(titanic, capfd):
    result, events = run(presets.preset("not-learning"), titanic, epochs=1)

    started = events[0]
    assert any("softmax" in message for message in started.keras_warnings)
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_baseline_reaches_accuracy(titanic):
    result, _ = run(presets.preset("baseline"), titanic, probe=False)

    assert result.status in ("finished", "early_stopped")
    assert max(result.history["val_accuracy"]) >= 0.78


def test_events_in_order(titanic):
    result, events = run(presets.preset("baseline"), titanic, epochs=2)

    names = [type(event).__name__ for event in events]
    assert names[0] == "TrainingStarted"
    assert names[-1] == "TrainingFinished"
    assert names.count("EpochReport") == 2
    progress = [event for event in events if isinstance(event, BatchProgress)]
    assert progress[-1].batch == progress[-1].batches
    started = events[0]
    assert started.train_rows + started.validation_rows == len(titanic.y)
    assert started.validation_rows == len(titanic.y) - data.split_index(len(titanic.y), 0.2)


def test_epoch_report_predictions(titanic):
    result, _ = run(presets.preset("baseline"), titanic, epochs=1)

    predictions = result.reports[0].predictions
    assert predictions.count == len(titanic.y) - data.split_index(len(titanic.y), 0.2)
    assert sum(predictions.histogram) == predictions.count
    assert 0.0 <= predictions.min <= predictions.max <= 1.0
    assert result.reports[0].learning_rate == pytest.approx(0.001)


def test_stop_event_stops_within_epoch(titanic):
    stop = threading.Event()

    def on_event(event):
        if isinstance(event, BatchProgress) and event.epoch == 2:
            stop.set()

    result = train(presets.preset("baseline"), titanic, run_id="stop", on_event=on_event,
                   stop_event=stop, epochs=50, probe=False)

    assert result.status == "stopped"
    assert len(result.history["loss"]) == 2
    assert result.stop_seen_at is not None


def test_stop_during_epoch_end(titanic):
    stop = threading.Event()

    def on_event(event):
        if isinstance(event, EpochReport) and event.epoch == 2:
            stop.set()

    result = train(presets.preset("baseline"), titanic, run_id="stop", on_event=on_event,
                   stop_event=stop, epochs=50, probe=False)

    assert result.status == "stopped"
    assert len(result.reports) == 2
    assert len(result.history["loss"]) == 2


def test_nan_loss_status(titanic):
    # A ReLU turns NaN into 0 in TensorFlow 2.21 on CPU, so a tanh layer carries the
    # missing ages through to the loss.
    experiment = replace(presets.preset("baseline").with_data(impute="none"), layers=(
        LayerSpec("Dense", {"units": 8, "activation": "tanh"}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    ))
    result, events = run(experiment, data.load(experiment.data), epochs=3, probe=False)

    assert result.status == "nan"
    assert events[-1].status == "nan"
    assert math.isnan(result.history["loss"][0])
    assert len(result.history["loss"]) == 1


def test_fit_error_gives_training_failed(titanic):
    broken = presets.preset("baseline")
    broken = broken.replace_layer(len(broken.layers) - 1, broken.layers[-1].with_args(units=3))
    result, events = run(broken, titanic, epochs=1)

    assert result.status == "failed"
    assert isinstance(events[-1], TrainingFailed)
    assert "\n" not in events[-1].message
    assert "Traceback" in events[-1].details


def test_unknown_class_gives_training_failed(titanic):
    experiment = presets.preset("baseline").with_compile(optimizer={"type": "NoSuchOptimizer"})
    result, events = run(experiment, titanic, epochs=1)

    assert result.status == "failed"
    assert "NoSuchOptimizer" in events[-1].message


def test_seeded_runs_repeat(titanic):
    first, _ = run(presets.preset("baseline"), titanic, epochs=2, probe=False)
    second, _ = run(presets.preset("baseline"), titanic, epochs=2)

    assert np.allclose(first.history["loss"], second.history["loss"])
