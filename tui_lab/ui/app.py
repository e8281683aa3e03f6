"""The tui-lab app: edit the experiment, train it, watch the charts and findings, save the model.

`LabApp(experiment, engine=None, store_path=None).run()` opens it. With no engine it
starts a `ProcessEngine`, which imports TensorFlow in a child process while the user
edits. The engine starts after the first refresh, so the first frame does not wait for
it. A thread worker reads the engine's events and posts them as the messages of
`tui_lab.ui.messages`. Only the handlers on the UI thread touch widgets.

Every run is recorded in the run store at `store_path` (the default store when None),
and the experiment is autosaved beside it on every change (see `tui_lab.ui.recording`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from functools import partial
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static, Tab, Tabs
from textual.worker import get_current_worker

from tui_lab.engine.protocol import Engine
from tui_lab.experiment import Experiment, save
from tui_lab.ui import domain, messages
from tui_lab.ui.column_choice import ColumnChoiceActions
from tui_lab.ui.commands import COMMANDS, app_bindings
from tui_lab.ui.import_export import ImportExportActions
from tui_lab.ui.screens.confirm import ConfirmScreen, diff_text
from tui_lab.ui.screens.help import HelpScreen, binding_rows
from tui_lab.ui.screens.layer_editor import LayerArgumentsScreen, LayerTypePicker
from tui_lab.ui.screens.open_prompt import OpenPrompt
from tui_lab.ui.screens.path_prompt import PathPrompt
from tui_lab.ui.screens.runs import CompareRuns, OpenRun, RunsScreen
from tui_lab.ui.throttle import Throttle
from tui_lab.ui.widgets.charts import MAX_OVERLAYS, REDRAW_INTERVAL, TrainingCharts
from tui_lab.ui.widgets.data_panel import DataPanel
from tui_lab.ui.widgets.findings import FindingsList, has_one_key_fix, no_fix_message
from tui_lab.ui.widgets.layer_stack import LayerStack
from tui_lab.ui.widgets.key_hints import KeyHints
from tui_lab.ui.widgets.predictions import PredictionPanel
from tui_lab.ui.widgets.progress import TrainingProgress
from tui_lab.ui.widgets.spinner import Spinner
from tui_lab.ui.widgets.options import OptionsForm
from tui_lab.ui.recording import RunRecorder, last_histogram, overlay_label
from tui_lab.ui.values import describe_problem

WIDE_COLUMNS = 120
"""Terminal width from which the editor and the training view sit side by side."""

PANES = {"model": "left", "options": "left", "data": "left", "train": "right", "findings": "right"}
"""Each pane and the column it sits in when the terminal is wide."""

HISTORY_LIMIT = 100
"""Number of earlier experiments kept for undo."""

STATIC_FINDINGS_DELAY = 0.3
"""Seconds without an edit before the experiment and data rules run again."""


class LabApp(ImportExportActions, ColumnChoiceActions, App):
    """The full-screen lab for one experiment and one training engine."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-lab"
    BINDINGS = app_bindings()

    def __init__(self, experiment: Experiment, engine: Engine | None = None,
                 store_path: str | os.PathLike[str] | None = None, restored: bool = False) -> None:
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Over SSH every animation frame costs bytes and a redraw: the tabs' sliding
            # underline alone repaints about 30 times per tab switch. TEXTUAL_ANIMATIONS
            # turns animations back on.
            self.animation_level = "none"
        self.experiment = experiment
        self.engine = engine
        self.restored = restored
        """Whether `experiment` is the autosave of an earlier session, so the status line states it."""
        self.recorder = RunRecorder(store_path, self.show_store_error)
        self.engine_versions: Any = None
        self.trained_run_id: int | None = None
        self._previous_sighup: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.saving_run_ids: dict[str, int | None] = {}
        """The store id of the run that each pending save writes the model of, keyed by path."""
        self.history: list[Experiment] = []
        self.engine_state = "loading"
        self.training = False
        self.stop_requested = False
        """Whether s was pressed during the training in progress."""
        self.train_queued = False
        self.run_id: str | None = None
        self.option_problem_shown = False
        """Whether the status line shows an invalid option, which a valid edit then clears."""
        self.training_experiment: Experiment | None = None
        self.trained_experiment: Experiment | None = None
        self.reports: list[Any] = []
        self.dataset: Any = None
        self.data_loading: str | None = None
        """The step of the data load in progress, as shown, or None when no load runs."""
        self.parameter_total = 0
        self.keras_warnings: list[str] = []
        self.static_findings: list[Any] = []
        self.runtime_findings: list[Any] = []
        self.active_pane = "model"
        self.left_pane = "model"
        self.closing = False
        self._findings_timer: Timer | None = None
        self.findings_throttle = Throttle(self, REDRAW_INTERVAL, self.show_findings)
        """Shows the findings of a training at most as often as the charts redraw."""

    # --- layout -----------------------------------------------------------------------

    @property
    def main_screen(self) -> Screen:
        """The screen with the panes, which stays below any modal."""
        return self.screen_stack[0]

    def compose(self) -> ComposeResult:
        """Lay out the tabs, the two columns of panes, the status line and the footer."""
        yield Tabs(
            Tab("1 Model", id="model"), Tab("2 Options", id="options"), Tab("3 Data", id="data"),
            Tab("4 Train", id="train"), Tab("5 Findings", id="findings"),
            id="tabs",
        )
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Vertical(id="pane-model", classes="pane"):
                    yield LayerStack(id="layers")
                    yield Static("", id="layer-total")
                yield OptionsForm(id="pane-options", classes="pane")
                with Vertical(id="pane-data", classes="pane"):
                    yield DataPanel(id="data-panel")
            with Vertical(id="right"):
                with Vertical(id="pane-train", classes="pane"):
                    yield TrainingProgress(id="progress")
                    yield TrainingCharts(id="charts")
                    yield PredictionPanel(id="predictions")
                with Vertical(id="pane-findings", classes="pane"):
                    yield FindingsList(id="findings-list")
        with Horizontal(id="status-bar"):
            yield Spinner(id="loading")
            yield Static("", id="status")
        yield KeyHints(id="key-hints")

    def on_mount(self) -> None:
        """Show the experiment, then start the engine and the data load after the first frame."""
        if self.console.color_system in ("standard", "windows") and not self.no_color:
            # With NO_COLOR, Textual turns this theme's colours into black on black.
            self.theme = "ansi-dark"
        self.main_screen.query_one(OptionsForm).load(self.experiment)
        self.show_layers(cursor=0)
        # The layer stack has the focus at start, so its keys work without pressing 1 first.
        self.main_screen.query_one("#layers").focus()
        self.main_screen.query_one("#charts").reset(metric_log_names(self.experiment))
        self.main_screen.query_one("#predictions").clear()
        self.update_layout()
        self.open_run_history()
        loading = "loading TensorFlow…"
        if self.restored:
            loading = f"restored the experiment you were editing; {loading}"
        self.set_status(loading, loading=True)
        self.schedule_static_findings()
        self.call_after_refresh(self.start_background_work)

    def start_background_work(self) -> None:
        """Start the engine and load the data, once the first frame is drawn.

        The data worker imports pandas and holds the GIL while it does, so starting it
        before the first frame would delay that frame.
        """
        self.start_engine()
        self.load_data()

    def on_resize(self, event: events.Resize) -> None:
        """Switch between tabs and side-by-side columns when the width crosses `WIDE_COLUMNS`."""
        # `self.size` is still the old size while this handler runs, so the event's size is used.
        self.update_layout(event.size.width)

    def update_layout(self, width: int | None = None) -> None:
        """Show the active pane; at `WIDE_COLUMNS` and wider, show the training column beside it."""
        wide = (self.size.width if width is None else width) >= WIDE_COLUMNS
        self.screen.set_class(wide, "-wide")
        column = PANES[self.active_pane]
        self.main_screen.query_one("#left").display = wide or column == "left"
        self.main_screen.query_one("#right").display = wide or column == "right"
        for pane, pane_column in PANES.items():
            if wide:
                shown = pane == self.left_pane if pane_column == "left" else True
            else:
                shown = pane == self.active_pane
            self.main_screen.query_one(f"#pane-{pane}").display = shown

    def action_show_pane(self, pane: str) -> None:
        """Show `pane` and focus its first control, also when its tab is already active."""
        # The pane is shown here rather than in the tab's TabActivated handler, so the
        # layout change and the tab highlight reach the screen in the same frame.
        self.show_pane(pane)
        self.main_screen.query_one(Tabs).active = pane

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        """Show the pane of a tab activated by the mouse or by the tabs' own keys."""
        pane = event.tab.id or "model"
        if pane != self.active_pane:
            self.show_pane(pane)

    def show_pane(self, pane: str) -> None:
        """Lay out the panes for `pane` and focus its first control."""
        self.active_pane = pane
        if PANES[pane] == "left":
            self.left_pane = pane
        self.update_layout()
        focus_targets = {"model": "#layers", "options": "#optimizer", "data": "#data-columns",
                         "train": "#charts", "findings": "#findings-list"}
        target = self.main_screen.query_one(focus_targets[pane])
        focusable = [target] if target.focusable else [w for w in target.query("*") if w.focusable]
        if focusable:
            focusable[0].focus()

    def set_status(self, text: str, loading: bool = False) -> None:
        """Show `text` in the status line, with a spinner when `loading`."""
        self.main_screen.query_one("#status", Static).update(text)
        self.main_screen.query_one("#loading").display = loading
        self.option_problem_shown = False

    # --- commands ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Any:
        """Offer every app action in the command palette, named "Category: action"."""
        yield from super().get_system_commands(screen)
        for command in COMMANDS:
            yield SystemCommand(command.title, command.help, partial(self.run_action, command.action))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the bindings of the app, the layer stack, the panels and the focused widget."""
        sections = [
            ("App", binding_rows(type(self))),
            ("Layer stack (1 Model)", binding_rows(LayerStack)),
            ("Findings (5 Findings)", binding_rows(FindingsList)),
            ("Charts (4 Train)", binding_rows(TrainingCharts)),
            ("Data columns (3 Data)", binding_rows(DataPanel)),
        ]
        focused = self.focused
        shown = {LayerStack, FindingsList, TrainingCharts, DataPanel}
        if focused is not None and type(focused) not in shown:
            sections.append((f"Focused: {type(focused).__name__}", binding_rows(focused)))
        return [(heading, rows) for heading, rows in sections if rows]

    def action_help(self) -> None:
        """Open the help screen listing every binding."""
        self.push_screen(HelpScreen(self.help_sections()))

    def action_fix_selected(self, retrain: bool) -> None:
        """Ask to apply the fix of the highlighted finding (the findings list's f and F keys)."""
        findings = self.main_screen.query_one("#findings-list")
        if findings.selected is None:
            self.notify("No finding is selected.")
            return
        self.post_message(FindingsList.FixRequested(findings.selected, retrain))

    def action_next_chart(self) -> None:
        """Show the next metric chart."""
        self.main_screen.query_one("#charts").action_next_chart()

    def action_toggle_ansi_theme(self) -> None:
        """Switch between the terminal's 16 ANSI colours and the default theme."""
        self.theme = "textual-dark" if self.theme == "ansi-dark" else "ansi-dark"

    # --- the engine -------------------------------------------------------------------

    def start_engine(self) -> None:
        """Create the engine when none was given, start it, and start reading its events."""
        if self.engine is None:
            from tui_lab.engine.process import ProcessEngine

            self.engine = ProcessEngine()
        try:
            # NOTE: Textual replaces sys.stderr with an object whose fileno() is -1, and
            # multiprocessing's resource tracker passes that fd to its child, which fails
            # with "bad value(s) in fds_to_keep". The real stderr is restored for the spawn.
            with contextlib.redirect_stderr(sys.__stderr__):
                self.engine.start()
        except (OSError, ValueError) as error:
            self.engine_state = "unavailable"
            self.set_status(f"the training engine could not start: {error}")
            return
        self.read_engine_events()

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def read_engine_events(self) -> None:
        """Post each engine event as a message; never touches a widget."""
        worker = get_current_worker()
        while not worker.is_cancelled and not self.closing:
            try:
                drained = self.engine.events(0.1)
            except (OSError, EOFError, ValueError) as error:
                if not self.closing:
                    self.post_message(messages.EngineLost(f"{type(error).__name__}: {error}"))
                return
            for message in messages.messages_for(drained):
                self.post_message(message)

    @messages.while_screens_exist
    def on_engine_loaded(self, message: messages.EngineLoaded) -> None:
        """Mark the engine ready, and train when the user asked before it was."""
        self.engine_state = "ready"
        freeze_long_lived_objects()
        ready = message.ready
        self.engine_versions = ready
        text = f"TensorFlow {ready.tensorflow_version} ready (loaded in {ready.seconds:.1f} s); press t to train"
        if self.restored and not self.history:
            text = f"restored the experiment you were editing; {text}"
        self.set_status(text)
        if self.train_queued:
            self.train_queued = False
            self.action_train()
        self.load_pending_model()

    @messages.while_screens_exist
    def on_engine_load_failed(self, message: messages.EngineLoadFailed) -> None:
        """Show that training cannot run and why, or restart an engine that stopped after loading.

        An engine that was ready and then exited (killed, or crashed) fails the run in
        progress and starts again once. One that never loaded stays unavailable, so a
        missing TensorFlow does not restart it in a loop.
        """
        was_ready = self.engine_state == "ready"
        if self.training:
            self.training = False
            self.recorder.finish("failed", findings=self.current_findings(),
                                 error=message.unavailable.message)
            self.stop_progress(f"training {run_name(self.run_id)} failed: the training engine stopped")
        if was_ready and not self.closing:
            self.restart_engine(message.unavailable.message)
            return
        self.engine_state = "unavailable"
        self.train_queued = False
        self.set_status(f"training unavailable: {message.unavailable.message}")
        self.notify(message.unavailable.message, title="TensorFlow could not be loaded", severity="error")

    def restart_engine(self, reason: str) -> None:
        """Start the engine again after it stopped, which loses the trained model it contained."""
        self.engine_state = "loading"
        self.trained_experiment = None
        self.trained_run_id = None
        self.notify(f"{reason}. Restarting the training engine, so train again when it is ready.",
                    title="Training engine stopped", severity="error", markup=False)
        self.set_status(f"the training engine stopped ({reason}); restarting it…", loading=True)
        try:
            with contextlib.redirect_stderr(sys.__stderr__):
                self.engine.start()
        except (OSError, ValueError) as error:
            self.engine_state = "unavailable"
            self.set_status(f"the training engine could not restart: {error}; restart tui-lab to train")

    @messages.while_screens_exist
    def on_engine_lost(self, message: messages.EngineLost) -> None:
        """Show that reading engine events failed, so training is unavailable."""
        self.engine_state = "unavailable"
        if self.training:
            self.training = False
            self.stop_progress(f"training {run_name(self.run_id)} failed: the training engine stopped")
        self.set_status(f"the training engine stopped ({message.error}); restart tui-lab to train")

    # --- training ---------------------------------------------------------------------

    def action_train(self) -> None:
        """Train the current experiment, or show why it cannot start yet."""
        if self.training:
            if self.stop_requested:
                self.notify("The training is stopping after its current batch; press t again once it has stopped.")
            else:
                self.notify("A training is already running; press s to stop it first.")
            return
        if self.reject_invalid_options("Training not started"):
            return
        if self.engine_state == "loading":
            self.train_queued = True
            self.set_status("TensorFlow is still loading; training starts when it is ready", loading=True)
            return
        if self.engine_state != "ready":
            self.notify("Training is unavailable: TensorFlow could not be loaded.", severity="error")
            return
        if not self.experiment.layers:
            self.notify("The model has no layers; press a on the layer stack to add one.",
                        severity="warning")
            return

        self.run_id = self.recorder.start(self.experiment, self.engine_versions)
        self.training = True
        self.stop_requested = False
        self.training_experiment = self.experiment
        self.reports = []
        self.runtime_findings = []
        self.findings_throttle.cancel()
        self.main_screen.query_one("#charts").reset(metric_log_names(self.experiment))
        self.main_screen.query_one("#predictions").clear()
        self.set_status(f"training {self.experiment.name} for {self.experiment.fit.epochs} epochs…")
        self.main_screen.query_one("#progress", TrainingProgress).start(
            self.experiment.fit.epochs, 0, run_name=f"training {run_name(self.run_id)}")
        self.engine.train(self.experiment, self.run_id)
        if PANES[self.active_pane] == "left" and self.size.width < WIDE_COLUMNS:
            self.action_show_pane("train")

    def action_stop(self) -> None:
        """Ask the engine to stop the training after the current batch."""
        if not self.training:
            self.notify("No training is running.")
            return
        self.engine.stop()
        self.stop_requested = True
        self.set_status("stopping after the current batch…")

    @messages.while_screens_exist
    def on_training_began(self, message: messages.TrainingBegan) -> None:
        """Show the sizes of the run and turn Keras warnings into findings."""
        started = message.started
        if started.run_id != self.run_id:
            return
        self.keras_warnings = list(started.keras_warnings)
        self.refresh_static_findings()
        if self.stop_requested:
            return
        self.set_status(f"training: {started.train_rows} train rows, {started.validation_rows} "
                        f"validation rows, {started.total_params:,} parameters")

    @messages.while_screens_exist
    def on_batch_advanced(self, message: messages.BatchAdvanced) -> None:
        """Move the batch progress bar of the run in progress."""
        if not self.training:
            return
        self.main_screen.query_one("#progress").update_batch(message.progress)

    @messages.while_screens_exist
    def on_epoch_completed(self, message: messages.EpochCompleted) -> None:
        """Draw the epoch in the charts and predictions, and run the training rules again."""
        report = message.report
        if not self.training:
            self.evaluation_received(report)
            return
        self.reports.append(report)
        self.recorder.record_epoch(report)
        self.main_screen.query_one("#charts").add_report(report)
        if report.predictions is not None:
            self.main_screen.query_one("#predictions").show(report.predictions, report.epoch)
        self.main_screen.query_one("#progress").update_epoch(report)
        self.runtime_findings = domain.training_findings(
            self.training_experiment or self.experiment, self.reports, self.dataset)
        self.findings_throttle.request()

    @messages.while_screens_exist
    def on_training_ended(self, message: messages.TrainingEnded) -> None:
        """Record the trained experiment and show how the training ended."""
        finished = message.finished
        if finished.run_id != self.run_id:
            return
        self.training = False
        self.trained_experiment = self.training_experiment
        self.findings_throttle.flush()

        # The static findings come from a worker and may not have arrived after a quick
        # run, so the findings stored with the run are computed here for what was trained.
        static = domain.static_findings(self.training_experiment, self.dataset, self.keras_warnings)
        if self.training_experiment is self.experiment:
            self.static_findings = static
            self.show_findings()
        findings = domain.merge(static, self.runtime_findings)
        self.trained_run_id = self.recorder.finish(finished.status, findings=findings)
        endings = {"finished": "finished", "stopped": "stopped by you",
                   "early_stopped": "stopped early by EarlyStopping", "nan": "stopped: the loss became NaN"}
        ending = endings.get(finished.status, finished.status)
        epochs = f"{finished.epochs_run} epoch{'' if finished.epochs_run == 1 else 's'}"
        text = f"training {run_name(finished.run_id)} {ending} after {epochs}"
        self.set_status(f"{text}; ctrl+s saves the model")
        self.main_screen.query_one("#progress", TrainingProgress).stop(text)

    @messages.while_screens_exist
    def on_training_failed(self, message: messages.TrainingFailed) -> None:
        """Show why the training failed; the traceback goes to the Textual log."""
        failed = message.failed
        if failed.run_id != self.run_id:
            # NOTE: the engine rejects a second train call with a failure under the new
            # run id, so a failure for another id belongs to no run of this app.
            self.notify(failed.message, title="Training failed", severity="error", markup=False)
            return
        self.training = False
        self.recorder.finish("failed", error=failed.message)
        self.stop_progress(f"training {run_name(failed.run_id)} failed")
        self.log.error(failed.details)
        self.set_status(f"training failed: {failed.message}")
        self.notify(failed.message, title="Training failed", severity="error")

    def stop_progress(self, text: str) -> None:
        """Stop the progress clock and show how the run ended under the bars."""
        self.findings_throttle.flush()
        self.main_screen.query_one("#progress", TrainingProgress).stop(text)

    def reject_invalid_options(self, headline: str) -> bool:
        """Show `headline` and the first invalid option and return True, or return False when all are valid.

        Training or applying a fix with an invalid option in the form would use the
        last valid value without saying so (or reload the form over the user's text).
        """
        form = self.main_screen.query_one(OptionsForm)
        _, problems = form.build(self.experiment)
        if not problems:
            return False
        form.show_problems(problems)
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        text = f"{headline}: {describe_problem(problems[0])}{more}. Fix it in 2 Options."
        self.set_status(text)
        self.option_problem_shown = True
        self.notify(text, severity="warning", markup=False)
        return True

    # --- saving and opening -------------------------------------------------------------

    def action_save_model(self) -> None:
        """Ask for a .keras path and save the trained model there."""
        if self.trained_experiment is None:
            self.notify("No trained model yet; press t to train one first.", severity="warning")
            return
        experiment = self.trained_experiment
        run_id = self.trained_run_id

        def chosen(path: str | None) -> None:
            if path is not None:
                self.set_status(f"saving {path}…")
                self.saving_run_ids[path] = run_id
                self.engine.save(path, experiment)

        self.push_screen(PathPrompt("Save the trained model as", f"{experiment.name}.keras", ".keras"), chosen)

    @messages.while_screens_exist
    def on_model_saved(self, message: messages.ModelSaved) -> None:
        """Show where the model and its experiment were written."""
        saved = message.saved
        self.recorder.add_model_path(self.saving_run_ids.pop(saved.path, self.trained_run_id), saved.path)
        beside = f" and {saved.experiment_path}" if saved.experiment_path else ""
        self.set_status(f"saved {saved.path}{beside}")
        self.notify(f"Saved {saved.path}{beside}", title="Model saved")

    @messages.while_screens_exist
    def on_model_save_failed(self, message: messages.ModelSaveFailed) -> None:
        """Show why the model could not be saved."""
        self.set_status(f"saving failed: {message.failed.message}")
        self.notify(message.failed.message, title="Saving failed", severity="error")

    def action_write_experiment(self) -> None:
        """Ask for a .toml path and write the experiment there."""
        experiment = self.experiment

        def chosen(path: str | None) -> None:
            if path is None:
                return
            try:
                save(experiment, path)
            except OSError as error:
                self.notify(f"could not write {path}: {error.strerror or error}", severity="error")
                return
            self.set_status(f"wrote {path}")

        self.push_screen(PathPrompt("Write the experiment as", f"{experiment.name}.toml", ".toml"), chosen)

    def action_open(self) -> None:
        """Ask for a preset or a TOML, CSV, Python or .keras path and open it (see `opened`)."""

        self.push_screen(OpenPrompt(), self.opened)

    def action_quit(self) -> None:
        """End any training, close the engine and quit."""
        self.close_engine()
        self.exit()

    def close_engine(self) -> None:
        """Close the engine once; it ends a running training within 2 seconds."""
        if self.closing:
            return
        self.closing = True
        if self.engine is not None:
            self.engine.close()

    def on_unmount(self) -> None:
        """Close the engine when the app ends another way (ctrl+c, an error), then the store."""
        self.close_engine()
        self.restore_sighup()
        if self._findings_timer is not None:
            self._findings_timer.stop()
        if self.training:
            self.recorder.finish("interrupted", findings=self.current_findings())
        self.recorder.close()

    # --- run history -------------------------------------------------------------------

    def open_run_history(self) -> None:
        """Open the run store, mark runs killed mid-training, autosave, and catch SIGHUP."""
        self.recorder.open()
        interrupted = self.recorder.interrupted
        if interrupted:
            ids = ", ".join(str(run_id) for run_id in interrupted)
            self.notify(f"Marked {len(interrupted)} run(s) as interrupted: {ids}.",
                        title="Run history", markup=False)
        self.recorder.save_experiment(self.experiment)
        self.install_sighup()

    def show_store_error(self, message: str) -> None:
        """Show a run store or autosave failure as a notification; the app carries on."""
        self.notify(message, title="Run history", severity="warning", markup=False)

    def current_findings(self) -> list[Any]:
        """Return every finding shown now: the static and the training findings."""
        return domain.merge(self.static_findings, self.runtime_findings)

    def install_sighup(self) -> None:
        """Handle SIGHUP (the terminal or SSH connection closed) with `hang_up`.

        NOTE: Python installs signal handlers in the main thread only. An app run from
        another thread keeps the old SIGHUP handler, so the next start marks its run interrupted.
        """
        if not hasattr(signal, "SIGHUP"):
            return
        self._loop = asyncio.get_running_loop()
        try:
            self._previous_sighup = signal.signal(signal.SIGHUP, self._sighup_received)
        except ValueError:
            self._previous_sighup = None
            self.log.warning("SIGHUP is not handled: the app does not run in the main thread")

    def restore_sighup(self) -> None:
        """Give SIGHUP back the handler it had before the app started."""
        if self._previous_sighup is None:
            return
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGHUP, self._previous_sighup)
        self._previous_sighup = None

    def _sighup_received(self, signum: int, frame: Any) -> None:
        # The handler runs between two bytecodes of the main thread, possibly in the middle
        # of the event loop's own work, so it only schedules `hang_up`. The thread-safe call
        # also wakes the loop if it is waiting in select().
        self._loop.call_soon_threadsafe(self.call_later, self.hang_up)

    def hang_up(self) -> None:
        """Autosave, mark the run in progress interrupted, close the engine and exit with status 129."""
        self.recorder.save_experiment(self.experiment)
        if self.training:
            self.training = False
            self.recorder.finish("interrupted", findings=self.current_findings())
        self.close_engine()
        self.exit(return_code=129)

    def action_open_runs(self) -> None:
        """Open the runs screen, then compare or reopen what the user chose there."""
        store = self.recorder.store
        if store is None:
            self.notify("The run store is not open, so there are no runs to list; "
                        "start tui-lab with --store PATH to use another file.", severity="warning")
            return
        self.push_screen(RunsScreen(store), self.runs_chosen)

    def runs_chosen(self, result: CompareRuns | OpenRun | None) -> None:
        """Overlay the compared runs, or load the opened run's experiment (undoable)."""
        if isinstance(result, CompareRuns):
            self.compare_runs(result.run_ids)
        elif isinstance(result, OpenRun):
            self.set_experiment(result.experiment, reload_form=True)
            self.set_status(f"opened the experiment of run {result.run_id}; u undoes it")

    def compare_runs(self, run_ids: tuple[int, ...]) -> None:
        """Draw the runs' curves on the charts and their last histograms under the predictions."""
        histories = self.recorder.overlay(run_ids[:MAX_OVERLAYS])
        if not histories:
            return
        charts = self.main_screen.query_one("#charts", TrainingCharts)
        charts.set_overlays([(overlay_label(history), history.history) for history in histories])
        self.main_screen.query_one("#predictions", PredictionPanel).set_overlay(
            [(overlay_label(history), last_histogram(history)) for history in histories])

        shown = ", ".join(str(history.run_id) for history in histories)
        text = f"comparing runs {shown}; Runs: clear overlay removes them"
        if len(run_ids) > MAX_OVERLAYS:
            text = f"{text} (only the first {MAX_OVERLAYS} marked runs are drawn)"
        self.set_status(text)
        self.action_show_pane("train")

    def action_clear_overlay(self) -> None:
        """Remove the compared runs from the charts and the prediction panel."""
        self.main_screen.query_one("#charts", TrainingCharts).set_overlays([])
        self.main_screen.query_one("#predictions", PredictionPanel).set_overlay([])
        self.set_status("cleared the compared runs")

    # --- the experiment -----------------------------------------------------------------

    def set_experiment(self, experiment: Experiment, reload_form: bool = False,
                       record: bool = True, cursor: int | None = None) -> None:
        """Replace the experiment, keep the old one for undo, and refresh what depends on it."""
        if experiment == self.experiment:
            return
        previous = self.experiment
        if record:
            self.history = [*self.history[-(HISTORY_LIMIT - 1):], previous]
        self.experiment = experiment
        self.recorder.save_experiment(experiment)
        if reload_form:
            self.main_screen.query_one(OptionsForm).load(experiment)
        self.show_layers(cursor)
        if experiment.data != previous.data:
            self.load_data()
        elif self.dataset is not None and experiment.fit.validation_split != previous.fit.validation_split:
            self.main_screen.query_one("#data-panel").show(self.dataset.summary, experiment.fit.validation_split,
                                                           experiment.data.features)
        self.schedule_static_findings()

    def show_layers(self, cursor: int | None = None) -> None:
        """Show the layer stack and the total parameter count."""
        self.parameter_total = self.main_screen.query_one(LayerStack).show(
            self.experiment, self.input_dim(), cursor)
        self.show_layer_total()

    def show_layer_total(self) -> None:
        """Show the layer and parameter counts under the stack, and the data load while it runs."""
        count = len(self.experiment.layers)
        if count:
            text = f"{count} layers, {self.parameter_total:,} parameters, {self.input_dim()} input features"
        else:
            text = "no layers yet: press a to add one"
        if self.data_loading:
            text = f"{text}; {self.data_loading}"
        self.main_screen.query_one("#layer-total", Static).update(text)

    def input_dim(self) -> int:
        """Return the feature count of the loaded data, or of the feature list before it loads."""
        if self.dataset is not None:
            return len(self.dataset.feature_names)
        # NOTE: before the data loads this counts columns, not the encoded features.
        return len(self.experiment.data.features)

    def on_options_form_edited(self, message: OptionsForm.Edited) -> None:
        """Apply the form's values when they are valid; otherwise list the problems."""
        form = self.main_screen.query_one(OptionsForm)
        experiment, problems = form.build(self.experiment)
        form.show_problems(problems)
        if experiment is None:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self.set_status(f"{describe_problem(problems[0])}{more}")
            self.option_problem_shown = True
            return
        if self.option_problem_shown:
            self.set_status("all options are valid again")
        self.set_experiment(experiment)

    def action_undo(self) -> None:
        """Go back to the experiment before the last change."""
        if not self.history:
            self.notify("Nothing to undo.")
            return
        previous = self.history.pop()
        self.set_experiment(previous, reload_form=True, record=False)
        self.set_status("undone")

    # --- layer editing ------------------------------------------------------------------

    def cursor_index(self) -> int:
        """Return the index of the selected layer (0 for an empty stack)."""
        return self.main_screen.query_one(LayerStack).cursor_row if self.experiment.layers else 0

    def action_add_layer(self) -> None:
        """Choose a layer type and its arguments, and add the layer after the selected one."""
        position = self.cursor_index() + 1 if self.experiment.layers else 0
        self.choose_new_layer(position)

    def action_insert_layer(self) -> None:
        """Choose a layer type and its arguments, and insert the layer before the selected one."""
        self.choose_new_layer(self.cursor_index())

    def choose_new_layer(self, position: int) -> None:
        """Open the layer type picker, then the arguments modal, then insert at `position`."""

        def arguments_given(layer: Any) -> None:
            if layer is None:
                return
            layers = list(self.experiment.layers)
            layers.insert(position, layer)
            self.set_experiment(replace(self.experiment, layers=tuple(layers)), cursor=position)
            self.set_status(f"added {layer.type} as layer {position + 1}; u undoes it")

        def type_chosen(layer_type: str | None) -> None:
            if layer_type is not None:
                self.push_screen(LayerArgumentsScreen(layer_type), arguments_given)

        self.action_show_pane("model")
        self.push_screen(LayerTypePicker(), type_chosen)

    def action_edit_layer(self) -> None:
        """Edit the arguments of the selected layer."""
        if not self.experiment.layers:
            self.notify("No layer to edit; press a to add one.")
            return
        index = self.cursor_index()
        layer = self.experiment.layers[index]

        def edited(new_layer: Any) -> None:
            if new_layer is not None:
                self.set_experiment(self.experiment.replace_layer(index, new_layer), cursor=index)

        title = f"Layer {index + 1}: {layer.type} arguments"
        self.push_screen(LayerArgumentsScreen(layer.type, layer.args, title), edited)

    def action_delete_layer(self) -> None:
        """Delete the selected layer; `u` brings it back."""
        if not self.experiment.layers:
            self.notify("No layer to delete.")
            return
        index = self.cursor_index()
        layers = list(self.experiment.layers)
        removed = layers.pop(index)
        self.set_experiment(replace(self.experiment, layers=tuple(layers)), cursor=index)
        self.set_status(f"deleted layer {index + 1} ({removed.type}); u undoes it")

    def action_select_layer(self, which: str) -> None:
        """Move the layer stack's cursor to the `"first"` or the `"last"` layer."""
        self.action_show_pane("model")
        count = len(self.experiment.layers)
        if count:
            row = 0 if which == "first" else count - 1
            self.main_screen.query_one(LayerStack).move_cursor(row=row)

    def action_move_layer(self, offset: int) -> None:
        """Move the selected layer up (`offset` -1) or down (1)."""
        index = self.cursor_index()
        target = index + offset
        if not self.experiment.layers or not 0 <= target < len(self.experiment.layers):
            return
        layers = list(self.experiment.layers)
        layers[index], layers[target] = layers[target], layers[index]
        self.set_experiment(replace(self.experiment, layers=tuple(layers)), cursor=target)

    # --- data and findings --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def load_data(self) -> None:
        """Load the experiment's data in a thread and post the result as a message."""
        spec = self.experiment.data

        def progress(fraction: float, text: str) -> None:
            self.post_message(messages.DataProgress(spec, fraction, text))

        dataset, error = domain.load_dataset(spec, progress)
        if error is None:
            self.post_message(messages.DataLoaded(spec, dataset))
        else:
            self.post_message(messages.DataLoadFailed(spec, error))

    @messages.while_screens_exist
    def on_data_progress(self, message: messages.DataProgress) -> None:
        """Show how far the data load has come, under the layer stack and in the Data pane."""
        if message.spec != self.experiment.data or message.fraction >= 1.0:
            return
        self.data_loading = f"loading data: {message.text} ({message.fraction:.0%})"
        self.show_layer_total()
        self.main_screen.query_one("#data-panel").show_loading(self.data_loading)

    @messages.while_screens_exist
    def on_data_loaded(self, message: messages.DataLoaded) -> None:
        """Show the data summary, unless the data options changed since the load began."""
        if message.spec != self.experiment.data:
            return
        first_load = self.dataset is None
        self.dataset = message.dataset
        self.data_loading = None
        if first_load:
            # pandas and its imports arrive with the first load. Later loads only bring data
            # that a further load replaces, so they are left to the garbage collector.
            freeze_long_lived_objects()
        self.main_screen.query_one("#data-panel").show(self.dataset.summary, self.experiment.fit.validation_split,
                                                       self.experiment.data.features)
        self.show_layers()
        self.schedule_static_findings()

    @messages.while_screens_exist
    def on_data_load_failed(self, message: messages.DataLoadFailed) -> None:
        """Show why the data could not be loaded."""
        if message.spec != self.experiment.data:
            return
        self.dataset = None
        self.data_loading = None
        self.show_layer_total()
        self.main_screen.query_one("#data-panel").show_error(message.error)
        self.set_status(f"data: {message.error}")

    def schedule_static_findings(self) -> None:
        """Run the experiment and data rules once edits pause for `STATIC_FINDINGS_DELAY` seconds."""
        if self._findings_timer is not None:
            self._findings_timer.stop()
        self._findings_timer = self.set_timer(STATIC_FINDINGS_DELAY, self.refresh_static_findings)

    def refresh_static_findings(self) -> None:
        """Run the experiment and data rules in a thread; `on_static_findings_ready` shows them."""
        if not self.screen_stack:
            # The timer can fire while the app shuts down, after its screens are gone.
            return
        self.run_static_rules(self.experiment, self.dataset, list(self.keras_warnings))

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def run_static_rules(self, experiment: Experiment, dataset: Any, keras_warnings: list[str]) -> None:
        """Compute the static and data findings away from the UI thread.

        The diagnosis imports pandas and numpy on first use, which takes about half a
        second. On the UI thread that would freeze the screen just after start-up.
        """
        findings = domain.static_findings(experiment, dataset, keras_warnings)
        self.post_message(messages.StaticFindingsReady(experiment, findings))

    @messages.while_screens_exist
    def on_static_findings_ready(self, message: messages.StaticFindingsReady) -> None:
        """Show the findings when they are for the experiment being edited now."""
        if message.experiment is not self.experiment:
            return
        self.static_findings = message.findings
        self.show_findings()

    def show_findings(self) -> None:
        """Show the static and the training findings together, errors first."""
        findings = domain.merge(self.static_findings, self.runtime_findings)
        self.main_screen.query_one("#findings-list").set_findings(findings)
        errors = sum(1 for f in findings if domain.severity_name(f) == "error")
        label = f"5 Findings ({len(findings)})" if not errors else f"5 Findings ({errors} E)"
        tab = self.main_screen.query_one("#findings", Tab)
        if tab.label.plain != label:
            tab.label = label

    @on(FindingsList.FixRequested)
    def fix_requested(self, message: Any) -> None:
        """Show the change a fix makes and apply it when the user confirms."""
        message.stop()
        if not has_one_key_fix(message.finding):
            self.notify(no_fix_message(message.finding), markup=False)
            return
        headline = "Fix not applied and training not started" if message.retrain else "Fix not applied"
        if self.reject_invalid_options(headline):
            return
        before = self.experiment
        after, change, problem = domain.fix(message.finding, before)
        if after is None:
            self.notify(problem, severity="warning")
            return

        def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            self.set_experiment(after, reload_form=True)
            self.set_status(f"applied the fix for {message.finding.title}; u undoes it")
            if message.retrain:
                self.action_train()

        title = f"Apply the fix for “{message.finding.title}”?"
        self.push_screen(ConfirmScreen(title, diff_text(change)), answered)


def freeze_long_lived_objects() -> None:
    """Leave the objects that live as long as the app out of Python's full garbage collections.

    Textual, pandas and the data make a heap of several hundred thousand objects, and
    a full collection that walks them all pauses the app for about 200 ms, long enough
    to be felt as a dropped key. Frozen objects are still freed when no longer
    referenced; only cycles among them are never collected.
    """
    gc.freeze()


def run_name(run_id: str | None) -> str:
    """Return how messages name a run: "run 7" for store id 7, or a time-based id such as "run-20250101-120000"."""
    if run_id is not None and run_id.isdigit():
        return f"run {run_id}"
    return str(run_id)


def metric_log_names(experiment: Experiment) -> list[str]:
    """Return the names Keras logs the experiment's metrics under (`accuracy`, `auc`)."""
    names = []
    for spec in experiment.compile.metrics:
        if isinstance(spec, str):
            names.append(spec.lower() if spec.lower() == spec else _snake_case(spec))
        else:
            names.append(str(spec.get("name") or _snake_case(str(spec.get("type", "")))))
    return names


def _snake_case(name: str) -> str:
    if name.isupper():
        return name.lower()
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def default_recording() -> Path:
    """Return the recorded run that `--fake` replays: the not-learning run, or the synthetic one."""
    fixtures = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
    recorded = fixtures / "not_learning_run.json"
    return recorded if recorded.exists() else fixtures / "synthetic_run.json"


def main(argv: list[str] | None = None) -> int:
    """Run the app on a preset; `--fake` replays a recorded run instead of training with TensorFlow."""
    import argparse

    from tui_lab import presets

    parser = argparse.ArgumentParser(prog="python -m tui_lab.ui.app")
    parser.add_argument("--preset", default="not-learning", help="preset to open")
    parser.add_argument("--empty", action="store_true", help="start with no layers")
    parser.add_argument("--fake", metavar="RUN.json", nargs="?", const="",
                        help="replay this recorded run (default: the bundled test fixture)")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between replayed events")
    parser.add_argument("--store", metavar="PATH",
                        help="run history file (default: runs.sqlite3 in the user data directory)")
    arguments = parser.parse_args(argv)

    try:
        experiment = presets.preset(arguments.preset)
    except KeyError as error:
        parser.error(str(error.args[0]))
    if arguments.empty:
        experiment = replace(experiment, layers=())

    engine = None
    if arguments.fake is not None:
        from tui_lab.engine.fake import FakeEngine

        engine = FakeEngine(arguments.fake or default_recording(), delay=arguments.delay,
                            ready_delay=2.0)
    LabApp(experiment, engine, store_path=arguments.store).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
