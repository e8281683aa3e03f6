"""Turn a target column into the label vector `y`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

POSITIVE_WORDS = frozenset({"1", "yes", "y", "true", "t", "survived", "alive", "positive", "pos"})
"""Text labels (compared case-insensitively) that become 1 when the other label is not one."""


@dataclass(frozen=True)
class Labels:
    """A label vector and what it was made from.

    For a binary target `values` lists the label that became 0, then the one that
    became 1. Otherwise it lists the first distinct values in sorted order.
    """

    y: np.ndarray
    is_binary: bool
    distinct: int
    values: list[Any]


def encode_labels(target: pd.Series, max_values: int = 10) -> Labels:
    """Encode a target column that has no missing values as float32 labels.

    A target with exactly two distinct values maps to 0 and 1. For numbers and
    booleans the smaller value is 0. For text, a value in `POSITIVE_WORDS` is 1 when
    the other value is not in it. Otherwise the sorted first text value is 0.
    Any other target keeps its numbers, or for text becomes the code of each value in
    sorted order (0, 1, 2, ...), and `is_binary` is False.
    """
    numeric = pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target)
    if numeric:
        codes, uniques = pd.factorize(target, sort=True)
    else:
        codes, uniques = pd.factorize(target.astype(str), sort=True)
    distinct = len(uniques)

    if distinct == 2:
        order = [0, 1]
        if not numeric:
            words = [str(value).strip().casefold() in POSITIVE_WORDS for value in uniques]
            if words == [True, False]:
                order = [1, 0]
        positive_code = order[1]
        y = (codes == positive_code).astype(np.float32)
        values = [_plain(uniques[order[0]]), _plain(uniques[order[1]])]
        return Labels(y, True, distinct, values)

    values = [_plain(value) for value in uniques[:max_values]]
    if numeric:
        y = target.to_numpy(dtype=np.float32)
    else:
        y = codes.astype(np.float32)
    return Labels(y, False, distinct, values)


def _plain(value: Any) -> Any:
    """Return a numpy scalar as the Python int, float, bool or str it holds."""
    if isinstance(value, np.generic):
        return value.item()
    return value
