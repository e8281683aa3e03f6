"""Engine faults seen through the app: a killed engine, a failing callback, NaN, no TensorFlow.

Each test runs `LabApp` with a real `ProcessEngine`, so the child imports TensorFlow
(several seconds each) and trains the Titanic data for a few short epochs.
"""

from __future__ import annotations

import os
import signal
import stat
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from test_app import wait_for
from test_app_store import status_text
from tui_lab import presets
from tui_lab.engine.process import ProcessEngine
from tui_lab.store import RunStore
from tui_lab.ui.app import LabApp

SIZE = (120, 40)
LOAD_SECONDS = 90.0
"""Time allowed for the engine child to import TensorFlow on a busy 2-core machine."""


def short_baseline(epochs: int) -> object:
    """Return the baseline preset without EarlyStopping, for `epochs` epochs."""
    experiment = presets.preset("baseline")
    return replace(experiment, fit=replace(experiment.fit, epochs=epochs, callbacks=()))


def notification_text(app: LabApp) -> str:
    """Return the title and message of every notification raised so far (shown or timed out)."""
    # NOTE: Textual keeps notifications in a private attribute; its own tests read it too.
    return " ".join(f"{note.title}: {note.message}" for note in app._notifications)


def stored_runs(store_path: Path) -> list:
    """Return every run in the store, oldest first."""
    with RunStore(store_path) as store:
        return [store.get_run(summary.id) for summary in sorted(store.list_runs(), key=lambda s: s.id)]


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "runs.sqlite3"


async def test_killed_engine_restarts(tmp_path, store_path):
    engine = ProcessEngine(tmp_path / "engine.log")
    app = LabApp(short_baseline(200), engine, store_path=store_path)

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready", LOAD_SECONDS)
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.reports) >= 1, 60)
        killed_pid = engine.pid
        os.kill(killed_pid, signal.SIGKILL)
        await wait_for(pilot, lambda: not app.training, 10)
        status_after_kill = status_text(app)
        toasts_after_kill = notification_text(app)

        await wait_for(pilot, lambda: app.engine_state == "ready", LOAD_SECONDS)
        app.experiment = short_baseline(1)
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training and app.trained_experiment is not None, 60)
        status_after_retry = status_text(app)

    runs = stored_runs(store_path)

    assert "the training engine stopped" in status_after_kill
    assert "code -9" in status_after_kill
    assert "Training engine stopped" in toasts_after_kill
    assert engine.pid != killed_pid
    assert "finished after 1 epoch" in status_after_retry
    assert "after 1 epochs" not in status_after_retry
    assert [run.status for run in runs] == ["failed", "finished"]
    assert "code -9" in runs[0].error
    assert runs[0].summary.epochs >= 1


# Patches the engine child only (the spawn command line carries --multiprocessing-fork):
# the first epoch end of the process raises, later ones run as usual.
FAILING_CALLBACK = textwrap.dedent('''
    import sys

    if "--multiprocessing-fork" in sys.argv:
        from tui_lab.engine import callback

        original = callback.EngineCallback.on_epoch_end
        calls = []

        def failing_on_epoch_end(self, epoch, logs=None):
            calls.append(epoch)
            if len(calls) == 1:
                raise RuntimeError("injected fault in on_epoch_end")
            return original(self, epoch, logs)

        callback.EngineCallback.on_epoch_end = failing_on_epoch_end
''')


async def test_callback_error_fails_run(tmp_path, store_path, monkeypatch):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FAILING_CALLBACK)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])))
    engine = ProcessEngine(tmp_path / "engine.log")
    app = LabApp(short_baseline(2), engine, store_path=store_path)

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready", LOAD_SECONDS)
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training, 60)
        status_after_failure = status_text(app)
        toasts = notification_text(app)
        pid_after_failure = engine.pid

        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training and app.trained_experiment is not None, 60)
        status_after_retry = status_text(app)

    runs = stored_runs(store_path)

    assert "training failed: RuntimeError: injected fault in on_epoch_end" in status_after_failure
    assert "Training failed" in toasts
    assert engine.pid == pid_after_failure
    assert "finished after 2 epochs" in status_after_retry
    assert [run.status for run in runs] == ["failed", "finished"]
    assert "injected fault" in runs[0].error


async def test_nan_loss_stops_run(tmp_path, store_path):
    experiment = short_baseline(5)
    # Titanic has missing ages; without imputation they reach the model as NaN.
    experiment = replace(experiment, data=replace(experiment.data, impute="none"))
    experiment = replace(experiment, layers=tuple(
        replace(layer, args={**layer.args, "activation": "tanh"}) if layer.args.get("activation") == "relu" else layer
        for layer in experiment.layers))
    engine = ProcessEngine(tmp_path / "engine.log")
    app = LabApp(experiment, engine, store_path=store_path)

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready", LOAD_SECONDS)
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training and app.trained_experiment is not None, 60)
        status = status_text(app)
        finding_ids = [finding.id for finding in app.current_findings()]

    runs = stored_runs(store_path)

    assert "the loss became NaN" in status
    assert "nan-loss" in finding_ids
    assert runs[0].status == "nan"
    assert "nan-loss" in [finding.get("id") for finding in runs[0].findings]


async def test_missing_tensorflow_explained(tmp_path, store_path, monkeypatch):
    fake = tmp_path / "fake_site" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("simulated: tensorflow is not installed")\n')
    # The spawned child takes sys.path from this process, so the fake package goes there.
    monkeypatch.syspath_prepend(str(fake.parent))
    engine = ProcessEngine(tmp_path / "engine.log")
    app = LabApp(presets.preset("not-learning"), engine, store_path=store_path)
    layer_count = len(app.experiment.layers)

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "unavailable", 30)
        status = status_text(app)
        await pilot.press("t")
        await pilot.pause(0.2)
        toasts = notification_text(app)
        await pilot.press("1", "down", "d")
        await wait_for(pilot, lambda: len(app.experiment.layers) == layer_count - 1, 5)
        await pilot.pause(0.6)
        findings_shown = len(app.current_findings())
        still_running = app.is_running

    assert "TensorFlow could not be imported" in status
    assert "pip install tensorflow" in status
    assert "Training is unavailable" in toasts
    assert still_running
    assert findings_shown >= 1
    assert stored_runs(store_path) == []
    assert stat.S_IMODE((tmp_path / "engine.log").stat().st_mode) == 0o600
