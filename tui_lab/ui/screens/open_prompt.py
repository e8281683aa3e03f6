"""A modal that opens a preset, an experiment TOML file, a CSV file, Keras code or a .keras model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from tui_lab import presets
from tui_lab.experiment import Experiment, ExperimentError, load

FILE_KINDS = {".csv": "csv", ".py": "python", ".keras": "keras"}
"""The file suffixes the prompt hands to the app, and the kind of file each one is."""


@dataclass(frozen=True)
class OpenFile:
    """A file the app opens itself: `kind` is "csv" (data), "python" (Keras code) or "keras" (a model)."""

    kind: str
    path: str


class OpenError(ValueError):
    """A typed path that cannot be opened, with what to do about it."""


def open_experiment(text: str) -> Experiment | OpenFile:
    """Return the preset named `text`, the experiment in the TOML file at `text`, or an `OpenFile`.

    A path ending in .csv, .py or .keras gives an `OpenFile` once the file exists.
    Raises `OpenError` for such a path that is not a file, and `ExperimentError` for a
    missing, unreadable or invalid TOML file.
    """
    name = text.strip()
    if name in presets.PRESETS:
        return presets.preset(name)

    path = Path(name).expanduser()
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        return load(name)
    if not path.is_file():
        raise OpenError(f"file not found: {name!r}; check the path (relative paths start at {Path.cwd()})")
    return OpenFile(kind, str(path))


class OpenPrompt(ModalScreen[Experiment | OpenFile | None]):
    """Ask for a preset name or a file path; dismisses with what to open, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="open_prompt.cancel")]

    def __init__(self, title: str = "Open a preset, an experiment, a CSV, Keras code or a model",
                 placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """Show the Input with the preset names as suggestions."""
        names = ", ".join(presets.PRESETS)
        placeholder = self.placeholder or f"{names}, or a .toml/.csv/.py/.keras path"
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(placeholder=placeholder, compact=True, id="open-name",
                        suggester=SuggestFromList(list(presets.PRESETS)))
            yield Static("", id="open-problem", classes="argument-error", markup=False)
            yield Static(f"presets: {names}\n"
                         ".toml: experiment  .csv: data  .py: Keras code (not run)  .keras: model\n"
                         "enter: open   escape: cancel", classes="dialog-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Open the experiment or hand the file to the app, or show why it cannot be opened."""
        event.stop()
        try:
            opened = open_experiment(event.value)
        except (ExperimentError, OpenError) as error:
            self.query_one("#open-problem", Static).update(str(error))
            return
        self.dismiss(opened)

    def action_cancel(self) -> None:
        """Close without opening."""
        self.dismiss(None)
