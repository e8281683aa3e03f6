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
    scratch = np.empty(rows, dtype=np.float64)
    standardised, staged = _plan_columns(encoded, impute, scale, scratch)
    staging = _encode_staged(staged, rows, impute, scale, scratch)
    del scratch

    x = np.empty((rows, len(names)), dtype=np.float32)
    _write_blocks(x, standardised, staged, staging)
    del staging
    if order is None:
        return x, names
    return np.take(x, order, axis=0), names


# Each standardised column: its position in the matrix, its float64 values, mean and
# standard deviation.
_Standardised = list[tuple[int, np.ndarray, float, float]]

# Each staged column group: its position in the matrix, width, encoding kind, series and
# one-hot codes.
_Staged = list[tuple[int, int, str, pd.Series, np.ndarray | None]]

BLOCK_BYTES = 1024 * 1024
"""Bytes of the row-major matrix that `_write_blocks` fills per block of rows.

NOTE: chosen to fit in the L2 or L3 cache of a current x86 CPU; not tuned per machine.
"""


def _plan_columns(encoded: list[tuple[str, pd.Series, np.ndarray | None, int]], impute: str,
                  scale: str, scratch: np.ndarray) -> tuple[_Standardised, _Staged]:
    """Split the columns into finite float64 columns to standardise and all the others.

    For the first kind only the mean and standard deviation are computed here, and
    `_write_blocks` writes the scaled values from the frame's own array. The others are
    encoded whole by `_encode_staged`. Other number types are staged because their
    float64 copy would have to stay alive until `_write_blocks`.
    """
    standardised: _Standardised = []
    staged: _Staged = []
    position = 0
    for kind, series, codes, width in encoded:
        if kind == "number" and scale == "standard" and series.dtype == np.float64:
            values = _float_values(series)
            moments = _finite_moments(values, scratch)
            if moments is not None:
                standardised.append((position, values, *moments))
                position += width
                continue
        staged.append((position, width, kind, series, codes))
        position += width
    return standardised, staged


def _encode_staged(staged: _Staged, rows: int, impute: str, scale: str,
                   scratch: np.ndarray) -> np.ndarray:
    """Encode the staged columns, side by side, into a column-major float32 matrix.

    Each column is written in file order and contiguously.
    """
    staging = np.empty((rows, sum(width for _, width, *_ in staged)), dtype=np.float32,
                       order="F")
    start = 0
    for _, width, kind, series, codes in staged:
        block = staging[:, start:start + width]
        if kind == "text":
            _one_hot(block, codes, scale)
        elif kind == "number":
            _write_number(block[:, 0], _float_values(series), impute, scale, scratch)
        else:
            missing = series.isna().to_numpy().astype(np.float64)
            _write_number(block[:, 0], missing, "none", scale, scratch)
        start += width
    return staging


def _write_blocks(x: np.ndarray, standardised: _Standardised, staged: _Staged,
                  staging: np.ndarray) -> None:
    """Fill the row-major matrix `x` in file order, one block of rows at a time.

    A block of rows stays in cache while every column writes into it. Writing each
    column over the whole matrix would sweep all of its memory once per column, and a
    column-major matrix would need a transposing copy afterwards.
    """
    rows, width = x.shape
    block_rows = max(256, BLOCK_BYTES // (4 * max(width, 1)))
    centred = np.empty(min(block_rows, rows), dtype=np.float64)
    for start in range(0, rows, block_rows):
        stop = min(start + block_rows, rows)
        block = x[start:stop]
        block_centred = centred[:stop - start]
        for position, values, mean, std in standardised:
            np.subtract(values[start:stop], mean, out=block_centred)
            _divide(block[:, position], block_centred, std)

        staged_start = 0
        for position, column_width, *_ in staged:
            block[:, position:position + column_width] = (
                staging[start:stop, staged_start:staged_start + column_width])
            staged_start += column_width


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
    _divide(out, scratch, std)


def _finite_moments(values: np.ndarray, scratch: np.ndarray) -> tuple[float, float] | None:
    """Return the mean and standard deviation of a column of finite values, else None.

    A NaN or an infinity makes the mean NaN or infinite, so a finite mean shows that
    no value is missing and `_write_number` would take its path without missing
    values. The steps are that path's steps, so the results are the same float64s.
    `scratch` receives the centred values.
    """
    if len(values) == 0:
        return None
    mean = values.mean()
    if not np.isfinite(mean):
        return None

    np.subtract(values, mean, out=scratch)
    std = np.sqrt(np.dot(scratch, scratch) / len(scratch))
    return mean, std


def _divide(out: np.ndarray, centred: np.ndarray, std: float) -> None:
    """Write `centred / std` into `out`, or `centred` itself when `std` is 0 or NaN."""
    if std > 0:
        np.divide(centred, std, out=out, casting="same_kind")
    else:
        out[:] = centred


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
