"""Measure the run store: time per recorded epoch, listing 1,000 runs, opening the runs screen.

Run with `python benchmarks/store_bench.py`. The store lives in a temporary directory,
so the figures include real file writes (WAL mode, synchronous=NORMAL) on that disk.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from store_fakes import VERSIONS, fake_report  # noqa: E402

from tui_lab import presets  # noqa: E402
from tui_lab.store import RunStore  # noqa: E402

EPOCHS_TIMED = 500
RUNS_LISTED = 1_000
EPOCHS_PER_LISTED_RUN = 10


def time_epochs(store: RunStore) -> list[float]:
    """Record `EPOCHS_TIMED` epochs in one run and return each write's time in ms."""
    run_id = store.start_run(presets.preset("baseline"), VERSIONS, name="timed")
    reports = [fake_report(epoch, EPOCHS_TIMED) for epoch in range(1, EPOCHS_TIMED + 1)]
    times = []
    for report in reports:
        start = time.perf_counter()
        store.record_epoch(run_id, report)
        times.append((time.perf_counter() - start) * 1000)
    store.finish_run(run_id, "finished")
    return times


def fill(store: RunStore, runs: int) -> None:
    """Add `runs` finished runs of `EPOCHS_PER_LISTED_RUN` epochs each."""
    experiment = presets.preset("baseline")
    for index in range(runs):
        run_id = store.start_run(experiment, VERSIONS, name=f"run-{index}")
        for epoch in range(1, EPOCHS_PER_LISTED_RUN + 1):
            store.record_epoch(run_id, fake_report(epoch, EPOCHS_PER_LISTED_RUN,
                                                   val_accuracy=0.5 + (index % 40) / 100))
        store.finish_run(run_id, "finished")


def time_listing(store: RunStore, repeats: int = 5) -> float:
    """Return the median time of `list_runs()` over all runs, in ms."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        store.list_runs()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def time_screen(store: RunStore) -> float:
    """Return the time from pushing the runs screen to a filled table, headless at 80x24, in ms."""
    from textual.app import App
    from textual.widgets import DataTable

    from tui_lab.ui.screens.runs import RunsScreen

    app = App()
    async with app.run_test(size=(80, 24)) as pilot:
        start = time.perf_counter()
        await app.push_screen(RunsScreen(store))
        await pilot.pause()
        rows = app.screen.query_one(DataTable).row_count
        elapsed = (time.perf_counter() - start) * 1000
    if rows < RUNS_LISTED:
        raise RuntimeError(f"expected at least {RUNS_LISTED} rows in the runs table, found {rows}")
    return elapsed


def main() -> None:
    """Print the three figures."""
    with tempfile.TemporaryDirectory() as directory:
        with RunStore(Path(directory) / "bench.sqlite3") as store:
            times = time_epochs(store)
            print(f"record_epoch: mean {statistics.mean(times):.2f} ms, "
                  f"median {statistics.median(times):.2f} ms, "
                  f"p95 {statistics.quantiles(times, n=20)[-1]:.2f} ms, "
                  f"max {max(times):.2f} ms over {EPOCHS_TIMED} epochs")

            start = time.perf_counter()
            fill(store, RUNS_LISTED - 1)
            print(f"filled {RUNS_LISTED} runs x {EPOCHS_PER_LISTED_RUN} epochs "
                  f"in {time.perf_counter() - start:.1f} s")

            print(f"list_runs over {RUNS_LISTED} runs: median {time_listing(store):.1f} ms")
            print(f"RunsScreen with {RUNS_LISTED} runs, headless 80x24: "
                  f"{asyncio.run(time_screen(store)):.0f} ms to a filled table")


if __name__ == "__main__":
    main()
