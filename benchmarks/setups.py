"""The experiments the benchmarks train, and how they start the `tui-lab` command.

Every benchmark experiment drops its `fit` callbacks, so EarlyStopping cannot end a
run early and every compared run trains the same number of epochs.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

from tui_lab import presets
from tui_lab.experiment import Experiment, LayerSpec, save

MILLION_UNITS = 1000
"""Units of the two hidden layers of the ~1-million-parameter model (10 inputs: 1,013,001 parameters)."""


def fixed_epochs(experiment: Experiment, epochs: int) -> Experiment:
    """Return `experiment` with no callbacks and exactly `epochs` epochs."""
    return experiment.with_fit(epochs=epochs, callbacks=())


def million_model(epochs: int) -> Experiment:
    """Return the baseline experiment with Dense(1000, relu), Dense(1000, relu), Dense(1, sigmoid)."""
    layers = (
        LayerSpec("Dense", {"units": MILLION_UNITS, "activation": "relu"}),
        LayerSpec("Dense", {"units": MILLION_UNITS, "activation": "relu"}),
        LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
    )
    experiment = replace(presets.preset("baseline"), name="million", layers=layers)
    return fixed_epochs(experiment, epochs)


def compared_experiments(epochs: int) -> dict[str, Experiment]:
    """Return both presets and the million-parameter model, each fixed at `epochs` epochs."""
    return {
        "not-learning": fixed_epochs(presets.preset("not-learning"), epochs),
        "baseline": fixed_epochs(presets.preset("baseline"), epochs),
        "million": million_model(epochs),
    }


def write_experiment(experiment: Experiment, folder: Path) -> Path:
    """Write `experiment` as `<folder>/<name>.toml` and return the path."""
    path = folder / f"{experiment.name}.toml"
    save(experiment, path)
    return path


def app_command(*arguments: str) -> list[str]:
    """Return the command line of `tui-lab` with `arguments`, as a user would type it.

    Uses the installed `tui-lab` script next to this Python, and `python -m tui_lab`
    when that script is missing.
    """
    script = Path(sys.executable).with_name("tui-lab")
    if script.exists():
        return [str(script), *arguments]
    found = shutil.which("tui-lab")
    if found:
        return [found, *arguments]
    return [sys.executable, "-m", "tui_lab", *arguments]
