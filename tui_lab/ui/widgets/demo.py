"""Show every live widget fed with made-up reports: `python -m tui_lab.ui.widgets.demo`.

The run is synthetic (no TensorFlow): the first 5 epochs predict 1.0 for every row,
as a single-unit softmax does, and later epochs learn. Use it to see how the widgets
read at 80x24, in 16 colours (TERM=xterm) and with NO_COLOR=1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, TabbedContent, TabPane

from tui_lab.reports import BatchProgress, EpochReport, PredictionStats
from tui_lab.ui.widgets.charts import TrainingCharts
from tui_lab.ui.widgets.data_panel import DataPanel
from tui_lab.ui.widgets.findings import FindingsList
from tui_lab.ui.widgets.predictions import PredictionPanel
from tui_lab.ui.widgets.progress import TrainingProgress

EPOCHS = 30
BATCHES = 33
STUCK_EPOCHS = 5
VALIDATION_ROWS = 131
POSITIVE_SHARE = 0.382


@dataclass
class DemoColumn:
    """A raw column, shaped like `tui_lab.data.ColumnInfo`."""

    name: str
    kind: str
    missing_share: float
    min: Any
    max: Any
    distinct: int


@dataclass
class DemoSummary:
    """A data summary, shaped like `tui_lab.data.DataSummary`."""

    source: str = "titanic"
    rows: int = 1309
    target: str = "survived"
    feature_names: list[str] = field(default_factory=lambda: ["pclass", "sex", "age", "fare"])
    is_binary: bool = True
    label_values: list[int] = field(default_factory=lambda: [0, 1])
    positive_share: float = POSITIVE_SHARE
    head: list[list[float]] = field(default_factory=lambda: [
        [-1.546, 0.743, -0.039, 3.442], [-1.546, -1.346, -2.215, 2.286],
        [0.842, 0.743, 0.310, -0.491], [0.842, -1.346, 1.002, -0.503],
    ])
    columns: list[DemoColumn] = field(default_factory=lambda: [
        DemoColumn("pclass", "int", 0.0, 1, 3, 3),
        DemoColumn("survived", "int", 0.0, 0, 1, 2),
        DemoColumn("name", "text", 0.0, None, None, 1307),
        DemoColumn("sex", "text", 0.0, None, None, 2),
        DemoColumn("age", "float", 0.201, 0.1667, 80.0, 98),
        DemoColumn("fare", "float", 0.001, 0.0, 512.3292, 281),
    ])


@dataclass(frozen=True)
class DemoFinding:
    """A finding, shaped like `tui_lab.diagnosis.finding.Finding`."""

    id: str
    severity: str
    title: str
    evidence: str
    fix: str
    epochs: tuple[int, ...] = ()


FINDINGS = [
    DemoFinding("high-learning-rate", "warning", "Learning rate 0.1 is high for Adam",
                "learning_rate = 0.1, above 0.01", "Set learning_rate to 0.001"),
    DemoFinding("single-unit-softmax", "error", "Softmax over one unit always returns 1.0",
                "Dense(1, activation='softmax'); all 131 validation predictions are 1.000",
                "Use activation='sigmoid' on the output layer", (1, 2, 3, 4, 5)),
    DemoFinding("sorted-rows", "info", "Rows are sorted by pclass",
                "shuffle = false; the validation rows are mostly third class", "Set shuffle = true"),
]


def demo_stats(epoch: int) -> PredictionStats:
    """Return the predictions of a demo epoch: all 1.0 first, then a widening spread."""
    if epoch <= STUCK_EPOCHS:
        values = [1.0] * VALIDATION_ROWS
    else:
        spread = min(0.45, 0.05 * (epoch - STUCK_EPOCHS))
        values = [0.5 + spread * math.sin(i * 1.7) for i in range(VALIDATION_ROWS)]
    histogram = [0] * 20
    for value in values:
        histogram[min(19, int(value * 20))] += 1
    mean = sum(values) / len(values)
    std = math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))
    return PredictionStats(
        count=len(values), min=min(values), max=max(values), mean=mean, std=std,
        positive_rate=sum(value >= 0.5 for value in values) / len(values),
        true_positive_share=POSITIVE_SHARE, accuracy=0.6,
        saturated_share=sum(value < 0.01 or value > 0.99 for value in values) / len(values),
        histogram=histogram,
    )


def demo_report(epoch: int) -> EpochReport:
    """Return the report of a demo epoch with loss, accuracy and their validation twins."""
    learned = max(0, epoch - STUCK_EPOCHS)
    logs = {
        "loss": 0.45 + 0.25 * math.exp(-learned / 6),
        "accuracy": 0.62 + 0.18 * (1 - math.exp(-learned / 5)),
        "val_loss": 0.5 + 0.2 * math.exp(-learned / 7),
        "val_accuracy": 0.6 + 0.17 * (1 - math.exp(-learned / 6)),
    }
    return EpochReport(epoch=epoch, epochs=EPOCHS, logs=logs, predictions=demo_stats(epoch))


class WidgetsDemo(App):
    """The five live widgets in tabs, replaying a made-up run of 30 epochs."""

    CSS = """
    TabbedContent, ContentSwitcher, TabPane {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self._epoch = 0
        self._batch = 0

    def compose(self) -> ComposeResult:
        yield TrainingProgress()
        with TabbedContent():
            with TabPane("Training", id="training"):
                yield TrainingCharts()
                yield PredictionPanel()
            with TabPane("Findings", id="findings"):
                yield FindingsList()
            with TabPane("Data", id="data"):
                yield DataPanel()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TrainingCharts).reset(["accuracy"])
        self.query_one(TrainingCharts).focus()
        self.query_one(DataPanel).show(DemoSummary(), validation_split=0.1)
        self.query_one(FindingsList).set_findings(FINDINGS)
        self.query_one(TrainingProgress).start(EPOCHS, BATCHES)
        self.set_interval(0.03, self._next_batch)

    def on_findings_list_fix_requested(self, message: FindingsList.FixRequested) -> None:
        action = "apply and retrain" if message.retrain else "apply"
        self.notify(f"{action}: {message.finding.fix}", title=message.finding.id)

    def _next_batch(self) -> None:
        if self._epoch >= EPOCHS:
            return
        self._batch += 1
        self.query_one(TrainingProgress).update_batch(
            BatchProgress(self._epoch + 1, EPOCHS, self._batch, BATCHES))
        if self._batch < BATCHES:
            return

        self._batch = 0
        self._epoch += 1
        report = demo_report(self._epoch)
        self.query_one(TrainingProgress).update_epoch(report)
        self.query_one(TrainingCharts).add_report(report)
        self.query_one(PredictionPanel).show(report.predictions, report.epoch)
        if self._epoch == EPOCHS:
            self.query_one(TrainingProgress).stop("finished")


if __name__ == "__main__":
    WidgetsDemo().run()
