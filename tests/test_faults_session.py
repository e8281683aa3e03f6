"""Long sessions and file hygiene: 200 runs without growth, and only private files where expected."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

from test_app import recorded_run, wait_for
from tui_lab import presets
from tui_lab.engine.fake import FakeEngine, load_events
from tui_lab.ui.app import LabApp

RUNS = 200
GROWTH_LIMIT = 1.10
"""Allowed ratio between a resource count at run 200 and at run 20."""


def resident_bytes() -> int:
    """Return this process's resident set size from /proc (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def child_count() -> int:
    """Return how many live processes have this process as their parent (Linux)."""
    me = str(os.getpid())
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            count += 1
    return count


async def test_200_runs_no_growth(tmp_path):
    engine = FakeEngine(load_events(recorded_run("baseline_run.json")))
    app = LabApp(presets.preset("baseline"), engine, store_path=tmp_path / "runs.sqlite3")
    samples = {}

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        for run in range(1, RUNS + 1):
            await pilot.press("t")
            await wait_for(pilot, lambda: not app.training and app.run_id == str(run), 10)
            if run in (20, RUNS):
                await pilot.pause(0.1)
                samples[run] = (threading.active_count(), child_count(), resident_bytes())

    threads_20, children_20, rss_20 = samples[20]
    threads_200, children_200, rss_200 = samples[RUNS]
    assert threads_200 <= threads_20 * GROWTH_LIMIT
    assert children_200 <= children_20
    assert rss_200 <= rss_20 * GROWTH_LIMIT


async def test_session_files_private(tmp_path, monkeypatch):
    data_home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("1", "down", "d")
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training and app.trained_experiment is not None)

    created = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*"))
    lab_directory = data_home / "tui-lab"
    files = [path for path in lab_directory.rglob("*") if path.is_file()]

    assert created == ["data", "data/tui-lab", "data/tui-lab/autosave.toml", "data/tui-lab/runs.sqlite3"]
    assert stat.S_IMODE(lab_directory.stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def process_resident_bytes(pid: int) -> int:
    """Return a process's resident set size from /proc (Linux)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


REAL_RUNS = int(os.environ.get("TUI_LAB_REAL_RUNS", "60"))
"""One-epoch runs of the real engine; 200 take about 5 minutes here, so the suite runs 60."""


def test_real_engine_runs_no_growth(tmp_path):
    """The real engine trains one-epoch runs one after another without growing threads, children or memory.

    Keras keeps a few MB per fitted model, so `ProcessEngine` replaces its child when it
    has grown by `RECYCLE_GROWTH`. This checks that the recycling bounds the memory.
    """
    from tui_lab.engine.process import ProcessEngine
    from tui_lab.experiment import LayerSpec
    from tui_lab.reports import EngineReady, TrainingFailed, TrainingFinished

    experiment = presets.preset("baseline").with_fit(epochs=1, callbacks=())
    experiment = experiment.replace_layer(0, LayerSpec("Dense", {"units": 8, "activation": "relu"}))
    engine = ProcessEngine(log_path=tmp_path / "engine.log")
    samples = {}

    def wait(kind, timeout=120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in engine.events(0.2):
                if isinstance(event, TrainingFailed):
                    raise AssertionError(event.message)
                if isinstance(event, kind):
                    return event
        raise AssertionError(f"no {kind.__name__} within {timeout} s")

    engine.start()
    try:
        wait(EngineReady)
        for run in range(1, REAL_RUNS + 1):
            engine.train(experiment, str(run))
            wait(TrainingFinished)
            if run in (20, REAL_RUNS):
                samples[run] = (threading.active_count(), child_count(),
                                process_resident_bytes(engine.pid))
    finally:
        engine.close()

    threads_20, children_20, engine_rss_20 = samples[20]
    threads_200, children_200, engine_rss_200 = samples[REAL_RUNS]
    assert threads_200 <= threads_20 * GROWTH_LIMIT
    assert children_200 <= children_20
    assert engine_rss_200 <= engine_rss_20 * GROWTH_LIMIT
