"""The Keras names an experiment may use, and the arguments each one takes.

This module is plain data: it lists the layer, optimizer, loss, metric and callback
classes that the lab can build, with a checker for every constructor argument it
accepts. It never imports Keras, so the editor and the validator stay fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "silu",
    "swish", "softplus", "softsign", "exponential", "hard_sigmoid", "hard_silu",
    "hard_swish", "leaky_relu", "relu6", "mish", "log_softmax", "log_sigmoid", "celu",
    "hard_tanh", "squareplus", "sparse_plus", "tanh_shrink",
)
"""Activation names that `keras.activations.get` accepts as strings."""

INITIALIZERS = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
    "lecun_normal", "orthogonal", "random_normal", "random_uniform", "truncated_normal",
    "variance_scaling", "zeros", "ones", "identity",
    "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform",
    "LecunNormal", "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal",
    "VarianceScaling", "Zeros", "Ones", "Identity",
)
"""Initializer names that `keras.initializers.get` accepts as strings."""

CONSTANT_INITIALIZERS = ("zeros", "ones", "Zeros", "Ones", "constant", "Constant")
"""Initializers that give every unit the same starting weight."""

REGULARIZERS = ("l1", "l2", "l1_l2", "L1", "L2", "L1L2", "orthogonal_regularizer")


class ArgumentError(ValueError):
    """A constructor argument with a value of the wrong type or outside its range."""


@dataclass(frozen=True)
class Argument:
    """One constructor argument: a description of what it allows and a checker.

    The checker returns the value normalised (an int given as a float stays an int,
    for example) or raises `ArgumentError` with a sentence naming what is allowed.
    """

    allowed: str
    check: Callable[[object], object]
    default: object = None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(minimum: int) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ArgumentError(f"expected a whole number >= {minimum}")
        if value < minimum:
            raise ArgumentError(f"expected a whole number >= {minimum}")
        return value

    return check


def _real(
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> Callable[[object], object]:
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    interval = f" in {left}{_show_bound(low)}, {_show_bound(high)}{right}"
    if math.isinf(low) and math.isinf(high):
        interval = ""

    def check(value: object) -> object:
        if not _is_number(value):
            raise ArgumentError(f"expected a number{interval}")
        try:
            number = float(value)
        except OverflowError:
            raise ArgumentError(f"expected a finite number{interval}") from None
        if math.isnan(number) or math.isinf(number):
            raise ArgumentError(f"expected a finite number{interval}")
        too_low = number <= low if low_open else number < low
        too_high = number >= high if high_open else number > high
        if too_low or too_high:
            raise ArgumentError(f"expected a number{interval}")
        return value

    return check


def _show_bound(bound: float) -> str:
    if math.isinf(bound):
        return "inf" if bound > 0 else "-inf"
    return f"{bound:g}"


def _boolean(value: object) -> object:
    if not isinstance(value, bool):
        raise ArgumentError("expected true or false")
    return value


def _choice(names: tuple[str, ...], allow_none: bool = False) -> Callable[[object], object]:
    def check(value: object) -> object:
        if value is None and allow_none:
            return value
        if not isinstance(value, str) or value not in names:
            raise ArgumentError("expected one of: " + ", ".join(names))
        return value

    return check


def _initializer(value: object) -> object:
    """Accept an initializer name, or a table such as {type = "Constant", value = 0.1}."""
    if isinstance(value, str) and value in INITIALIZERS + CONSTANT_INITIALIZERS:
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    raise ArgumentError(
        "expected an initializer name (" + ", ".join(INITIALIZERS[:8]) + ", ...)"
        " or a table with a type, such as {type = \"Constant\", value = 0.1}"
    )


def _regularizer(value: object) -> object:
    if value is None or (isinstance(value, str) and value in REGULARIZERS):
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    raise ArgumentError("expected l1, l2, l1_l2 or a table such as {type = \"L2\", l2 = 0.01}")


def _string(value: object) -> object:
    if not isinstance(value, str) or not value:
        raise ArgumentError("expected a non-empty string")
    return value


def _class_weight(value: object) -> object:
    """Accept a table mapping each class (0 and 1) to a positive weight."""
    if not isinstance(value, dict) or not value:
        raise ArgumentError('expected a table such as {"0" = 1.0, "1" = 2.5}')
    normalised: dict[int, float] = {}
    for key, weight in value.items():
        try:
            label = int(key)
        except (TypeError, ValueError, OverflowError):
            label = None
        if label not in (0, 1):
            raise ArgumentError(f"expected class labels 0 and 1 as keys (not {key!r})")
        if not _is_number(weight) or not _is_finite(weight) or float(weight) <= 0:
            raise ArgumentError(f"expected a finite positive weight for class {label}")
        normalised[label] = float(weight)
    return normalised


def _is_finite(number: int | float) -> bool:
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


ACTIVATION = Argument("an activation name: " + ", ".join(ACTIVATIONS[:6]) + ", ...",
                      _choice(ACTIVATIONS, allow_none=True), None)
INITIALIZER = Argument("an initializer name or table", _initializer)
REGULARIZER = Argument("a regularizer name or table", _regularizer)
BOOLEAN = Argument("true or false", _boolean)

DENSE_ARGUMENTS = {
    "units": Argument("a whole number >= 1", _integer(1)),
    "activation": ACTIVATION,
    "use_bias": BOOLEAN,
    "kernel_initializer": INITIALIZER,
    "bias_initializer": INITIALIZER,
    "kernel_regularizer": REGULARIZER,
    "bias_regularizer": REGULARIZER,
    "activity_regularizer": REGULARIZER,
}

LAYERS: dict[str, dict[str, Argument]] = {
    "Dense": DENSE_ARGUMENTS,
    "Dropout": {
        "rate": Argument("a number in [0, 1)", _real(0.0, 1.0, high_open=True)),
        "seed": Argument("a whole number >= 0", _integer(0)),
    },
    "Activation": {"activation": Argument("an activation name", _choice(ACTIVATIONS))},
    "BatchNormalization": {
        "momentum": Argument("a number in [0, 1]", _real(0.0, 1.0)),
        "epsilon": Argument("a number > 0", _real(0.0, low_open=True)),
        "center": BOOLEAN,
        "scale": BOOLEAN,
    },
    "LayerNormalization": {
        "epsilon": Argument("a number > 0", _real(0.0, low_open=True)),
        "center": BOOLEAN,
        "scale": BOOLEAN,
    },
    "ReLU": {
        "max_value": Argument("a number >= 0", _real(0.0)),
        "negative_slope": Argument("a number >= 0", _real(0.0)),
        "threshold": Argument("a number", _real()),
    },
    "LeakyReLU": {"negative_slope": Argument("a number >= 0", _real(0.0))},
    "ELU": {"alpha": Argument("a number", _real())},
    "PReLU": {},
    "Softmax": {},
    "GaussianNoise": {"stddev": Argument("a number >= 0", _real(0.0))},
    "GaussianDropout": {"rate": Argument("a number in [0, 1)", _real(0.0, 1.0, high_open=True))},
    "AlphaDropout": {"rate": Argument("a number in [0, 1)", _real(0.0, 1.0, high_open=True))},
}
"""Layer class names with the constructor arguments the lab accepts for each.

Every layer may also take `name`. The lab builds flat tabular models, so the list is
the layers that take and give a vector of features.
"""

LAYER_REQUIRED = {"Dense": ("units",), "Activation": ("activation",), "Dropout": ("rate",)}

LEARNING_RATE = Argument("a number", _real())

OPTIMIZERS: dict[str, dict[str, Argument]] = {
    name: {"learning_rate": LEARNING_RATE}
    for name in ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "SGD", "Adagrad",
                 "Adadelta", "Ftrl", "Lion", "Lamb")
}
OPTIMIZERS["SGD"] |= {
    "momentum": Argument("a number in [0, 1]", _real(0.0, 1.0)),
    "nesterov": BOOLEAN,
}
OPTIMIZERS["RMSprop"] |= {
    "rho": Argument("a number in [0, 1]", _real(0.0, 1.0)),
    "momentum": Argument("a number in [0, 1]", _real(0.0, 1.0)),
}
for _adam in ("Adam", "AdamW", "Adamax", "Nadam"):
    OPTIMIZERS[_adam] |= {
        "beta_1": Argument("a number in [0, 1)", _real(0.0, 1.0, high_open=True)),
        "beta_2": Argument("a number in [0, 1)", _real(0.0, 1.0, high_open=True)),
        "epsilon": Argument("a number > 0", _real(0.0, low_open=True)),
        "amsgrad": BOOLEAN,
    }
OPTIMIZERS["AdamW"] |= {"weight_decay": Argument("a number >= 0", _real(0.0))}
for _optimizer in OPTIMIZERS.values():
    _optimizer["clipnorm"] = Argument("a number > 0", _real(0.0, low_open=True))
    _optimizer["clipvalue"] = Argument("a number > 0", _real(0.0, low_open=True))

OPTIMIZER_STRINGS = {name.lower(): name for name in OPTIMIZERS}
"""Lower-case optimizer strings (`"adam"`, `"sgd"`) and the class each one names."""

DEFAULT_LEARNING_RATES = {
    "Adam": 0.001, "AdamW": 0.001, "Adamax": 0.001, "Nadam": 0.001, "RMSprop": 0.001,
    "SGD": 0.01, "Adagrad": 0.001, "Adadelta": 0.001, "Ftrl": 0.001, "Lion": 0.001,
    "Lamb": 0.001,
}
"""Keras 3 default `learning_rate` of each optimizer class."""

_CROSSENTROPY = {
    "from_logits": BOOLEAN,
    "label_smoothing": Argument("a number in [0, 1]", _real(0.0, 1.0)),
}

LOSSES: dict[str, dict[str, Argument]] = {
    "BinaryCrossentropy": dict(_CROSSENTROPY),
    "BinaryFocalCrossentropy": _CROSSENTROPY | {"gamma": Argument("a number >= 0", _real(0.0))},
    "CategoricalCrossentropy": dict(_CROSSENTROPY),
    "SparseCategoricalCrossentropy": {"from_logits": BOOLEAN},
    "MeanSquaredError": {},
    "MeanAbsoluteError": {},
    "MeanSquaredLogarithmicError": {},
    "Hinge": {},
    "SquaredHinge": {},
    "Huber": {"delta": Argument("a number > 0", _real(0.0, low_open=True))},
    "LogCosh": {},
    "Poisson": {},
    "KLDivergence": {},
}

LOSS_STRINGS = {
    "binary_crossentropy": "BinaryCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "mean_squared_error": "MeanSquaredError",
    "mse": "MeanSquaredError",
    "mean_absolute_error": "MeanAbsoluteError",
    "mae": "MeanAbsoluteError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
    "msle": "MeanSquaredLogarithmicError",
    "hinge": "Hinge",
    "squared_hinge": "SquaredHinge",
    "huber": "Huber",
    "log_cosh": "LogCosh",
    "poisson": "Poisson",
    "kl_divergence": "KLDivergence",
}
"""Loss strings that `keras.losses.get` accepts, and the class each one names."""

METRICS: dict[str, dict[str, Argument]] = {
    "Accuracy": {},
    "BinaryAccuracy": {"threshold": Argument("a number", _real())},
    "AUC": {"num_thresholds": Argument("a whole number >= 2", _integer(2)),
            "from_logits": BOOLEAN},
    "Precision": {"thresholds": Argument("a number in [0, 1]", _real(0.0, 1.0))},
    "Recall": {"thresholds": Argument("a number in [0, 1]", _real(0.0, 1.0))},
    "BinaryCrossentropy": {"from_logits": BOOLEAN},
    "MeanSquaredError": {},
    "MeanAbsoluteError": {},
}

METRIC_STRINGS = {
    "accuracy": "accuracy",
    "acc": "accuracy",
    "binary_accuracy": "BinaryAccuracy",
    "auc": "AUC",
    "precision": "Precision",
    "recall": "Recall",
    "binary_crossentropy": "BinaryCrossentropy",
    "mse": "MeanSquaredError",
    "mean_squared_error": "MeanSquaredError",
    "mae": "MeanAbsoluteError",
    "mean_absolute_error": "MeanAbsoluteError",
}
"""Metric strings that `compile(metrics=...)` accepts.

`"accuracy"` is special in Keras: `compile` turns it into the accuracy that matches the
loss (binary accuracy with a 0.5 threshold for binary crossentropy). The class
`Accuracy` is a different metric: it counts exact equality of label and prediction.
"""

CALLBACKS: dict[str, dict[str, Argument]] = {
    "EarlyStopping": {
        "monitor": Argument("a logged quantity such as val_loss", _string),
        "patience": Argument("a whole number >= 0", _integer(0)),
        "min_delta": Argument("a number >= 0", _real(0.0)),
        "restore_best_weights": BOOLEAN,
        "mode": Argument("auto, min or max", _choice(("auto", "min", "max"))),
        "start_from_epoch": Argument("a whole number >= 0", _integer(0)),
        "baseline": Argument("a number", _real()),
    },
    "ReduceLROnPlateau": {
        "monitor": Argument("a logged quantity such as val_loss", _string),
        "factor": Argument("a number in (0, 1)", _real(0.0, 1.0, True, True)),
        "patience": Argument("a whole number >= 0", _integer(0)),
        "min_lr": Argument("a number >= 0", _real(0.0)),
        "min_delta": Argument("a number >= 0", _real(0.0)),
        "mode": Argument("auto, min or max", _choice(("auto", "min", "max"))),
        "cooldown": Argument("a whole number >= 0", _integer(0)),
    },
    "TerminateOnNaN": {},
}

FIT_ARGUMENTS: dict[str, Argument] = {
    "batch_size": Argument("a whole number >= 1", _integer(1), 32),
    "epochs": Argument("a whole number >= 1", _integer(1), 1),
    "validation_split": Argument("a number in (0, 1)", _real(0.0, 1.0, True, True), 0.2),
    "shuffle": Argument("true or false", _boolean, True),
    "class_weight": Argument('a table such as {"0" = 1.0, "1" = 2.5}', _class_weight),
}
"""The `fit()` arguments an experiment may set, with the lab's defaults."""

MAX_UNITS = 1_000_000
"""Largest `units` the lab builds; more does not fit in memory for one Dense layer."""

MAX_EPOCHS = 100_000
MAX_BATCH_SIZE = 10_000_000
