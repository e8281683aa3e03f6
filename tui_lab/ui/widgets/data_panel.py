"""The data as the model receives it: the first rows of the feature matrix, the split and the class balance.

It also lists every raw column with its type, missing share and range, because the
user picks the target and the features from that list: `space` toggles the highlighted
column as a feature and `T` makes it the target. The panel only posts
`DataPanel.FeatureToggled` and `DataPanel.TargetChosen`; the app changes the experiment.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Protocol

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static

HEAD_ROWS = 10
"""Rows of the feature matrix shown in the head table."""


class ColumnLike(Protocol):
    """The fields the column table reads from `tui_lab.data.ColumnInfo`."""

    name: str
    kind: str
    missing_share: float
    min: Any
    max: Any
    distinct: int


class SummaryLike(Protocol):
    """The fields the panel reads from `tui_lab.data.DataSummary`."""

    source: str
    rows: int
    target: str
    feature_names: Sequence[str]
    is_binary: bool
    label_values: Sequence[Any]
    positive_share: float
    head: Sequence[Sequence[float]]
    columns: Sequence[ColumnLike]


def split_rows(rows: int, validation_split: float) -> tuple[int, int]:
    """Return (train rows, validation rows) as Keras's `fit(validation_split=...)` splits them.

    Keras 3.15 keeps the first floor(rows * (1 - validation_split)) rows for training
    and validates on the rest (`keras/src/trainers/data_adapters/array_slicing.py`).
    """
    if validation_split <= 0:
        return rows, 0
    train = int(math.floor(rows * (1.0 - validation_split)))
    return train, rows - train


def format_cell(value: Any) -> str:
    """Return a feature value with 3 decimals, or NaN and text unchanged."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return f"{number:.3f}" if math.isfinite(number) else str(number)
    return str(value)


def format_range(low: Any, high: Any) -> str:
    """Return a column's range as "min .. max", or "-" when the column has none (text columns)."""
    if low is None or high is None:
        return "-"
    return f"{_short_number(low)} .. {_short_number(high)}"


def _short_number(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{float(value):.4g}"
    return str(value)


def column_use(name: str, target: str, features: Sequence[str]) -> str:
    """Return "target", "feature" or "" for a raw column; names match case-insensitively, as in the data layer."""
    if name.lower() == target.lower():
        return "target"
    if name.lower() in {feature.lower() for feature in features}:
        return "feature"
    return ""


def class_balance(summary: SummaryLike) -> str:
    """Return the positive share as "survived=1: 38.2%", or why the target is not binary."""
    if not summary.is_binary:
        values = ", ".join(str(value) for value in list(summary.label_values)[:6])
        return f"{summary.target} is not binary (values: {values})"
    # NOTE: the last label value is taken as the positive class, which is right
    # for sorted labels such as [0, 1] but not for an unsorted list.
    positive = summary.label_values[-1] if summary.label_values else 1
    return f"{summary.target}={positive}: {summary.positive_share:.1%}"


def summary_text(summary: SummaryLike, validation_split: float) -> str:
    """Return the two summary lines: rows and split, then features and class balance."""
    train, validation = split_rows(summary.rows, validation_split)
    features = len(summary.feature_names)
    return (
        f"{summary.source}: {summary.rows:,} rows; train {train:,}, validation {validation:,}"
        f" (validation_split {validation_split:g})\n"
        f"{features} feature{'s' if features != 1 else ''}; target {class_balance(summary)}"
    )


class DataPanel(Widget):
    """The loaded data: summary lines, the first rows of the feature matrix, and the raw columns.

    `show_error` replaces all of it with an "ERROR:" line when the data cannot be loaded.
    """

    BINDINGS = [
        Binding("space", "toggle_feature", "Feature on/off", id="data.toggle_feature"),
        Binding("T", "choose_target", "Make target", id="data.choose_target"),
        Binding("u", "app.undo", "Undo", id="data.undo"),
    ]

    class FeatureToggled(Message):
        """The user asked to add the raw column `column` to the features, or to remove it."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    class TargetChosen(Message):
        """The user asked to make the raw column `column` the target."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    DEFAULT_CSS = """
    DataPanel {
        height: 1fr;
        min-height: 6;
    }
    DataPanel > #data-summary {
        height: auto;
    }
    DataPanel > #data-error {
        height: auto;
        display: none;
        background: $error;
        color: $text;
        text-style: bold;
    }
    DataPanel.-error > #data-error {
        display: block;
    }
    DataPanel.-error > DataTable, DataPanel.-error > Label {
        display: none;
    }
    DataPanel > Label {
        text-style: bold;
        color: $text-muted;
    }
    DataPanel > DataTable {
        height: 1fr;
        min-height: 3;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.summary: SummaryLike | None = None
        self.validation_split = 0.0
        self.features: tuple[str, ...] = ()
        self.error: str | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static("No data loaded yet.", id="data-summary", markup=False)
        yield Static(id="data-error", markup=False)
        yield Label("Features as the model sees them", id="data-head-title")
        yield DataTable(id="data-head", zebra_stripes=True, cursor_type="none")
        yield Label("Raw columns", id="data-columns-title")
        yield DataTable(id="data-columns", cursor_type="row")

    def on_mount(self) -> None:
        # Textual sets `is_mounted` only after this handler, so the widget keeps its own flag.
        self._ready = True
        if self.error is not None:
            self.show_error(self.error)
        elif self.summary is not None:
            self.show(self.summary, self.validation_split, self.features)

    @property
    def selected_column(self) -> str | None:
        """The name of the highlighted raw column, or None when there is none."""
        if self.summary is None or not self.summary.columns or not self._ready:
            return None
        row = self.query_one("#data-columns", DataTable).cursor_row
        if not 0 <= row < len(self.summary.columns):
            return None
        return self.summary.columns[row].name

    def action_toggle_feature(self) -> None:
        """Ask the app to add the highlighted column to the features, or remove it."""
        column = self.selected_column
        if column is not None:
            self.post_message(self.FeatureToggled(column))

    def action_choose_target(self) -> None:
        """Ask the app to make the highlighted column the target."""
        column = self.selected_column
        if column is not None:
            self.post_message(self.TargetChosen(column))

    def show(self, summary: SummaryLike, validation_split: float, features: Sequence[str] = ()) -> None:
        """Show `summary`, splitting its rows as `fit(validation_split=...)` will.

        `features` are the raw columns the experiment selects, marked "(feature)" in the
        column table as the target is marked "(target)". The highlighted column stays highlighted when the columns are the same.
        """
        previous = [column.name for column in self.summary.columns] if self.summary is not None else []
        self.summary = summary
        self.validation_split = validation_split
        self.features = tuple(features)
        self.error = None
        if not self._ready:
            return

        self.remove_class("-error")
        self.query_one("#data-summary", Static).update(summary_text(summary, validation_split))

        shown = min(HEAD_ROWS, len(summary.head))
        self.query_one("#data-head-title", Label).update(
            f"Features as the model sees them (first {shown} of {summary.rows:,} rows)")
        head = self.query_one("#data-head", DataTable)
        head.clear(columns=True)
        head.add_columns(*summary.feature_names)
        head.add_rows([format_cell(value) for value in row] for row in summary.head[:HEAD_ROWS])

        columns = self.query_one("#data-columns", DataTable)
        cursor = columns.cursor_row if previous == [column.name for column in summary.columns] else 0
        columns.clear(columns=True)
        columns.add_columns("column", "type", "missing", "range", "distinct")
        for column in summary.columns:
            use = column_use(column.name, summary.target, self.features)
            columns.add_row(
                f"{column.name} ({use})" if use else column.name,
                column.kind,
                f"{column.missing_share:.1%}",
                format_range(column.min, column.max),
                f"{column.distinct:,}",
            )
        if summary.columns:
            columns.move_cursor(row=min(cursor, len(summary.columns) - 1))

    def show_loading(self, text: str) -> None:
        """Show the step of the data load in progress on the summary line."""
        if self._ready:
            self.query_one("#data-summary", Static).update(text)

    def show_error(self, message: str) -> None:
        """Replace the data view with `message`, prefixed "ERROR:" so it reads without colour."""
        self.error = message
        if not self._ready:
            return

        self.add_class("-error")
        self.query_one("#data-summary", Static).update("No data loaded.")
        self.query_one("#data-error", Static).update(f"ERROR: {message}")
