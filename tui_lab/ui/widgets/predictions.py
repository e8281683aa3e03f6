"""The distribution of the model's predicted probabilities on the validation rows.

A model that is not learning often gives every row the same probability (a softmax
over one unit always returns 1.0). The histogram makes that visible at a glance, and a
banner that starts with "STUCK:" states it in words, so it reads without colour too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from tui_lab.reports import HISTOGRAM_BINS, PredictionStats
from tui_lab.ui.widgets.charts import MAX_OVERLAYS, OVERLAY_MARKERS, REDRAW_INTERVAL

BLOCKS = " ▁▂▃▄▅▆▇█"
"""Block characters from empty to full, in eighths of a row."""

AXIS_WIDTH = 5
"""Columns left of the bars for the count labels."""


def constant_banner(stats: PredictionStats) -> str | None:
    """Return the warning for predictions that are all NaN or all equal, or None."""
    if stats.count > 0 and stats.nan_count >= stats.count:
        return f"NAN: all {stats.count} validation predictions are NaN"
    if stats.is_constant:
        return f"STUCK: all {stats.count} validation predictions are {stats.mean:.3f}"
    return None


def format_stats(stats: PredictionStats) -> str:
    """Return the summary line: min, max, mean, std and the two positive shares."""
    parts = [
        f"min {stats.min:.3f}",
        f"max {stats.max:.3f}",
        f"mean {stats.mean:.3f}",
        f"std {stats.std:.3f}",
        f"predicted positive at 0.5: {stats.positive_rate:.1%}",
        f"true positive share: {stats.true_positive_share:.1%}",
    ]
    if stats.nan_count:
        parts.append(f"NaN: {stats.nan_count}")
    return "  ".join(parts)


def bar_heights(histogram: Sequence[int], rows: int) -> list[int]:
    """Scale bin counts to bar heights in eighths of a row, with `rows` rows for the largest.

    A bin with at least one row gets at least one eighth, so a single stray
    prediction still shows.
    """
    largest = max(histogram, default=0)
    if largest <= 0:
        return [0 for _ in histogram]
    full = rows * 8
    return [max(1, round(count * full / largest)) if count > 0 else 0 for count in histogram]


def axis_labels(width: int) -> str:
    """Return an axis row of `width` columns with 0 at the left, 0.5 in the middle and 1 at the right."""
    axis = [" "] * width
    labels = ((0, "0"), (width // 2 - 1, "0.5"), (width - 1, "1"))
    for start, label in labels:
        for offset, character in enumerate(label):
            if 0 <= start + offset < width:
                axis[start + offset] = character
    return "".join(axis)


def render_histogram(histogram: Sequence[int], width: int, height: int) -> Text:
    """Draw the histogram as block-character bars over an axis labelled 0, 0.5 and 1.

    The bars take `height - 1` rows and the axis one row. Each bin gets the same
    number of columns, at least one, so at least `AXIS_WIDTH + len(histogram)` columns
    are needed for every bin to show. With two or more columns per bin the last one is
    left blank, so neighbouring bars stay apart.
    """
    bins = len(histogram) or HISTOGRAM_BINS
    counts = list(histogram) or [0] * bins
    rows = max(1, height - 1)
    column = max(1, (width - AXIS_WIDTH) // bins)
    heights = bar_heights(counts, rows)
    largest = max(counts)
    bar_width = column - 1 if column >= 2 else 1
    gap = " " if column >= 2 else ""

    text = Text(no_wrap=True, overflow="crop")
    for row in range(rows, 0, -1):
        label = f"{largest:>4} " if row == rows else " " * AXIS_WIDTH
        text.append(label, style="dim")
        for eighths in heights:
            filled = eighths - (row - 1) * 8
            block = BLOCKS[min(8, max(0, filled))]
            text.append(block * bar_width + gap, style="bold")
        text.append("\n")

    text.append(" " * AXIS_WIDTH)
    text.append(axis_labels(column * bins), style="dim")
    return text


def render_overlay_rows(overlays: Sequence[tuple[str, Sequence[int]]], width: int) -> Text:
    """Draw each run's histogram as one row of block characters under the main histogram's bins.

    Each row starts with the run's chart marker from `OVERLAY_MARKERS` in the count
    column, and ends with its label after the bars, cropped to `width`. A row is scaled
    to its own largest bin, so it compares shapes, not counts. A run without
    predictions shows a note instead of bars.
    """
    lines = []
    for index, (label, histogram) in enumerate(overlays):
        marker = OVERLAY_MARKERS[index % len(OVERLAY_MARKERS)]
        line = Text(f"{marker:>4} ", style="dim", no_wrap=True, overflow="crop")
        if not histogram:
            line.append(f"{label}: no predictions stored", style="dim")
        else:
            column = max(1, (width - AXIS_WIDTH) // len(histogram))
            bar_width = column - 1 if column >= 2 else 1
            gap = " " if column >= 2 else ""
            for eighths in bar_heights(histogram, rows=1):
                line.append(BLOCKS[min(8, eighths)] * bar_width + gap)
            line.append(f" {label}", style="dim")
        line.truncate(width, overflow="crop")
        lines.append(line)
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


class Histogram(Widget):
    """A block-character histogram of predicted probabilities over [0, 1], sized to the widget."""

    DEFAULT_CSS = """
    Histogram {
        height: 1fr;
        min-height: 3;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.counts: list[int] = []

    def set_counts(self, counts: Sequence[int]) -> None:
        """Replace the bin counts and repaint."""
        self.counts = list(counts)
        self.refresh()

    def render(self) -> RenderResult:
        if not self.counts:
            return Text("no predictions yet", style="dim")
        return render_histogram(self.counts, self.size.width, self.size.height)


class OverlayRows(Widget):
    """One row of bars per compared run, drawn by `render_overlay_rows` at the widget's width."""

    DEFAULT_CSS = """
    OverlayRows {
        height: auto;
        display: none;
    }
    OverlayRows.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.overlays: list[tuple[str, list[int]]] = []

    def set_overlays(self, overlays: Sequence[tuple[str, Sequence[int]]]) -> None:
        """Replace the compared runs' histograms, show one row each, and repaint."""
        self.overlays = [(label, list(histogram)) for label, histogram in overlays]
        self.styles.height = max(1, len(self.overlays))
        self.set_class(bool(self.overlays), "-shown")
        self.refresh(layout=True)

    def render(self) -> RenderResult:
        return render_overlay_rows(self.overlays, self.size.width)


class PredictionPanel(Widget):
    """The predicted probabilities on the validation rows after the latest epoch.

    Shows a 20-bin histogram over [0, 1], the summary statistics, and a "STUCK:"
    banner (styled as an error) when every prediction is the same value. Under the
    histogram, `set_overlay` adds one compact row of bars per compared run.
    """

    DEFAULT_CSS = """
    PredictionPanel {
        height: 1fr;
        min-height: 6;
    }
    PredictionPanel > #prediction-title {
        height: 1;
        text-style: bold;
    }
    PredictionPanel > #prediction-banner {
        height: auto;
        display: none;
        background: $error;
        color: $text;
        text-style: bold;
    }
    PredictionPanel > #prediction-banner.-shown {
        display: block;
    }
    PredictionPanel > #prediction-stats {
        height: auto;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.stats: PredictionStats | None = None
        self.epoch: int | None = None
        self.overlays: list[tuple[str, list[int]]] = []
        self._ready = False
        self._drawn_at = 0.0
        self._pending_draw: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Predictions on validation rows: waiting for the first epoch",
                     id="prediction-title", markup=False)
        yield Static(id="prediction-banner", markup=False)
        yield Histogram(id="prediction-histogram")
        yield OverlayRows(id="prediction-overlay")
        yield Static(id="prediction-stats", markup=False)

    def on_mount(self) -> None:
        # Textual sets `is_mounted` only after this handler, so the widget keeps its own flag.
        self._ready = True
        if self.stats is not None and self.epoch is not None:
            self.show(self.stats, self.epoch)
        if self.overlays:
            self.set_overlay(self.overlays)

    def set_overlay(self, runs: Sequence[tuple[str, Sequence[int]]]) -> None:
        """Show other runs' prediction histograms, one row each, under the main histogram.

        Each run is a (label, histogram) pair, usually the histogram of its last epoch.
        Only the first `MAX_OVERLAYS` are shown, as on the charts, and an empty list
        removes the rows. `clear` keeps them, so they stay for the next run.
        """
        self.overlays = [(label, list(histogram)) for label, histogram in runs[:MAX_OVERLAYS]]
        if self._ready:
            self.query_one(OverlayRows).set_overlays(self.overlays)

    @property
    def banner(self) -> str | None:
        """The STUCK or NAN warning shown now, or None."""
        return constant_banner(self.stats) if self.stats is not None else None

    @property
    def stats_text(self) -> str:
        """The summary line shown under the histogram."""
        return format_stats(self.stats) if self.stats is not None else ""

    def show(self, stats: PredictionStats, epoch: int) -> None:
        """Show the predictions measured after `epoch`; epoch 0 is an evaluation without training.

        The first call draws at once. Calls that follow within `REDRAW_INTERVAL` seconds
        are coalesced into one redraw of the newest statistics at the end of the interval.
        """
        self.stats = stats
        self.epoch = epoch
        if not self._ready:
            return

        waited = time.monotonic() - self._drawn_at
        if waited >= REDRAW_INTERVAL:
            self._draw()
        elif self._pending_draw is None:
            self._pending_draw = self.set_timer(REDRAW_INTERVAL - waited, self._draw)

    def _draw(self) -> None:
        self._pending_draw = None
        self._drawn_at = time.monotonic()
        stats, epoch = self.stats, self.epoch
        if stats is None or epoch is None:
            return

        title = f"Predictions on {stats.count} validation rows after epoch {epoch}"
        if epoch == 0:
            title = f"Predictions on {stats.count} validation rows of the model as loaded (no training)"
        self.query_one("#prediction-title", Static).update(title)

        banner = self.query_one("#prediction-banner", Static)
        message = self.banner
        banner.update(message or "")
        banner.set_class(message is not None, "-shown")

        self.query_one(Histogram).set_counts(stats.histogram)
        self.query_one("#prediction-stats", Static).update(self.stats_text)

    def clear(self) -> None:
        """Forget the shown predictions, for a new run."""
        self.stats = None
        self.epoch = None
        if not self._ready:
            return
        if self._pending_draw is not None:
            self._pending_draw.stop()
            self._pending_draw = None

        self.query_one("#prediction-title", Static).update(
            "Predictions on validation rows: waiting for the first epoch")
        banner = self.query_one("#prediction-banner", Static)
        banner.update("")
        banner.remove_class("-shown")
        self.query_one(Histogram).set_counts([])
        self.query_one("#prediction-stats", Static).update("")
