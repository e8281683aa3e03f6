"""Load a `DataSpec` into arrays for Keras, and split them the way `fit` does."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tui_lab.data.columns import resolve_column, source_name
from tui_lab.data.errors import DataError
from tui_lab.data.features import build_features
from tui_lab.data.labels import encode_labels
from tui_lab.data.reading import read_table
from tui_lab.data.summary import ColumnInfo, DataSummary, describe_columns
from tui_lab.experiment import DataSpec

Progress = Callable[[float, str], None]
"""A callback that receives the fraction of the work done (0 to 1) and what is running."""

HEAD_ROWS = 5


@dataclass(frozen=True, eq=False)
class Dataset:
    """The arrays a model trains on, with their description and source rows.

    `x` is float32 of shape (rows, features) and `y` float32 of shape (rows,), both
    in training order, so Keras's `validation_split` takes the last rows.
    `file_rows` contains the selected rows in file order with the file's original
    columns. `order` is the position in `file_rows` of each training row, or `None`
    when both orders are the same. Reordering a large frame is slow, so `frame`
    builds the rows in training order on first use.
    """

    x: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    summary: DataSummary
    file_rows: pd.DataFrame
    order: np.ndarray | None = None

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows of `x` in the same order, with the file's original columns before encoding.

        Its index is each row's position in the file (0 is the first data row).
        """
        if self.order is None:
            return self.file_rows
        return self.file_rows.take(self.order)

    def require_binary(self) -> None:
        """Raise `DataError` unless the target has exactly two distinct values."""
        if self.summary.is_binary:
            return
        count = self.summary.label_count
        examples = ", ".join(str(value) for value in self.summary.label_values[:3])
        more = ", ..." if count > 3 else ""
        raise DataError(
            f"target {self.summary.target!r} has {count:,} distinct "
            f"value{'s' if count != 1 else ''} ({examples}{more}); a binary classifier needs "
            f"exactly two (for example 0 and 1). Choose another target column.",
            source=self.summary.source, column=self.summary.target)


def load(spec: DataSpec, progress: Progress | None = None) -> Dataset:
    """Read the data a spec names and prepare it as float32 arrays for a binary classifier.

    The steps, in order:
    1. Read the file and drop the rows with a missing target.
    2. Keep a seeded `keep_positive` share of the positive rows.
    3. Sort by `sort_by` (a stable sort, missing values last).
    4. Shuffle once with `numpy.random.default_rng(seed).permutation` when `shuffle`
       is true.
    5. Encode the features with `build_features`. Medians, means and standard
       deviations come from all the selected rows, validation rows included.
    6. Encode the labels with `encode_labels`.

    A target without exactly two values still loads, with `summary.is_binary` False,
    so call `Dataset.require_binary` before training.

    `progress`, when given, is called with (fraction, text) before each step.

    NOTE: for 1,000,000 rows x 20 number columns (`python -m benchmarks.scale`), the
    median wall time of `load` measured 1.34 to 2.1 times that of a plain
    `pandas.read_csv` of the file, and 1.46 to 1.54 times on the quietest runs. That
    was a 2-core VM shared with other jobs, so the goal of 1.5x is not always met.
    After the parse, encoding the features (the row gather of the shuffle and mapping
    fresh memory for the matrix) and counting distinct values for the summary take
    most of the time.

    Raises `DataError` for an unreadable file, a column that is not in the file or a
    target or feature column with no values at all.
    """
    report = progress or _ignore_progress
    report(0.0, f"Reading {spec.source}")
    frame = read_table(spec.source)
    source = source_name(frame)
    notes = list(frame.attrs.get("notes", []))

    report(0.6, "Checking columns")
    target = resolve_column(frame, spec.target, "target")
    features = [resolve_column(frame, name, "feature") for name in spec.features]
    indicators = [resolve_column(frame, name, "missing indicator column")
                  for name in spec.missing_indicators]
    sort_by = resolve_column(frame, spec.sort_by, "sort_by column") if spec.sort_by else None
    columns = describe_columns(frame)
    _check_columns(frame, columns, target, features)

    report(0.7, "Selecting rows")
    has_target = frame[target].notna().to_numpy()
    dropped = int(len(has_target) - has_target.sum())
    if dropped:
        frame = frame[has_target]
        notes.append(f"{dropped:,} rows with no {target!r} value were dropped.")
    labels = encode_labels(frame[target])

    order = np.arange(len(frame))
    if spec.keep_positive < 1.0:
        if labels.is_binary:
            order = _keep_positive(labels.y, spec.keep_positive, spec.seed)
        else:
            notes.append(f"keep_positive was not applied because target {target!r} is not binary.")
    if len(order) < len(frame):
        frame = frame.take(order)
        y_file = labels.y[order]
        order = np.arange(len(frame))
    else:
        y_file = labels.y
    if sort_by is not None:
        keys = frame[sort_by].reset_index(drop=True)
        order = keys.sort_values(kind="stable", na_position="last").index.to_numpy()
    if spec.shuffle:
        permutation = np.random.default_rng(spec.seed).permutation(len(order))
        # Without a sort, `order` is 0, 1, 2, ..., so the permutation is the order itself.
        order = permutation if sort_by is None else order[permutation]

    report(0.8, "Encoding features")
    in_file_order = bool(np.all(order[1:] > order[:-1]))
    if in_file_order:
        order = None
    x, names = build_features(frame, features, indicators, spec.impute, spec.scale, order)
    y = y_file if order is None else y_file[order]

    report(0.95, "Summarising")
    summary = DataSummary(
        source=source,
        rows=len(y),
        dropped_rows=dropped,
        target=str(target),
        features=[str(name) for name in features],
        feature_names=names,
        is_binary=labels.is_binary,
        label_count=labels.distinct,
        label_values=labels.values,
        positive_share=float(y.mean()) if labels.is_binary and len(y) else None,
        head=[[float(value) for value in row] for row in x[:HEAD_ROWS]],
        nan_count=_count_nan(x),
        columns=columns,
        notes=notes,
    )
    report(1.0, "Loaded")
    return Dataset(x=x, y=y, feature_names=names, summary=summary, file_rows=frame,
                   order=order)


def _count_nan(x: np.ndarray, block_rows: int = 65_536) -> int:
    """Return the number of NaN values in `x`, counted in blocks of rows.

    One mask of the whole matrix would be a large fresh allocation.
    """
    mask = np.empty((min(block_rows, len(x)), *x.shape[1:]), dtype=bool)
    count = 0
    for start in range(0, len(x), block_rows):
        block = x[start:start + block_rows]
        block_mask = mask[:len(block)]
        np.isnan(block, out=block_mask)
        count += int(np.count_nonzero(block_mask))
    return count


def _ignore_progress(fraction: float, text: str) -> None:
    del fraction, text


def _check_columns(frame: pd.DataFrame, columns: list[ColumnInfo], target: str,
                   features: list[str]) -> None:
    source = source_name(frame)
    if target in features:
        raise DataError(f"column {target!r} of {source} is both the target and a feature; "
                        f"remove it from data.features.", source=source, column=str(target))

    empty = {info.name for info in columns if info.missing_share == 1.0}
    for column in [target, *features]:
        if str(column) not in empty:
            continue
        role = "target" if column == target else "feature"
        raise DataError(f"{role} column {column!r} of {source} has no values: all {len(frame):,} "
                        f"rows are missing. Fill it in, or choose another column.",
                        source=source, column=str(column))


def _keep_positive(y: np.ndarray, share: float, seed: int) -> np.ndarray:
    positives = np.flatnonzero(y == 1.0)
    keep = max(1, round(share * len(positives))) if len(positives) else 0
    chosen = np.random.default_rng(seed).choice(positives, size=keep, replace=False)
    selected = y != 1.0
    selected[chosen] = True
    return np.flatnonzero(selected)


def split_index(rows: int, validation_split: float) -> int:
    """Return the index of the first validation row, as Keras 3 `fit(validation_split=...)` does.

    Keras 3.15 (`train_validation_split` in keras/src/trainers/data_adapters/
    array_slicing.py) computes `int(math.floor(rows * (1.0 - validation_split)))` and
    takes the rows from there on, without shuffling, as validation rows.
    """
    if not 0.0 <= validation_split < 1.0:
        raise DataError(f"validation_split must be in [0, 1), received {validation_split!r}; "
                        f"use a share such as 0.2.")
    return int(math.floor(rows * (1.0 - validation_split)))


def train_validation(dataset: Dataset, validation_split: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (x_train, y_train, x_val, y_val) as Keras's `validation_split` would split them.

    With `validation_split` 0 the validation arrays are empty. Raises `DataError` when
    the split leaves no training or no validation row, where Keras raises ValueError.
    """
    rows = len(dataset.y)
    index = split_index(rows, validation_split)
    if validation_split > 0 and index in (0, rows):
        raise DataError(f"{rows:,} rows are too few to split with validation_split="
                        f"{validation_split}: it leaves no {'training' if index == 0 else 'validation'}"
                        f" row. Load more rows or change validation_split.",
                        source=dataset.summary.source)
    return dataset.x[:index], dataset.y[:index], dataset.x[index:], dataset.y[index:]
