"""Output shapes and parameter counts of an experiment's layers, without TensorFlow.

The UI shows this table while TensorFlow is still loading. The counts follow the
weights Keras 3.15 creates for each layer class the lab accepts; the engine tests
compare them with `model.summary()`.
"""

from __future__ import annotations

import re
from typing import Any

from tui_lab.experiment import Experiment, LayerSpec


def snake_case(class_name: str) -> str:
    """Return the default layer name Keras derives from a class name: "ReLU" gives "re_lu"."""
    words = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def layer_params(spec: LayerSpec, input_dim: int) -> tuple[int, int]:
    """Return the layer's output width and its parameter count for an input of `input_dim` features."""
    if spec.type == "Dense":
        units = int(spec.get("units", 1))
        bias = units if spec.get("use_bias", True) else 0
        return units, input_dim * units + bias

    if spec.type == "BatchNormalization":
        gamma = input_dim if spec.get("scale", True) else 0
        beta = input_dim if spec.get("center", True) else 0
        moving_statistics = 2 * input_dim
        return input_dim, gamma + beta + moving_statistics

    if spec.type == "LayerNormalization":
        gamma = input_dim if spec.get("scale", True) else 0
        beta = input_dim if spec.get("center", True) else 0
        return input_dim, gamma + beta

    if spec.type == "PReLU":
        return input_dim, input_dim

    return input_dim, 0


def summarize(experiment: Experiment, input_dim: int) -> tuple[list[dict[str, Any]], int]:
    """Return one row per layer (name, type, output_shape, params) and the total parameter count.

    Names are the Keras defaults for a fresh session ("dense", "dense_1", ...) unless
    the layer sets `name`. NOTE: Keras numbers default names across the whole process,
    so a model built after another one gets higher suffixes than these.
    """
    rows = []
    total = 0
    seen: dict[str, int] = {}
    width = input_dim
    for spec in experiment.layers:
        width, params = layer_params(spec, width)
        base = snake_case(spec.type)
        count = seen.get(base, 0)
        seen[base] = count + 1
        name = spec.get("name") or (base if count == 0 else f"{base}_{count}")
        rows.append({
            "name": name,
            "type": spec.type,
            "output_shape": f"(None, {width})",
            "params": params,
        })
        total += params
    return rows, total
