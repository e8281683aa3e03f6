"""The app's actions that bring in the user's own code, model and CSV, and write the experiment out.

`ImportExportActions` is a mixin of `LabApp`: it uses the app's `experiment`,
`set_experiment`, `engine`, `engine_state`, `training` and `set_status`. Keras code is
read with `ast` and never run. The engine child loads a .keras file in safe mode. A
thread worker reads a CSV file, and `tui_lab.data.guess_spec` chooses its target and features.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import work

from tui_lab.codeio.python_export import export_python
from tui_lab.codeio.python_import import CodeImportError, ImportResult, import_file
from tui_lab.experiment import DataSpec, Experiment, ExperimentError, from_dict, write_atomic
from tui_lab.ui import messages
from tui_lab.ui.screens.import_report import ImportReportScreen
from tui_lab.ui.screens.open_prompt import OpenFile, OpenPrompt
from tui_lab.ui.screens.paste_code import PASTED_NAME, PasteCodeScreen
from tui_lab.ui.screens.path_prompt import PathPrompt


class ImportExportActions:
    """Import Keras code, open a .keras model or a CSV file, evaluate the model, export a script."""

    pending_model_path: str | None = None
    """A .keras path to load once the engine is ready."""
    loaded_model_path: str | None = None
    """The .keras file the engine loaded last; None until one is opened."""
    evaluating: bool = False
    """Whether an evaluation was sent to the engine and its epoch 0 report has not come back."""

    # --- Keras code -------------------------------------------------------------------

    def action_paste_code(self: Any) -> None:
        """Open the paste area; the pasted code replaces the experiment (undoable)."""

        def imported(result: ImportResult | None) -> None:
            if result is not None:
                self.code_imported(result, PASTED_NAME)

        self.push_screen(PasteCodeScreen(), imported)

    def action_import_file(self: Any) -> None:
        """Ask for a .py file of Keras code or a .keras model, and open it."""
        self.push_screen(OpenPrompt("Import Keras code (.py, not run) or a model (.keras)",
                                    "a .py or .keras path"), self.opened)

    def code_imported(self: Any, result: ImportResult, source: str) -> None:
        """Replace the experiment with the imported one and list what the import skipped."""
        experiment = keep_data(result.experiment, self.experiment)
        self.set_experiment(experiment, reload_form=True)
        skipped = len(result.skipped)
        self.set_status(f"imported {source}: {len(experiment.layers)} layers, {skipped} "
                        f"construct{'s' if skipped != 1 else ''} skipped; u undoes it")
        if result.skipped or result.notes:
            self.push_screen(ImportReportScreen(source, result))

    def opened(self: Any, opened: Experiment | OpenFile | None) -> None:
        """Open what the open prompt returned: an experiment, a CSV, Keras code or a model."""
        if opened is None:
            return
        if isinstance(opened, Experiment):
            self.set_experiment(opened, reload_form=True)
            self.set_status(f"opened {opened.name}")
        elif opened.kind == "python":
            self.import_code_file(opened.path)
        elif opened.kind == "csv":
            self.set_status(f"reading {opened.path}…", loading=True)
            self.guess_csv(opened.path)
        elif opened.kind == "keras":
            self.load_model_file(opened.path)

    def import_code_file(self: Any, path: str) -> None:
        """Import the Keras code in `path`, or show why it cannot be imported."""
        try:
            result = import_file(path)
        except CodeImportError as error:
            self.notify(str(error), title="Import failed", severity="error", markup=False)
            return
        self.code_imported(result, Path(path).name)

    # --- CSV files --------------------------------------------------------------------

    def action_open_csv(self: Any) -> None:
        """Ask for a CSV path; its target and features are guessed from the columns."""
        self.push_screen(OpenPrompt("Open a CSV file as the data", "a .csv path"), self.opened)

    @work(thread=True, exclusive=True, group="csv", exit_on_error=False)
    def guess_csv(self: Any, path: str) -> None:
        """Read the CSV in a thread and post the data options guessed for it, or the error."""
        # pandas is imported here, in the worker, so that it stays off the start-up path.
        from tui_lab import data

        spec = self.experiment.data
        # Sorting, rare-positive and missing-indicator options name columns of the old
        # data, so only the preparation options carry over to the new file.
        base = DataSpec(impute=spec.impute, scale=spec.scale, shuffle=spec.shuffle, seed=spec.seed)
        try:
            guessed = data.guess_spec(path, base)
        except (data.DataError, OSError) as error:
            self.post_message(messages.CsvGuessFailed(path, str(error)))
            return
        self.post_message(messages.CsvGuessed(guessed))

    @messages.while_screens_exist
    def on_csv_guessed(self: Any, message: messages.CsvGuessed) -> None:
        """Use the CSV with the guessed target and features (undoable)."""
        spec = message.spec
        self.set_experiment(replace(self.experiment, data=spec), reload_form=True)
        self.set_status(f"opened {spec.source}: target {spec.target}, {len(spec.features)} features "
                        f"({', '.join(spec.features)}); u undoes it")

    @messages.while_screens_exist
    def on_csv_guess_failed(self: Any, message: messages.CsvGuessFailed) -> None:
        """Show why the CSV cannot be used; the experiment stays as it was."""
        self.set_status(f"could not open {message.path}")
        self.notify(message.error, title="CSV not opened", severity="error", markup=False)

    # --- .keras models ------------------------------------------------------------------

    def load_model_file(self: Any, path: str) -> None:
        """Ask the engine to load a .keras file, once TensorFlow is ready."""
        if self.training:
            self.notify("A training is running; press s to stop it before opening a model.")
            return
        if self.engine_state == "loading":
            self.pending_model_path = path
            self.set_status(f"TensorFlow is still loading; {path} opens when it is ready", loading=True)
            return
        if self.engine_state != "ready":
            self.notify("Opening a .keras file needs TensorFlow, which could not be loaded.", severity="error")
            return
        self.set_status(f"loading {path}…", loading=True)
        self.engine.load(path)

    def load_pending_model(self: Any) -> None:
        """Load the .keras file requested while TensorFlow was loading, if any."""
        path, self.pending_model_path = self.pending_model_path, None
        if path is not None:
            self.load_model_file(path)

    @messages.while_screens_exist
    def on_model_opened(self: Any, message: messages.ModelOpened) -> None:
        """Take the loaded model's layers and compile options; the engine keeps its weights."""
        loaded = message.loaded
        try:
            experiment = from_dict(loaded.experiment, loaded.path)
        except ExperimentError as error:
            self.set_status(f"could not open {loaded.path}")
            self.notify(str(error), title="Model not opened", severity="error", markup=False)
            return
        if loaded.experiment_path is None:
            # Without an experiment file beside the model, only the model itself is known,
            # so the data and fit options stay as they are.
            experiment = replace(self.experiment, name=experiment.name, layers=experiment.layers,
                                 compile=experiment.compile)

        self.set_experiment(experiment, reload_form=True)
        self.loaded_model_path = loaded.path
        self.trained_experiment = experiment
        self.trained_run_id = None
        beside = f" with {loaded.experiment_path}" if loaded.experiment_path else ""
        self.set_status(f"opened {loaded.path}{beside}: {len(experiment.layers)} layers; "
                        "v evaluates it as it is, t trains it anew, u undoes it")

    @messages.while_screens_exist
    def on_model_open_failed(self: Any, message: messages.ModelOpenFailed) -> None:
        """Show why the model file cannot be loaded; nothing else changes."""
        self.set_status(f"could not open {message.failed.path}")
        self.notify(message.failed.message, title="Model not opened", severity="error", markup=False)

    def action_evaluate_model(self: Any) -> None:
        """Show the loaded model's output distribution on the current data, without training it."""
        if self.loaded_model_path is None and self.trained_experiment is None:
            self.notify("No model to evaluate; open a .keras file (Import: open file) or train one.",
                        severity="warning")
            return
        if self.training:
            self.notify("A training is running; evaluate after it ends.")
            return
        if self.engine_state != "ready":
            self.notify("Evaluating needs TensorFlow, which is not ready yet.", severity="warning")
            return
        self.evaluating = True
        self.set_status("evaluating the model on the validation rows…", loading=True)
        self.engine.evaluate(self.experiment)

    def evaluation_received(self: Any, report: Any) -> None:
        """Show an epoch 0 report as the model's predictions before any training."""
        if not self.evaluating or report.epoch != 0:
            return
        self.evaluating = False
        if report.predictions is not None:
            self.main_screen.query_one("#predictions").show(report.predictions, 0)
        logs = ", ".join(f"{name} {value:.4g}" for name, value in report.logs.items())
        self.set_status(f"evaluated the model without training{': ' + logs if logs else ''}")
        self.action_show_pane("train")

    @messages.while_screens_exist
    def on_model_evaluation_failed(self: Any, message: messages.ModelEvaluationFailed) -> None:
        """Show why the model could not be evaluated."""
        self.evaluating = False
        self.set_status("evaluation failed")
        self.notify(message.failed.message, title="Evaluation failed", severity="error", markup=False)

    # --- export -----------------------------------------------------------------------

    def action_export_python(self: Any) -> None:
        """Ask for a .py path and write a plain Keras script that trains the experiment."""
        experiment = self.experiment

        def chosen(path: str | None) -> None:
            if path is None:
                return
            try:
                write_atomic(Path(path), export_python(experiment).encode("utf-8"))
            except OSError as error:
                self.notify(f"could not write {path}: {error.strerror or error}", severity="error",
                            markup=False)
                return
            self.set_status(f"wrote {path}; run it with: python {path}")

        self.push_screen(PathPrompt("Export the experiment as a Python script", f"{experiment.name}.py", ".py"),
                         chosen)


def keep_data(imported: Experiment, current: Experiment) -> Experiment:
    """Return `imported` with the current data options when the code sets none of its own.

    NOTE: code without a `DATA = {...}` dict imports as `DataSpec()`, so code whose
    `DATA` equals the defaults also keeps the current data options.
    """
    if imported.data == DataSpec():
        return replace(imported, data=current.data)
    return imported
