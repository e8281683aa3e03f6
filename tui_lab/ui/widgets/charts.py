"""Live training curves: a loss chart and one chart per metric, redrawn at most 4 times a second.

Each chart plots a training series and its validation twin from `EpochReport.logs`
(`loss` and `val_loss`, `accuracy` and `val_accuracy`, ...). Accuracy charts also
carry the majority-class rate as a flat reference line: a model that is no better
than always predicting the larger class sits on that line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_lab.reports import EpochReport

REDRAW_INTERVAL = 0.5
"""Seconds between checks for new data, so charts redraw at most twice a second.

Each redraw of the charts writes about 2 to 4 KB to the terminal. At this rate a fast
run stays well under 20 KB/s over SSH whatever its epoch rate.
"""

WIDE_WIDTH = 120
"""Widget width in columns from which all charts are shown side by side."""

MAX_OVERLAYS = 3
"""Number of other runs drawn behind the current one, because more would hide the current curves."""

IGNORED_LOG_KEYS = frozenset({"learning_rate", "lr"})
"""Log keys that are not metrics, such as the learning rate that some callbacks log."""

TRAIN_MARKER = "braille"
TRAIN_SYMBOL = "⠒"
"""The legend symbol of the braille training line."""
VALIDATION_MARKER = "x"
REFERENCE_MARKER = "-"
OVERLAY_MARKERS = (".", "+", "*")
"""The marker of each overlaid run, in order, so that the runs stay apart without colour."""
OVERLAY_COLORS = ("gray+", "magenta", "green")
"""The plotext colour of each overlaid run, in order."""

TITLE_MARGIN = 10
"""Columns the legend leaves free, enough for y tick labels up to 9 columns wide.

plotext centres the title on the plot area, right of the y tick labels, and leaves out
a title that does not fit there. A title fits when it is no wider than the chart minus
the tick labels."""

MAX_EPOCH_TICKS = 6
"""Maximum number of epoch labels on the x axis, so that labels such as "120" stay apart in a 20-column chart."""

LABEL_MIN_HEIGHT = 12
"""Chart height in rows from which the x axis is labelled "epoch"; shorter charts keep the row for the curves."""


def majority_rate(true_positive_share: float) -> float:
    """Return the accuracy of always predicting the larger class: max(p, 1 - p)."""
    return max(true_positive_share, 1.0 - true_positive_share)


def is_accuracy_metric(metric: str) -> bool:
    """Return whether a metric is an accuracy, so the majority-class line applies to it."""
    return metric.lower().endswith("accuracy")


def format_value(value: float | None) -> str:
    """Return a log value as short text: 3 decimals, or `nan`/`inf` as they are."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3f}"


class MetricChart(PlotextPlot):
    """One training curve with its validation twin, drawn with plotext.

    `metric` is the training log key (`loss`, `accuracy`), and the validation series
    is `val_` + `metric`. Training and validation use different markers, so the lines
    stay apart without colour.
    """

    DEFAULT_CSS = """
    MetricChart {
        width: 1fr;
        height: 1fr;
        min-width: 20;
    }
    """

    def __init__(self, metric: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.metric = metric
        self._drawn: tuple[Any, ...] | None = None
        self._drawn_size: tuple[int, int] | None = None
        self._revision = 0
        self._rendered: tuple[tuple[Any, ...], Text] | None = None

    def on_resize(self) -> None:
        # The legend and the x label depend on the size, and a chart drawn while hidden
        # had no size at all, so it is drawn again with the same data. Showing a pane
        # again also sends a resize, with the size it had, which needs no new drawing.
        if self._drawn is not None and self._drawn_size != tuple(self.size):
            self.draw(*self._drawn)

    def render(self) -> Text:
        """Return the plot, built again only after `draw`, a resize or a theme change.

        Building a plotext figure takes milliseconds, and Textual renders a widget
        again each time its pane is shown.
        """
        key = (self._revision, tuple(self.size), self.app.theme, self.theme)
        if self._rendered is None or self._rendered[0] != key:
            self._rendered = (key, super().render())
        return self._rendered[1].copy()

    @property
    def validation_key(self) -> str:
        """The log key of the validation twin, such as `val_loss`."""
        return f"val_{self.metric}"

    def draw(
        self,
        history: Mapping[str, Sequence[tuple[int, float]]],
        reference: float | None,
        overlays: Sequence[tuple[str, Mapping[str, Sequence[float | None]]]],
    ) -> None:
        """Replace the plotted data with `history` and ask Textual to repaint the chart.

        `history` maps log keys to (epoch, value) points. `reference` is the height
        of a flat reference line (or None), and `overlays` are other runs' histories,
        drawn first so that the current curves stay on top.
        """
        self._drawn = (history, reference, overlays)
        self._drawn_size = (self.size.width, self.size.height)
        self._revision += 1
        plt = self.plt
        plt.clear_figure()
        plain = self.app.no_color
        self.theme = "clear" if plain or _has_few_colors(self) else "auto"
        legend: list[str] = []

        overlay_series = self._overlay_series(overlays)
        for index, (name, values) in enumerate(overlay_series):
            marker = OVERLAY_MARKERS[index % len(OVERLAY_MARKERS)]
            color = OVERLAY_COLORS[index % len(OVERLAY_COLORS)]
            self._draw_series(list(enumerate(values, start=1)), marker, None if plain else color)
            legend.append(f"{marker} {name}")

        train = history.get(self.metric, ())
        validation = history.get(self.validation_key, ())
        epochs = [epoch for epoch, _ in (*train, *validation)]
        if reference is not None and epochs:
            # Drawn before the curves, so a curve on the line stays visible.
            first, last = min(epochs), max(max(epochs), min(epochs) + 1)
            plt.plot([first, last], [reference, reference], marker=REFERENCE_MARKER,
                     color=None if plain else "gray+")
            legend.append(f"{REFERENCE_MARKER} majority {reference:.3f}")

        self._draw_series(train, TRAIN_MARKER, None if plain else "cyan+")
        self._draw_series(validation, VALIDATION_MARKER, None if plain else "orange+")
        legend[:0] = [f"{TRAIN_SYMBOL} {self.metric} {_last_value(train)}",
                      f"{VALIDATION_MARKER} {self.validation_key} {_last_value(validation)}"]

        last_epoch = max([*epochs, *(len(values) for _, values in overlay_series)], default=0)
        if last_epoch:
            ticks = epoch_ticks(min([*epochs, 1]), last_epoch)
            plt.xticks(ticks, [str(tick) for tick in ticks])

        # The legend goes in the title: plotext draws its own legend inside the plot
        # area, where it hides the curves of a chart only a few rows high.
        plt.title(fit_legend(legend, self.size.width - TITLE_MARGIN))
        if self.size.height >= LABEL_MIN_HEIGHT:
            plt.xlabel("epoch")
        self.refresh()

    def _draw_series(self, points: Sequence[tuple[int, float | None]], marker: str,
                     color: str | None) -> None:
        # plotext cannot place NaN or inf, so those epochs are left out of the curve,
        # and the legend shows the last value even when it is NaN. A stored run has
        # None for an epoch that did not log the key, which is left out the same way.
        finite = [(epoch, value) for epoch, value in points
                  if value is not None and math.isfinite(value)]
        if not finite:
            return
        xs = [epoch for epoch, _ in finite]
        ys = [value for _, value in finite]
        self.plt.plot(xs, ys, marker=marker, color=color)

    def _overlay_series(self, overlays: Sequence[tuple[str, Mapping[str, Sequence[float | None]]]],
                        ) -> list[tuple[str, Sequence[float | None]]]:
        """Return each overlaid run's validation series of this metric, or its training series if it has none."""
        series = []
        for name, run_history in overlays[:MAX_OVERLAYS]:
            values = run_history.get(self.validation_key) or run_history.get(self.metric)
            if values and any(value is not None for value in values):
                series.append((name, values))
        return series


def epoch_ticks(first: int, last: int, max_ticks: int = MAX_EPOCH_TICKS) -> list[int]:
    """Return at most `max_ticks` whole epoch numbers from `first` to `last` to label the x axis.

    The labels are the multiples of the smallest round step (1, 2, 5, 10, 20, 25, 50,
    100, ...) that gives few enough, and `first` too unless a multiple sits within half
    a step after it.
    """
    scale = 1
    while True:
        for base in (1, 2, 2.5, 5):
            step = int(base * scale)
            if step != base * scale:
                continue
            ticks = _round_ticks(first, last, step)
            if len(ticks) <= max_ticks:
                return ticks
        scale *= 10


def _round_ticks(first: int, last: int, step: int) -> list[int]:
    multiples = list(range(math.ceil(first / step) * step, last + 1, step))
    if multiples and multiples[0] - first < step / 2:
        return multiples
    return [first, *multiples]


def fit_legend(entries: Sequence[str], width: int) -> str:
    """Return the legend entries as one line of at most `width` columns.

    plotext leaves out a title wider than the chart, so a long legend first loses the
    run names after each overlay's `#id`, then the double spaces, then its end.
    """
    line = "  ".join(entries)
    if len(line) <= width:
        return line
    short = [_short_overlay_entry(entry) for entry in entries]
    line = "  ".join(short)
    if len(line) <= width:
        return line
    return " ".join(short)[:max(0, width)]


def _short_overlay_entry(entry: str) -> str:
    marker, _, label = entry.partition(" ")
    if marker in OVERLAY_MARKERS and label.startswith("#"):
        return f"{marker} {label.split()[0]}"
    return entry


def _last_value(points: Sequence[tuple[int, float]]) -> str:
    return format_value(points[-1][1] if points else None)


class TrainingCharts(Widget, can_focus=True):
    """The loss chart and one chart per metric, fed one `EpochReport` at a time.

    `add_report` only stores numbers and marks the charts dirty. A timer redraws
    them when dirty, every `REDRAW_INTERVAL` seconds at most. Below
    120 columns one chart shows at a time and `c` (`action_next_chart`) cycles
    through them. From 120 columns all charts show side by side.
    """

    DEFAULT_CSS = """
    TrainingCharts {
        height: 1fr;
        min-height: 8;
    }
    TrainingCharts > #chart-tabs {
        height: 1;
        color: $text-muted;
    }
    TrainingCharts > #chart-row {
        height: 1fr;
    }
    TrainingCharts MetricChart {
        display: none;
    }
    TrainingCharts MetricChart.-current {
        display: block;
    }
    TrainingCharts.-wide MetricChart {
        display: block;
    }
    TrainingCharts.-wide > #chart-tabs {
        display: none;
    }
    """

    BINDINGS = [
        Binding("c", "next_chart", "Next chart", tooltip="Show the next metric chart",
                id="charts.next"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._metrics: list[str] = ["loss"]
        self._history: dict[str, list[tuple[int, float]]] = {}
        self._reference: float | None = None
        self._overlays: list[tuple[str, dict[str, list[float | None]]]] = []
        self._current = 0
        self._dirty = False
        self._ready = False
        self.redraw_count = 0
        """Number of coalesced redraws so far, which tests read to check the rate limit."""

    def compose(self) -> ComposeResult:
        yield Static(id="chart-tabs")
        with Horizontal(id="chart-row"):
            for index, metric in enumerate(self._metrics):
                yield self._new_chart(metric, current=index == self._current)

    def on_mount(self) -> None:
        # Textual sets `is_mounted` only after this handler, so the widget keeps its own flag.
        self._ready = True
        self.set_interval(REDRAW_INTERVAL, self._redraw_if_dirty)
        self._update_tabs()
        self._dirty = True

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE_WIDTH, "-wide")

    @property
    def metric_names(self) -> list[str]:
        """The charts shown, in order: `loss` first, then each metric."""
        return list(self._metrics)

    @property
    def current_metric(self) -> str:
        """The metric of the chart shown below 120 columns."""
        return self._metrics[self._current]

    def reset(self, metric_names: Iterable[str]) -> None:
        """Clear every curve and set up one chart per metric for a new run.

        `metric_names` are the training log keys of the compiled metrics, such as
        `["accuracy"]`. The `loss` chart is always there and need not be listed.
        """
        metrics = ["loss"]
        for name in metric_names:
            if name not in metrics and not name.startswith("val_"):
                metrics.append(name)
        self._history = {}
        self._reference = None
        self._current = 0

        if metrics != self._metrics and self._ready:
            self._metrics = metrics
            row = self.query_one("#chart-row", Horizontal)
            row.remove_children()
            row.mount_all(self._new_chart(metric, current=index == 0)
                          for index, metric in enumerate(metrics))
        else:
            self._metrics = metrics
            self._show_current()
        self._update_tabs()
        self._dirty = True

    def add_report(self, report: EpochReport) -> None:
        """Store the logs of one epoch. The charts redraw on the next timer tick."""
        for key, value in report.logs.items():
            if key in IGNORED_LOG_KEYS:
                continue
            self._history.setdefault(key, []).append((report.epoch, float(value)))
            if not key.startswith("val_") and key not in self._metrics:
                self._add_metric(key)

        if report.predictions is not None and report.predictions.count > 0:
            self._reference = majority_rate(report.predictions.true_positive_share)
        self._dirty = True

    def set_overlays(self, runs: Sequence[tuple[str, Mapping[str, Sequence[float | None]]]]) -> None:
        """Draw other runs' histories behind the current curves, for comparison.

        Each run is a (name, history) pair where history maps log keys to one value
        per epoch, as in `TrainingFinished.history` or `RunHistory.history` (where None
        marks an epoch that did not log the key). Only the first `MAX_OVERLAYS` are
        drawn, each with its own marker from `OVERLAY_MARKERS`. An empty list removes
        the overlays.
        """
        self._overlays = [(name, {key: list(values) for key, values in history.items()})
                          for name, history in runs]
        self._dirty = True

    @property
    def overlay_names(self) -> list[str]:
        """The names of the overlaid runs that are drawn, in order."""
        return [name for name, _ in self._overlays[:MAX_OVERLAYS]]

    def action_next_chart(self) -> None:
        """Show the next metric chart (below 120 columns, where one chart shows at a time)."""
        self._current = (self._current + 1) % len(self._metrics)
        self._show_current()
        self._update_tabs()

    def redraw(self) -> None:
        """Redraw every chart now, without waiting for the timer."""
        for chart in self.query(MetricChart):
            reference = self._reference if is_accuracy_metric(chart.metric) else None
            chart.draw(self._history, reference, self._overlays)
        self._dirty = False
        self.redraw_count += 1

    def _redraw_if_dirty(self) -> None:
        if self._dirty:
            self.redraw()

    def _add_metric(self, metric: str) -> None:
        self._metrics.append(metric)
        if self._ready:
            self.query_one("#chart-row", Horizontal).mount(self._new_chart(metric, current=False))
        self._update_tabs()

    def _new_chart(self, metric: str, current: bool) -> MetricChart:
        chart = MetricChart(metric)
        chart.set_class(current, "-current")
        return chart

    def _show_current(self) -> None:
        if not self._ready:
            return
        for chart in self.query(MetricChart):
            chart.set_class(chart.metric == self.current_metric, "-current")

    def _update_tabs(self) -> None:
        if not self._ready:
            return
        names = [f"[{name}]" if index == self._current else name
                 for index, name in enumerate(self._metrics)]
        hint = "  (c: next chart)" if len(self._metrics) > 1 else ""
        self.query_one("#chart-tabs", Static).update(Text(" ".join(names) + hint))

def _has_few_colors(widget: Widget) -> bool:
    """Return whether the terminal has 16 colours or fewer, where the app theme's RGB reads badly."""
    return widget.app.console.color_system in (None, "standard", "windows")
