"""Per-epoch statistics of the layers on a fixed probe batch.

The probe takes the first `PROBE_ROWS` training rows once (fewer for large models)
and, after each epoch, runs one compiled TensorFlow function on them that returns:

- for every ReLU output, the share of units that output 0 on at least
  `DEAD_ROW_SHARE` of the probe rows ("dead" units);
- for every layer with a kernel, the L2 norm and mean absolute value of the loss
  gradient with respect to that kernel (inference mode, so dropout is off);
- the accuracy at a 0.5 threshold in inference mode and in training mode.

Given the validation rows, the same call also returns the model's output on them,
for the prediction statistics: one forward pass over the probe rows and the
validation rows together replaces a separate `predict_on_batch`, and its trace.
In inference mode every row's output depends on that row alone, so sharing the
pass changes no value.

The training-mode pass goes through `stateless_call`, so it neither updates the
BatchNormalization moving statistics nor advances the dropout seed: a run with the
probe trains exactly like a run without it. A model whose layers all ignore the
`training` argument (Dense and activations alone) computes the same output in both
modes, so it skips that pass and reports the inference accuracy for both.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from tui_lab.engine.quiet import import_tensorflow_and_keras
from tui_lab.reports import LayerProbe, ProbeStats

PROBE_ROWS = 256
"""Number of training rows, taken from the start, that every probe uses."""

LARGE_MODEL_PARAMS = 200_000
"""Parameter count from which the probe takes `LARGE_MODEL_PROBE_ROWS` rows instead.

The probe's forward and backward passes cost rows x parameters. On a model of a
million parameters, 256 rows took about 10 ms of a 370 ms Titanic epoch on a
2-core machine, and half as many rows halve that."""

LARGE_MODEL_PROBE_ROWS = 128

DEAD_ROW_SHARE = 0.99
"""A unit is dead when it outputs 0 on at least this share of the probe rows."""


def relu_activation(layer: Any) -> str | None:
    """Return the activation name when the layer's output goes through a plain ReLU, else None."""
    class_name = type(layer).__name__
    if class_name == "ReLU":
        config = layer.get_config()
        if not config.get("negative_slope"):
            return "relu"
        return None

    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    if name == "relu":
        return "relu"
    return None


def activation_name(layer: Any) -> str | None:
    """Return the name of a layer's activation function, or the class name for activation layers."""
    activation = getattr(layer, "activation", None)
    if activation is not None:
        return getattr(activation, "__name__", str(activation))
    if type(layer).__name__ in ("ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax"):
        return type(layer).__name__
    return None


SAME_IN_BOTH_MODES = frozenset({
    "Dense", "EinsumDense", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax",
    "Flatten", "Reshape", "Permute", "RepeatVector", "Identity", "InputLayer",
    "LayerNormalization", "UnitNormalization", "Normalization", "Rescaling",
})
"""Keras layer classes whose output does not depend on the `training` argument.

Dense accepts `training` without using it, so the signature cannot tell; a class
missing from this set is assumed to behave differently in training mode.
"""


def has_training_behaviour(layer: Any) -> bool:
    """Return whether a layer may compute another output in training mode, as Dropout does."""
    return type(layer).__name__ not in SAME_IN_BOTH_MODES


class Probe:
    """Compiled statistics for one model on a fixed batch; build once, call after each epoch."""

    def __init__(self, model: Any, x_train: np.ndarray, y_train: np.ndarray, from_logits: bool,
                 x_validation: np.ndarray | None = None) -> None:
        tf, keras = import_tensorflow_and_keras()
        self._tf = tf
        self.model = model
        self.from_logits = from_logits

        limit = LARGE_MODEL_PROBE_ROWS if model.count_params() >= LARGE_MODEL_PARAMS else PROBE_ROWS
        self.rows = min(limit, len(x_train))
        self.validation_rows = 0 if x_validation is None else len(x_validation)
        rows = [np.asarray(x_train[:self.rows], dtype="float32")]
        if self.validation_rows:
            rows.append(np.asarray(x_validation, dtype="float32"))
        self.x = tf.constant(np.concatenate(rows))
        self.y = tf.constant(np.asarray(y_train[:self.rows], dtype="float32").reshape(-1, 1))
        self.validation_output: np.ndarray | None = None
        """The model's output on the validation rows at the last `run`, or None without them."""

        self.relu_layers = [layer for layer in model.layers if relu_activation(layer)]
        self.kernel_layers = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
        self.training_pass = any(has_training_behaviour(layer) for layer in model.layers)
        outputs = [layer.output for layer in self.relu_layers] + [model.outputs[0]]
        self.outputs_model = keras.Model(model.inputs, outputs)
        self._compiled = tf.function(self._statistics, reduce_retracing=True)

    def _statistics(self, x: Any, y: Any) -> dict[str, Any]:
        tf = self._tf
        kernels = [layer.kernel for layer in self.kernel_layers]

        rows = self.rows
        probe_x = x[:rows]

        with tf.GradientTape() as tape:
            outputs = self.outputs_model(x, training=False)
            if not isinstance(outputs, (list, tuple)):
                # A model with no ReLU layer has the prediction as its only output, and
                # Keras returns a one-output model's result as a tensor, not a list.
                outputs = [outputs]
            prediction = outputs[-1][:rows]
            loss = self.model.compute_loss(x=probe_x, y=y, y_pred=prediction, training=False)
        gradients = tape.gradient(loss, kernels, unconnected_gradients=tf.UnconnectedGradients.ZERO)

        dead = []
        for activations in outputs[:-1]:
            zero_share = tf.reduce_mean(tf.cast(tf.equal(activations[:rows], 0.0), tf.float32), axis=0)
            dead.append(tf.reduce_mean(tf.cast(zero_share >= DEAD_ROW_SHARE, tf.float32)))

        train_prediction = prediction
        if self.training_pass:
            trainable = [variable.value for variable in self.model.trainable_variables]
            non_trainable = [variable.value for variable in self.model.non_trainable_variables]
            train_prediction, _ = self.model.stateless_call(trainable, non_trainable, probe_x, training=True)

        return {
            "dead": tf.stack(dead) if dead else tf.zeros((0,)),
            "gradient_norm": tf.stack([tf.norm(g) for g in gradients]) if gradients else tf.zeros((0,)),
            "mean_abs_gradient": (tf.stack([tf.reduce_mean(tf.abs(g)) for g in gradients])
                                  if gradients else tf.zeros((0,))),
            "inference_accuracy": self._accuracy(prediction, y),
            "train_accuracy": self._accuracy(train_prediction, y),
            "validation_output": outputs[-1][rows:],
        }

    def _accuracy(self, prediction: Any, y: Any) -> Any:
        tf = self._tf
        probabilities = tf.sigmoid(prediction) if self.from_logits else prediction
        probabilities = tf.reshape(tf.cast(probabilities, tf.float32), tf.shape(y))
        predicted = tf.cast(probabilities >= 0.5, tf.float32)
        return tf.reduce_mean(tf.cast(tf.equal(predicted, y), tf.float32))

    def warm_up(self) -> float:
        """Trace the compiled function once (outside the timed epochs) and return the seconds it took."""
        started = time.perf_counter()
        self._compiled(self.x, self.y)
        return time.perf_counter() - started

    def run(self) -> ProbeStats:
        """Compute the statistics for the model's current weights."""
        started = time.perf_counter()
        values = {name: np.asarray(value) for name, value in self._compiled(self.x, self.y).items()}
        self.validation_output = values["validation_output"] if self.validation_rows else None

        dead = dict(zip((id(layer) for layer in self.relu_layers), values["dead"].tolist()))
        norms = dict(zip((id(layer) for layer in self.kernel_layers), values["gradient_norm"].tolist()))
        means = dict(zip((id(layer) for layer in self.kernel_layers), values["mean_abs_gradient"].tolist()))

        layers = []
        for layer in self.model.layers:
            units = getattr(layer, "units", None)
            layers.append(LayerProbe(
                name=layer.name,
                type=type(layer).__name__,
                activation=activation_name(layer),
                units=int(units) if units is not None else None,
                dead_share=dead.get(id(layer)),
                gradient_norm=norms.get(id(layer)),
                mean_abs_gradient=means.get(id(layer)),
            ))

        return ProbeStats(
            layers=layers,
            train_mode_accuracy=float(values["train_accuracy"]),
            inference_mode_accuracy=float(values["inference_accuracy"]),
            seconds=time.perf_counter() - started,
        )
