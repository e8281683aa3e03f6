"""Faults while saving: SIGKILL mid-save, a read-only filesystem and a full disk.

A save killed at any moment must leave the old file or the new one at the target path.
A save that fails must leave the model in the engine, so a save elsewhere works.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_lab import presets
from tui_lab.engine.process import ProcessEngine
from tui_lab.reports import EngineReady, ModelSaved, SaveFailed, TrainingFinished

KILLS = 20
"""SIGKILLs sent to saving processes per test."""

# The driver builds two models A and B with different weights and writes A to the
# target. Then, KILLS times, it forks a child that saves B, A, B, ... over the target
# until the driver SIGKILLs it after a random pause, and reports what the target holds:
# the model loaded in safe mode must equal A or B, and the experiment TOML must parse.
# fork() keeps TensorFlow imported once instead of once per kill.
KERAS_DRIVER = r"""
import json, os, random, signal, sys, time
from dataclasses import replace

import numpy as np

from tui_lab import presets
from tui_lab.engine.build import build_and_compile
from tui_lab.engine.saving import load_model, save_model

kills, target = int(sys.argv[1]), sys.argv[2]
random.seed(7)
experiment_a = replace(presets.preset("baseline"), name="model-a")
experiment_b = replace(experiment_a, name="model-b")
model_a = build_and_compile(experiment_a, 8).model
model_b = build_and_compile(experiment_b, 8).model
# The preset seeds its initializers, so shift B to tell the two files apart.
model_b.set_weights([weight + 1.0 for weight in model_b.get_weights()])
weights = {"model-a": model_a.get_weights(), "model-b": model_b.get_weights()}
save_model(model_a, target, experiment_a)
started = time.monotonic()
save_model(model_b, target, experiment_b)
save_seconds = time.monotonic() - started

for kill in range(kills):
    child = os.fork()
    if child == 0:
        turn = 0
        while True:
            save_model(model_b if turn % 2 == 0 else model_a, target,
                       experiment_b if turn % 2 == 0 else experiment_a)
            turn += 1
    time.sleep(random.uniform(0.0, 4 * save_seconds))
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)

    model, experiment = load_model(target)
    loaded = model.get_weights()
    matches = [name for name, saved in weights.items()
               if len(saved) == len(loaded) and all(np.array_equal(x, y) for x, y in zip(saved, loaded))]
    print(json.dumps({"kill": kill, "matches": matches,
                      "experiment": experiment.name if experiment else None,
                      "files": sorted(os.listdir(os.path.dirname(target)))}), flush=True)

# Age the temporaries of the killed saves past the cleanup threshold, then save once more.
directory = os.path.dirname(target)
hour_ago = time.time() - 3600
for name in os.listdir(directory):
    if name.startswith("."):
        os.utime(os.path.join(directory, name), (hour_ago, hour_ago))
save_model(model_a, target, experiment_a)
print(json.dumps({"after_save": sorted(os.listdir(directory))}), flush=True)
"""

# The same for the autosave: a forked child writes experiments A and B in turn.
AUTOSAVE_DRIVER = r"""
import json, os, random, signal, sys, time
from dataclasses import replace

from tui_lab import presets
from tui_lab.autosave import Autosave

kills, target = int(sys.argv[1]), sys.argv[2]
random.seed(11)
experiments = [replace(presets.preset("baseline"), name=name) for name in ("edit-a", "edit-b")]
Autosave(target).save(experiments[0])

for kill in range(kills):
    child = os.fork()
    if child == 0:
        autosave = Autosave(target)
        turn = 0
        while True:
            autosave.save(experiments[turn % 2])
            turn += 1
    time.sleep(random.uniform(0.0, 0.05))
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)

    restored = Autosave(target).restore()
    print(json.dumps({"kill": kill, "experiment": restored.name if restored else None,
                      "mode": os.stat(target).st_mode & 0o777,
                      "files": sorted(os.listdir(os.path.dirname(target)))}), flush=True)
"""


def run_driver(script: str, target: Path, timeout: float) -> list[dict]:
    """Run a kill driver on `target` and return its per-kill reports."""
    completed = subprocess.run(
        [sys.executable, "-c", script, str(KILLS), str(target)],
        capture_output=True, text=True, timeout=timeout, cwd=target.parent,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def test_killed_keras_save_atomic(tmp_path):
    target = tmp_path / "model.keras"
    results = run_driver(KERAS_DRIVER, target, timeout=150)
    kills, after_save = results[:-1], results[-1]

    assert len(kills) == KILLS
    assert any(name.startswith(".") for result in kills for name in result["files"])
    assert after_save["after_save"] == ["model.keras", "model.toml"]
    for result in kills:
        assert len(result["matches"]) == 1, result
        assert result["experiment"] in ("model-a", "model-b"), result
        for name in result["files"]:
            assert name in ("model.keras", "model.toml") or name.startswith((".model.", ".model.toml.")), result


def test_killed_autosave_atomic(tmp_path):
    target = tmp_path / "runs.autosave.toml"
    results = run_driver(AUTOSAVE_DRIVER, target, timeout=60)

    assert len(results) == KILLS
    for result in results:
        assert result["experiment"] in ("edit-a", "edit-b"), result
        assert result["mode"] == 0o600, result
        for name in result["files"]:
            assert name == "runs.autosave.toml" or name.startswith(".runs.autosave.toml."), result


# --- failed saves through the engine -------------------------------------------------


def wait_for(engine: ProcessEngine, kind: type, seconds: float) -> object:
    """Return the first event of `kind` from `engine`, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for event in engine.events(0.2):
            if isinstance(event, kind):
                return event
            if isinstance(event, (SaveFailed, ModelSaved)) and kind in (SaveFailed, ModelSaved):
                return event
    raise AssertionError(f"no {kind.__name__} within {seconds} s")


@pytest.fixture(scope="module")
def trained_engine(tmp_path_factory):
    """A ProcessEngine with a model trained for one epoch."""
    engine = ProcessEngine(tmp_path_factory.mktemp("engine") / "engine.log")
    engine.start()
    wait_for(engine, EngineReady, 90)
    engine.train(presets.preset("baseline"), "run-1", epochs=1)
    finished = wait_for(engine, TrainingFinished, 90)
    assert finished.status == "finished"
    yield engine
    engine.close()


def test_save_to_proc_fails(trained_engine, tmp_path):
    trained_engine.save("/proc/tui-lab-model.keras", presets.preset("baseline"))
    failed = wait_for(trained_engine, SaveFailed, 30)

    assert isinstance(failed, SaveFailed)
    assert "/proc/tui-lab-model.keras" in failed.message
    assert "could not save the model" in failed.message

    trained_engine.save(str(tmp_path / "elsewhere.keras"), presets.preset("baseline"))
    saved = wait_for(trained_engine, ModelSaved, 30)

    assert isinstance(saved, ModelSaved)
    assert (tmp_path / "elsewhere.keras").exists()


def test_save_full_disk_fails(trained_engine, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG as on a full disk.
    resource.prlimit(trained_engine.pid, resource.RLIMIT_FSIZE, (4096, hard))
    try:
        trained_engine.save(str(full / "model.keras"), presets.preset("baseline"))
        failed = wait_for(trained_engine, SaveFailed, 30)
    finally:
        resource.prlimit(trained_engine.pid, resource.RLIMIT_FSIZE, (hard, hard))

    assert isinstance(failed, SaveFailed)
    assert "too large" in failed.message.lower()
    assert str(full / "model.keras") in failed.message
    assert list(full.iterdir()) == []

    trained_engine.save(str(tmp_path / "model.keras"), presets.preset("baseline"))
    saved = wait_for(trained_engine, ModelSaved, 30)

    assert isinstance(saved, ModelSaved)
    assert (tmp_path / "model.keras").stat().st_size > 4096
