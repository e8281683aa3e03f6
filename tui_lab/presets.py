"""Ready-made experiments that open from the app and with `--preset NAME`."""

from __future__ import annotations

from tui_lab.experiment import CompileSpec, Experiment, FitSpec, LayerSpec


def _not_learning() -> Experiment:
    """Build the model of a typical "every prediction is 1.0" report.

    Five ReLU layers with dropout end in Dense(1, softmax). Softmax over a single unit
    always returns 1.0, so the loss may move a little while every prediction stays 1.0.
    Adam at 0.1 and the exact-equality `Accuracy` metric make it worse.
    """
    layers = [LayerSpec("Dense", {"units": 32, "activation": "relu"})]
    for units in (32, 64, 128, 256):
        layers.append(LayerSpec("Dense", {"units": units, "activation": "relu"}))
        layers.append(LayerSpec("Dropout", {"rate": 0.5}))
    layers.append(LayerSpec("Dense", {"units": 1, "activation": "softmax"}))
    return Experiment(
        name="not-learning",
        layers=tuple(layers),
        compile=CompileSpec(
            optimizer={"type": "Adam", "learning_rate": 0.1},
            loss={"type": "BinaryCrossentropy"},
            metrics=({"type": "Accuracy"},),
        ),
        fit=FitSpec(
            batch_size=32,
            epochs=20,
            validation_split=0.1,
            callbacks=({"type": "EarlyStopping", "patience": 2},),
        ),
    )


def _baseline() -> Experiment:
    """Build a small healthy classifier that reaches about 0.8 validation accuracy."""
    return Experiment(
        name="baseline",
        layers=(
            LayerSpec("Dense", {"units": 32, "activation": "relu"}),
            LayerSpec("Dropout", {"rate": 0.2}),
            LayerSpec("Dense", {"units": 16, "activation": "relu"}),
            LayerSpec("Dense", {"units": 1, "activation": "sigmoid"}),
        ),
        compile=CompileSpec(
            optimizer={"type": "Adam", "learning_rate": 0.001},
            loss="binary_crossentropy",
            metrics=("accuracy",),
        ),
        fit=FitSpec(
            batch_size=32,
            epochs=60,
            validation_split=0.2,
            callbacks=({"type": "EarlyStopping", "patience": 10, "restore_best_weights": True},),
        ),
    )


PRESETS = {"not-learning": _not_learning, "baseline": _baseline}
"""Preset names and the functions that build them."""


def preset(name: str) -> Experiment:
    """Return the preset called `name`, or raise `KeyError` naming the presets there are."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise KeyError(
            f"unknown preset {name!r}: expected one of {', '.join(PRESETS)}"
        ) from None
