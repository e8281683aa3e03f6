"""Training overhead: the app and `tui-lab train` against a plain Keras `fit` of the same model.

For each of the two presets and the ~1-million-parameter model, with EarlyStopping
removed so every run trains the same epochs, on the same arrays:

(a) the app headless (`LabApp.run_test()` with a real `ProcessEngine`, charts and
    the prediction panel drawn): from the train action to the training-ended message;
(b) `tui-lab train`'s training call, `trainer.train` in this process;
(c) a plain script's build, compile and `model.fit(verbose=0)` of the same model
    (`benchmarks.plain_keras`), run in turn with (a) and with (b).

Each process first trains the experiment for one epoch, so no timed run pays for
TensorFlow's one-time start-up. Run with `python -m benchmarks.overhead`.
"""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

from benchmarks import plain_keras
from benchmarks.figures import Figure, median, run_script, spread
from benchmarks.setups import compared_experiments
from tui_lab import data
from tui_lab.experiment import Experiment
from tui_lab.reports import TrainingStarted
from tui_lab.ui import app as app_module
from tui_lab.ui.app import LabApp

TARGET_RATIO = 1.10
ENGINE_TIMEOUT = 120.0
TRAINING_TIMEOUT = 600.0


class TimedLab(LabApp):
    """The app, noting when each training began and ended.

    Textual runs the handlers of every class in the MRO, so `LabApp`'s own
    handlers still run after these.
    """

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    began_at: float | None = None
    ended_at: float | None = None

    def on_training_began(self, message) -> None:
        self.began_at = time.perf_counter()

    def on_training_ended(self, message) -> None:
        self.ended_at = time.perf_counter()


async def _wait(condition, timeout: float, awaited: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{awaited} did not happen within {timeout} s")
        await asyncio.sleep(0.005)


async def _train_in_app(app: TimedLab, experiment: Experiment) -> tuple[float, float]:
    """Train `experiment` once; return (train action to ended, training-began to ended) in seconds."""
    app.set_experiment(experiment, reload_form=True)
    app.began_at = app.ended_at = None
    start = time.perf_counter()
    app.action_train()
    await _wait(lambda: app.ended_at is not None, TRAINING_TIMEOUT, "the training-ended message")
    return app.ended_at - start, app.ended_at - (app.began_at or start)


async def _app_runs(experiment: Experiment, repeats: int, x, y) -> tuple[list[float], list[float], list[float]]:
    app = TimedLab(experiment)
    totals, fits, plain = [], [], []
    async with app.run_test(size=(120, 40)):
        await _wait(lambda: app.engine_state == "ready", ENGINE_TIMEOUT, "the engine start")
        await _train_in_app(app, experiment.with_fit(epochs=1))
        for _ in range(repeats):
            # The plain fit blocks this process's event loop, so the app is idle meanwhile.
            plain.append(plain_keras.time_fit(experiment, x, y))
            total, fit = await _train_in_app(app, experiment)
            totals.append(total)
            fits.append(fit)
        app.action_quit()
    return totals, fits, plain


def app_times(experiment: Experiment, repeats: int, x, y) -> tuple[list[float], list[float], list[float]]:
    """Return the app's (a) times, train action to ended and training-began to ended, and (c) between them."""
    return asyncio.run(_app_runs(experiment, repeats, x, y))


def trainer_time(experiment: Experiment, dataset) -> tuple[float, float]:
    """Return (b): seconds of `trainer.train`, and of its part from `TrainingStarted` to the end."""
    from tui_lab.cli.headless import format_epoch
    from tui_lab.engine import trainer
    from tui_lab.reports import EpochReport

    lines = io.StringIO()
    started: list[float] = []

    def on_event(event: object) -> None:
        if isinstance(event, TrainingStarted):
            started.append(time.perf_counter())
        elif isinstance(event, EpochReport):
            print(format_epoch(event), file=lines)

    start = time.perf_counter()
    result = trainer.train(experiment, dataset, run_id="bench", on_event=on_event)
    end = time.perf_counter()
    if result.status == "failed":
        raise RuntimeError(f"training {experiment.name} failed: {result.failure.message}")
    return end - start, end - started[0]


def measure(quick: bool) -> list[Figure]:
    """Time (a), (b) and (c) for each experiment and return the ratios a/c and b/c."""
    from tui_lab.engine import quiet, trainer  # noqa: F401

    # `tui-lab train` freezes the imported objects before it trains; so does this process.
    quiet.freeze_imported_objects()
    repeats = 3 if quick else 5
    epochs = 10 if quick else 20
    figures = []
    for name, experiment in compared_experiments(epochs).items():
        dataset = data.load(experiment.data)
        x, y = plain_keras.arrays(dataset)
        trainer_time(experiment.with_fit(epochs=1), dataset)
        plain_keras.time_fit(experiment.with_fit(epochs=1), x, y)

        plain, trainer_totals, trainer_fits = [], [], []
        for _ in range(repeats):
            plain.append(plain_keras.time_fit(experiment, x, y))
            total, fit = trainer_time(experiment, dataset)
            trainer_totals.append(total)
            trainer_fits.append(fit)
        app_totals, app_fits, app_plain = app_times(experiment, repeats, x, y)

        keras_seconds = median(plain)
        app_keras_seconds = median(app_plain)
        figures.append(Figure(
            f"overhead, app / plain Keras ({name})", median(app_totals) / app_keras_seconds, "x", TARGET_RATIO,
            f"{epochs} epochs; plain build and fit {app_keras_seconds:.2f} s ({spread(app_plain)}); "
            f"app {median(app_totals):.2f} s ({spread(app_totals)}), "
            f"of which training-began to ended {median(app_fits):.2f} s"))
        figures.append(Figure(
            f"overhead, tui-lab train / plain Keras ({name})", median(trainer_totals) / keras_seconds, "x",
            TARGET_RATIO,
            f"{epochs} epochs; plain build and fit {keras_seconds:.2f} s ({spread(plain)}); "
            f"trainer.train {median(trainer_totals):.2f} s ({spread(trainer_totals)}), "
            f"of which the fit {median(trainer_fits):.2f} s"))
    return figures


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
