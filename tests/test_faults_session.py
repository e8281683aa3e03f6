"""Long sessions and file hygiene: 200 runs without growth, and only private files where expected."""

from __future__ import annotations

import os
import stat
import threading
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
