"""Export every preset and corpus case to a script, and check that it trains like the lab.

All the exported scripts run one after another in a single `python` subprocess, so
TensorFlow is imported once for all of them. While that subprocess runs, the test
process trains the same experiments with `tui_lab.engine.trainer.train`. Each case
then compares the final validation figure of the two runs.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest

from tui_lab.codeio.python_export import export_python
from tui_lab.experiment import Experiment
from tui_lab.presets import PRESETS, preset
from tui_lab.reports import TrainingFailed

from tests.cases import CASES

EPOCHS = 3
"""Epochs each experiment trains here, fewer than most cases set, to keep the test fast."""

TOLERANCE = 0.02
"""Largest accepted difference between the lab's and the script's final validation figure."""

EXPERIMENTS: dict[str, Experiment] = {
    **{f"preset-{name}": preset(name) for name in PRESETS},
    **{case.id: case.experiment for case in CASES},
}

NOT_BINARY = {"regression-target-with-bce"}
"""Cases whose target has more than two values.

The lab's worker and `train` command reject them, because they call
`Dataset.require_binary`, which raises `DataError`. The exported script rejects them
too, because its `encode_labels` exits with "the target needs exactly two values".
For these cases the two rejections are the expected result, and no training is
compared.
"""

DRIVER = '''
"""Run exported scripts one after another in this process and print their results as JSON.

The arguments are pairs of a name and a script path. A script's last stdout line is
its JSON result. `nan_weights` records whether the trained `model` has a NaN weight.
"""

import contextlib
import io
import json
import runpy
import sys
import traceback

import keras
import numpy as np

results = {}
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    keras.backend.clear_session()
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            namespace = runpy.run_path(path, run_name="__main__")
    except SystemExit as error:
        results[name] = {"exit": str(error.code)}
        continue
    except Exception:
        results[name] = {"error": traceback.format_exc()[-2000:]}
        continue
    lines = output.getvalue().strip().splitlines()
    if not lines:
        results[name] = {"error": "the script printed nothing"}
        continue
    weights = namespace["model"].get_weights()
    results[name] = {
        "result": json.loads(lines[-1]),
        "nan_weights": any(bool(np.isnan(w).any()) for w in weights),
    }
print(json.dumps(results))
'''


@dataclass
class LabRun:
    """What the test compares from one `train` call: status, failure, history and NaN weights."""

    status: str
    failure: TrainingFailed | None
    history: dict[str, list[float]]
    nan_weights: bool


@dataclass
class Runs:
    """The lab's runs and the exported scripts' results, by experiment name."""

    lab: dict[str, LabRun]
    scripts: dict[str, dict]


def _train_in_lab(experiment: Experiment) -> LabRun:
    from tui_lab import data
    from tui_lab.engine.trainer import train

    result = train(experiment, data.load(experiment.data), run_id="export-check",
                   on_event=lambda event: None, probe=False)
    weights = result.model.get_weights() if result.model is not None else []
    nan_weights = any(bool(np.isnan(w).any()) for w in weights)
    return LabRun(result.status, result.failure, result.history, nan_weights)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    """Train every experiment for `EPOCHS` epochs in the lab and as an exported script.

    The script subprocess and the lab's training run at the same time. On a 2-core VM
    shared with other jobs (load average 3 to 4.6), this module took 72 to 109 s that
    way and 137 s with the two run in turn.
    """
    folder = tmp_path_factory.mktemp("exported")
    arguments = []
    for name, experiment in EXPERIMENTS.items():
        path = folder / f"{name}.py"
        path.write_text(export_python(experiment.with_fit(epochs=EPOCHS)), encoding="utf-8")
        arguments += [name, str(path)]
    driver = folder / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")

    process = subprocess.Popen([sys.executable, str(driver), *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=folder)
    try:
        lab = {name: _train_in_lab(experiment.with_fit(epochs=EPOCHS))
               for name, experiment in EXPERIMENTS.items() if name not in NOT_BINARY}
        stdout, stderr = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr[-3000:]
    return Runs(lab, json.loads(stdout.strip().splitlines()[-1]))


def _final_metric(history: dict[str, list[float]]) -> str:
    """Return the history key the exported script reports: val_accuracy, another val_ metric or val_loss."""
    if "val_accuracy" in history:
        return "val_accuracy"
    return next((name for name in history if name.startswith("val_") and name != "val_loss"), "val_loss")


def _same_value(lab: float, script: float) -> bool:
    """Return whether both values are NaN, or both are numbers at most `TOLERANCE` apart."""
    if math.isnan(lab) or math.isnan(script):
        return math.isnan(lab) and math.isnan(script)
    return abs(lab - script) <= TOLERANCE


def test_not_binary_case_rejected_by_both(runs):
    from tui_lab import data
    from tui_lab.data import DataError

    for name in NOT_BINARY:
        dataset = data.load(EXPERIMENTS[name].data)
        with pytest.raises(DataError, match="exactly two"):
            dataset.require_binary()
        assert "exactly two values" in runs.scripts[name].get("exit", ""), runs.scripts[name]


@pytest.mark.parametrize("name", [name for name in EXPERIMENTS if name not in NOT_BINARY])
def test_exported_case_matches_trainer(name, runs):
    script_outcome = runs.scripts[name]
    assert "result" in script_outcome, script_outcome
    script = script_outcome["result"]
    lab = runs.lab[name]
    assert lab.status != "failed", lab.failure

    metric = _final_metric(lab.history)
    assert script["metric"] == metric
    lab_value = lab.history[metric][-1]
    assert _same_value(lab_value, script["value"]), (metric, lab_value, script["value"])

    # A NaN input or a diverging step can make weights NaN. The lab then stops fitting
    # after the first batch whose loss is NaN (status "nan"), while the script fits
    # every epoch, so only the final figures are compared, and two NaN values count as
    # equal. The loss can also stay finite: in nan-from-missing-age the first kernel
    # turns NaN, its ReLU outputs 0 and the output is constant, so the NaN state of
    # the weights is compared too. Keras counts a NaN output as class 0, so the
    # accuracy stays a number.
    # NOTE: with Keras 3.15 and TensorFlow 2.21 on CPU, no case reaches a NaN loss in
    # `EPOCHS` epochs, so the comparison of two NaN losses is not run.
    lab_loss = lab.history["val_loss"][-1]
    script_loss = script["history"]["val_loss"][-1]
    assert math.isnan(lab_loss) == math.isnan(script_loss), (lab_loss, script_loss)
    assert lab.nan_weights == script_outcome["nan_weights"]
