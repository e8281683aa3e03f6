"""A modal that opens a preset or an experiment TOML file."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from tui_lab import presets
from tui_lab.experiment import Experiment, ExperimentError, load


def open_experiment(text: str) -> Experiment:
    """Return the preset named `text`, or the experiment in the TOML file at `text`.

    Raises `ExperimentError` for a missing, unreadable or invalid file.
    """
    name = text.strip()
    if name in presets.PRESETS:
        return presets.preset(name)
    return load(name)


class OpenPrompt(ModalScreen[Experiment | None]):
    """Ask for a preset name or a TOML path; dismisses with the experiment, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="open_prompt.cancel")]

    def compose(self) -> ComposeResult:
        """Show the Input with the preset names as suggestions."""
        names = ", ".join(presets.PRESETS)
        with Vertical(classes="dialog"):
            yield Static("Open a preset or an experiment file", classes="dialog-title")
            yield Input(placeholder=f"{names} or a .toml path", compact=True, id="open-name",
                        suggester=SuggestFromList(list(presets.PRESETS)))
            yield Static("", id="open-problem", classes="argument-error")
            yield Static(f"presets: {names}   enter: open   escape: cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Open the experiment, or show why it cannot be opened."""
        event.stop()
        try:
            experiment = open_experiment(event.value)
        except ExperimentError as error:
            self.query_one("#open-problem", Static).update(str(error))
            return
        self.dismiss(experiment)

    def action_cancel(self) -> None:
        """Close without opening."""
        self.dismiss(None)
