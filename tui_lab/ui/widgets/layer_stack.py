"""The layer stack: one row per layer with its arguments, output shape and parameter count."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable

from tui_lab.experiment import Experiment, LayerSpec


@dataclass(frozen=True)
class LayerRow:
    """One layer as the stack shows it."""

    type: str
    arguments: str
    output_shape: str
    params: int


def describe_arguments(layer: LayerSpec) -> str:
    """Return a layer's arguments as `name=value` pairs, in the order they were set."""
    return ", ".join(f"{name}={value}" for name, value in layer.args.items())


def _parameter_count(layer: LayerSpec, features: int) -> tuple[int, int]:
    """Return the parameter count of one layer and its output width, without Keras.

    The counts follow Keras 3: a Dense kernel and bias, four vectors in
    BatchNormalization (two of them non-trainable), gamma and beta in
    LayerNormalization, one alpha per feature in PReLU, and none elsewhere.
    """
    if layer.type == "Dense":
        units = int(layer.get("units", 0))
        bias = units if layer.get("use_bias", True) else 0
        return features * units + bias, units
    if layer.type == "BatchNormalization":
        trained = features * (int(bool(layer.get("center", True))) + int(bool(layer.get("scale", True))))
        return trained + 2 * features, features
    if layer.type == "LayerNormalization":
        return features * (int(bool(layer.get("center", True))) + int(bool(layer.get("scale", True)))), features
    if layer.type == "PReLU":
        return features, features
    return 0, features


def summarize_layers(experiment: Experiment, input_dim: int) -> tuple[list[LayerRow], int]:
    """Return one row per layer and the total parameter count, computed without TensorFlow.

    Uses `tui_lab.layer_summary.summarize` when that module exists, and the counts of
    `_parameter_count` otherwise.
    """
    shared = _shared_summary(experiment, input_dim)
    if shared is not None:
        return shared

    rows: list[LayerRow] = []
    features = input_dim
    for layer in experiment.layers:
        params, features = _parameter_count(layer, features)
        rows.append(LayerRow(layer.type, describe_arguments(layer), f"(None, {features})", params))
    return rows, sum(row.params for row in rows)


def _shared_summary(experiment: Experiment, input_dim: int) -> tuple[list[LayerRow], int] | None:
    try:
        module = importlib.import_module("tui_lab.layer_summary")
    except ModuleNotFoundError as error:
        if error.name != "tui_lab.layer_summary":
            raise
        return None

    result: Any = module.summarize(experiment, input_dim)
    entries, total = result if isinstance(result, tuple) else (result, None)
    rows = []
    for layer, entry in zip(experiment.layers, entries, strict=False):
        output_shape = _field(entry, "output_shape")
        rows.append(LayerRow(
            layer.type,
            describe_arguments(layer),
            str(tuple(output_shape)).replace(",)", ")") if isinstance(output_shape, (list, tuple))
            else str(output_shape),
            int(_field(entry, "params")),
        ))
    if total is None:
        total = sum(row.params for row in rows)
    return rows, int(total)


def _field(entry: Any, name: str) -> Any:
    return entry[name] if isinstance(entry, dict) else getattr(entry, name)


class LayerStack(DataTable):
    """The layers of the experiment as a table that is edited with the keyboard.

    The bindings call actions of the app, which owns the experiment; the app reads
    `cursor_row` to know which layer they apply to.
    """

    BINDINGS = [
        Binding("a", "app.add_layer", "Add layer", id="layers.add"),
        Binding("i", "app.insert_layer", "Insert layer", id="layers.insert", show=False),
        Binding("e,enter", "app.edit_layer", "Edit", id="layers.edit"),
        Binding("d", "app.delete_layer", "Delete", id="layers.delete"),
        Binding("K,ctrl+up", "app.move_layer(-1)", "Move up", id="layers.move_up", show=False),
        Binding("J,ctrl+down", "app.move_layer(1)", "Move down", id="layers.move_down", show=False),
        Binding("u", "app.undo", "Undo", id="layers.undo", show=False),
        Binding("home", "app.select_layer('first')", "First layer", id="layers.first", show=False),
        Binding("end", "app.select_layer('last')", "Last layer", id="layers.last", show=False),
    ]

    def on_mount(self) -> None:
        """Add the columns and select whole rows."""
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns("#", "Layer", "Arguments", "Output", "Params")

    def show(self, experiment: Experiment, input_dim: int, cursor: int | None = None) -> int:
        """Show the layers of `experiment` for `input_dim` features and return the total parameter count."""
        rows, total = summarize_layers(experiment, input_dim)
        row_index = self.cursor_row if cursor is None else cursor
        self.clear()
        for index, row in enumerate(rows):
            self.add_row(str(index + 1), row.type, row.arguments, row.output_shape, f"{row.params:,}")
        if rows:
            self.move_cursor(row=max(0, min(row_index, len(rows) - 1)))
        return total
