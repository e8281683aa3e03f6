"""Export to a Python script: the round trip through the importer, and the script's training."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from tui_lab.codeio.python_export import export_python
from tui_lab.codeio.python_import import import_source
from tui_lab.experiment import CompileSpec, Experiment, FitSpec, LayerSpec
from tui_lab.presets import PRESETS, preset

from tests.cases import CASES

EXTRA = [
    Experiment(
        name="everything",
        layers=(
            LayerSpec("Dense", {"units": 8, "activation": "relu", "kernel_initializer": "he_normal",
                                "kernel_regularizer": {"type": "L2", "l2": 0.01},
                                "bias_initializer": {"type": "Constant", "value": 0.1}, "name": "first"}),
            LayerSpec("BatchNormalization", {"momentum": 0.9}),
            LayerSpec("LeakyReLU", {"negative_slope": 0.2}),
            LayerSpec("Dropout", {"rate": 0.25, "seed": 3}),
            LayerSpec("Dense", {"units": 1}),
        ),
        compile=CompileSpec(
            optimizer={"type": "SGD", "learning_rate": 0.01, "momentum": 0.9, "nesterov": True},
            loss={"type": "BinaryCrossentropy", "from_logits": True, "label_smoothing": 0.1},
            metrics=("accuracy", {"type": "AUC", "name": "auc"}, "Precision"),
        ),
        fit=FitSpec(batch_size=64, epochs=3, validation_split=0.25, shuffle=False,
                    class_weight={0: 1.0, 1: 3.0},
                    callbacks=({"type": "ReduceLROnPlateau", "factor": 0.5, "patience": 1},
                               {"type": "TerminateOnNaN"})),
    ).with_data(seed=7, shuffle=False, sort_by="pclass", keep_positive=0.5,
                missing_indicators=("age",), impute="none", scale="none"),
]

ROUND_TRIP = [preset(name) for name in PRESETS] + [case.experiment for case in CASES] + EXTRA


@pytest.mark.parametrize("experiment", ROUND_TRIP, ids=lambda e: e.name)
def test_export_round_trip(experiment):
    imported = import_source(export_python(experiment), "exported.py").experiment
    assert replace(imported, name=experiment.name) == experiment


def test_export_script_compiles():
    script = export_python(EXTRA[0])
    compile(script, "exported.py", "exec")
    assert "DATA = {" in script
    assert "verbose=0" in script


def _run_script(experiment: Experiment, tmp_path) -> dict:
    path = tmp_path / "train.py"
    path.write_text(export_python(experiment), encoding="utf-8")
    completed = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                               timeout=300, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(PRESETS))
def test_export_matches_trainer(name, tmp_path):
    from tui_lab import data
    from tui_lab.engine.trainer import train

    experiment = preset(name).with_fit(epochs=5)
    script_result = _run_script(experiment, tmp_path)
    lab = train(experiment, data.load(experiment.data), run_id="export-check",
                on_event=lambda event: None, probe=False)
    assert lab.status != "failed", lab.failure
    assert script_result["metric"] == "val_accuracy"
    assert abs(script_result["val_accuracy"] - lab.history["val_accuracy"][-1]) <= 0.02
