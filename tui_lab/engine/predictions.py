"""Statistics of predicted probabilities on the validation rows (no TensorFlow needed)."""

from __future__ import annotations

import numpy as np

from tui_lab.reports import HISTOGRAM_BINS, PredictionStats

SATURATION_LOW = 0.01
SATURATION_HIGH = 0.99
"""Predictions outside [SATURATION_LOW, SATURATION_HIGH] count as saturated."""


def sigmoid(values: np.ndarray) -> np.ndarray:
    """Return the logistic sigmoid of `values`, without overflow warnings for large logits."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-values))


def prediction_stats(probabilities: np.ndarray, labels: np.ndarray) -> PredictionStats:
    """Summarise predicted probabilities against 0/1 labels.

    NaN (and infinite) predictions are counted in `nan_count` and left out of every
    other figure. With no finite prediction, the figures are NaN and the histogram zeros.
    """
    values = np.asarray(probabilities, dtype="float64").reshape(-1)
    labels = np.asarray(labels, dtype="float64").reshape(-1)
    finite = np.isfinite(values)
    nan_count = int((~finite).sum())
    values = values[finite]
    labels = labels[finite]

    if values.size == 0:
        nan = float("nan")
        return PredictionStats(
            count=0, min=nan, max=nan, mean=nan, std=nan, positive_rate=nan,
            true_positive_share=nan, accuracy=nan, saturated_share=nan,
            histogram=[0] * HISTOGRAM_BINS, nan_count=nan_count,
        )

    predicted = values >= 0.5
    histogram, _ = np.histogram(np.clip(values, 0.0, 1.0), bins=HISTOGRAM_BINS, range=(0.0, 1.0))
    saturated = (values < SATURATION_LOW) | (values > SATURATION_HIGH)
    return PredictionStats(
        count=int(values.size),
        min=float(values.min()),
        max=float(values.max()),
        mean=float(values.mean()),
        std=float(values.std()),
        positive_rate=float(predicted.mean()),
        true_positive_share=float(labels.mean()),
        accuracy=float((predicted == (labels >= 0.5)).mean()),
        saturated_share=float(saturated.mean()),
        histogram=[int(count) for count in histogram],
        nan_count=nan_count,
    )
