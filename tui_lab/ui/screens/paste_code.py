"""A modal with a text area where the user pastes Keras code, imported without running it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from tui_lab.codeio.python_import import CodeImportError, ImportResult, import_source

PASTED_NAME = "pasted.py"
"""File name the pasted code is imported under; the experiment is named after it."""


class PasteCodeScreen(ModalScreen[ImportResult | None]):
    """Ask for Keras code; `ctrl+r` imports it with `import_source` and dismisses with the result.

    The code is read with `ast` and never run. Code that cannot be imported keeps the
    modal open with the reason under the text area.
    """

    BINDINGS = [
        Binding("ctrl+r", "import_code", "Import", id="paste_code.import"),
        Binding("escape", "cancel", "Cancel", id="paste_code.cancel"),
    ]

    def compose(self) -> ComposeResult:
        """Show the text area, a line for problems and the keys."""
        with Vertical(classes="dialog paste-code"):
            yield Static("Paste Keras code (it is read, never run)", classes="dialog-title")
            yield TextArea(id="code", show_line_numbers=True, soft_wrap=False)
            yield Static("", id="code-problem", classes="argument-error", markup=False)
            yield Static("ctrl+v or the terminal's paste: paste   ctrl+r: import   escape: cancel",
                         classes="dialog-hint", markup=False)

    def action_import_code(self) -> None:
        """Import the text; dismiss with the result, or show why it cannot be imported."""
        text = self.query_one("#code", TextArea).text
        problem = self.query_one("#code-problem", Static)
        if not text.strip():
            problem.update("expected Keras code, received an empty text area; paste the code that builds the model")
            return
        try:
            result = import_source(text, PASTED_NAME)
        except CodeImportError as error:
            problem.update(str(error))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without importing."""
        self.dismiss(None)
