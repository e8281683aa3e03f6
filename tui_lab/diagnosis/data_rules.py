"""Rules that read the loaded data: labels, missing values, scaling, split and leakage.

The dataset is the data layer's `Dataset`: `x` (rows x features, float32), `y`,
`feature_names`, `frame` (the selected raw rows, in the order used) and `summary`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tui_lab.data import split_index
from tui_lab.diagnosis.catalogue import make_finding
from tui_lab.diagnosis.finding import Finding
from tui_lab.diagnosis.thresholds import THRESHOLDS, Thresholds
from tui_lab.experiment import Experiment


def check_data(experiment: Experiment, dataset: Any, thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Run every data rule on `dataset`, loaded from `experiment.data`."""
    x = np.asarray(dataset.x, dtype=np.float64)
    y = np.asarray(dataset.y, dtype=np.float64).reshape(-1)
    names = [str(name) for name in dataset.feature_names]
    sources = feature_sources(experiment, dataset)

    findings: list[Finding] = []
    findings += _missing_values(x, names)
    findings += _constant_feature(x, names, sources)
    findings += _unscaled_features(x, names, thresholds)
    findings += _identifier_feature(experiment, dataset, thresholds)

    labels = _labels_not_binary(dataset, y)
    if labels:
        return findings + labels

    if not experiment.fit.class_weight:
        findings += _class_imbalance(y, thresholds)
    findings += _unshuffled_validation_split(experiment, y, thresholds)
    findings += _target_leakage(experiment, dataset, x, y, sources, thresholds)
    return findings


def feature_sources(experiment: Experiment, dataset: Any) -> list[str]:
    """Return, for each column of `x`, the raw feature it was encoded from.

    A one-hot column `sex_male` comes from `sex`; the missing-indicator columns
    that close the matrix come from their column, with " (missing)" added.
    """
    names = [str(name) for name in dataset.feature_names]
    columns = [_frame_column(dataset.frame, feature) for feature in experiment.data.features]
    indicators = [_frame_column(dataset.frame, column) for column in experiment.data.missing_indicators]

    sources = []
    encoded = len(names) - len(indicators)
    for position, name in enumerate(names):
        if position >= encoded:
            sources.append(f"{indicators[position - encoded]} (missing)")
            continue
        matches = [column for column in columns if name == column or name.startswith(column + "_")]
        sources.append(max(matches, key=len) if matches else name)
    return sources


def _frame_column(frame: pd.DataFrame, name: str) -> str:
    """Return the frame's column called `name`, matched exactly first and then ignoring case."""
    if name in frame.columns:
        return name
    for column in frame.columns:
        if str(column).casefold() == name.casefold():
            return str(column)
    return name


def _labels_not_binary(dataset: Any, y: np.ndarray) -> list[Finding]:
    values = np.unique(y[~np.isnan(y)])
    summary = getattr(dataset, "summary", None)
    is_binary = summary.is_binary if summary is not None else len(values) == 2
    if is_binary and set(values.tolist()) <= {0.0, 1.0}:
        return []
    target = summary.target if summary is not None else "the target"
    shown = ", ".join(f"{value:g}" for value in values[:5]) + (", ..." if len(values) > 5 else "")
    return [make_finding(
        "labels-not-binary",
        f"target {target!r} has {len(values):,} distinct value{'s' if len(values) != 1 else ''} "
        f"({shown}); a binary classifier needs exactly two, 0 and 1",
        value=float(len(values)), threshold=2.0, subject=f"column {target}")]


def _missing_values(x: np.ndarray, names: list[str]) -> list[Finding]:
    bad = ~np.isfinite(x)
    counts = bad.sum(axis=0)
    columns = [(names[i], int(counts[i])) for i in np.flatnonzero(counts)]
    if not columns:
        return []
    rows = len(x)
    shown = ", ".join(f"{name}: {count:,} of {rows:,} rows" for name, count in columns)
    return [make_finding(
        "missing-values", f"NaN or infinity in {len(columns)} column{'s' if len(columns) != 1 else ''} "
        f"({shown}); one such value in a batch turns the first layer's weights NaN",
        value=float(bad.sum()), threshold=0.0, subject=f"column {columns[0][0]}",
        params={"columns": tuple(name for name, _ in columns)})]


def _constant_feature(x: np.ndarray, names: list[str], sources: list[str]) -> list[Finding]:
    if len(x) < 2:
        return []
    constant = []
    for position in range(x.shape[1]):
        column = x[:, position]
        column = column[np.isfinite(column)]
        if len(column) and np.ptp(column) == 0:
            constant.append(position)
    if not constant:
        return []
    # A raw feature can be dropped only when every column encoded from it is constant.
    droppable = sorted({
        sources[p] for p in constant
        if all(q in constant for q in range(len(sources)) if sources[q] == sources[p])
        and not sources[p].endswith(" (missing)")
    })
    shown = ", ".join(f"{names[p]} = {x[np.isfinite(x[:, p]), p][0]:g}" for p in constant)
    return [make_finding(
        "constant-feature", f"{len(constant)} column{'s' if len(constant) != 1 else ''} "
        f"with one value in every row: {shown}",
        value=float(len(constant)), subject=f"column {names[constant[0]]}",
        params={"features": tuple(droppable)})]


def _unscaled_features(x: np.ndarray, names: list[str], limits: Thresholds) -> list[Finding]:
    large = []
    for position in range(x.shape[1]):
        column = x[:, position]
        column = column[np.isfinite(column)]
        if len(column) == 0 or np.all((column == 0.0) | (column == 1.0)):
            continue
        mean, std = float(column.mean()), float(column.std())
        if std > limits.unscaled_limit or abs(mean) > limits.unscaled_limit:
            large.append((names[position], mean, std))
    if not large:
        return []
    shown = ", ".join(f"{name} (mean {mean:.3g}, std {std:.3g})" for name, mean, std in large)
    worst = max(max(abs(mean), std) for _, mean, std in large)
    return [make_finding(
        "unscaled-features", f"{shown}: above {limits.unscaled_limit:g}",
        value=worst, threshold=limits.unscaled_limit, subject=f"column {large[0][0]}")]


def _identifier_feature(experiment: Experiment, dataset: Any, limits: Thresholds) -> list[Finding]:
    frame = dataset.frame
    findings = []
    for feature in experiment.data.features:
        column = _frame_column(frame, feature)
        if column not in frame.columns:
            continue
        values = frame[column].dropna()
        if len(values) < limits.identifier_min_rows:
            continue
        if pd.api.types.is_bool_dtype(values):
            continue
        numeric = pd.api.types.is_numeric_dtype(values)
        # Whole numbers are checked before counting distinct values, which takes far
        # longer on a large column.
        if numeric and not np.all(np.mod(values.to_numpy(dtype=np.float64), 1) == 0):
            continue
        distinct = int(values.nunique())
        share = distinct / len(values)
        if numeric:
            if share < limits.identifier_number_distinct_share:
                continue
            limit = limits.identifier_number_distinct_share
        else:
            if share < limits.identifier_text_distinct_share:
                continue
            limit = limits.identifier_text_distinct_share
        findings.append(make_finding(
            "identifier-feature",
            f"{column}: {distinct:,} distinct values in {len(values):,} rows ({share:.0%}, limit "
            f"{limit:.0%}); the model can memorise rows by it but learns nothing that carries over",
            value=share, threshold=limit, subject=f"column {column}",
            params={"features": (feature,)}))
    return findings


def _class_imbalance(y: np.ndarray, limits: Thresholds) -> list[Finding]:
    positives = int((y == 1).sum())
    negatives = int((y == 0).sum())
    rows = positives + negatives
    if rows == 0:
        return []
    minority = min(positives, negatives)
    share = minority / rows
    if share >= limits.minority_share:
        return []
    label = 1 if positives < negatives else 0
    return [make_finding(
        "class-imbalance",
        f"class {label} is {minority:,} of {rows:,} rows ({share:.1%}), below "
        f"{limits.minority_share:.0%}; predicting {1 - label} for every row scores {1 - share:.1%} accuracy",
        value=share, threshold=limits.minority_share,
        params={"counts": {0: negatives, 1: positives}})]


def _unshuffled_validation_split(experiment: Experiment, y: np.ndarray, limits: Thresholds) -> list[Finding]:
    if experiment.data.shuffle:
        return []
    first = split_index(len(y), experiment.fit.validation_split)
    train, validation = y[:first], y[first:]
    if len(train) == 0 or len(validation) == 0:
        return []
    z, p_value = two_proportion_test(float(train.mean()), len(train), float(validation.mean()), len(validation))
    if p_value >= limits.split_p_value:
        return []
    return [make_finding(
        "unshuffled-validation-split",
        f"data.shuffle is false, so the validation rows are the last {len(validation):,} rows; "
        f"{validation.mean():.1%} of them are positive against {train.mean():.1%} of the "
        f"{len(train):,} training rows (z = {z:.2f}, p = {p_value:.2g}, limit {limits.split_p_value:g})",
        value=p_value, threshold=limits.split_p_value)]


def two_proportion_test(p1: float, n1: int, p2: float, n2: int) -> tuple[float, float]:
    """Return |z| and the two-sided p-value of a two-proportion z-test with a pooled variance."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0, 1.0
    z = abs(p1 - p2) / math.sqrt(variance)
    return z, math.erfc(z / math.sqrt(2))


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Return the ROC AUC of `scores` for 0/1 `labels` by the rank-sum formula (ties get mean ranks).

    Returns NaN when one class is absent.
    """
    positives = int((labels == 1).sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    uniques, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_ranks = ends - (counts - 1) / 2.0
    ranks = mean_ranks[inverse]
    rank_sum = float(ranks[labels == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def _target_leakage(experiment: Experiment, dataset: Any, x: np.ndarray, y: np.ndarray,
                    sources: list[str], limits: Thresholds) -> list[Finding]:
    first = split_index(len(y), experiment.fit.validation_split)
    rows = leakage_rows(first)
    y_train = y[rows]
    candidates: list[tuple[str, str, float]] = []

    for position, name in enumerate(dataset.feature_names):
        column = x[rows, position]
        keep = np.isfinite(column)
        candidates.append((sources[position], str(name), _auc_if_enough(column[keep], y_train[keep], limits)))

    frame = dataset.frame
    for feature in experiment.data.features:
        column = _frame_column(frame, feature)
        if column not in frame.columns:
            continue
        missing = frame[column].isna().to_numpy()[:first][rows].astype(np.float64)
        if 0 < missing.sum() < len(missing):
            candidates.append((column, f"{column} is missing", _auc_if_enough(missing, y_train, limits)))

    leaking: dict[str, tuple[str, float]] = {}
    for source, name, auc in candidates:
        if math.isnan(auc) or limits.leakage_auc > auc > 1 - limits.leakage_auc:
            continue
        strength = max(auc, 1 - auc)
        if source not in leaking or strength > max(leaking[source][1], 1 - leaking[source][1]):
            leaking[source] = (name, auc)
    if not leaking:
        return []

    shown = "; ".join(f"{source}: {name} has ROC AUC {auc:.3f}" for source, (name, auc) in leaking.items())
    worst = max(max(auc, 1 - auc) for _, auc in leaking.values())
    features = tuple(source.removesuffix(" (missing)") for source in leaking)
    return [make_finding(
        "target-leakage",
        f"{shown} on {_rows_text(rows, first)} (limit {limits.leakage_auc:g} or "
        f"{1 - limits.leakage_auc:.2f}); one column that separates the classes this well was "
        "most likely recorded after the outcome",
        value=worst, threshold=limits.leakage_auc, subject=f"column {features[0]}",
        params={"features": features})]


LEAKAGE_ROWS = 200_000
"""Training rows the leakage rule ranks at most; above, it takes evenly spaced rows.

Ranking sorts every column, about a second for 20 columns of a million rows, and
200,000 rows give each ROC AUC to within about 0.002."""


def leakage_rows(first: int) -> slice:
    """Return the training rows, `[:first]`, that the leakage rule ranks: all, or every k-th."""
    step = max(1, math.ceil(first / LEAKAGE_ROWS))
    return slice(0, first, step)


def _rows_text(rows: slice, first: int) -> str:
    if rows.step == 1:
        return f"the {first:,} training rows"
    return f"one in every {rows.step} of the {first:,} training rows"


def _auc_if_enough(scores: np.ndarray, labels: np.ndarray, limits: Thresholds) -> float:
    positives = int((labels == 1).sum())
    negatives = len(labels) - positives
    if min(positives, negatives) < limits.leakage_min_class_rows:
        return float("nan")
    return roc_auc(scores, labels)
