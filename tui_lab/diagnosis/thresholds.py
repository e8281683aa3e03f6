"""Every limit the diagnosis rules compare against, in one table.

Rules read `THRESHOLDS`. A test or a caller that wants other limits builds its own
`Thresholds(...)` and passes it to the check functions. The docs list this table
with each field's meaning, taken from the field metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _limit(value: Any, meaning: str) -> Any:
    return field(default=value, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Thresholds:
    """The limits of the diagnosis rules, one field per limit."""

    # Static rules.
    adam_learning_rate_high: float = _limit(
        1e-2, "learning-rate-high above this for Adam, AdamW, Adamax, Nadam and RMSprop")
    adam_learning_rate_low: float = _limit(
        1e-5, "learning-rate-low below this for Adam, AdamW, Adamax, Nadam and RMSprop")
    sgd_learning_rate_high: float = _limit(0.5, "learning-rate-high above this for SGD")
    sgd_learning_rate_low: float = _limit(1e-4, "learning-rate-low below this for SGD")
    dropout_rate_high: float = _limit(0.5, "dropout-placement when a Dropout rate is above this")
    dropout_min_units_kept: float = _limit(
        6.0, "dropout-placement when the preceding Dense keeps fewer units than this on average")
    batchnorm_min_batch_size: int = _limit(
        8, "batchnorm-small-batch when batch_size is below this")
    early_stopping_max_eager_patience: int = _limit(
        2, "early-stopping-eager when patience is at most this without restore_best_weights")

    # Data rules.
    unscaled_limit: float = _limit(3.0, "unscaled-features when a column's std or |mean| is above this")
    minority_share: float = _limit(0.2, "class-imbalance when the minority class share is below this")
    split_p_value: float = _limit(
        0.01, "unshuffled-validation-split when the two-proportion z-test p-value is below this")
    identifier_text_distinct_share: float = _limit(
        0.5, "identifier-feature when a text column has at least this share of distinct values")
    identifier_number_distinct_share: float = _limit(
        0.95, "identifier-feature when a whole-number column has at least this share of distinct values")
    identifier_min_rows: int = _limit(20, "identifier-feature needs at least this many non-missing values")
    leakage_auc: float = _limit(
        0.95, "target-leakage when one column's ROC AUC is at least this (or at most 1 minus this)")
    leakage_min_class_rows: int = _limit(
        10, "target-leakage needs at least this many training rows of each class")

    # Runtime rules.
    single_class_epochs: int = _limit(3, "single-class-predictions must hold this many epochs in a row")
    saturated_share: float = _limit(0.9, "saturated-outputs when more predictions than this are outside [0.01, 0.99]")
    saturated_max_accuracy: float = _limit(0.9, "saturated-outputs only while validation accuracy is below this")
    saturated_epochs: int = _limit(3, "saturated-outputs must hold this many epochs in a row")
    plateau_min_gain: float = _limit(
        0.01, "loss-not-decreasing when the loss is less than this share better than the best recent loss")
    plateau_window: int = _limit(5, "loss-not-decreasing compares with the best loss of this many previous epochs")
    plateau_first_loss_ratio: float = _limit(
        0.95, "loss-not-decreasing only while the loss is above this share of the first epoch's loss")
    diverging_factor: float = _limit(2.0, "loss-diverging when the loss is above this many times its minimum")
    diverging_epochs: int = _limit(2, "loss-diverging must hold this many epochs in a row")
    dead_share: float = _limit(0.5, "dead-relu when at least this share of a ReLU layer's units is dead")
    dead_epochs: int = _limit(2, "dead-relu must hold this many epochs in a row")
    gradient_ratio_low: float = _limit(
        1e-3, "vanishing-gradients when the first/last layer gradient norm ratio is below this")
    gradient_ratio_high: float = _limit(
        70.0, "exploding-gradients when the first/last layer gradient norm ratio is above this")
    gradient_min_mean_abs: float = _limit(
        1e-7, "vanishing-gradients when a layer's mean |gradient| is below this")
    gradient_epochs: int = _limit(2, "gradient rules must hold this many epochs in a row")
    overfitting_factor: float = _limit(1.05, "overfitting when val_loss is above this many times its minimum")
    overfitting_epochs: int = _limit(3, "overfitting must hold this many epochs in a row")
    suspicious_accuracy: float = _limit(
        0.95, "suspicious-validation when validation accuracy on the Titanic target is at least this")
    suspicious_max_majority_share: float = _limit(
        0.85, "suspicious-validation only when the validation rows' majority class is at most this share")
    suspicious_epochs: int = _limit(2, "suspicious-validation must hold this many epochs in a row")
    improving_gain: float = _limit(
        0.01, "still-improving when the loss fell by more than this share in each of the last epochs")
    improving_epochs: int = _limit(3, "still-improving looks at this many last epochs")
    train_inference_gap: float = _limit(
        0.1, "train-inference-gap when train-mode and inference-mode accuracy differ by more than this")
    train_inference_epochs: int = _limit(2, "train-inference-gap must hold this many epochs in a row")


THRESHOLDS = Thresholds()
"""The limits the rules use unless a caller passes others."""


def threshold_table(thresholds: Thresholds = THRESHOLDS) -> list[tuple[str, Any, str]]:
    """Return (name, value, meaning) for every limit, in declaration order."""
    return [(f.name, getattr(thresholds, f.name), f.metadata["meaning"]) for f in fields(thresholds)]
