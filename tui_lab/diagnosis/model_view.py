"""Read the facts the rules need from an experiment's layer stack and compile options."""

from __future__ import annotations

from dataclasses import dataclass

from tui_lab.experiment import Experiment, LayerSpec, KerasSpec, loss_class, spec_args

PROBABILITY_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "softmax")
"""Output activations that give values in [0, 1]."""

BINARY_LOSSES = ("BinaryCrossentropy", "BinaryFocalCrossentropy")
CATEGORICAL_LOSSES = ("CategoricalCrossentropy", "SparseCategoricalCrossentropy")
REGRESSION_LOSSES = (
    "MeanSquaredError", "MeanAbsoluteError", "MeanSquaredLogarithmicError", "Huber",
    "LogCosh", "Hinge", "SquaredHinge",
)

PASS_THROUGH_LAYERS = (
    "Dropout", "GaussianDropout", "AlphaDropout", "GaussianNoise",
    "BatchNormalization", "LayerNormalization",
)
"""Layers that keep a value's sign and range closely enough for these rules."""

DROPOUT_LAYERS = ("Dropout", "GaussianDropout", "AlphaDropout")

ACTIVATION_LAYERS = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "ELU": "elu",
    "PReLU": "prelu",
    "Softmax": "softmax",
}
"""Layer classes that apply an activation, and the activation each one applies."""


def layer_activation(layer: LayerSpec) -> str | None:
    """Return the activation a layer applies, or None for a layer that applies none.

    A Dense without an activation (or with "linear") applies none.
    """
    if layer.type in ("Dense", "Activation"):
        activation = layer.get("activation")
        if activation in (None, "linear"):
            return None
        return str(activation)
    return ACTIVATION_LAYERS.get(layer.type)


def describe_layer(index: int, layer: LayerSpec) -> str:
    """Return a short label such as "layers[3] Dense(units=1, activation='softmax')"."""
    shown = [f"{name}={value!r}" for name, value in layer.args.items() if name != "name"]
    return f"layers[{index}] {layer.type}({', '.join(shown)})"


@dataclass(frozen=True)
class OutputView:
    """The output of a model: its last Dense and the activation that ends the model.

    `activation` is "linear" when nothing after the Dense applies an activation.
    `activation_index` is the index of the layer that applies it (the Dense itself,
    or a later Activation/Softmax/ReLU layer). `softmax_indices` lists every layer
    at or after the Dense that applies softmax.
    """

    dense_index: int
    units: int
    activation: str
    activation_index: int
    softmax_indices: tuple[int, ...]


def output_view(experiment: Experiment) -> OutputView | None:
    """Return the output of the model, or None when it has no Dense layer."""
    dense = [i for i, layer in enumerate(experiment.layers) if layer.type == "Dense"]
    if not dense:
        return None
    index = dense[-1]
    activation = "linear"
    activation_index = index
    softmax = []
    for position in range(index, len(experiment.layers)):
        applied = layer_activation(experiment.layers[position])
        if applied is None:
            continue
        activation = applied
        activation_index = position
        if applied == "softmax":
            softmax.append(position)
    units = int(experiment.layers[index].get("units", 1))
    return OutputView(index, units, activation, activation_index, tuple(softmax))


@dataclass(frozen=True)
class LossView:
    """The loss class and whether it takes logits."""

    name: str
    from_logits: bool

    @property
    def is_binary(self) -> bool:
        """Whether this is binary crossentropy (plain or focal)."""
        return self.name in BINARY_LOSSES


def loss_view(loss: KerasSpec) -> LossView:
    """Return the loss class a spec names and its `from_logits` (False unless set)."""
    return LossView(loss_class(loss), bool(spec_args(loss).get("from_logits", False)))
