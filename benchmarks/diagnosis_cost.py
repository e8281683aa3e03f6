"""Diagnosis cost: `trainer.train` with the layer probe on against off.

Prediction statistics on the validation rows are computed in both runs; only the
probe (activations and gradient norms per layer, every epoch) differs. The figure is
the extra time as a share of the run without the probe. Run with
`python -m benchmarks.diagnosis_cost`.
"""

from __future__ import annotations

import time

from benchmarks.figures import Figure, median, run_script, spread
from benchmarks.setups import compared_experiments
from tui_lab import data
from tui_lab.experiment import Experiment

TARGET_PERCENT = 5.0


def train_seconds(experiment: Experiment, dataset, probe: bool) -> float:
    """Return the seconds of one `trainer.train` call."""
    from tui_lab.engine import trainer

    start = time.perf_counter()
    result = trainer.train(experiment, dataset, run_id="bench", on_event=lambda event: None, probe=probe)
    seconds = time.perf_counter() - start
    if result.status == "failed":
        raise RuntimeError(f"training {experiment.name} failed: {result.failure.message}")
    return seconds


def measure(quick: bool) -> list[Figure]:
    """Alternate runs with and without the probe and return the extra time in percent."""
    repeats = 2 if quick else 3
    epochs = 10 if quick else 20
    figures = []
    for name, experiment in compared_experiments(epochs).items():
        dataset = data.load(experiment.data)
        train_seconds(experiment.with_fit(epochs=1), dataset, probe=True)

        with_probe, without_probe = [], []
        for _ in range(repeats):
            without_probe.append(train_seconds(experiment, dataset, probe=False))
            with_probe.append(train_seconds(experiment, dataset, probe=True))

        base = median(without_probe)
        extra = (median(with_probe) - base) / base * 100
        figures.append(Figure(
            f"diagnosis cost, probe on vs off ({name})", extra, "%", TARGET_PERCENT,
            f"{epochs} epochs; probe off {base:.2f} s ({spread(without_probe)}), "
            f"on {median(with_probe):.2f} s ({spread(with_probe)})"))
    return figures


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
