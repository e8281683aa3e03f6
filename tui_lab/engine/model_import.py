"""Rebuild an `Experiment` from a Keras model: its layers and, when compiled, its compile options."""

from __future__ import annotations

from typing import Any

import numpy as np

from tui_lab import keras_names
from tui_lab.experiment import CompileSpec, Experiment, LayerSpec
from tui_lab.engine.quiet import import_keras

SERIALIZED_OBJECT_ARGUMENTS = (
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "activity_regularizer",
)


def _plain_number(value: Any) -> Any:
    """Return a float32 value as its shortest decimal form: 0.10000000149 gives 0.1."""
    if isinstance(value, float):
        return float(np.format_float_positional(np.float32(value), trim="-"))
    return value


def _spec_from_serialized(value: Any) -> Any:
    """Turn a serialized Keras object ({"class_name": ..., "config": ...}) into a lab table or name."""
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    config = {name: _plain_number(v) for name, v in (value.get("config") or {}).items() if v is not None}
    config.pop("name", None)
    if not config:
        return value["class_name"]
    return {"type": value["class_name"], **config}


def _layer_spec(layer: Any, keras: Any) -> LayerSpec:
    class_name = type(layer).__name__
    if class_name not in keras_names.LAYERS:
        raise ValueError(
            f"layer {layer.name!r} is a {class_name}, which the lab cannot edit; "
            f"expected one of: {', '.join(keras_names.LAYERS)}"
        )

    config = layer.get_config()
    required = {name: config[name] for name in keras_names.LAYER_REQUIRED.get(class_name, ())}
    default = getattr(keras.layers, class_name)(**required).get_config()

    args: dict[str, Any] = dict(required)
    for name in keras_names.LAYERS[class_name]:
        if name in required or name not in config:
            continue
        if config[name] == default.get(name):
            continue
        value = config[name]
        if name in SERIALIZED_OBJECT_ARGUMENTS:
            value = _spec_from_serialized(value)
        args[name] = _plain_number(value)
    return LayerSpec(class_name, args)


def _compile_spec(model: Any, keras: Any) -> CompileSpec:
    defaults = CompileSpec()
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if not config:
        return defaults

    optimizer: Any = defaults.optimizer
    serialized = config.get("optimizer")
    if isinstance(serialized, dict) and serialized.get("class_name") in keras_names.OPTIMIZERS:
        learning_rate = serialized.get("config", {}).get("learning_rate")
        optimizer = {"type": serialized["class_name"]}
        if isinstance(learning_rate, float):
            optimizer["learning_rate"] = _plain_number(learning_rate)
    elif isinstance(serialized, str):
        optimizer = serialized

    return CompileSpec(
        optimizer=optimizer,
        loss=_loss_spec(config.get("loss"), keras, defaults.loss),
        metrics=tuple(_metric_spec(metric) for metric in (config.get("metrics") or [])),
    )


def _loss_spec(serialized: Any, keras: Any, fallback: Any) -> Any:
    if isinstance(serialized, str):
        return serialized
    if not isinstance(serialized, dict) or serialized.get("class_name") not in keras_names.LOSSES:
        return fallback

    class_name = serialized["class_name"]
    config = serialized.get("config", {})
    default = getattr(keras.losses, class_name)().get_config()
    spec: dict[str, Any] = {"type": class_name}
    for name in keras_names.LOSSES[class_name]:
        if name in config and config[name] != default.get(name):
            spec[name] = _plain_number(config[name])
    return spec


def _metric_spec(serialized: Any) -> Any:
    if isinstance(serialized, dict) and "class_name" in serialized:
        return {"type": serialized["class_name"]}
    return serialized


def experiment_from_model(model: Any, name: str = "imported") -> Experiment:
    """Return the experiment that rebuilds `model`: its layers and compile options.

    Each layer keeps only the arguments `keras_names.LAYERS` lists, and only where they
    differ from the Keras default. Data and fit options are the lab defaults. Raises
    `ValueError` for a layer class the lab cannot edit.
    """
    keras = import_keras()
    layers = tuple(_layer_spec(layer, keras) for layer in model.layers)
    return Experiment(name=name, layers=layers, compile=_compile_spec(model, keras))
