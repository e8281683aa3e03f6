"""The data layer: read the bundled passenger list or a CSV file and prepare it for Keras.

Uses pandas and numpy only; nothing here imports TensorFlow, Keras or Textual.

    dataset = load(DataSpec(source="train.csv"))
    x_train, y_train, x_val, y_val = train_validation(dataset, 0.2)
"""

from __future__ import annotations

from dataclasses import replace

from tui_lab.data.columns import guess_columns, is_identifier, resolve_column
from tui_lab.data.errors import DataError
from tui_lab.data.features import build_features
from tui_lab.data.labels import encode_labels
from tui_lab.data.loading import Dataset, Progress, load, split_index, train_validation
from tui_lab.data.reading import available_memory_bytes, read_table
from tui_lab.data.summary import ColumnInfo, DataSummary
from tui_lab.experiment import DataSpec

__all__ = [
    "ColumnInfo",
    "DataError",
    "DataSummary",
    "Dataset",
    "Progress",
    "available_memory_bytes",
    "build_features",
    "encode_labels",
    "guess_columns",
    "guess_spec",
    "is_identifier",
    "load",
    "read_table",
    "resolve_column",
    "split_index",
    "train_validation",
]


def guess_spec(source: str, base: DataSpec | None = None) -> DataSpec:
    """Return `base` (default `DataSpec()`) with `source` and the target and features that
    `guess_columns` chooses for that file.

    Raises `DataError` when the file cannot be read or no target can be guessed.
    """
    target, features = guess_columns(read_table(source))
    return replace(base or DataSpec(), source=source, target=target, features=tuple(features))
