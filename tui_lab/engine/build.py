"""Build and compile a `keras.Sequential` model from an `Experiment`."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from tui_lab.engine.capture import capture_keras_messages
from tui_lab.engine.quiet import import_keras
from tui_lab.experiment import Experiment, KerasSpec, spec_args, spec_type

NESTED_OBJECT_ARGUMENTS = {
    "kernel_initializer": "initializers",
    "bias_initializer": "initializers",
    "kernel_regularizer": "regularizers",
    "bias_regularizer": "regularizers",
    "activity_regularizer": "regularizers",
}
"""Layer arguments whose table form names a class in another `keras` submodule."""


class BuildError(ValueError):
    """A spec names a Keras class that does not exist or rejects its arguments."""


@dataclass
class BuiltModel:
    """A compiled model and the Keras warnings emitted while building and compiling it."""

    model: Any
    keras_warnings: list[str] = field(default_factory=list)


def make_object(module: ModuleType, spec: KerasSpec, kind: str) -> Any:
    """Return a string spec as is, or construct `module.<type>(**args)` from a table."""
    if isinstance(spec, str):
        return spec

    class_name = spec_type(spec)
    cls = getattr(module, class_name, None)
    if cls is None or not callable(cls):
        raise BuildError(
            f"expected a Keras {kind} class, received {class_name!r}: "
            f"keras.{module.__name__.rsplit('.', 1)[-1]} has no such class"
        )
    try:
        return cls(**spec_args(spec))
    except (TypeError, ValueError) as error:
        raise BuildError(f"{kind} {class_name} rejected its arguments {spec_args(spec)}: {error}") from error


def _layer_arguments(keras: ModuleType, args: dict[str, Any]) -> dict[str, Any]:
    built = dict(args)
    for name, submodule in NESTED_OBJECT_ARGUMENTS.items():
        value = built.get(name)
        if isinstance(value, dict):
            built[name] = make_object(getattr(keras, submodule), value, name.replace("_", " "))
    return built


def build_model(experiment: Experiment, input_dim: int) -> Any:
    """Build `keras.Sequential([keras.Input((input_dim,)), *layers])`, seeded by the data seed.

    `keras.utils.set_random_seed(experiment.data.seed)` runs first, so the same
    experiment gives the same initial weights. Raises `BuildError` for an unknown
    layer class or rejected arguments.
    """
    keras = import_keras()
    keras.utils.set_random_seed(experiment.data.seed)

    layers = [keras.Input((input_dim,))]
    for index, spec in enumerate(experiment.layers):
        cls = getattr(keras.layers, spec.type, None)
        if cls is None:
            raise BuildError(f"layers[{index}]: expected a Keras layer class, received {spec.type!r}")
        try:
            layers.append(cls(**_layer_arguments(keras, dict(spec.args))))
        except (TypeError, ValueError) as error:
            raise BuildError(f"layers[{index}] ({spec.type}) rejected its arguments: {error}") from error

    return keras.Sequential(layers, name=_model_name(experiment.name))


def _model_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name).strip("_")
    return cleaned or "sequential"


def compile_model(model: Any, experiment: Experiment) -> None:
    """Call `model.compile` with the optimizer, loss and metrics the experiment gives."""
    keras = import_keras()
    compile_spec = experiment.compile
    model.compile(
        optimizer=make_object(keras.optimizers, compile_spec.optimizer, "optimizer"),
        loss=make_object(keras.losses, compile_spec.loss, "loss"),
        metrics=[make_object(keras.metrics, metric, "metric") for metric in compile_spec.metrics],
    )


def build_and_compile(experiment: Experiment, input_dim: int) -> BuiltModel:
    """Build and compile the model, collecting Keras warnings instead of printing them."""
    messages: list[str] = []
    with capture_keras_messages(messages):
        model = build_model(experiment, input_dim)
        compile_model(model, experiment)
    return BuiltModel(model, messages)


def make_callbacks(experiment: Experiment) -> list[Any]:
    """Construct the experiment's `fit` callbacks."""
    keras = import_keras()
    return [make_object(keras.callbacks, spec, "callback") for spec in experiment.fit.callbacks]


def model_summary(model: Any) -> tuple[list[dict[str, Any]], int]:
    """Return one row per layer (name, type, output_shape, params) and the total parameter count.

    The figures are those `model.summary()` prints: `output_shape` as text such as
    "(None, 32)", and `params` counting trainable and non-trainable weights.
    """
    rows = []
    for layer in model.layers:
        rows.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": str(tuple(layer.output.shape)),
            "params": int(layer.count_params()),
        })
    return rows, int(model.count_params())


def uses_logits(experiment: Experiment) -> bool:
    """Return whether the loss is computed `from_logits`, so outputs need a sigmoid."""
    return bool(spec_args(experiment.compile.loss).get("from_logits", False))
