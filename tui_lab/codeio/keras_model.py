"""Keras objects as the importer models them, and the reader that collects a model.

`KerasReader` extends the statement interpreter with what a Keras script does:
`Sequential([...])`, `model.add(...)`, `Input(...)` and layers called on it (the
functional API), `Model(inputs, outputs)`, `model.compile(...)` and `model.fit(...)`.
A Keras class called in the source becomes a `KerasObject` that keeps its evaluated
arguments. They are turned into the experiment's specs later, by `keras_objects`.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from typing import Any

from tui_lab import keras_names
from tui_lab.codeio.evaluator import BoundMethod, ModuleRef, Opaque, Unsupported, dotted_name
from tui_lab.codeio.statements import Interpreter

KERAS_PREFIXES = (
    "tensorflow.keras.", "tensorflow.python.keras.", "tf_keras.", "keras.src.", "keras.api.", "keras.",
)
"""Module paths under which a name is a Keras name, most specific first."""

MODEL_METHODS_IGNORED = ("summary", "evaluate", "predict", "save", "save_weights", "count_params",
                         "get_config", "to_json", "predict_on_batch", "test_on_batch")
"""Model methods that read or store a model but leave the experiment unchanged."""


def keras_symbol(path: str) -> tuple[str, str] | None:
    """Return (namespace, name) for a Keras path, or None when the path is not Keras.

    `tensorflow.keras.layers.Dense` gives ("layers", "Dense"); `keras.Sequential` and
    `keras.models.Sequential` give ("", "Sequential"); `tensorflow.nn.relu` gives
    ("activations", "relu").
    """
    if path.startswith("tensorflow.nn."):
        return "activations", path.rsplit(".", 1)[1]
    for prefix in KERAS_PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            break
    else:
        return None

    parts = rest.split(".")
    name = parts[-1]
    namespace = parts[0] if len(parts) > 1 else ""
    if namespace == "models" and name in ("Sequential", "Model"):
        namespace = ""
    if namespace == "layers" and name == "Input":
        namespace = ""
    return namespace, name


STAR_NAMES: dict[str, set[str]] = {
    "": {"Sequential", "Model", "Input"},
    "layers": set(keras_names.LAYERS) | {"InputLayer"},
    "optimizers": set(keras_names.OPTIMIZERS),
    "losses": set(keras_names.LOSSES) | set(keras_names.LOSS_STRINGS),
    "metrics": set(keras_names.METRICS) | set(keras_names.METRIC_STRINGS),
    "callbacks": set(keras_names.CALLBACKS),
    "initializers": set(keras_names.INITIALIZERS) | {"Constant", "constant"},
    "regularizers": set(keras_names.REGULARIZERS),
    "activations": set(keras_names.ACTIVATIONS),
}
"""The names each Keras namespace provides to a `from ... import *`, as far as the lab models them."""


@dataclass(eq=False)
class KerasObject:
    """A Keras class or function called in the source, with its evaluated arguments."""

    namespace: str
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    line: int
    written: str
    """The callee as the source wrote it, such as `tf.keras.layers.Dense`."""


@dataclass(eq=False)
class SymbolicTensor:
    """The output of `Input(...)` after a chain of layers in the functional API."""

    origin: int
    layers: tuple[KerasObject, ...] = ()


@dataclass(eq=False)
class ModelCall:
    """The arguments of one `compile()` or `fit()` call."""

    args: list[Any]
    kwargs: dict[str, Any]
    line: int


@dataclass(eq=False)
class ModelValue:
    """A model the source builds: its layer entries and its compile and fit calls."""

    line: int
    entries: list[tuple[int, Any]] = field(default_factory=list)
    """Each layer-like value added, with the line that added it."""
    compile_call: ModelCall | None = None
    fit_call: ModelCall | None = None


@dataclass(frozen=True)
class TrainingHistory:
    """The value `fit()` returns; reading it does not change the experiment."""


class KerasReader(Interpreter):
    """Follows a Keras script and collects the models it builds, compiles and fits."""

    def __init__(self, limits: Any = None) -> None:
        super().__init__(limits)
        self.models: list[ModelValue] = []
        self.compiled: ModelValue | None = None
        self.fitted: ModelValue | None = None
        self._origins = itertools.count(1)

    def chosen_model(self) -> ModelValue | None:
        """Return the model that was fit last, else compiled last, else built last."""
        if self.fitted is not None:
            return self.fitted
        if self.compiled is not None:
            return self.compiled
        built = [model for model in self.models if model.entries]
        if built:
            return built[-1]
        return self.models[-1] if self.models else None

    def unbound(self, name: str) -> Any:
        """Resolve a name from a `from keras.layers import *` style import.

        A name goes to the star-imported Keras module whose namespace lists it in
        `STAR_NAMES`. Any other capitalised name goes to a star-imported layers module,
        so `Flatten` is reported as a layer the lab does not build.
        """
        modules = [m for m in reversed(self.star_modules) if keras_symbol(f"{m}.{name}") is not None]
        for module in modules:
            namespace, _ = keras_symbol(f"{module}.{name}") or ("", "")
            if name in STAR_NAMES.get(namespace, ()):
                return ModuleRef(f"{module}.{name}")
        for module in modules:
            if keras_symbol(f"{module}.{name}") == ("layers", name) and name[:1].isupper():
                return ModuleRef(f"{module}.{name}")
        return super().unbound(name)

    def attribute_of(self, owner: Any, name: str, node: ast.AST) -> Any:
        """Return the methods of a model; other attributes are unknown."""
        if isinstance(owner, ModelValue) and name in ("add", "compile", "fit", *MODEL_METHODS_IGNORED):
            return BoundMethod(owner, name)
        return super().attribute_of(owner, name, node)

    def unused_value_reason(self, value: Any, node: ast.expr) -> str | None:
        """Explain why a bare Keras call such as `tf.random.set_seed(1)` is not imported."""
        if isinstance(value, KerasObject):
            if value.name == "set_random_seed" or value.name == "set_seed":
                return (f"{value.written}(...) is not imported: the lab seeds Keras from"
                        " data.seed")
            return f"{value.written}(...) has no effect on the imported model"
        return super().unused_value_reason(value, node)

    # --- calls ---------------------------------------------------------------------------

    def call_model_object(self, function: Any, args: list[Any], kwargs: dict[str, Any],
                          node: ast.Call) -> Any:
        """Call a Keras class, a layer on a tensor, or a model method."""
        if isinstance(function, ModuleRef):
            return self.call_keras(function, args, kwargs, node)
        if isinstance(function, BoundMethod) and isinstance(function.owner, ModelValue):
            return self.call_model_method(function.owner, function.name, args, kwargs, node)
        if isinstance(function, KerasObject) and function.namespace == "layers":
            return self.call_layer(function, args, kwargs, node)
        return super().call_model_object(function, args, kwargs, node)

    def call_keras(self, reference: ModuleRef, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        """Build the value of a call to a Keras name, or an `Opaque` for any other module."""
        symbol = keras_symbol(reference.path)
        if symbol is None:
            return Opaque(f"{dotted_name(node.func)}(...) is not run: the importer reads code"
                          " without running it")
        namespace, name = symbol

        if namespace == "" and name == "Sequential":
            return self.sequential(args, kwargs, node)
        if namespace == "" and name == "Model":
            return self.functional_model(args, kwargs, node)
        if namespace == "" and name == "Input":
            return SymbolicTensor(next(self._origins))
        return KerasObject(namespace, name, args, kwargs, node.lineno, dotted_name(node.func))

    def sequential(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> ModelValue:
        """Build a `Sequential` model from its optional list of layers."""
        model = ModelValue(node.lineno)
        self.models.append(model)
        layers = args[0] if args else kwargs.get("layers")
        if layers is None:
            return model
        if isinstance(layers, Opaque):
            self.skip(node.lineno, f"the layers of Sequential(...) are unknown ({layers.reason})")
            return model
        if not isinstance(layers, (list, tuple)):
            self.skip(node.lineno, "Sequential(...) expects a list of layers")
            return model
        model.entries.extend((node.lineno, layer) for layer in layers)
        return model

    def functional_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Build a model from `Model(inputs, outputs)` when it is one plain chain of layers."""
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        if not isinstance(inputs, SymbolicTensor) or not isinstance(outputs, SymbolicTensor):
            raise Unsupported("Model(inputs, outputs) is imported only for one Input and one"
                              " output joined by a plain chain of layers", node)
        if inputs.layers or outputs.origin != inputs.origin:
            raise Unsupported("the outputs of Model(...) do not come from its inputs through a"
                              " plain chain of layers", node)
        model = ModelValue(node.lineno)
        model.entries.extend((layer.line, layer) for layer in outputs.layers)
        self.models.append(model)
        return model

    def call_layer(self, layer: KerasObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        """Apply a layer to a tensor in the functional API."""
        if len(args) == 1 and not kwargs and isinstance(args[0], SymbolicTensor):
            return SymbolicTensor(args[0].origin, args[0].layers + (layer,))
        if args and isinstance(args[0], Opaque):
            return args[0]
        return Opaque(f"{layer.written}(...) called on anything but one tensor from Input(...)"
                      " is not modelled")

    def call_model_method(self, model: ModelValue, name: str, args: list[Any],
                          kwargs: dict[str, Any], node: ast.Call) -> Any:
        """Record `add`, `compile` and `fit`; the read-only methods change nothing."""
        if name == "add":
            if len(args) != 1 or kwargs:
                raise Unsupported("model.add(...) takes one layer", node)
            model.entries.append((node.lineno, args[0]))
            return None
        if name == "compile":
            model.compile_call = ModelCall(args, kwargs, node.lineno)
            self.compiled = model
            return None
        if name == "fit":
            model.fit_call = ModelCall(args, kwargs, node.lineno)
            self.fitted = model
            return TrainingHistory()
        return None
