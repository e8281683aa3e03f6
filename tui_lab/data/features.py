"""Build the float32 feature matrix from the selected columns of a frame."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tui_lab.data import reading
from tui_lab.data.columns import source_name
from tui_lab.data.errors import DataError


def is_number_column(series: pd.Series) -> bool:
    """Return whether a column contains numbers or booleans, which enter the model as they are."""
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def build_features(frame: pd.DataFrame, features: Sequence[str],
                   missing_indicators: Sequence[str] = (), impute: str = "median",
                   scale: str = "standard", order: np.ndarray | None = None
                   ) -> tuple[np.ndarray, list[str]]:
    """Encode `features` of `frame` as a float32 matrix and return it with its column names.

    Number columns become one float column each. Text columns are one-hot encoded,
    one column per distinct value named `<column>_<value>` (values in sorted order),
    and a missing text value sets none of them. Each column in `missing_indicators`
    adds a 0/1 column `<column>_missing` at the end. `impute="median"` fills missing
    numbers with the column median; `impute="none"` leaves them NaN. `scale="standard"`
    gives every column mean 0 and standard deviation 1 (a constant column becomes 0).
    `order`, when given, is a permutation of the row positions: output row i is frame
    row `order[i]`.

    NOTE: medians, means and standard deviations are computed on all rows of `frame`,
    the validation rows included, as a quick Keras script on a whole DataFrame does.

    Raises `DataError` when the matrix would not fit in the available memory.
    """
    encoded: list[tuple[str, pd.Series, np.ndarray | None, int]] = []
    names: list[str] = []
    for column in features:
        series = frame[column]
        if is_number_column(series):
            encoded.append(("number", series, None, 1))
            names.append(str(column))
            continue
        codes, uniques = pd.factorize(series, sort=True)
        encoded.append(("text", series, codes, len(uniques)))
        names.extend(f"{column}_{value}" for value in uniques)
    for column in missing_indicators:
        encoded.append(("missing", frame[column], None, 1))
        names.append(f"{column}_missing")

    rows = len(frame)
    _check_matrix_size(frame, rows, len(names))
    x = np.empty((rows, len(names)), dtype=np.float32, order="F")

    # Each column is written in file order into a column-major matrix, so every write
    # is contiguous. One row gather at the end puts the rows in training order.
    scratch = np.empty(rows, dtype=np.float64)
    position = 0
    for kind, series, codes, width in encoded:
        if kind == "text":
            _one_hot(x[:, position:position + width], codes, scale)
        elif kind == "number":
            _write_number(x[:, position], _float_values(series), impute, scale, scratch)
        else:
            missing = series.isna().to_numpy().astype(np.float64)
            _write_number(x[:, position], missing, "none", scale, scratch)
        position += width

    if order is None:
        return np.ascontiguousarray(x), names
    return np.take(x, order, axis=0), names


def _float_values(series: pd.Series) -> np.ndarray:
    """Return a number column as float64 with NaN for missing values, without a copy if it can."""
    if series.dtype == np.float64:
        return series.to_numpy()
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _write_number(out: np.ndarray, values: np.ndarray, impute: str, scale: str,
                  scratch: np.ndarray) -> None:
    """Write one number column into `out`, imputed and scaled as asked.

    `values` is left unchanged because it can be a view of the frame. `scratch` is a
    reusable buffer of the same length, which spares a large allocation per column.
    """
    np.copyto(scratch, values)
    missing = np.isnan(scratch)
    if missing.all():
        out[:] = scratch
        return
    has_missing = bool(missing.any())
    if has_missing and impute == "median":
        scratch[missing] = np.median(scratch[~missing])
        has_missing = False
    if scale != "standard":
        out[:] = scratch
        return

    if has_missing:
        present = scratch[~missing]
        mean, std = present.mean(), present.std()
        scratch -= mean
    else:
        scratch -= scratch.mean()
        std = np.sqrt(np.dot(scratch, scratch) / len(scratch))
    if std > 0:
        np.divide(scratch, std, out=out, casting="same_kind")
    else:
        out[:] = scratch


def _one_hot(block: np.ndarray, codes: np.ndarray, scale: str) -> None:
    """Write the one-hot columns of `codes` (-1 is missing) into `block`, scaled if asked."""
    for code in range(block.shape[1]):
        is_code = codes == code
        if scale != "standard":
            block[:, code] = is_code
            continue
        share = np.count_nonzero(is_code) / max(len(codes), 1)
        std = np.sqrt(share * (1.0 - share)) or 1.0
        column = block[:, code]
        column[:] = -share / std
        column[is_code] = (1.0 - share) / std


def _check_matrix_size(frame: pd.DataFrame, rows: int, width: int) -> None:
    needed = rows * width * 4 * 2
    available = reading.available_memory_bytes()
    if available is None or needed <= available:
        return
    source = source_name(frame)
    raise DataError(
        f"the feature matrix of {source} would be {rows:,} rows x {width:,} columns and need "
        f"about {reading.format_bytes(needed)}, but {reading.format_bytes(available)} of memory "
        f"is available. Leave text columns with many distinct values (names, tickets, ids) out "
        f"of data.features.", source=source)
