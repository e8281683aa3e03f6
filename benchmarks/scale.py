"""Scale: a CSV of 1,000,000 rows x 20 columns, loaded by tui-lab and by pandas, then one epoch.

The file (19 numeric features and a 0/1 `target`) is generated in a temporary
directory and deleted afterwards. `tui_lab.data.load` runs with a progress callback,
as the app calls it, and is compared with `pandas.read_csv` of the same file: the
ratio of the medians over 5 rounds (9 without `--quick`), after one untimed round. Then
the baseline model trains one epoch on it through `trainer.train`.
Run with `python -m benchmarks.scale`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.figures import Figure, median, run_script, spread
from benchmarks.setups import fixed_epochs
from tui_lab import data, presets
from tui_lab.experiment import DataSpec

TARGET_RATIO = 1.5
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

    return [
        Figure("scale, tui_lab.data.load / pandas.read_csv (1M x 20 CSV)", median(loads) / median(reads), "x",
               TARGET_RATIO, f"{size_mb:.0f} MB file; load {median(loads):.2f} s ({spread(loads)}), "
               f"{progress_calls} progress calls; read_csv {median(reads):.2f} s ({spread(reads)})"),
        Figure("scale, one epoch of the baseline model on 1M rows", epoch, "s", None,
               f"trainer.train with probe and prediction statistics, status {status}, "
               f"{dataset.x.shape[0]:,} rows, batch 32"),
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
