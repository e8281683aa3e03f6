"""Turn Keras objects found in source code into the experiment's layer, optimizer,
loss, metric and callback specs.

Each argument is checked against the tables of `tui_lab.keras_names`. An argument the
lab does not model, or whose value is unknown or invalid, is dropped and reported
through `skip`. A layer that loses a required argument, or a class the lab does not
build, is dropped whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tui_lab import keras_names
from tui_lab.codeio.evaluator import ModuleRef, Opaque, is_plain
from tui_lab.codeio.keras_model import KerasObject, SymbolicTensor, keras_symbol
from tui_lab.experiment import toml_problem
from tui_lab.keras_names import Argument, ArgumentError

Skip = Callable[[int, str], None]
"""Records a construct that was not imported: (line, reason)."""

LAYER_POSITIONAL = {
    "Dense": ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
              "kernel_regularizer", "bias_regularizer", "activity_regularizer"),
    "Dropout": ("rate", "noise_shape", "seed"),
    "Activation": ("activation",),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale"),
    "LayerNormalization": ("axis", "epsilon", "center", "scale"),
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "LeakyReLU": ("negative_slope",),
    "ELU": ("alpha",),
    "Softmax": ("axis",),
    "GaussianNoise": ("stddev", "seed"),
    "GaussianDropout": ("rate", "seed"),
    "AlphaDropout": ("rate", "noise_shape", "seed"),
}
"""The positional parameters of each layer's constructor in Keras 3.15."""

OPTIMIZER_POSITIONAL = {
    "SGD": ("learning_rate", "momentum", "nesterov"),
    "RMSprop": ("learning_rate", "rho", "momentum", "epsilon"),
    "AdamW": ("learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad"),
    "Adam": ("learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"),
    "Adamax": ("learning_rate", "beta_1", "beta_2", "epsilon"),
    "Nadam": ("learning_rate", "beta_1", "beta_2", "epsilon"),
}
"""Positional parameters of the optimizers; every other optimizer takes `learning_rate` first."""

LOSS_POSITIONAL = {
    "BinaryCrossentropy": ("from_logits", "label_smoothing"),
    "BinaryFocalCrossentropy": ("apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing"),
    "CategoricalCrossentropy": ("from_logits", "label_smoothing"),
    "SparseCategoricalCrossentropy": ("from_logits",),
    "Huber": ("delta",),
}

METRIC_POSITIONAL = {
    "BinaryAccuracy": ("name", "dtype", "threshold"),
    "AUC": ("num_thresholds",),
    "Precision": ("thresholds",),
    "Recall": ("thresholds",),
}

CALLBACK_POSITIONAL = {
    "EarlyStopping": ("monitor", "min_delta", "patience", "verbose", "mode", "baseline",
                      "restore_best_weights", "start_from_epoch"),
    "ReduceLROnPlateau": ("monitor", "factor", "patience", "verbose", "mode", "min_delta",
                          "cooldown", "min_lr"),
}

INPUT_ARGUMENTS = ("input_dim", "input_shape", "batch_input_shape", "batch_size")
"""Layer arguments that fix the input width, which the lab takes from the data instead."""

RENAMED = {
    "optimizers": {"lr": "learning_rate"},
    "LeakyReLU": {"alpha": "negative_slope"},
}
"""Keras 2 argument names and their Keras 3 names."""

NAME_ARGUMENT = Argument("a non-empty string", keras_names._string)

INPUT_LAYERS = ("InputLayer", "Input")

KINDS = {"optimizers": "optimizer", "losses": "loss", "metrics": "metric", "callbacks": "callback"}


def layer_spec(value: Any, line: int, skip: Skip) -> dict[str, Any] | None:
    """Return the layer table of a value added to a model, or None when it is not imported.

    `Input(...)` and `InputLayer(...)` return None without a skip entry, because the
    data fixes the input width.
    """
    if isinstance(value, SymbolicTensor):
        return None
    if isinstance(value, Opaque):
        skip(line, f"layer not imported: {value.reason}")
        return None
    if not isinstance(value, KerasObject) or value.namespace != "layers":
        skip(line, f"expected a Keras layer, received {_describe(value)}")
        return None
    if value.name in INPUT_LAYERS:
        return None
    if value.name not in keras_names.LAYERS:
        skip(value.line, f"{value.name} is not a layer the lab builds; it builds "
                         + ", ".join(keras_names.LAYERS))
        return None

    args = _arguments(value, LAYER_POSITIONAL.get(value.name, ()), RENAMED.get(value.name, {}),
                      keras_names.LAYERS[value.name], INPUT_ARGUMENTS, skip)
    for required in keras_names.LAYER_REQUIRED.get(value.name, ()):
        if required not in args:
            skip(value.line, f"{value.name} layer not imported: it has no known {required}")
            return None
    units = args.get("units")
    if isinstance(units, int) and units > keras_names.MAX_UNITS:
        skip(value.line, f"{value.name} layer not imported: units {units:,} is more than"
                         f" {keras_names.MAX_UNITS:,}")
        return None
    return {"type": value.name, **args}


def optimizer_spec(value: Any, line: int, skip: Skip) -> Any:
    """Return the optimizer spec of a `compile(optimizer=...)` value, or None."""
    if isinstance(value, str):
        known = value in keras_names.OPTIMIZERS or value.lower() in keras_names.OPTIMIZER_STRINGS
        return value if known else _reject(skip, line, f"unknown optimizer {value!r}")
    return _class_spec(value, line, skip, "optimizers", keras_names.OPTIMIZERS,
                       OPTIMIZER_POSITIONAL, ("learning_rate",))


def loss_spec(value: Any, line: int, skip: Skip) -> Any:
    """Return the loss spec of a `compile(loss=...)` value, or None."""
    if isinstance(value, str):
        known = value in keras_names.LOSS_STRINGS or value in keras_names.LOSSES
        return value if known else _reject(skip, line, f"unknown loss {value!r}")
    if isinstance(value, ModuleRef):
        symbol = keras_symbol(value.path)
        if symbol and symbol[0] == "losses" and symbol[1] in keras_names.LOSS_STRINGS:
            return symbol[1]
    return _class_spec(value, line, skip, "losses", keras_names.LOSSES, LOSS_POSITIONAL, ())


def metric_specs(value: Any, line: int, skip: Skip) -> list[Any]:
    """Return the metric specs of a `compile(metrics=...)` value, dropping unknown ones."""
    if isinstance(value, Opaque):
        skip(line, f"metrics not imported: {value.reason}")
        return []
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    specs = []
    for item in items:
        spec = _metric_spec(item, line, skip)
        if spec is not None:
            specs.append(spec)
    return specs


def _metric_spec(value: Any, line: int, skip: Skip) -> Any:
    if isinstance(value, str):
        known = value in keras_names.METRIC_STRINGS or value in keras_names.METRICS
        return value if known else _reject(skip, line, f"unknown metric {value!r}")
    if isinstance(value, ModuleRef):
        symbol = keras_symbol(value.path)
        if symbol and symbol[0] == "metrics" and symbol[1] in keras_names.METRIC_STRINGS:
            return symbol[1]
    return _class_spec(value, line, skip, "metrics", keras_names.METRICS, METRIC_POSITIONAL, ())


def callback_specs(value: Any, line: int, skip: Skip) -> list[dict[str, Any]]:
    """Return the callback tables of a `fit(callbacks=...)` value, dropping unknown ones."""
    if isinstance(value, Opaque):
        skip(line, f"callbacks not imported: {value.reason}")
        return []
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    specs = []
    for item in items:
        spec = _class_spec(item, line, skip, "callbacks", keras_names.CALLBACKS,
                           CALLBACK_POSITIONAL, (), ignored=("verbose",))
        if isinstance(spec, dict):
            specs.append(spec)
    return specs


def _class_spec(value: Any, line: int, skip: Skip, namespace: str,
                classes: Mapping[str, Mapping[str, Argument]],
                positional: Mapping[str, tuple[str, ...]], default_positional: tuple[str, ...],
                ignored: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Return {type, arguments} for a Keras class or instance of `namespace`, or None."""
    kind = KINDS[namespace]
    if isinstance(value, Opaque):
        return _reject(skip, line, f"{kind} not imported: {value.reason}")
    if isinstance(value, ModuleRef):
        symbol = keras_symbol(value.path)
        if symbol and symbol[0] == namespace and symbol[1] in classes:
            return {"type": symbol[1]}
        return _reject(skip, line, f"{value.path} is not a {kind} the lab builds")
    if not isinstance(value, KerasObject) or value.namespace != namespace:
        return _reject(skip, line, f"expected a Keras {kind}, received {_describe(value)}")
    if value.name not in classes:
        return _reject(skip, value.line, f"{value.name} is not a {kind} the lab builds; it builds "
                                         + ", ".join(classes))
    renames = RENAMED.get(namespace, {}) | RENAMED.get(value.name, {})
    names = positional.get(value.name, default_positional)
    args = _arguments(value, names, renames, classes[value.name], ignored, skip)
    return {"type": value.name, **args}


def _arguments(value: KerasObject, positional: tuple[str, ...], renames: Mapping[str, str],
               schema: Mapping[str, Argument], ignored: tuple[str, ...], skip: Skip) -> dict[str, Any]:
    """Name, convert and check the arguments of a Keras call, dropping the ones that fail."""
    named: dict[str, Any] = {}
    for index, argument in enumerate(value.args):
        if index >= len(positional):
            skip(value.line, f"{value.name} positional argument {index + 1} is not modelled")
            continue
        named[positional[index]] = argument
    for name, argument in value.kwargs.items():
        named[renames.get(name, name)] = argument

    checked: dict[str, Any] = {}
    for name, argument in named.items():
        if name in ignored:
            continue
        checker = NAME_ARGUMENT if name == "name" else schema.get(name)
        if checker is None:
            skip(value.line, f"{value.name} argument {name} is not modelled by the lab")
            continue
        plain = _plain_argument(name, argument)
        if isinstance(plain, Opaque):
            skip(value.line, f"{value.name} argument {name} not imported: {plain.reason}")
            continue
        try:
            result = checker.check(plain)
        except ArgumentError as error:
            skip(value.line, f"{value.name} argument {name}: {error}, received {plain!r}")
            continue
        if result is None:
            continue  # the Keras default, which the experiment writes by leaving the argument out
        problem = toml_problem(result)
        if problem is not None:
            skip(value.line, f"{value.name} argument {name}: expected {problem}, received {plain!r}")
            continue
        checked[name] = result
    return checked


def _plain_argument(name: str, value: Any) -> Any:
    """Return an argument as plain data: activations as names, initializers and regularizers as tables."""
    if isinstance(value, ModuleRef):
        symbol = keras_symbol(value.path)
        if symbol and symbol[0] == "activations":
            return symbol[1]
        if symbol and symbol[0] in ("initializers", "regularizers"):
            return symbol[1] if symbol[1][0].islower() else {"type": symbol[1]}
        return Opaque(f"{value.path} is not a value the lab models")
    if isinstance(value, Opaque):
        return value
    if isinstance(value, KerasObject):
        return _nested_object(value)
    if isinstance(value, tuple):
        return list(value)
    if not is_plain(value):
        return Opaque(f"{_describe(value)} is not a value the lab models")
    return value


REGULARIZER_FUNCTIONS = {"l1": ("L1", ("l1",)), "l2": ("L2", ("l2",)), "l1_l2": ("L1L2", ("l1", "l2"))}
"""Keras regularizer shortcuts and the class each builds, with its positional parameters."""

INITIALIZER_POSITIONAL = {
    "Constant": ("value",),
    "RandomNormal": ("mean", "stddev", "seed"),
    "RandomUniform": ("minval", "maxval", "seed"),
    "TruncatedNormal": ("mean", "stddev", "seed"),
}


def _nested_object(value: KerasObject) -> Any:
    """Return the table of an initializer or regularizer instance used as a layer argument."""
    if value.namespace == "regularizers":
        class_name, positional = REGULARIZER_FUNCTIONS.get(value.name, (value.name, ()))
        if class_name in ("L1", "L2"):
            positional = (class_name.lower(),)
        elif class_name == "L1L2":
            positional = ("l1", "l2")
    elif value.namespace == "initializers":
        class_name = value.name
        positional = INITIALIZER_POSITIONAL.get(value.name, ("seed",))
    else:
        return Opaque(f"{value.written}(...) is not a value the lab models")
    if len(value.args) > len(positional):
        return Opaque(f"{value.written}(...) has more positional arguments than the lab models")
    table: dict[str, Any] = {"type": class_name}
    table.update(zip(positional, value.args))
    table.update(value.kwargs)
    if not is_plain(table):
        return Opaque(f"{value.written}(...) has arguments the lab cannot read")
    return table


def _reject(skip: Skip, line: int, reason: str) -> None:
    skip(line, reason)
    return None


def _describe(value: Any) -> str:
    if isinstance(value, KerasObject):
        return f"{value.written}(...)"
    if isinstance(value, ModuleRef):
        return value.path
    if isinstance(value, (int, float, str, bool)) or value is None:
        return repr(value)
    return f"a {type(value).__name__}"
