"""Fake epoch reports and filled run stores for the store, CLI and runs screen tests."""

from __future__ import annotations

from tui_lab import presets
from tui_lab.experiment import Experiment
from tui_lab.reports import HISTOGRAM_BINS, EpochReport, LayerProbe, PredictionStats, ProbeStats
from tui_lab.store import RunStore

VERSIONS = {"keras": "3.15.1", "tensorflow": "2.21.0"}


def fake_report(epoch: int, epochs: int = 5, val_accuracy: float = 0.7,
                val_loss: float = 0.6) -> EpochReport:
    """Build an epoch report with plausible logs, predictions and one probed layer."""
    histogram = [0] * HISTOGRAM_BINS
    histogram[epoch % HISTOGRAM_BINS] = 100
    predictions = PredictionStats(
        count=100, min=0.1, max=0.9, mean=0.4, std=0.2, positive_rate=0.35,
        true_positive_share=0.38, accuracy=val_accuracy, saturated_share=0.0,
        histogram=histogram,
    )
    probe = ProbeStats(
        layers=[LayerProbe("dense", "Dense", "relu", 32, dead_share=0.1, gradient_norm=0.5,
                           mean_abs_gradient=0.01)],
        train_mode_accuracy=0.7, inference_mode_accuracy=0.72, seconds=0.003,
    )
    logs = {"loss": val_loss - 0.05, "accuracy": val_accuracy - 0.02,
            "val_loss": val_loss, "val_accuracy": val_accuracy}
    return EpochReport(epoch=epoch, epochs=epochs, logs=logs, predictions=predictions,
                       probe=probe, seconds=0.05, learning_rate=0.001)


def add_run(store: RunStore, experiment: Experiment | None = None, name: str | None = None,
            accuracies: tuple[float, ...] = (0.6, 0.7, 0.65), status: str = "finished",
            tags: tuple[str, ...] = ()) -> int:
    """Store a run with one epoch per accuracy (loss falls as accuracy rises) and end it."""
    experiment = experiment or presets.preset("baseline")
    run_id = store.start_run(experiment, VERSIONS, name=name, tags=tags)
    for epoch, accuracy in enumerate(accuracies, start=1):
        report = fake_report(epoch, len(accuracies), val_accuracy=accuracy, val_loss=1.3 - accuracy)
        store.record_epoch(run_id, report)
    if status != "running":
        store.finish_run(run_id, status, error="boom" if status == "failed" else None)
    return run_id
