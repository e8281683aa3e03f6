"""The app resized while training, and the real app in a pseudo-terminal hung up or killed mid-training."""

from __future__ import annotations

import html
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyte")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.terminal import Terminal  # noqa: E402

from test_app import recorded_run, wait_for  # noqa: E402
from tui_lab import presets  # noqa: E402
from tui_lab.engine.fake import FakeEngine  # noqa: E402
from tui_lab.experiment import save  # noqa: E402
from tui_lab.ui.app import LabApp  # noqa: E402
from tui_lab.autosave import Autosave, autosave_path  # noqa: E402
from tui_lab.store import RunStore  # noqa: E402

COLUMNS, LINES = 120, 40
TAB_LABELS = ("1 Model", "2 Options", "3 Data", "4 Train", "5 Findings")


def screen_text(app: LabApp) -> str:
    """Return the text of the app's current screen, from its SVG screenshot."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


# NOTE: resizing is tested with run_test, because pyte's Screen.resize keeps rows that
# Textual does not repaint, so the emulated screen diverges from a real terminal (tmux
# shows the app correctly after the same resizes).
async def test_resize_while_training(tmp_path):
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.1)
    app = LabApp(presets.preset("baseline"), engine, store_path=tmp_path / "runs.sqlite3")

    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.reports) >= 1)
        await pilot.resize_terminal(40, 12)
        await pilot.pause(0.2)
        narrow_left = app.main_screen.query_one("#left").display
        narrow_right = app.main_screen.query_one("#right").display
        for columns, lines in [(COLUMNS, LINES), (40, 12), (60, 20), (COLUMNS, LINES)]:
            await pilot.resize_terminal(columns, lines)
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: not app.training)
        await pilot.pause(0.3)
        resized = screen_text(app)
        status = str(app.main_screen.query_one("#status").content)

    fresh_app = LabApp(presets.preset("baseline"), FakeEngine(recorded_run("baseline_run.json")),
                       store_path=tmp_path / "fresh.sqlite3")
    async with fresh_app.run_test(size=(COLUMNS, LINES)) as pilot:
        await wait_for(pilot, lambda: fresh_app.engine_state == "ready")
        await pilot.pause(0.3)
        fresh = screen_text(fresh_app)

    assert narrow_left != narrow_right
    assert "finished after 5 epochs" in status
    assert "finished after" in resized
    for label in TAB_LABELS:
        assert label in resized
    left_column = [line.split("▕")[0].strip() for line in fresh.splitlines() if "(None," in line]
    assert len(left_column) == 4
    for row in left_column:
        assert row in resized


def running_epochs(store: Path) -> int:
    """Return the finished epochs of the newest run while it runs, or 0."""
    if not store.exists():
        return 0
    with RunStore(store) as runs:
        summaries = runs.list_runs()
    if not summaries:
        return 0
    newest = max(summaries, key=lambda summary: summary.id)
    return newest.epochs if newest.status == "running" else 0


@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGKILL], ids=["sighup", "sigkill"])
def test_app_killed_mid_training(tmp_path, signal_number):
    store = tmp_path / "runs.sqlite3"
    # Without EarlyStopping and with many epochs, the run is still going when the signal lands.
    long_run = presets.preset("not-learning").with_fit(epochs=500, callbacks=())
    experiment_path = tmp_path / "not-learning.toml"
    save(long_run, experiment_path)
    command = [sys.executable, "-m", "tui_lab", "--store", str(store), "--experiment", str(experiment_path)]
    terminal = Terminal(command, COLUMNS, LINES)
    try:
        terminal.wait_for("press t to train", timeout=120)
        terminal.send("1")
        time.sleep(0.3)
        terminal.send("d")
        time.sleep(0.5)
        terminal.send("t")
        deadline = time.monotonic() + 90
        while running_epochs(store) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        os.kill(terminal.pid, signal_number)
        terminal.wait_exit(10)
    finally:
        terminal.close()

    edited = Autosave(autosave_path(store)).restore()
    with RunStore(store) as runs:
        marked = runs.mark_interrupted()
        run = runs.get_run(max(summary.id for summary in runs.list_runs()))

    assert edited is not None
    assert edited.name == "not-learning"
    assert len(edited.layers) == len(presets.preset("not-learning").layers) - 1
    assert run.status == "interrupted"
    assert run.summary.epochs >= 2
    assert marked == ([] if signal_number == signal.SIGHUP else [run.id])
