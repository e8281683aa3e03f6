"""The app's run history: runs recorded in the store, the autosave, the runs screen and SIGHUP."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from store_fakes import add_run
from test_app import recorded_run, wait_for
from tui_lab import presets
from tui_lab.autosave import Autosave, autosave_path
from tui_lab.cli.app_command import choose_experiment
from tui_lab.engine.fake import FakeEngine
from tui_lab.experiment import load
from tui_lab.reports import TrainingFailed
from tui_lab.store import RunStore
from tui_lab.ui.app import LabApp
from tui_lab.ui.screens.runs import RunsScreen
from tui_lab.ui.widgets.charts import TrainingCharts, fit_legend
from tui_lab.ui.widgets.predictions import PredictionPanel, render_overlay_rows

SMALL = (80, 24)

KILLED_WRITER = """
from tui_lab import presets
from tui_lab.reports import EpochReport
from tui_lab.store import RunStore

store = RunStore({path!r})
run_id = store.start_run(presets.preset("baseline"), {{"keras": "3", "tensorflow": "2"}})
for epoch in (1, 2):
    store.record_epoch(run_id, EpochReport(epoch, 10, {{"loss": 0.7, "val_loss": 0.69}}, None))
print(run_id)
"""


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "runs.sqlite3"


def status_text(app: LabApp) -> str:
    return str(app.main_screen.query_one("#status", Static).content)


def toast_text(app: LabApp) -> str:
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


def recorded_epochs(path: str) -> int:
    return sum(1 for event in FakeEngine(path).recorded if type(event).__name__ == "EpochReport")


def filled_store(path: Path, count: int) -> list[int]:
    """Store `count` finished runs of the baseline preset, with different accuracies."""
    with RunStore(path) as store:
        return [add_run(store, name=f"run{index}", accuracies=(0.6 + 0.05 * index, 0.7 + 0.05 * index))
                for index in range(count)]


# --- recording runs -----------------------------------------------------------------


async def test_training_records_run(store_path):
    recording = recorded_run("not_learning_run.json")
    engine = FakeEngine(recording)
    app = LabApp(presets.preset("not-learning"), engine, store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.trained_experiment is not None)
        shown_ids = {finding.id for finding in app.current_findings()}
        from_training = {finding.id for finding in app.runtime_findings}

    with RunStore(store_path) as store:
        runs = store.list_runs()
        run = store.get_run(runs[0].id)
        epochs = store.epochs(run.id)

    finished = [event for event in engine.recorded if type(event).__name__ == "TrainingFinished"][0]
    assert len(runs) == 1
    assert engine.trained[0][1] == str(run.id)
    assert run.status == finished.status
    assert run.keras_version == "fake"
    assert run.experiment() == presets.preset("not-learning")
    assert len(epochs) == recorded_epochs(recording)
    assert {finding["id"] for finding in run.findings} == shown_ids
    assert from_training
    assert from_training <= shown_ids


async def test_failed_run_recorded(store_path):
    engine = FakeEngine([TrainingFailed("replaced", "the data has no rows")])
    app = LabApp(presets.preset("baseline"), engine, store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training)

    with RunStore(store_path) as store:
        run = store.get_run(store.list_runs()[0].id)

    assert run.status == "failed"
    assert run.error == "the data has no rows"


async def test_saved_model_path_recorded(store_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(presets.preset("baseline"), engine, store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.trained_experiment is not None)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "saved" in status_text(app))

    with RunStore(store_path) as store:
        run = store.get_run(store.list_runs()[0].id)

    assert run.model_paths == [str(Path("baseline.keras"))]


async def test_start_marks_killed_run_interrupted(store_path):
    code = KILLED_WRITER.format(path=str(store_path))
    writer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert writer.returncode == 0, writer.stderr
    run_id = int(writer.stdout)

    app = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        interrupted = list(app.recorder.interrupted)

    with RunStore(store_path) as store:
        summary = store.list_runs()[0]

    assert interrupted == [run_id]
    assert summary.status == "interrupted"
    assert summary.epochs == 2


async def test_broken_store_notifies(tmp_path):
    broken = tmp_path / "runs.sqlite3"
    broken.write_bytes(b"this is not an SQLite database" * 100)
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(presets.preset("baseline"), engine, store_path=broken)

    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        toasts = toast_text(app)
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.trained_experiment is not None)

    assert "the run store could not be opened" in toasts
    assert app.recorder.store is None
    assert engine.trained


# --- autosave -----------------------------------------------------------------------


async def test_edit_autosaved(store_path):
    app = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("1", "down", "d")
        await pilot.pause()
        edited = app.experiment

    assert len(edited.layers) == 3
    assert load(autosave_path(store_path)) == edited


async def test_autosave_restored_by_new_app(store_path):
    first = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)
    async with first.run_test(size=SMALL) as pilot:
        await pilot.press("1", "d")
        await pilot.pause()
    edited = first.experiment

    arguments = argparse.Namespace(experiment=None, preset=None, store=str(store_path))
    experiment, restored = choose_experiment(arguments)
    second = LabApp(experiment, FakeEngine([], ready_delay=5.0), store_path=store_path,
                    restored=restored)
    async with second.run_test(size=SMALL) as pilot:
        await pilot.pause()
        status = status_text(second)

    assert restored
    assert experiment == edited
    assert "restored the experiment you were editing" in status


def test_choose_without_autosave_opens_preset(store_path):
    arguments = argparse.Namespace(experiment=None, preset=None, store=str(store_path))
    experiment, restored = choose_experiment(arguments)

    assert experiment == presets.preset("not-learning")
    assert not restored


def test_choose_preset_over_autosave(store_path):
    Autosave(autosave_path(store_path)).save(presets.preset("not-learning").with_fit(epochs=3))
    arguments = argparse.Namespace(experiment=None, preset="baseline", store=str(store_path))
    experiment, restored = choose_experiment(arguments)

    assert experiment == presets.preset("baseline")
    assert not restored


# --- the runs screen ----------------------------------------------------------------


async def test_runs_key_opens_screen(store_path):
    filled_store(store_path, 1)
    app = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        store = app.recorder.store

    assert isinstance(screen, RunsScreen)
    assert screen.store is store
    assert screen.runs[0].name == "run0"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_compare_three_runs_overlays(store_path, size):
    run_ids = filled_store(store_path, 3)
    app = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)

    async with app.run_test(size=size) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("space", "space", "space", "c")
        await pilot.pause(0.5)
        charts = app.main_screen.query_one(TrainingCharts)
        panel = app.main_screen.query_one(PredictionPanel)
        overlay_names = charts.overlay_names
        histogram_labels = [label for label, _ in panel.overlays]
        chart_visible = charts.region.height
        screen_is_main = app.screen is app.main_screen

    expected = [f"#{run_id} run{run_id - 1}" for run_id in reversed(run_ids)]
    assert screen_is_main
    assert overlay_names == expected
    assert histogram_labels == expected
    assert chart_visible > 5


async def test_clear_overlay_command(store_path):
    filled_store(store_path, 2)
    app = LabApp(presets.preset("baseline"), FakeEngine([]), store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("space", "space", "c")
        await pilot.pause()
        compared = list(app.main_screen.query_one(TrainingCharts).overlay_names)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Runs: clear overlay")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        cleared = app.main_screen.query_one(TrainingCharts).overlay_names
        rows = app.main_screen.query_one(PredictionPanel).overlays

    assert len(compared) == 2
    assert cleared == []
    assert rows == []


async def test_open_run_replaces_experiment(store_path):
    with RunStore(store_path) as store:
        add_run(store, presets.preset("baseline").with_fit(epochs=7), name="seven")
    start = presets.preset("not-learning")
    app = LabApp(start, FakeEngine([]), store_path=store_path)

    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        opened = app.experiment
        app.action_undo()
        await pilot.pause()
        undone = app.experiment

    assert opened == presets.preset("baseline").with_fit(epochs=7)
    assert undone == start


# --- SIGHUP -------------------------------------------------------------------------


async def test_sighup_interrupts_run(store_path):
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.3)
    app = LabApp(presets.preset("baseline"), engine, store_path=store_path)
    previous = signal.getsignal(signal.SIGHUP)

    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("1", "down", "d")
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.reports) >= 1)
        handler = signal.getsignal(signal.SIGHUP)
        # Checked before the signal is sent: without the handler, SIGHUP ends pytest.
        assert handler == app._sighup_received
        os.kill(os.getpid(), signal.SIGHUP)
        deadline = time.monotonic() + 5
        while app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.05)
        still_running = app.is_running

    with RunStore(store_path) as store:
        run = store.get_run(store.list_runs()[0].id)

    assert not still_running
    assert app.return_code == 129
    assert engine.closed
    assert run.status == "interrupted"
    assert load(autosave_path(store_path)) == app.experiment
    assert len(app.experiment.layers) == 3
    assert signal.getsignal(signal.SIGHUP) == previous


# --- overlay drawing ----------------------------------------------------------------


def test_legend_shortens_run_names():
    entries = ["⠒ loss 0.500", "x val_loss 0.600", ". #3 not-learning", "+ #2 not-learning"]

    assert fit_legend(entries, 100) == "  ".join(entries)
    assert fit_legend(entries, 50) == "⠒ loss 0.500  x val_loss 0.600  . #3  + #2"
    assert len(fit_legend(entries, 20)) == 20


def test_overlay_rows_marker_and_label():
    histogram = [0] * 19 + [10]
    text = render_overlay_rows([("#3 alpha", histogram), ("#2 beta", [])], width=80).plain
    first, second = text.split("\n")

    assert first.startswith("   . ")
    assert first.endswith(" #3 alpha")
    assert "█" in first
    assert second == "   + #2 beta: no predictions stored"
    assert len(render_overlay_rows([("#3 alpha", histogram)], width=30).plain) == 30
