"""A modal that requests a file path to write, checks its suffix and confirms before overwriting."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_lab.ui.screens.confirm import ConfirmScreen


def check_path(text: str, suffix: str) -> tuple[Path | None, str]:
    """Return the path typed, or None and a message saying what is wrong and how to fix it."""
    text = text.strip()
    if not text:
        return None, f"expected a file path ending in {suffix}, received an empty path; type one"
    path = Path(text).expanduser()
    if path.suffix != suffix:
        return None, (f"expected a path ending in {suffix}, received {text!r}; "
                      f"add {suffix} to the name")
    if not path.parent.is_dir():
        return None, (f"expected an existing directory, but {str(path.parent)!r} is not one; "
                      "create it or choose another path")
    if path.is_dir():
        return None, f"expected a file path, received the directory {text!r}; add a file name"
    return path, ""


class PathPrompt(ModalScreen[str | None]):
    """Ask where to write a file with `suffix`; dismisses with the path, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="path_prompt.cancel")]

    def __init__(self, title: str, default: str, suffix: str) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.suffix = suffix

    def compose(self) -> ComposeResult:
        """Show the title, the path Input and a line for problems."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(self.default, id="path", compact=True)
            yield Static("", id="path-problem", classes="argument-error")
            yield Static("enter: write   escape: cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the path; ask before overwriting an existing file."""
        event.stop()
        path, problem = check_path(event.value, self.suffix)
        self.query_one("#path-problem", Static).update(f"invalid path: {problem}" if problem else "")
        if path is None:
            return
        if not path.exists():
            self.dismiss(str(path))
            return

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self.dismiss(str(path))

        self.app.push_screen(ConfirmScreen(f"{path} exists. Overwrite it?"), answered)

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)
