"""Feature encoding and column descriptions: the fast paths give the general path's values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tui_lab.data import features, loading
from tui_lab.data.features import build_features
from tui_lab.data.summary import COUNTED_ROWS, describe_columns


def reference_features(frame: pd.DataFrame, columns: list[str], indicators: list[str],
                       impute: str, scale: str, order: np.ndarray | None) -> np.ndarray:
    """Encode with `_write_number` and `_one_hot` column by column, the general path."""
    blocks = []
    scratch = np.empty(len(frame), dtype=np.float64)
    for column in columns:
        series = frame[column]
        if features.is_number_column(series):
            out = np.empty((len(frame), 1), dtype=np.float32)
            features._write_number(out[:, 0], features._float_values(series), impute, scale,
                                   scratch)
        else:
            codes, uniques = pd.factorize(series, sort=True)
            out = np.empty((len(frame), len(uniques)), dtype=np.float32)
            features._one_hot(out, codes, scale)
        blocks.append(out)
    for column in indicators:
        out = np.empty((len(frame), 1), dtype=np.float32)
        missing = frame[column].isna().to_numpy().astype(np.float64)
        features._write_number(out[:, 0], missing, "none", scale, scratch)
        blocks.append(out)
    x = np.hstack(blocks)
    return x if order is None else x[order]


def mixed_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "finite": rng.normal(size=rows) * 3 + 1,
        "with_nan": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(size=rows)),
        "with_inf": np.where(rng.random(rows) < 0.01, np.inf, rng.normal(size=rows)),
        "constant": np.full(rows, 2.5),
        "integer": rng.integers(0, 9, rows),
        "flag": rng.random(rows) < 0.4,
        "text": rng.choice(["a", "b", None], rows),
        "huge": rng.normal(size=rows) * 1e300,
    })


COLUMNS = ["finite", "with_nan", "with_inf", "constant", "integer", "flag", "text", "huge"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("impute", ["median", "none"])
@pytest.mark.parametrize("scale", ["standard", "none"])
@pytest.mark.parametrize("shuffled", [False, True])
def test_build_features_matches_general_path(impute, scale, shuffled):
    # More rows than one block of `_write_blocks`, and not a multiple of it.
    rows = 3 * features.BLOCK_BYTES // (4 * 10) + 17
    frame = mixed_frame(rows)
    order = np.random.default_rng(1).permutation(rows) if shuffled else None
    x, names = build_features(frame, COLUMNS, ["with_nan"], impute, scale, order)
    expected = reference_features(frame, COLUMNS, ["with_nan"], impute, scale, order)

    assert len(names) == x.shape[1] == 10
    assert x.dtype == np.float32
    assert x.flags.c_contiguous
    assert x.tobytes() == expected.tobytes()


def test_build_features_no_rows():
    frame = mixed_frame(10).iloc[:0]
    x, names = build_features(frame, ["finite", "integer"])

    assert x.shape == (0, 2)
    assert names == ["finite", "integer"]


def test_build_features_standardised_values():
    frame = pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0]})
    x, _ = build_features(frame, ["value"], order=np.array([3, 2, 1, 0]))
    expected = (np.array([4.0, 3.0, 2.0, 1.0]) - 2.5) / math.sqrt(1.25)

    assert np.allclose(x[:, 0], expected)
    assert float(x[:, 0].mean()) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("values", [
    [1.0, 2.0, 3.0],
    [np.nan, 2.0, 3.0],
    [1.0, np.nan, -4.0],
    [np.nan, np.nan, np.nan],
    [np.inf, 1.0, -2.0],
])
def test_describe_columns_float_range(values):
    info = describe_columns(pd.DataFrame({"value": values}))[0]
    present = [value for value in values if not math.isnan(value)]

    assert info.kind == "number"
    assert info.missing_share == (len(values) - len(present)) / len(values)
    assert info.min == (min(present) if present else None)
    assert info.max == (max(present) if present else None)
    assert info.distinct == len(set(present))


def test_describe_columns_counts_sample():
    rows = COUNTED_ROWS * 2 + 10
    frame = pd.DataFrame({"number": np.arange(rows, dtype=np.float64),
                          "text": np.where(np.arange(rows) % 3 == 0, "x", "y")})
    infos = {info.name: info for info in describe_columns(frame)}
    sample = frame.iloc[::3]

    assert infos["number"].counted_rows == len(sample)
    assert infos["number"].distinct == len(sample)
    assert infos["number"].max == rows - 1
    assert infos["text"].top_values == {"x": len(sample)}


def test_count_nan_blocks():
    x = np.zeros((1000, 3), dtype=np.float32)
    x[[0, 499, 500, 999], [0, 1, 2, 0]] = np.nan

    assert loading._count_nan(x, block_rows=128) == 4
    assert loading._count_nan(x[:0]) == 0
