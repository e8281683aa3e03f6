"""The live display widgets, mounted in a small Textual app and fed reports built here."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

from tui_lab.diagnosis.finding import Finding, Severity
from tui_lab.reports import BatchProgress, EpochReport, PredictionStats
from tui_lab.ui.widgets.charts import MetricChart, TrainingCharts, epoch_ticks, majority_rate
from tui_lab.ui.widgets.data_panel import DataPanel, format_cell, split_rows
from tui_lab.ui.widgets.findings import FindingsList, format_epochs, sort_findings
from tui_lab.ui.widgets.predictions import PredictionPanel, bar_heights, render_histogram
from tui_lab.ui.widgets.progress import TrainingProgress, format_elapsed

SMALL = (80, 24)
WIDE = (140, 30)


# --- helpers ------------------------------------------------------------------------


class WidgetApp(App):
    """An app that shows one widget and records the messages it posts."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.fix_requests: list[FindingsList.FixRequested] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_findings_list_fix_requested(self, message: FindingsList.FixRequested) -> None:
        self.fix_requests.append(message)


def screen_text(app: App) -> str:
    """Return what the screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def stats(values: list[float] | None = None, constant: float | None = None,
          true_positive_share: float = 0.382) -> PredictionStats:
    """Build prediction statistics as the engine reports them, from values or one constant."""
    if constant is not None:
        values = [constant] * 131
    assert values is not None
    histogram = [0] * 20
    for value in values:
        histogram[min(19, int(value * 20))] += 1
    mean = sum(values) / len(values)
    std = math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))
    return PredictionStats(
        count=len(values), min=min(values), max=max(values), mean=mean, std=std,
        positive_rate=sum(value >= 0.5 for value in values) / len(values),
        true_positive_share=true_positive_share, accuracy=0.7,
        saturated_share=sum(value < 0.01 or value > 0.99 for value in values) / len(values),
        histogram=histogram,
    )


def report(epoch: int, epochs: int = 20, predictions: PredictionStats | None = None,
           **extra: float) -> EpochReport:
    """Build the report of a run whose loss falls and accuracy rises smoothly."""
    logs = {
        "loss": 0.3 + 0.4 * math.exp(-epoch / 5),
        "accuracy": 0.6 + 0.2 * (1 - math.exp(-epoch / 4)),
        "val_loss": 0.35 + 0.4 * math.exp(-epoch / 6),
        "val_accuracy": 0.58 + 0.2 * (1 - math.exp(-epoch / 5)),
        **extra,
    }
    spread = [0.1 + 0.8 * i / 130 for i in range(131)]
    return EpochReport(epoch=epoch, epochs=epochs, logs=logs,
                       predictions=predictions or stats(spread))


def chart_text(chart: MetricChart) -> str:
    """Return the plain text that a chart renders now."""
    return chart.render().plain


@dataclass
class ColumnDouble:
    """Stands in for `tui_lab.data.ColumnInfo`, which another module provides."""

    name: str
    kind: str
    missing_share: float
    min: Any
    max: Any
    distinct: int


@dataclass
class SummaryDouble:
    """Stands in for `tui_lab.data.DataSummary` with the Titanic shape."""

    source: str = "titanic"
    rows: int = 1309
    target: str = "survived"
    feature_names: list[str] = field(default_factory=lambda: ["pclass", "sex", "age"])
    is_binary: bool = True
    label_values: list[Any] = field(default_factory=lambda: [0, 1])
    positive_share: float = 0.382
    head: list[list[float]] = field(default_factory=lambda: [
        [-1.5, 0.5, 0.25], [0.8414, -0.5, float("nan")], [0.0, 1.0, 2.0],
    ])
    columns: list[ColumnDouble] = field(default_factory=lambda: [
        ColumnDouble("pclass", "int", 0.0, 1, 3, 3),
        ColumnDouble("age", "float", 0.201, 0.1667, 80.0, 98),
        ColumnDouble("name", "text", 0.0, None, None, 1307),
        ColumnDouble("survived", "int", 0.0, 0, 1, 2),
    ])


def finding(id: str, severity: Severity, title: str, fix: str = "Change it.",
            epochs: tuple[int, ...] = ()) -> Finding:  # noqa: A002
    return Finding(id=id, severity=severity, title=title, evidence=f"evidence of {id}",
                   fix=fix, epochs=epochs)


FINDINGS = [
    finding("high-learning-rate", Severity.WARNING, "Learning rate 0.1 is high for Adam", epochs=(1, 2, 3)),
    finding("softmax-single-unit", Severity.ERROR, "Softmax over one unit always returns 1.0"),
    finding("sorted-rows", Severity.INFO, "Rows are sorted by pclass"),
]


# --- charts -------------------------------------------------------------------------


async def test_charts_coalesce_redraws():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        await pilot.pause(0.3)
        before = charts.redraw_count

        for epoch in range(1, 51):
            charts.add_report(report(epoch, epochs=50))
        await pilot.pause(0.6)

        redraws = charts.redraw_count - before
        assert redraws >= 1
        assert redraws <= 3


async def test_charts_loss_chart_shows_last_values():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        for epoch in range(1, 6):
            charts.add_report(report(epoch))
        charts.redraw()
        await pilot.pause()

        text = screen_text(app)
        assert f"loss {report(5).logs['loss']:.3f}" in text
        assert f"val_loss {report(5).logs['val_loss']:.3f}" in text
        assert "epoch" in text


async def test_charts_whole_epoch_ticks():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset([])
        for epoch in range(1, 4):
            charts.add_report(report(epoch))
        charts.redraw()
        await pilot.pause()

        lines = [line.strip() for line in screen_text(app).splitlines() if line.strip()]
        assert lines[-1] == "epoch"
        assert lines[-2].split() == ["1", "2", "3"]
        assert "1.50" not in screen_text(app)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 6, [1, 2, 3, 4, 5, 6]),
        (1, 20, [1, 5, 10, 15, 20]),
        (1, 100, [1, 20, 40, 60, 80, 100]),
        (0, 5, [0, 1, 2, 3, 4, 5]),
        (1, 250, [1, 50, 100, 150, 200, 250]),
    ],
)
def test_epoch_ticks_whole_and_few(first, last, expected):
    ticks = epoch_ticks(first, last)

    assert ticks == expected
    assert len(ticks) <= 6


async def test_charts_majority_line_on_accuracy():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=WIDE) as pilot:
        charts.reset(["accuracy"])
        for epoch in range(1, 4):
            charts.add_report(report(epoch))
        charts.redraw()
        await pilot.pause()

        accuracy, loss = (next(c for c in charts.query(MetricChart) if c.metric == name)
                          for name in ("accuracy", "loss"))
        assert "majority 0.618" in chart_text(accuracy)
        assert "majority" not in chart_text(loss)


def test_majority_rate_takes_larger_class():
    assert majority_rate(0.382) == pytest.approx(0.618)
    assert majority_rate(0.9) == pytest.approx(0.9)


async def test_charts_next_chart_key():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        charts.focus()
        await pilot.pause()
        assert "[loss] accuracy" in screen_text(app)

        await pilot.press("c")
        await pilot.pause()

        assert charts.current_metric == "accuracy"
        assert "loss [accuracy]" in screen_text(app)
        shown = [chart.metric for chart in charts.query(MetricChart) if chart.display]
        assert shown == ["accuracy"]


async def test_charts_wide_side_by_side():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=WIDE) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        await pilot.pause(0.3)

        regions = [chart.region for chart in charts.query(MetricChart)]
        assert len(regions) == 2
        assert all(region.width > 0 for region in regions)
        assert regions[0].y == regions[1].y
        assert regions[0].x < regions[1].x


async def test_charts_metric_from_logs_added():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1, auc=0.71, val_auc=0.69, learning_rate=0.001))
        await pilot.pause()

        assert charts.metric_names == ["loss", "accuracy", "auc"]
        assert len(charts.query(MetricChart)) == 3


async def test_charts_reset_replaces_metrics():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        await pilot.pause()

        charts.reset(["auc"])
        await pilot.pause()

        assert charts.metric_names == ["loss", "auc"]
        assert [chart.metric for chart in charts.query(MetricChart)] == ["loss", "auc"]


async def test_charts_nan_loss_shown_in_title():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        charts.add_report(report(2, loss=float("nan")))
        charts.redraw()
        await pilot.pause()

        assert "loss nan" in screen_text(app)


async def test_charts_overlay_labelled():
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        charts.set_overlays([("run-1", {"loss": [0.7, 0.6], "val_loss": [0.72, 0.65]})])
        charts.redraw()
        await pilot.pause()

        assert ". run-1" in screen_text(app)


async def test_charts_no_color_clear_theme(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    charts = TrainingCharts()
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        charts.reset(["accuracy"])
        charts.add_report(report(1))
        charts.redraw()
        await pilot.pause()

        assert app.no_color
        assert all(chart.theme == "clear" for chart in charts.query(MetricChart))
        assert "val_loss" in screen_text(app)


# --- predictions --------------------------------------------------------------------


async def test_predictions_stuck_banner_visible():
    panel = PredictionPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(stats(constant=1.0), epoch=3)
        await pilot.pause()

        text = screen_text(app)
        assert "STUCK: all 131 validation predictions are 1.000" in text
        assert "after epoch 3" in text
        assert "predicted positive at 0.5: 100.0%" in text
        assert "true positive share: 38.2%" in text


async def test_predictions_spread_no_banner():
    panel = PredictionPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(stats([0.1 + 0.8 * i / 130 for i in range(131)]), epoch=1)
        await pilot.pause()

        assert panel.banner is None
        assert "STUCK" not in screen_text(app)
        assert "min 0.100" in screen_text(app)
        assert "max 0.900" in screen_text(app)


async def test_predictions_nan_banner():
    nan_stats = PredictionStats(count=131, min=math.nan, max=math.nan, mean=math.nan, std=math.nan,
                                positive_rate=0.0, true_positive_share=0.38, accuracy=0.62,
                                saturated_share=0.0, histogram=[0] * 20, nan_count=131)
    panel = PredictionPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(nan_stats, epoch=2)
        await pilot.pause()

        assert "NAN: all 131 validation predictions are NaN" in screen_text(app)


async def test_predictions_clear_forgets():
    panel = PredictionPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(stats(constant=1.0), epoch=3)
        await pilot.pause()

        panel.clear()
        await pilot.pause()

        assert panel.stats is None
        assert "STUCK" not in screen_text(app)
        assert "waiting for the first epoch" in screen_text(app)


def test_bar_heights_stray_count_visible():
    heights = bar_heights([0, 1, 1000], rows=4)
    assert heights == [0, 1, 32]


def test_histogram_rows_and_axis():
    lines = render_histogram([0] * 19 + [131], width=65, height=6).plain.split("\n")
    assert len(lines) == 6
    assert lines[0].startswith(" 131 ")
    assert lines[-1].strip().startswith("0")
    assert "0.5" in lines[-1]
    assert lines[-1].rstrip().endswith("1")


# --- findings -----------------------------------------------------------------------


def test_sort_findings_by_severity():
    ordered = [item.id for item in sort_findings(FINDINGS)]
    assert ordered == ["softmax-single-unit", "high-learning-rate", "sorted-rows"]


def test_format_epochs_ranges():
    assert format_epochs([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert format_epochs([]) == ""


async def test_findings_rows_in_severity_order():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        await pilot.pause()

        lines = [line.strip(" ▊▎") for line in screen_text(app).splitlines()]
        rows = [line for line in lines if line[:2] in ("E ", "W ", "i ")]
        assert rows[0].startswith("E Softmax over one unit")
        assert rows[1].startswith("W Learning rate 0.1")
        assert rows[2].startswith("i Rows are sorted")


async def test_findings_detail_of_highlighted():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        findings.query_one(OptionList).focus()
        await pilot.press("down")
        await pilot.pause()

        text = screen_text(app)
        assert findings.selected.id == "high-learning-rate"
        assert "warning: Learning rate 0.1 is high for Adam" in text
        assert "Evidence: evidence of high-learning-rate" in text
        assert "Epochs: 1-3" in text
        assert "Fix: Change it." in text


async def test_findings_fix_key_posts():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        findings.query_one(OptionList).focus()
        await pilot.press("f")
        await pilot.press("F")
        await pilot.pause()

        assert [request.finding.id for request in app.fix_requests] == ["softmax-single-unit"] * 2
        assert [request.retrain for request in app.fix_requests] == [False, True]


async def test_findings_without_fix_posts_nothing():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings([finding("no-fix", Severity.INFO, "Nothing to change", fix="")])
        findings.query_one(OptionList).focus()
        await pilot.press("f")
        await pilot.pause()

        assert app.fix_requests == []
        assert "Fix: none available" in screen_text(app)


async def test_findings_without_one_key_fix():
    findings = FindingsList()
    app = WidgetApp(findings)
    fix = "Use a target column with exactly two classes."
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings([finding("labels-not-binary", Severity.ERROR, "The target is not binary", fix=fix)])
        findings.query_one(OptionList).focus()
        await pilot.pause()
        # The detail line wraps at 80 columns, so the words are compared without line breaks.
        text = " ".join(screen_text(app).split())

        await pilot.press("f")
        await pilot.press("F")
        await pilot.pause()
        notes = [str(note.message) for note in app._notifications]

    assert "(no one-key fix: change it by hand)" in text
    assert "f: apply" not in text
    assert app.fix_requests == []
    assert notes == [f"labels-not-binary has no one-key fix. {fix}"] * 2


async def test_findings_selection_kept_by_id():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        findings.query_one(OptionList).focus()
        await pilot.press("down", "down")
        assert findings.selected.id == "sorted-rows"

        newer = [finding("dead-relu", Severity.ERROR, "Half the ReLU units are dead"), *FINDINGS]
        findings.set_findings(newer)
        await pilot.pause()

        assert findings.selected.id == "sorted-rows"
        assert findings.query_one(OptionList).highlighted == 3


async def test_findings_selection_falls_back_to_first():
    findings = FindingsList()
    app = WidgetApp(findings)
    async with app.run_test(size=SMALL) as pilot:
        findings.set_findings(FINDINGS)
        findings.query_one(OptionList).focus()
        await pilot.press("down")

        findings.set_findings([FINDINGS[2]])
        await pilot.pause()

        assert findings.selected.id == "sorted-rows"

        findings.set_findings([])
        await pilot.pause()

        assert findings.selected is None


# --- data panel ---------------------------------------------------------------------


def test_split_rows_like_keras():
    assert split_rows(1309, 0.2) == (1047, 262)
    assert split_rows(1309, 0.1) == (1178, 131)
    assert split_rows(100, 0.0) == (100, 0)


def test_format_cell_three_decimals():
    assert format_cell(0.84147) == "0.841"
    assert format_cell(float("nan")) == "nan"
    assert format_cell(2) == "2.000"


async def test_data_panel_summary_and_head():
    panel = DataPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(SummaryDouble(), validation_split=0.2)
        await pilot.pause()

        text = screen_text(app)
        assert "titanic: 1,309 rows; train 1,047, validation 262" in text
        assert "survived=1: 38.2%" in text
        head = panel.query_one("#data-head", DataTable)
        assert [str(column.label) for column in head.columns.values()] == ["pclass", "sex", "age"]
        assert head.get_row_at(1) == ["0.841", "-0.500", "nan"]


async def test_data_panel_column_table():
    panel = DataPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(SummaryDouble(), validation_split=0.2)
        await pilot.pause()

        columns = panel.query_one("#data-columns", DataTable)
        assert columns.row_count == 4
        assert columns.get_row_at(1) == ["age", "float", "20.1%", "0.1667 .. 80", "98"]
        assert columns.get_row_at(2)[3] == "-"
        assert columns.get_row_at(3)[0] == "survived (target)"
        assert panel.selected_column == "pclass"


async def test_data_panel_not_binary_target():
    panel = DataPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(SummaryDouble(target="pclass", is_binary=False, label_values=[1, 2, 3]), 0.2)
        await pilot.pause()

        assert "pclass is not binary (values: 1, 2, 3)" in screen_text(app)


async def test_data_panel_error_replaces_tables():
    panel = DataPanel()
    app = WidgetApp(panel)
    async with app.run_test(size=SMALL) as pilot:
        panel.show(SummaryDouble(), validation_split=0.2)
        panel.show_error("train.csv: file not found")
        await pilot.pause()

        assert "ERROR: train.csv: file not found" in screen_text(app)
        assert not panel.query_one("#data-head", DataTable).display

        panel.show(SummaryDouble(), validation_split=0.2)
        await pilot.pause()

        assert "ERROR" not in screen_text(app)
        assert panel.query_one("#data-head", DataTable).display


# --- progress -----------------------------------------------------------------------


def test_format_elapsed_minutes_hours():
    assert format_elapsed(7.9) == "0:07"
    assert format_elapsed(125) == "2:05"
    assert format_elapsed(3725) == "1:02:05"


async def test_progress_batch_and_epoch():
    progress = TrainingProgress()
    app = WidgetApp(progress)
    async with app.run_test(size=SMALL) as pilot:
        progress.start(epochs=20, batches=33)
        progress.update_batch(BatchProgress(epoch=3, epochs=20, batch=12, batches=33))
        await pilot.pause()

        text = screen_text(app)
        assert "Epoch 3/20" in text
        assert "Batch 12/33" in text
        assert progress.query_one("#epoch-bar").progress == 2
        assert progress.query_one("#batch-bar").progress == 12

        progress.update_epoch(report(3))
        await pilot.pause()

        assert progress.query_one("#epoch-bar").progress == 3
        assert progress.query_one("#batch-bar").progress == 33


async def test_progress_status_and_stop():
    progress = TrainingProgress()
    app = WidgetApp(progress)
    async with app.run_test(size=SMALL) as pilot:
        progress.start(epochs=2, batches=4)
        progress.stop("stopped by the user")
        frozen = progress.elapsed
        await pilot.pause(0.1)

        assert "stopped by the user" in screen_text(app)
        assert progress.elapsed == frozen

        progress.set_status("loading TensorFlow")
        await pilot.pause()

        assert "loading TensorFlow" in screen_text(app)


async def test_progress_names_run_and_restarts_clock():
    progress = TrainingProgress()
    app = WidgetApp(progress)
    async with app.run_test(size=SMALL) as pilot:
        progress.start(epochs=3, batches=0, run_name="training run 1")
        assert progress.status == "training run 1: epoch 1/3"
        progress.update_batch(BatchProgress(epoch=2, epochs=3, batch=1, batches=4))
        assert progress.status == "training run 1: epoch 2/3"

        progress.stop("training run 1 finished after 2 epochs")
        frozen = progress.elapsed
        progress.update_batch(BatchProgress(epoch=3, epochs=3, batch=1, batches=4))
        await pilot.pause(0.2)
        assert progress.elapsed == frozen
        assert progress.status == "training run 1 finished after 2 epochs"

        await pilot.pause(0.3)
        progress.start(epochs=5, batches=0, run_name="training run 2")
        await pilot.pause()

        assert progress.elapsed < frozen + 0.3
        assert progress.status == "training run 2: epoch 1/5"
        assert "training run 2: epoch 1/5" in screen_text(app)
        assert "0:00" in screen_text(app)


async def test_progress_updates_before_mount():
    progress = TrainingProgress()
    progress.update_batch(BatchProgress(epoch=2, epochs=5, batch=7, batches=9))
    app = WidgetApp(progress)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()

        assert "Epoch 2/5" in screen_text(app)
        assert "Batch 7/9" in screen_text(app)


# --- every widget at 80x24 ----------------------------------------------------------


def _fed_charts() -> Widget:
    charts = TrainingCharts()
    charts.add_report(report(1, predictions=stats(constant=1.0)))
    return charts


@pytest.mark.parametrize("make", [
    _fed_charts, PredictionPanel, FindingsList, DataPanel, TrainingProgress,
], ids=["charts", "predictions", "findings", "data", "progress"])
async def test_widget_small_terminal(make):
    widget = make()
    app = WidgetApp(widget)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause(0.3)

        assert widget.region.width == 80
        assert widget.region.height > 0
        assert screen_text(app).strip()


async def test_stacked_panels_small_banner():
    class Panels(App):
        def compose(self) -> ComposeResult:
            yield TrainingProgress()
            yield TrainingCharts()
            yield PredictionPanel()

    app = Panels()
    async with app.run_test(size=SMALL) as pilot:
        app.query_one(TrainingCharts).add_report(report(1, predictions=stats(constant=1.0)))
        app.query_one(PredictionPanel).show(stats(constant=1.0), epoch=1)
        await pilot.pause(0.3)

        assert "STUCK: all 131 validation predictions are 1.000" in screen_text(app)


def test_widgets_import_no_tensorflow():
    modules = ["charts", "predictions", "findings", "data_panel", "progress", "demo"]
    imports = "; ".join(f"import tui_lab.ui.widgets.{name}" for name in modules)
    check = "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_widgets_fed_before_mount():
    class Panels(App):
        def compose(self) -> ComposeResult:
            charts = TrainingCharts()
            charts.reset(["accuracy"])
            charts.add_report(report(1))
            predictions = PredictionPanel()
            predictions.show(stats(constant=0.0), epoch=1)
            findings = FindingsList()
            findings.set_findings(FINDINGS)
            data = DataPanel()
            data.show(SummaryDouble(), validation_split=0.1)
            yield charts
            yield predictions
            yield findings
            yield data

    app = Panels()
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.pause(0.3)

        text = screen_text(app)
        assert "STUCK: all 131 validation predictions are 0.000" in text
        assert "error: Softmax over one unit always returns 1.0" in text
        assert "train 1,178, validation 131" in text
        assert app.query_one(FindingsList).selected.id == "softmax-single-unit"


async def test_charts_tabs_before_mount():
    charts = TrainingCharts()
    charts.reset(["accuracy"])
    app = WidgetApp(charts)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()

        assert "[loss] accuracy  (c: next chart)" in screen_text(app)
