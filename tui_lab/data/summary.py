"""Plain-value descriptions of a loaded data set and of each column of its file.

Every field is an int, float, str, bool, None, list or dict of those, so a summary
pickles across a process boundary and `dataclasses.asdict` of it dumps to JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

TOP_VALUES = 5
"""Number of most frequent values kept for a text column."""

COUNTED_ROWS = 100_000
"""Rows on which distinct values and top values are counted in a larger file."""


@dataclass(frozen=True)
class ColumnInfo:
    """One column of the file as read: its kind, missing share, range or top values.

    `kind` is "number" (numbers and booleans) or "text". `min` and `max` are set for
    number columns with at least one value, `top_values` (value to row count, most
    frequent first) for text columns.
    """

    name: str
    kind: str
    missing_share: float
    distinct: int
    min: float | None = None
    max: float | None = None
    top_values: dict[str, int] = field(default_factory=dict)
    counted_rows: int = 0
    """Rows on which `distinct` and `top_values` were counted (all rows up to `COUNTED_ROWS`)."""


@dataclass(frozen=True)
class DataSummary:
    """What the model is given: rows, target, labels, features and the file's columns.

    `rows` counts the rows after rows with a missing target were dropped
    (`dropped_rows`) and after `keep_positive` subsampling. For a binary target,
    `label_values` lists the label that became 0, then the one that became 1.
    Otherwise it lists the first 10 distinct values in sorted order. `label_count` is the number of distinct
    target values. `positive_share` is the share of rows labelled 1, `None` when the
    target is not binary. `head` is the first 5 rows of the feature matrix, in
    training order. `nan_count` counts the missing values left in the feature matrix.
    `columns` describes every column of the file, over all of its rows.
    """

    source: str
    rows: int
    dropped_rows: int
    target: str
    features: list[str]
    feature_names: list[str]
    is_binary: bool
    label_count: int
    label_values: list[Any]
    positive_share: float | None
    head: list[list[float]]
    nan_count: int
    columns: list[ColumnInfo]
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> ColumnInfo:
        """Return the description of the file's column `name`; raise `KeyError` if absent."""
        for info in self.columns:
            if info.name == name:
                return info
        raise KeyError(f"no column {name!r} in {self.source}; columns are: "
                       + ", ".join(info.name for info in self.columns))


def describe_columns(frame: pd.DataFrame) -> list[ColumnInfo]:
    """Describe every column of `frame`.

    Missing share, min and max cover all rows. Counting distinct values is the slow
    step, so in a frame of more than `COUNTED_ROWS` rows `distinct` and `top_values`
    are counted on `COUNTED_ROWS` evenly spaced rows. `counted_rows` records that number.
    """
    rows = len(frame)
    counted = frame
    if rows > COUNTED_ROWS:
        counted = frame.iloc[::math.ceil(rows / COUNTED_ROWS)]
    distinct = counted.nunique(dropna=True)

    infos = []
    for column in frame.columns:
        series = frame[column]
        common = {"name": str(column), "distinct": int(distinct[column]),
                  "counted_rows": len(counted)}
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            infos.append(_describe_numbers(series, **common))
            continue
        counts = counted[column].value_counts(dropna=True).head(TOP_VALUES)
        infos.append(ColumnInfo(
            kind="text",
            missing_share=float(series.isna().sum()) / max(rows, 1),
            top_values={str(value): int(count) for value, count in counts.items()},
            **common,
        ))
    return infos


def _describe_numbers(series: pd.Series, **common: Any) -> ColumnInfo:
    if series.dtype == np.float64 and len(series):
        values = series.to_numpy()
        minimum = values.min()
        # min propagates NaN, so a min that is not NaN shows that no value is missing.
        if not np.isnan(minimum):
            return ColumnInfo(kind="number", missing_share=0.0, min=float(minimum),
                              max=float(values.max()), **common)

    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(values)
    missing_count = int(missing.sum())
    present = values[~missing] if missing_count else values
    minimum = float(present.min()) if len(present) else None
    maximum = float(present.max()) if len(present) else None
    return ColumnInfo(kind="number", missing_share=missing_count / max(len(values), 1),
                      min=minimum, max=maximum, **common)
