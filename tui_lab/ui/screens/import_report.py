"""A modal that lists what an import of Keras code left out, line by line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_lab.codeio.python_import import ImportResult


def report_lines(result: ImportResult) -> list[str]:
    """Return one line per skipped construct, then one per default the lab filled in."""
    lines = [f"line {entry.line}: skipped: {entry.reason}" for entry in result.skipped]
    lines += [f"line {entry.line}: note: {entry.reason}" for entry in result.notes]
    return lines


class ImportReportScreen(ModalScreen[None]):
    """Show the imported experiment's size and each skipped line with its reason; enter or escape closes it."""

    BINDINGS = [Binding("enter,escape", "close", "Close", id="import_report.close")]

    def __init__(self, source: str, result: ImportResult) -> None:
        super().__init__()
        self.source = source
        self.result = result

    def compose(self) -> ComposeResult:
        """Show the summary line, the scrollable list of lines and the key that closes it."""
        experiment = self.result.experiment
        skipped = len(self.result.skipped)
        title = (f"Imported {self.source}: {len(experiment.layers)} layers; "
                 f"{skipped} construct{'s' if skipped != 1 else ''} skipped")
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static("\n".join(report_lines(self.result)), id="import-lines", markup=False)
            yield Static("enter/escape: close (then u undoes the import)", classes="dialog-hint", markup=False)

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)
