"""The comparison point: the same model and arrays trained by a plain Keras script.

The model is built from the experiment here with Keras calls alone (no tui-lab
engine code), so the timed `fit` has no tui-lab callback, probe or event in it.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from tui_lab.experiment import Experiment, KerasSpec


def _keras_object(module: Any, spec: KerasSpec) -> Any:
    if isinstance(spec, str):
        return spec
    arguments = {name: value for name, value in spec.items() if name != "type"}
    return getattr(module, spec["type"])(**arguments)


def build(experiment: Experiment, input_dim: int) -> Any:
    """Return the experiment's model as `keras.Sequential`, compiled, seeded by the data seed."""
    import keras

    keras.utils.set_random_seed(experiment.data.seed)
    layers = [keras.Input((input_dim,))]
    layers += [getattr(keras.layers, spec.type)(**dict(spec.args)) for spec in experiment.layers]
    model = keras.Sequential(layers)
    model.compile(
        optimizer=_keras_object(keras.optimizers, experiment.compile.optimizer),
        loss=_keras_object(keras.losses, experiment.compile.loss),
        metrics=[_keras_object(keras.metrics, metric) for metric in experiment.compile.metrics],
    )
    return model


def time_fit(experiment: Experiment, x: np.ndarray, y: np.ndarray) -> float:
    """Return the seconds a plain script takes to build, compile and fit the model (`verbose=0`).

    Building counts because a script must build its model before `fit`, as
    `tui-lab train` and the app do; TensorFlow's import does not, in either.
    """
    fit = experiment.fit
    with warnings.catch_warnings():
        # The not-learning preset's single-unit softmax warns on every trace.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model = build(experiment, x.shape[1])
        model.fit(x, y, batch_size=fit.batch_size, epochs=fit.epochs,
                  validation_split=fit.validation_split, shuffle=fit.shuffle, verbose=0)
        return time.perf_counter() - start


def arrays(dataset: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return a dataset's features and labels as the float32 arrays the engine trains on."""
    x = np.asarray(dataset.x, dtype="float32")
    y = np.asarray(dataset.y, dtype="float32").reshape(-1, 1)
    return x, y
