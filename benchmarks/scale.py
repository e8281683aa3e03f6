"""Scale: a CSV of 1,000,000 rows x 20 columns, loaded by tui-lab and by pandas, then one epoch.

The file (19 numeric features and a 0/1 `target`) is generated in a temporary
directory and deleted afterwards. `tui_lab.data.load` runs with a progress callback,
as the app calls it, and is compared with `pandas.read_csv` of the same file: the
ratio of the medians over 5 rounds (9 without `--quick`), after one untimed round. Then
the baseline model trains one epoch on it through `trainer.train`.

In an 80x24 pty, the app then opens an experiment on the same file: panes 2 and 1
alternate while it loads the data (with its progress under the layer stack), and
panes 1 and 4 for 10 s while it trains on it, each key timed as in `key_latency`.
Run with `python -m benchmarks.scale`.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.app_session import AppSession
from benchmarks.figures import Figure, median, percentile, run_script, spread
from benchmarks.setups import fixed_epochs, write_experiment
from tui_lab import data, presets
from tui_lab.experiment import DataSpec

TARGET_RATIO = 1.5
KEY_TARGET_MS = 50.0
"""The key-latency target, as the yardstick of a responsive screen."""
ROWS = 1_000_000
FEATURES = tuple(f"x{index:02d}" for index in range(1, 20))


def write_csv(path: Path, rows: int) -> None:
    """Write `rows` rows of 19 normal features and a target that depends on two of them."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, len(FEATURES))).astype("float32")
    frame = pd.DataFrame(values, columns=list(FEATURES))
    frame["target"] = (values[:, 0] + 0.5 * values[:, 1] + rng.normal(scale=0.5, size=rows) > 0).astype("int8")
    frame.to_csv(path, index=False, float_format="%.5f")


def load_seconds(spec: DataSpec) -> tuple[float, int, data.Dataset]:
    """Return the seconds of `data.load(spec)` with progress, the progress calls, and the dataset."""
    calls = []
    start = time.perf_counter()
    dataset = data.load(spec, progress=lambda fraction, text: calls.append(fraction))
    return time.perf_counter() - start, len(calls), dataset


def read_csv_seconds(path: Path) -> float:
    """Return the seconds of `pandas.read_csv(path)`."""
    start = time.perf_counter()
    pd.read_csv(path)
    return time.perf_counter() - start


def epoch_seconds(dataset: data.Dataset) -> tuple[float, str]:
    """Train the baseline model one epoch on `dataset`; return seconds and the run's status."""
    from tui_lab.engine import trainer

    experiment = fixed_epochs(presets.preset("baseline"), 1)
    start = time.perf_counter()
    result = trainer.train(experiment, dataset, run_id="scale", on_event=lambda event: None)
    return time.perf_counter() - start, result.status


LOADING = "loading data:"
"""Text under the layer stack while the data loads."""

LOADED = "input features"
PANE_TEXTS = {"2": "compile()", "1": "Arguments"}
"""Each key and a text that only its pane shows at 80x24."""

TRAIN_PANE_TEXTS = {"1": "Arguments", "4": "Predictions on"}


def switch_until(session: AppSession, panes: dict[str, str], done, limit: float) -> list[float]:
    """Press the pane keys in turn until `done()` or `limit` seconds pass; return the latencies in ms."""
    latencies = []
    keys = list(panes)
    deadline = time.monotonic() + limit
    index = 0
    while not done() and time.monotonic() < deadline:
        key = keys[index % len(keys)]
        index += 1
        latencies.append(session.send_and_wait(key, panes[key], timeout=30.0) * 1000)
        time.sleep(0.05)
    return latencies


def responsiveness(experiment_path: Path) -> tuple[list[float], bool, list[float]]:
    """Return key latencies while the data loads, whether its progress was shown, and during the epoch."""
    session = AppSession(["--experiment", str(experiment_path)], 80, 24)
    try:
        session.terminal.wait_for("t Train", 30.0)
        seen_progress = []

        def loaded() -> bool:
            screen = session.terminal.text()
            if LOADING in screen:
                seen_progress.append(True)
            return bool(seen_progress) and LOADED in screen and LOADING not in screen

        loading = switch_until(session, PANE_TEXTS, loaded, 60.0)
        session.send_and_wait("1", PANE_TEXTS["1"])
        session.wait_engine_ready()
        session.terminal.send("t")
        session.terminal.wait_for("train rows", 120.0)
        training = switch_until(session, TRAIN_PANE_TEXTS, lambda: False, 10.0)
        session.terminal.send("s")
    finally:
        session.close()
    return loading, bool(seen_progress), training


def measure(quick: bool) -> list[Figure]:
    """Return the load / read_csv ratio and the time of one epoch on a million rows."""
    repeats = 5 if quick else 9
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "million_rows.csv"
        write_csv(path, ROWS)
        spec = DataSpec(source=str(path), target="target", features=FEATURES)

        # One untimed round first, because the first call of each in a process can also
        # pay for lazy imports and for memory that the system has not mapped yet. The
        # timed rounds alternate which call goes first, so neither always runs second.
        read_csv_seconds(path)
        load_seconds(spec)
        loads, reads = [], []
        for round_index in range(repeats):
            # `read_csv_seconds` drops its frame. The previous dataset is dropped too, so
            # each timed call starts with the same memory in use.
            dataset = None
            if round_index % 2:
                seconds, progress_calls, dataset = load_seconds(spec)
                reads.append(read_csv_seconds(path))
            else:
                reads.append(read_csv_seconds(path))
                seconds, progress_calls, dataset = load_seconds(spec)
            loads.append(seconds)
        size_mb = path.stat().st_size / 1024 / 1024

        epoch, status = epoch_seconds(dataset)
        experiment = replace(fixed_epochs(presets.preset("baseline"), 1), data=spec)
        loading, progress_shown, training = responsiveness(write_experiment(experiment, Path(folder)))

    return [
        Figure("scale, tui_lab.data.load / pandas.read_csv (1M x 20 CSV)", median(loads) / median(reads), "x",
               TARGET_RATIO, f"{size_mb:.0f} MB file; load {median(loads):.2f} s ({spread(loads)}), "
               f"{progress_calls} progress calls; read_csv {median(reads):.2f} s ({spread(reads)})"),
        Figure("scale, key latency while the app loads the 1M-row CSV, p95", percentile(loading, 0.95), "ms",
               KEY_TARGET_MS, f"{len(loading)} presses of 2 and 1; median {median(loading):.0f} ms, "
               f"max {max(loading):.0f} ms; load progress "
               f"{'shown under the layer stack' if progress_shown else 'NOT seen on screen'}"),
        Figure("scale, key latency during the epoch on 1M rows, p95", percentile(training, 0.95), "ms",
               KEY_TARGET_MS, f"{len(training)} presses of 1 and 4 over 10 s; median {median(training):.0f} ms, "
               f"max {max(training):.0f} ms"),
        Figure("scale, one epoch of the baseline model on 1M rows", epoch, "s", None,
               f"trainer.train with probe and prediction statistics, status {status}, "
               f"{dataset.x.shape[0]:,} rows, batch 32"),
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
