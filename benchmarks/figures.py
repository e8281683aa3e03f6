"""A measured figure with its target, and the command-line frame every benchmark script shares.

Each script measures a few figures and prints one line per figure:

    time to first frame: 0.84 s (target <= 1.0 s) PASS

With `--json PATH` the figures are also appended to PATH (one JSON object per line),
which is how `python -m benchmarks` collects them into one table.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    """One measured value, the limit it must stay at or under, and how it was measured."""

    name: str
    value: float
    unit: str
    limit: float | None
    detail: str = ""

    @property
    def passed(self) -> bool | None:
        """Whether `value <= limit`; None for a figure without a target (context only)."""
        if self.limit is None:
            return None
        return self.value <= self.limit

    def line(self) -> str:
        """Return the figure as one printed line."""
        value = format_number(self.value)
        if self.limit is None:
            text = f"{self.name}: {value} {self.unit}"
        else:
            verdict = "PASS" if self.passed else "FAIL"
            text = f"{self.name}: {value} {self.unit} (target <= {format_number(self.limit)} {self.unit}) {verdict}"
        if self.detail:
            text += f"  [{self.detail}]"
        return text


def format_number(value: float) -> str:
    """Return `value` with three significant digits, or as a whole number from 1,000."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def median(values: Sequence[float]) -> float:
    """Return the median of `values`, raising `ValueError` with a clear message when empty."""
    if not values:
        raise ValueError("expected at least one measurement, received none")
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Return the `share` (0 to 1) percentile of `values` by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("expected at least one measurement, received none")
    position = share * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 3) -> str:
    """Return every run's value (times `scale`) as text, for the detail of a figure."""
    return "runs " + ", ".join(f"{value * scale:.{digits}g}" for value in values)


def run_script(description: str, measure: Callable[[bool], list[Figure]]) -> int:
    """Parse `--quick` and `--json PATH`, call `measure(quick)` and print its figures."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter runs")
    parser.add_argument("--json", metavar="PATH", help="also append each figure to PATH as a JSON line")
    arguments = parser.parse_args()

    figures = measure(arguments.quick)
    for figure in figures:
        print(figure.line(), flush=True)
    if arguments.json:
        with open(arguments.json, "a", encoding="utf-8") as output:
            for figure in figures:
                output.write(json.dumps(asdict(figure)) + "\n")
    return 0
