"""The run history screen: a table of stored runs to sort, filter, compare, diff and reopen.

`RunsScreen` dismisses with `CompareRuns` (two or more marked runs to overlay),
`OpenRun` (a run's experiment to load into the editor) or `None` (closed).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from tui_lab.experiment import Experiment, ExperimentError
from tui_lab.store import RunNotFound, RunStore, RunSummary
from tui_lab.ui.screens.confirm import ConfirmScreen, diff_text
from tui_lab.ui.widgets.key_hints import KeyHints

SORT_ORDERS = (
    ("-started", "newest first"),
    ("name", "name"),
    ("-val_accuracy", "final val accuracy"),
    ("-best_val_accuracy", "best val accuracy"),
    ("val_loss", "final val loss"),
    ("best_val_loss", "best val loss"),
    ("-epochs", "epochs"),
    ("status", "status"),
)
"""The orders that `o` cycles through, as `RunStore.list_runs` keys with a label."""

MARK = "●"


@dataclass(frozen=True)
class CompareRuns:
    """The user asked to overlay the curves and histograms of these runs, in marking order."""

    run_ids: tuple[int, ...]


@dataclass(frozen=True)
class OpenRun:
    """The user asked to load this run's experiment into the editor."""

    run_id: int
    experiment: Experiment


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text, dismissing with it on enter or with None on escape."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 60; height: auto; border: round $accent; padding: 0 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="runs.prompt.cancel")]

    def __init__(self, title: str, default: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.default = default

    def compose(self) -> ComposeResult:
        """Show the title, the Input and the keys."""
        with Vertical():
            yield Static(self.title_text)
            yield Input(self.default, id="prompt-input", compact=True)
            yield Static("enter: accept   escape: cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Close with the text typed."""
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without a value."""
        self.dismiss(None)


class RunDiffScreen(ModalScreen[None]):
    """The unified diff of two runs' experiments, added lines green and removed lines red."""

    DEFAULT_CSS = """
    RunDiffScreen { align: center middle; }
    RunDiffScreen > Vertical { width: 90%; height: 90%; border: round $accent; padding: 0 1; }
    RunDiffScreen VerticalScroll { height: 1fr; }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", id="runs.diff.close")]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        """Show the title, the diff (or a note that the experiments are equal) and the keys."""
        with Vertical():
            yield Static(self.title_text)
            with VerticalScroll():
                if self.lines:
                    yield Static(diff_text(self.lines), id="diff-text")
                else:
                    yield Static("The two experiments are identical.", id="diff-text")
            yield Static("escape/q: close")

    def action_close(self) -> None:
        """Close the diff."""
        self.dismiss(None)


class RunsScreen(Screen[CompareRuns | OpenRun | None]):
    """The stored runs in a table, newest first, with keys to sort, filter, mark and act."""

    DEFAULT_CSS = """
    RunsScreen #runs-filter { dock: top; }
    RunsScreen #runs-table { height: 1fr; }
    RunsScreen #runs-status { height: 1; }
    """

    BINDINGS = [
        Binding("space", "toggle_mark", "Mark", id="runs.mark"),
        Binding("c", "compare", "Compare", id="runs.compare"),
        Binding("D", "diff", "Diff", id="runs.diff"),
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("o", "cycle_order", "Sort", id="runs.sort"),
        Binding("O", "reverse_order", "Reverse sort", id="runs.reverse", show=False),
        Binding("r", "rename", "Rename", id="runs.rename"),
        Binding("T", "tag", "Tag", id="runs.tag"),
        Binding("x", "delete", "Delete", id="runs.delete"),
        # The table's own enter binding (select row) shadows this one in the footer, and
        # `on_data_table_row_selected` routes it to the same action.
        Binding("enter", "open", "Open", id="runs.open"),
        Binding("escape", "close", "Back", id="runs.close"),
    ]

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.order_index = 0
        self.descending = SORT_ORDERS[0][0].startswith("-")
        self.filter_text = ""
        self.runs: list[RunSummary] = []
        self.marked: list[int] = []

    def compose(self) -> ComposeResult:
        """Lay out the filter Input, the runs table, a status line and the footer."""
        yield Input(placeholder="/ filter by name, status or tag", id="runs-filter", compact=True)
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="runs-status")
        yield KeyHints()

    def on_mount(self) -> None:
        """Add the columns, load the runs and focus the table."""
        table = self.query_one(DataTable)
        table.add_column("ID", key="id", width=5)
        table.add_column("Name", key="name", width=11)
        table.add_column("Started", key="started", width=11)
        table.add_column("Val acc f/b", key="accuracy", width=11)
        table.add_column("Val loss f/b", key="loss", width=12)
        table.add_column("Ep", key="epochs", width=3)
        table.add_column("Status", key="status", width=13)
        self.reload()
        table.focus()

    # --- loading ----------------------------------------------------------------------

    @property
    def order_by(self) -> str:
        """The `list_runs` key of the current order, with `-` when descending."""
        key = SORT_ORDERS[self.order_index][0].removeprefix("-")
        return f"-{key}" if self.descending else key

    def reload(self) -> None:
        """Read the runs from the store again, keeping the cursor on the same run."""
        table = self.query_one(DataTable)
        current = self.cursor_run()
        self.runs = self.store.list_runs(order_by=self.order_by, filter=self.filter_text or None)
        existing = {run.id for run in self.store.list_runs()} if self.marked else set()
        self.marked = [run_id for run_id in self.marked if run_id in existing]

        table.clear()
        # Text cells are not parsed as markup, so a name such as "[red]" shows as typed.
        # They also fill the table faster: 1,000 rows took about 550 ms instead of 700 ms
        # in benchmarks/store_bench.py on a loaded 2-core machine.
        for run in self.runs:
            table.add_row(*(Text(cell) for cell in self._cells(run)), key=str(run.id))
        if current is not None:
            for row, run in enumerate(self.runs):
                if run.id == current.id:
                    table.move_cursor(row=row)
        self._show_status()

    def _cells(self, run: RunSummary) -> tuple[str, ...]:
        return (
            self._id_cell(run.id),
            run.name,
            time.strftime("%m-%d %H:%M", time.localtime(run.started_at)),
            _format_pair(run.final_val_accuracy, run.best_val_accuracy),
            _format_pair(run.final_val_loss, run.best_val_loss),
            str(run.epochs),
            run.status,
        )

    def _id_cell(self, run_id: int) -> str:
        return f"{MARK if run_id in self.marked else ' '}{run_id}"

    def _show_status(self) -> None:
        label = SORT_ORDERS[self.order_index][1]
        direction = "descending" if self.descending else "ascending"
        parts = [f"{len(self.runs)} runs", f"sorted by {label} ({direction})"]
        if self.filter_text:
            parts.append(f"filter {self.filter_text!r}")
        if self.marked:
            parts.append(f"{len(self.marked)} marked")
        if not self.runs:
            parts.insert(0, "no runs match" if self.filter_text else "no runs stored yet")
        self.query_one("#runs-status", Static).update(" · ".join(parts))

    def cursor_run(self) -> RunSummary | None:
        """Return the run under the cursor, or None when the table is empty."""
        table = self.query_one(DataTable)
        if not self.runs or not 0 <= table.cursor_row < len(self.runs):
            return None
        return self.runs[table.cursor_row]

    def _require_cursor_run(self) -> RunSummary | None:
        run = self.cursor_run()
        if run is None:
            self.notify("No run selected: the table is empty.", severity="warning")
        return run

    # --- sorting and filtering --------------------------------------------------------

    def action_cycle_order(self) -> None:
        """Sort by the next order in `SORT_ORDERS`, in its usual direction."""
        self.order_index = (self.order_index + 1) % len(SORT_ORDERS)
        self.descending = SORT_ORDERS[self.order_index][0].startswith("-")
        self.reload()

    def action_reverse_order(self) -> None:
        """Reverse the direction of the current order."""
        self.descending = not self.descending
        self.reload()

    def action_filter(self) -> None:
        """Focus the filter Input."""
        self.query_one("#runs-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter the table as the user types."""
        if event.input.id != "runs-filter":
            return
        self.filter_text = event.value.strip()
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return to the table when the user presses enter in the filter."""
        if event.input.id == "runs-filter":
            event.stop()
            self.query_one(DataTable).focus()

    # --- marking, comparing and opening -----------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark the run under the cursor, or unmark it, then move the cursor down."""
        run = self._require_cursor_run()
        if run is None:
            return
        if run.id in self.marked:
            self.marked.remove(run.id)
        else:
            self.marked.append(run.id)
        table = self.query_one(DataTable)
        table.update_cell(str(run.id), "id", Text(self._id_cell(run.id)))
        table.action_cursor_down()
        self._show_status()

    def action_compare(self) -> None:
        """Close the screen with the marked runs, so that the app overlays them."""
        if len(self.marked) < 2:
            self.notify("Compare needs two or more marked runs: mark them with space, then press c.",
                        severity="warning")
            return
        self.dismiss(CompareRuns(tuple(self.marked)))

    def action_diff(self) -> None:
        """Show the diff of the two marked runs' experiments."""
        if len(self.marked) != 2:
            self.notify(f"Diff needs exactly two marked runs, {len(self.marked)} are marked: "
                        "mark two with space, then press D.", severity="warning")
            return
        first, second = self.marked
        try:
            lines = self.store.diff(first, second)
        except RunNotFound as error:
            self.notify(escape(str(error)), severity="error")
            return
        self.app.push_screen(RunDiffScreen(f"Experiment of run {first} → run {second}", lines))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Open the run on enter, which the table turns into a row selection."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Close the screen with the run's experiment, so that the editor loads it."""
        summary = self._require_cursor_run()
        if summary is None:
            return
        try:
            experiment = self.store.get_run(summary.id).experiment()
        except (RunNotFound, ExperimentError) as error:
            self.notify(escape(f"Cannot open run {summary.id}: {error}"), severity="error")
            return
        self.dismiss(OpenRun(summary.id, experiment))

    def action_close(self) -> None:
        """Leave the filter Input if it has focus, otherwise close the screen."""
        if self.query_one("#runs-filter", Input).has_focus:
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    # --- editing ----------------------------------------------------------------------

    def action_rename(self) -> None:
        """Ask for a new name for the run under the cursor."""
        run = self._require_cursor_run()
        if run is None:
            return

        def rename(name: str | None) -> None:
            if name is None:
                return
            try:
                self.store.rename(run.id, name)
            except (RunNotFound, ValueError) as error:
                self.notify(escape(str(error)), severity="error")
                return
            self.reload()

        self.app.push_screen(TextPrompt(f"New name for run {run.id}", run.name), rename)

    def action_tag(self) -> None:
        """Ask for the tags of the run under the cursor, separated by spaces or commas."""
        run = self._require_cursor_run()
        if run is None:
            return

        def set_tags(text: str | None) -> None:
            if text is None:
                return
            try:
                self.store.set_tags(run.id, [tag for tag in re.split(r"[\s,]+", text) if tag])
            except RunNotFound as error:
                self.notify(escape(str(error)), severity="error")
                return
            self.reload()

        prompt = TextPrompt(f"Tags for run {run.id} (separated by spaces or commas)", " ".join(run.tags))
        self.app.push_screen(prompt, set_tags)

    def action_delete(self) -> None:
        """Ask, then delete the run under the cursor. Escape or n keeps it."""
        run = self._require_cursor_run()
        if run is None:
            return

        def delete(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.store.delete(run.id)
            except RunNotFound as error:
                self.notify(escape(str(error)), severity="error")
                return
            self.notify(escape(f"Deleted run {run.id} ({run.name})."))
            self.reload()

        question = escape(f"Delete run {run.id} ({run.name}, {run.epochs} epochs)?")
        details = Text("Its epochs and findings are removed. Saved model files stay on disk.")
        self.app.push_screen(ConfirmScreen(question, details), delete)


def _format_pair(final: float | None, best: float | None) -> str:
    """Return `final/best` with 3 decimals each, `-` for a missing value."""
    return "/".join("-" if value is None else f"{value:.3f}" for value in (final, best))
