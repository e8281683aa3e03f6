"""Stop and quit during training, in an 80x24 pty with the ~1M-parameter model.

Stop: from writing `s` to the end of the last batch the engine trains. The engine
logs that moment as a `time.monotonic()` reading, the clock this script reads too.
Its target is the time of one training batch plus one validation pass of the same
model, measured in this process with Keras (`train_on_batch` and `evaluate` on the
validation rows). The time until the status line shows that the run stopped, after the
validation pass and the epoch's statistics, is printed for context.
Quit: from writing `q` during training to the process's exit; target 2 s.
Run with `python -m benchmarks.stop_quit`.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import plain_keras
from benchmarks.app_session import STOPPED, AppSession
from benchmarks.figures import Figure, median, run_script, spread
from benchmarks.setups import million_model, write_experiment
from tui_lab import data
from tui_lab.experiment import Experiment

QUIT_TARGET_SECONDS = 2.0


def batch_and_validation_seconds(experiment: Experiment, repeats: int = 10) -> tuple[float, float]:
    """Return the median seconds of one training batch and of one validation pass."""
    dataset = data.load(experiment.data)
    x, y = plain_keras.arrays(dataset)
    split = data.split_index(len(x), experiment.fit.validation_split)
    batch_size = experiment.fit.batch_size
    model = plain_keras.build(experiment, x.shape[1])
    model.train_on_batch(x[:batch_size], y[:batch_size])
    model.evaluate(x[split:], y[split:], batch_size=batch_size, verbose=0)

    batches, validations = [], []
    for index in range(repeats):
        rows = slice(index * batch_size, (index + 1) * batch_size)
        start = time.perf_counter()
        model.train_on_batch(x[rows], y[rows])
        batches.append(time.perf_counter() - start)
    for _ in range(max(3, repeats // 3)):
        start = time.perf_counter()
        model.evaluate(x[split:], y[split:], batch_size=batch_size, verbose=0)
        validations.append(time.perf_counter() - start)
    return median(batches), median(validations)


def engine_stop_seconds(experiment: Experiment) -> float:
    """Return the seconds `trainer.train` takes to return after its stop event is set, with no UI.

    The event is set from a progress event in epoch 3, between two batches, like a
    key press that arrives while a batch runs.
    """
    from tui_lab.engine import trainer
    from tui_lab.reports import BatchProgress

    dataset = data.load(experiment.data)
    stop_event = threading.Event()
    stopped_at: list[float] = []

    def on_event(event: object) -> None:
        if isinstance(event, BatchProgress) and event.epoch >= 3 and not stopped_at:
            stopped_at.append(time.perf_counter())
            stop_event.set()

    trainer.train(experiment, dataset, run_id="stop", on_event=on_event, stop_event=stop_event)
    return time.perf_counter() - stopped_at[0]


LAST_BATCH_LOG = re.compile(r"its last batch ended at monotonic time ([0-9.]+)")
"""The engine log line of a run stopped on request."""


def last_batch_time(log_folder: Path) -> float:
    """Return the `time.monotonic()` reading the engine logged for its last stopped batch."""
    times = [float(match.group(1))
             for log in log_folder.glob("engine-*.log")
             for match in LAST_BATCH_LOG.finditer(log.read_text(errors="replace"))]
    if not times:
        raise RuntimeError(f"expected a stopped run in the engine log under {log_folder}, found none")
    return max(times)


def stop_then_quit(path: Path, rng: random.Random) -> tuple[float, float, float]:
    """In one app session: train, stop, train again, quit.

    Returns the seconds from the stop key to the last batch's end, and to the status
    line, and from the quit key to the process's exit.
    """
    with tempfile.TemporaryDirectory() as state:
        environment = {**os.environ, "XDG_STATE_HOME": state}
        session = AppSession(["--experiment", str(path)], 80, 24, env=environment)
        try:
            session.wait_engine_ready()
            session.start_training()
            session.wait_for_epoch(3)
            time.sleep(rng.uniform(0.0, 0.8))
            pressed = time.monotonic()
            shown = session.send_and_wait("s", STOPPED, timeout=30.0)
            last_batch = last_batch_time(Path(state) / "tui-lab" / "log") - pressed
            session.terminal.send("t")
            session.wait_for_epoch(2)
            time.sleep(rng.uniform(0.0, 0.8))
            quit_seconds = session.quit()
        finally:
            session.close()
    return last_batch, shown, quit_seconds


def measure(quick: bool) -> list[Figure]:
    """Return the median stop time against batch plus validation, and the median quit time."""
    repeats = 2 if quick else 3
    rng = random.Random(0)
    experiment = million_model(500)
    batch, validation = batch_and_validation_seconds(experiment)
    engine_stops = [engine_stop_seconds(experiment) for _ in range(repeats)]

    stops, shown, quits = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        path = write_experiment(experiment, Path(folder))
        for _ in range(repeats):
            stop, stop_shown, quit_seconds = stop_then_quit(path, rng)
            stops.append(stop)
            shown.append(stop_shown)
            quits.append(quit_seconds)

    return [
        Figure("stop during training, key to last batch (80x24, million)", median(stops), "s",
               batch + validation,
               f"{spread(stops)}; target is one batch {batch * 1000:.0f} ms "
               f"+ validation {validation * 1000:.0f} ms"),
        Figure("stop during training, key to the status line (80x24, million)", median(shown), "s",
               None, spread(shown)),
        Figure("stop inside trainer.train, no UI (million)", median(engine_stops), "s", None,
               spread(engine_stops)),
        Figure("quit during training (80x24, million)", median(quits), "s", QUIT_TARGET_SECONDS,
               spread(quits)),
    ]


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
