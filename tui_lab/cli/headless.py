"""Training without the UI: the engine in this process, one line per epoch.

`tui-lab train` and `tui-lab diagnose --train` share this. TensorFlow is imported
only when training starts, and its native log lines go to a log file rather than
the terminal.
"""

from __future__ import annotations

import dataclasses
import sys
import uuid
from typing import Any, TextIO

from tui_lab import data, diagnosis
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport, PredictionStats, TrainingFailed
from tui_lab.store import RunStore


class TrainingError(Exception):
    """Training could not start or raised an error; the message is for the user."""


def format_epoch(report: EpochReport) -> str:
    """Return one line for an epoch: its number, every logged value, the prediction spread."""
    width = len(str(report.epochs))
    parts = [f"epoch {report.epoch:>{width}}/{report.epochs}"]
    parts += [f"{name} {value:.4f}" for name, value in report.logs.items()]
    if report.predictions is not None:
        stats = report.predictions
        parts.append(f"predictions {stats.min:.3f}..{stats.max:.3f}")
    parts.append(f"{report.seconds:.2f}s")
    return "  ".join(parts)


def prediction_summary(stats: PredictionStats | None) -> dict[str, Any] | None:
    """Return the prediction statistics as the JSON object `train --json` prints."""
    if stats is None:
        return None
    return dataclasses.asdict(stats)


def train_and_diagnose(
    experiment: Experiment,
    dataset: data.Dataset,
    save_path: str | None,
    progress: TextIO | None,
    store: RunStore | None = None,
) -> dict[str, Any]:
    """Train `experiment` on `dataset`, diagnose it, save it if asked; return the JSON result.

    Lines for each epoch go to `progress` (None prints nothing). The run, its epochs
    and findings are recorded in `store` when one is given. Raises `TrainingError`
    when TensorFlow cannot be imported or training fails.
    """
    from tui_lab.engine import quiet

    try:
        tensorflow, keras = quiet.import_tensorflow_and_keras()
    except quiet.EngineImportError as error:
        raise TrainingError(str(error)) from None

    from tui_lab.engine import trainer

    quiet.freeze_imported_objects()
    versions = {"keras": keras.__version__, "tensorflow": tensorflow.__version__}
    run_id = store.start_run(experiment, versions) if store else uuid.uuid4().hex[:12]
    failures: list[TrainingFailed] = []

    def on_event(event: object) -> None:
        if isinstance(event, EpochReport):
            if store:
                store.record_epoch(run_id, event)
            if progress is not None:
                print(format_epoch(event), file=progress, flush=True)
        elif isinstance(event, TrainingFailed):
            failures.append(event)

    result = trainer.train(experiment, dataset, run_id=str(run_id), on_event=on_event)
    if failures:
        if store:
            store.finish_run(run_id, "failed", error=failures[-1].message)
        raise TrainingError(failures[-1].message)

    findings = diagnosis.diagnose(
        experiment,
        dataset=dataset,
        reports=result.reports,
        keras_warnings=result.keras_warnings,
    )
    if store:
        store.finish_run(run_id, result.status, findings=findings)

    model_path = None
    if save_path:
        from tui_lab.engine import saving

        try:
            saving.save_model(result.model, save_path, experiment)
        except OSError as error:
            raise TrainingError(f"could not save the model to {save_path}: {error}") from None
        model_path = save_path
        if store:
            store.add_model_path(run_id, save_path)

    last = result.reports[-1] if result.reports else None
    return {
        "experiment": experiment.name,
        "run_id": run_id,
        "status": result.status,
        "epochs_run": len(result.reports),
        "history": result.history,
        "predictions": prediction_summary(last.predictions if last else None),
        "findings": [finding.to_dict() for finding in findings],
        "model_path": model_path,
    }


def print_findings(findings: list[dict[str, Any]], stream: TextIO = sys.stdout) -> None:
    """Print findings one block each: severity, id and title, then evidence and fix."""
    if not findings:
        print("no findings", file=stream)
        return
    for finding in findings:
        print(f"{finding['severity']:<7} {finding['id']}: {finding['title']}", file=stream)
        print(f"        evidence: {finding['evidence']}", file=stream)
        print(f"        fix: {finding['fix']}", file=stream)
