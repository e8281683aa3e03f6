"""Diagnosis cost: what the layer probe and the runtime rules add to training.

With the diagnosis on, every epoch of a run does what it does in the app: the engine
runs the layer probe (`Probe.run`, which also returns the model's output on the
validation rows), and the runtime rules read every report so far
(`domain.training_findings`, which the app calls after each epoch report). With the
diagnosis off, `trainer.train` runs with `probe=False`, so no probe is built or run,
and no rule runs. The prediction statistics on the validation rows, which the
prediction panel shows, are computed in both: without the probe, `predict_on_batch`
gives the output.

Two figures for each experiment:

- timed (compared with the target): the seconds inside that code, measured by timers
  wrapped around it in this script and summed over a run with the diagnosis, less
  what the same timers measure for the work a run without it does instead (tracing
  the loss once, and `predict_on_batch` with the statistics each epoch), as a share
  of the wall time of the run with the diagnosis. Other jobs on the machine slow the
  timed code and the rest of the run together, so the share moves less than the
  on/off ratio does.
- on vs off (context): the two kinds of run in pairs that alternate their order.
  Each pair gives a ratio, and the figure is the median ratio, by wall time and by
  process CPU time (`time.process_time`, every thread). On a shared 2-core machine
  single runs differ by up to 30 %, so these cannot resolve a 5 % target. They show
  whether the timed figure misses a large cost outside the timed code.

Run with `python -m benchmarks.diagnosis_cost` (add `--quick` for fewer, shorter runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.figures import Figure, median, percentile, run_script
from benchmarks.setups import compared_experiments
from tui_lab import data
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport
from tui_lab.ui import domain

TARGET_PERCENT = 5.0

QUICK_EPOCHS, FULL_EPOCHS = 10, 20
QUICK_PAIRS, FULL_PAIRS = 5, 6
"""Number of on/off pairs per experiment. Each pair trains twice."""


@dataclass
class DiagnosisSeconds:
    """Seconds spent in each part of the diagnosis during one run."""

    probe_setup: float = 0.0
    """Seconds of building the probe's model and tracing its compiled function, once before `fit`."""
    probe: float = 0.0
    predictions: float = 0.0
    rules: float = 0.0
    last_rules: float = 0.0
    """Seconds of the runtime rules after the last epoch, when they read the most reports."""
    loss_trace: float = 0.0
    """Seconds of tracing the loss once, which a run without the probe does in place of the probe's tracing."""
    epochs: int = 0

    @property
    def per_epoch_total(self) -> float:
        """Seconds of the probe, the predictions and the rules, summed over the epochs."""
        return self.probe + self.predictions + self.rules

    @property
    def total(self) -> float:
        """Every timed second of the diagnosis, set-up included."""
        return self.probe_setup + self.per_epoch_total


@dataclass(frozen=True)
class Run:
    """One timed `trainer.train` call."""

    wall: float
    cpu: float
    diagnosis: DiagnosisSeconds


@contextmanager
def timed_diagnosis(seconds: DiagnosisSeconds, diagnosis: bool) -> Iterator[None]:
    """Replace the trainer's `Probe` and `EngineCallback` with subclasses that add to `seconds`.

    The prediction time is what `on_epoch_end` takes beyond the probe and the event
    handler: the statistics, and `predict_on_batch` when there is no probe.
    """
    from tui_lab.engine import trainer
    from tui_lab.engine.callback import EngineCallback
    from tui_lab.engine.probe import Probe

    class TimedProbe(Probe):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            super().__init__(*args, **kwargs)
            seconds.probe_setup += time.perf_counter() - started

        def warm_up(self) -> float:
            started = time.perf_counter()
            result = super().warm_up()
            seconds.probe_setup += time.perf_counter() - started
            return result

        def run(self) -> Any:
            started = time.perf_counter()
            result = super().run()
            seconds.probe += time.perf_counter() - started
            return result

    class TimedCallback(EngineCallback):
        def __init__(self, **kwargs: Any) -> None:
            on_event = kwargs["on_event"]
            self.event_seconds = 0.0

            def timed_event(event: object) -> None:
                started = time.perf_counter()
                on_event(event)
                self.event_seconds += time.perf_counter() - started

            kwargs["on_event"] = timed_event
            super().__init__(**kwargs)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            probe_before, event_before = seconds.probe, self.event_seconds
            started = time.perf_counter()
            super().on_epoch_end(epoch, logs)
            elapsed = time.perf_counter() - started

            # The remainder also contains building the EpochReport and reading the learning
            # rate, in runs with and without the diagnosis alike, so the difference drops it.
            other = (seconds.probe - probe_before) + (self.event_seconds - event_before)
            seconds.predictions += elapsed - other
            seconds.epochs += 1

    trace_loss = trainer._trace_loss

    def timed_trace_loss(*args: Any) -> None:
        started = time.perf_counter()
        trace_loss(*args)
        seconds.loss_trace += time.perf_counter() - started

    saved = trainer.Probe, trainer.EngineCallback, trainer._trace_loss
    trainer.Probe, trainer.EngineCallback, trainer._trace_loss = TimedProbe, TimedCallback, timed_trace_loss
    try:
        yield
    finally:
        trainer.Probe, trainer.EngineCallback, trainer._trace_loss = saved


def rules_handler(experiment: Experiment, dataset: Any, seconds: DiagnosisSeconds) -> Callable[[object], None]:
    """Return an `on_event` that runs the runtime rules on every report so far, as the app does."""
    reports: list[EpochReport] = []

    def on_event(event: object) -> None:
        if not isinstance(event, EpochReport):
            return
        reports.append(event)
        started = time.perf_counter()
        domain.training_findings(experiment, reports, dataset)
        elapsed = time.perf_counter() - started
        seconds.rules += elapsed
        seconds.last_rules = elapsed

    return on_event


def train_once(experiment: Experiment, dataset: Any, diagnosis: bool) -> Run:
    """Train once with the diagnosis on or off and return the wall, CPU and diagnosis seconds."""
    from tui_lab.engine import trainer

    seconds = DiagnosisSeconds()
    on_event = rules_handler(experiment, dataset, seconds) if diagnosis else (lambda event: None)
    with timed_diagnosis(seconds, diagnosis):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        result = trainer.train(experiment, dataset, run_id="bench", on_event=on_event, probe=diagnosis)
        wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start

    if result.status == "failed":
        raise RuntimeError(f"expected training {experiment.name} to finish, it failed: {result.failure.message}")
    return Run(wall, cpu, seconds)


def alternate_pairs(experiment: Experiment, dataset: Any, pairs: int) -> list[tuple[Run, Run]]:
    """Return (on, off) runs; even pairs train off first and odd pairs on first, so drift cancels."""
    results = []
    for index in range(pairs):
        if index % 2 == 0:
            off = train_once(experiment, dataset, diagnosis=False)
            on = train_once(experiment, dataset, diagnosis=True)
        else:
            on = train_once(experiment, dataset, diagnosis=True)
            off = train_once(experiment, dataset, diagnosis=False)
        results.append((on, off))
    return results


def extra_percents(pairs: list[tuple[Run, Run]], clock: Callable[[Run], float]) -> list[float]:
    """Return each pair's extra time of the run with the diagnosis, in percent of the run without."""
    return [(clock(on) / clock(off) - 1) * 100 for on, off in pairs]


def quartiles(values: list[float]) -> str:
    """Return the 25th and 75th percentiles and the range of `values` as text."""
    return (f"quartiles {percentile(values, 0.25):+.1f} to {percentile(values, 0.75):+.1f} %, "
            f"range {min(values):+.1f} to {max(values):+.1f} %")


def experiment_figures(name: str, epochs: int, pairs: list[tuple[Run, Run]]) -> list[Figure]:
    """Return the direct figure and the on-vs-off figures of one experiment."""
    loss_trace = median([off.diagnosis.loss_trace for _, off in pairs])
    direct = [(on.diagnosis.total - off.diagnosis.loss_trace - off.diagnosis.predictions) / on.wall * 100
              for on, off in pairs]
    without_setup = median([(on.diagnosis.per_epoch_total - off.diagnosis.predictions) / on.wall * 100
                            for on, off in pairs])
    off_predictions_ms = median([off.diagnosis.predictions / off.diagnosis.epochs for _, off in pairs]) * 1000
    parts = [on.diagnosis for on, _ in pairs]
    per_epoch_ms = {
        "probe": median([part.probe / part.epochs for part in parts]) * 1000,
        "predictions": median([part.predictions / part.epochs for part in parts]) * 1000,
        "rules": median([part.rules / part.epochs for part in parts]) * 1000,
    }
    epoch_text = ", ".join(f"{part} {value:.2f} ms" for part, value in per_epoch_ms.items())
    setup_ms = median([part.probe_setup for part in parts]) * 1000
    last_rules_ms = median([part.last_rules for part in parts]) * 1000
    direct_figure = Figure(
        f"diagnosis cost, timed inside the run ({name})", median(direct), "%", TARGET_PERCENT,
        f"{epochs} epochs, {len(pairs)} runs, {min(direct):.1f} to {max(direct):.1f} %, "
        f"{without_setup:.1f} % without the set-up; per epoch: "
        f"{epoch_text} (rules at the last epoch {last_rules_ms:.2f} ms); probe set-up {setup_ms:.0f} ms "
        f"once, less {loss_trace * 1000:.0f} ms of loss tracing that it replaces; without the diagnosis, "
        f"predictions {off_predictions_ms:.2f} ms an epoch; "
        f"run {median([on.wall for on, _ in pairs]):.2f} s")

    wall = extra_percents(pairs, lambda run: run.wall)
    cpu = extra_percents(pairs, lambda run: run.cpu)
    wall_figure = Figure(
        f"diagnosis cost, on vs off, wall time ({name})", median(wall), "%", None,
        f"median of {len(pairs)} pairs, {quartiles(wall)}; off {median([off.wall for _, off in pairs]):.2f} s")
    cpu_figure = Figure(
        f"diagnosis cost, on vs off, CPU time ({name})", median(cpu), "%", None,
        f"median of {len(pairs)} pairs, {quartiles(cpu)}; off {median([off.cpu for _, off in pairs]):.2f} s")
    return [direct_figure, wall_figure, cpu_figure]


def measure(quick: bool) -> list[Figure]:
    """Train each compared experiment in on/off pairs and return its figures."""
    epochs = QUICK_EPOCHS if quick else FULL_EPOCHS
    pairs = QUICK_PAIRS if quick else FULL_PAIRS
    from tui_lab.engine import quiet, trainer  # noqa: F401

    # The engine and `tui-lab train` freeze the imported objects before training; so does this process.
    quiet.freeze_imported_objects()
    figures = []
    for name, experiment in compared_experiments(epochs).items():
        dataset = data.load(experiment.data)
        train_once(experiment.with_fit(epochs=1), dataset, diagnosis=True)
        train_once(experiment.with_fit(epochs=1), dataset, diagnosis=False)
        figures += experiment_figures(name, epochs, alternate_pairs(experiment, dataset, pairs))
    return figures


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
