"""The engine child process: import TensorFlow, then train and save on command.

This module imports nothing from TensorFlow at module level, so the parent can name
`main` as a process target without loading TensorFlow itself. Commands are tuples:

    ("train", experiment_table, run_id, epochs_or_None)
    ("save", path, experiment_table)
    ("load", path)
    ("evaluate", experiment_table)
    ("quit",)
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from typing import Any

from tui_lab.engine_events import EvaluationFailed, LoadFailed, ModelLoaded
from tui_lab.reports import (
    EngineReady, EngineUnavailable, ModelSaved, SaveFailed, TrainingFailed,
)

PARENT_CHECK_SECONDS = 0.5
"""How often the child checks that its parent is still alive."""


def redirect_output(log_path: str) -> None:
    """Point file descriptors 1 and 2 at `log_path` for the rest of the process's life.

    A new log is readable by its owner alone, because tracebacks in it show paths and data.
    """
    descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def exit_with_parent(parent_pid: int) -> None:
    """Start a daemon thread that ends this process when the parent process is gone."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


ENGINE_NICENESS = 5
"""How much lower than the UI the engine process is scheduled.

TensorFlow keeps every core busy during `fit`. On a small machine the UI process
then waits for a core before it can handle a key, so the engine yields to it.
Training loses almost nothing, because the UI is idle most of the time.
"""


def lower_priority() -> None:
    """Lower this process's scheduling priority by `ENGINE_NICENESS`, where the OS allows it."""
    try:
        os.nice(ENGINE_NICENESS)
    except (AttributeError, OSError) as error:
        print(f"engine: could not lower the process priority: {error}", flush=True)


def prepare_for_training() -> None:
    """Import what a run needs, then freeze the imported objects out of garbage collection.

    The imports here also spare the first run the time to import pandas.
    """
    import tui_lab.data  # noqa: F401
    import tui_lab.engine.trainer  # noqa: F401
    from tui_lab.engine.quiet import freeze_imported_objects

    freeze_imported_objects()


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


class Worker:
    """Runs the commands of one engine process and keeps the last trained model for `save`."""

    def __init__(self, events: Any, stop_event: Any) -> None:
        self.events = events
        self.stop_event = stop_event
        self.model: Any = None

    def train(self, experiment_table: dict[str, Any], run_id: str, epochs: int | None) -> None:
        """Load the data, train, and keep the model when training did not fail."""
        from tui_lab import data
        from tui_lab.engine.trainer import train
        from tui_lab.experiment import ExperimentError, from_dict

        try:
            experiment = from_dict(experiment_table)
            dataset = data.load(experiment.data)
            dataset.require_binary()
        except (ExperimentError, data.DataError) as error:
            print(f"engine: run {run_id} failed before training: {_first_line(error)}", flush=True)
            self.events.put(TrainingFailed(run_id, _first_line(error), str(error)))
            return

        self.release_model()
        result = train(experiment, dataset, run_id=run_id, on_event=self.events.put,
                       stop_event=self.stop_event, epochs=epochs)
        if result.stop_seen_at is not None:
            print(f"engine: run {run_id} stopped on request; its last batch ended at "
                  f"monotonic time {result.stop_seen_at:.6f}", flush=True)
        if result.status != "failed" and result.model is not None:
            self.model = result.model

    def release_model(self) -> None:
        """Drop the kept model and Keras's global state before a new model is built.

        Without this every run leaves its graph, traced functions and layer names in
        Keras's global state, and the process grows by several MB a run.
        """
        from tui_lab.engine.quiet import import_keras

        self.model = None
        import_keras().backend.clear_session(free_memory=True)

    def save(self, path: str, experiment_table: dict[str, Any] | None) -> None:
        """Save the last trained model and its experiment, reporting `ModelSaved` or `SaveFailed`."""
        from tui_lab.engine.saving import SaveError, save_model
        from tui_lab.experiment import ExperimentError, from_dict

        if self.model is None:
            self.events.put(SaveFailed(path, "there is no trained model to save; train the experiment first"))
            return
        try:
            experiment = from_dict(experiment_table) if experiment_table else None
            model_path, experiment_path = save_model(self.model, path, experiment)
        except (SaveError, ExperimentError) as error:
            print(f"engine: save to {path} failed: {_first_line(error)}", flush=True)
            self.events.put(SaveFailed(path, str(error)))
            return
        self.events.put(ModelSaved(str(model_path), str(experiment_path) if experiment_path else None))

    def load(self, path: str) -> None:
        """Load a .keras file in safe mode and keep it as the model, reporting `ModelLoaded` or `LoadFailed`.

        The experiment TOML beside the file is sent when there is one; otherwise the
        experiment is rebuilt from the model's layers and compile options.
        """
        from pathlib import Path

        from tui_lab.engine.model_import import experiment_from_model
        from tui_lab.engine.saving import ModelFileError, experiment_path_for, load_model

        self.release_model()
        try:
            model, experiment = load_model(path)
            experiment_path = str(experiment_path_for(path)) if experiment is not None else None
            if experiment is None:
                experiment = experiment_from_model(model, name=Path(path).stem or "imported")
        except (ModelFileError, ValueError) as error:
            print(f"engine: load of {path} failed: {_first_line(error)}", flush=True)
            self.events.put(LoadFailed(path, str(error)))
            return
        self.model = model
        self.events.put(ModelLoaded(path, experiment.to_dict(), experiment_path))

    def evaluate(self, experiment_table: dict[str, Any]) -> None:
        """Send the validation figures of the kept model on the experiment's data as an epoch 0 report."""
        from tui_lab import data
        from tui_lab.engine.trainer import evaluate_model
        from tui_lab.experiment import ExperimentError, from_dict

        if self.model is None:
            self.events.put(EvaluationFailed("there is no model to evaluate; open a .keras file or train first"))
            return
        try:
            experiment = from_dict(experiment_table)
            dataset = data.load(experiment.data)
            dataset.require_binary()
            report = evaluate_model(self.model, experiment, dataset)
        except (ExperimentError, data.DataError, ValueError) as error:
            print(f"engine: evaluation failed: {_first_line(error)}", flush=True)
            self.events.put(EvaluationFailed(str(error)))
            return
        self.events.put(report)

    def run(self, commands: Any) -> None:
        """Run commands until "quit"; an unexpected error in one command is reported, not fatal."""
        while True:
            try:
                command = commands.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                continue
            name = command[0]
            if name == "quit":
                return
            try:
                if name == "train":
                    self.train(command[1], command[2], command[3])
                elif name == "save":
                    self.save(command[1], command[2])
                elif name == "load":
                    self.load(command[1])
                elif name == "evaluate":
                    self.evaluate(command[1])
                else:
                    print(f"engine: ignored unknown command {name!r}", flush=True)
            except Exception as error:
                traceback.print_exc()
                if name == "train":
                    self.events.put(TrainingFailed(command[2], _first_line(error), traceback.format_exc()))
                elif name == "save":
                    self.events.put(SaveFailed(command[1], _first_line(error)))
                elif name == "load":
                    self.events.put(LoadFailed(command[1], _first_line(error)))
                elif name == "evaluate":
                    self.events.put(EvaluationFailed(_first_line(error)))


def main(commands: Any, events: Any, stop_event: Any, log_path: str, parent_pid: int | None = None) -> None:
    """Run the engine process: redirect output to `log_path`, import TensorFlow, serve commands."""
    redirect_output(log_path)
    exit_with_parent(parent_pid if parent_pid is not None else os.getppid())
    lower_priority()
    print(f"engine: process {os.getpid()} started", flush=True)

    from tui_lab.engine.quiet import EngineImportError, import_seconds, import_tensorflow_and_keras

    try:
        tensorflow, keras = import_tensorflow_and_keras(redirect=False)
    except EngineImportError as error:
        print(f"engine: {error}", flush=True)
        events.put(EngineUnavailable(str(error)))
        return
    events.put(EngineReady(tensorflow.__version__, keras.__version__, import_seconds()))
    print(f"engine: TensorFlow {tensorflow.__version__} ready after {import_seconds():.1f} s", flush=True)
    prepare_for_training()

    Worker(events, stop_event).run(commands)
    print("engine: quit", flush=True)
