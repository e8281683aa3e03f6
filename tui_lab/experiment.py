"""Experiments as data: the data options, layer stack, compile and fit options.

An `Experiment` is a frozen dataclass that mirrors what a Keras user writes:

    model = keras.Sequential([...layers...])
    model.compile(optimizer=..., loss=..., metrics=[...])
    model.fit(X, y, batch_size=..., epochs=..., validation_split=..., callbacks=[...])

Every layer, optimizer, loss, metric and callback is either a string that Keras
accepts (`"adam"`, `"binary_crossentropy"`, `"accuracy"`) or a table with a `type`
(the Keras class name) and that class's constructor arguments. The TOML form uses the
same names, so a file reads like the Keras code it stands for.
"""

from __future__ import annotations

import copy
import datetime
import glob
import json
import math
import os
import re
import tempfile
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from tui_lab import keras_names
from tui_lab.keras_names import Argument, ArgumentError

KerasSpec = str | dict[str, Any]
"""A Keras object as a string (`"adam"`) or a table (`{"type": "Adam", "learning_rate": 0.1}`)."""

DEFAULT_FEATURES = ("pclass", "sex", "age", "sibsp", "parch", "fare", "embarked")


@dataclass(frozen=True)
class Problem:
    """One invalid value: where it is, what it is, and what is allowed there."""

    field: str
    value: Any
    expected: str

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected}, received {_show(self.value)}"


class ExperimentError(ValueError):
    """An experiment that cannot be built, with every problem found in it."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        lines = [f"{where}invalid experiment ({len(self.problems)} problem"
                 f"{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


SHOWN_CHARS = 60
"""Maximum length of a value in a problem message; a longer value keeps its start and end around "..."."""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return _cut(repr(value)) if value else "an empty string"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"a whole number of about {digits:,} digits"
    try:
        text = repr(value)
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to show"
    except ValueError:
        # Python raises ValueError on converting an int of more than 4,300 digits to text.
        return f"a {type(value).__name__} with a number too long to show"
    return _cut(text)


def _key_text(key: Any) -> str:
    """Return a key as TOML writes it: bare when it can be, else quoted (`""`, `"my key"`)."""
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return _cut(json.dumps(str(key), ensure_ascii=False))


def _cut(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return text
    half = (SHOWN_CHARS - 3) // 2
    return text[:half] + "..." + text[-half:]


@dataclass(frozen=True)
class DataSpec:
    """Which rows and columns the model gets, and how they are prepared.

    `source` is `"titanic"` (the bundled passenger list) or a path to a CSV file.
    `impute` is `"median"` or `"none"`; `scale` is `"standard"` or `"none"`.
    `shuffle` shuffles the rows once, seeded by `seed`, before Keras takes the last
    `validation_split` share as validation rows. `sort_by`, `keep_positive` and
    `missing_indicators` reproduce datasets that are sorted, have rare positives, or
    carry a column's missingness as a feature.
    """

    source: str = "titanic"
    target: str = "survived"
    features: tuple[str, ...] = DEFAULT_FEATURES
    impute: str = "median"
    scale: str = "standard"
    shuffle: bool = True
    seed: int = 0
    sort_by: str | None = None
    keep_positive: float = 1.0
    missing_indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its Keras class name and constructor arguments."""

    type: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """Return the argument `name`, or `default` when the layer does not set it."""
        return self.args.get(name, default)

    def with_args(self, **changes: Any) -> LayerSpec:
        """Return a copy with some arguments changed; `None` removes an argument."""
        args = dict(self.args)
        for name, value in changes.items():
            if value is None:
                args.pop(name, None)
            else:
                args[name] = value
        return LayerSpec(self.type, args)

    def to_dict(self) -> dict[str, Any]:
        """Return the TOML table of this layer: `type` and its arguments."""
        return {"type": self.type, **copy.deepcopy(dict(self.args))}


@dataclass(frozen=True)
class CompileSpec:
    """The arguments of `model.compile()`."""

    optimizer: KerasSpec = "adam"
    loss: KerasSpec = "binary_crossentropy"
    metrics: tuple[KerasSpec, ...] = ("accuracy",)


@dataclass(frozen=True)
class FitSpec:
    """The arguments of `model.fit()`, with callbacks as tables."""

    batch_size: int = 32
    epochs: int = 20
    validation_split: float = 0.2
    shuffle: bool = True
    class_weight: Mapping[int, float] | None = None
    callbacks: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Experiment:
    """A whole experiment: data, layer stack, compile and fit options."""

    name: str = "untitled"
    data: DataSpec = field(default_factory=DataSpec)
    layers: tuple[LayerSpec, ...] = ()
    compile: CompileSpec = field(default_factory=CompileSpec)
    fit: FitSpec = field(default_factory=FitSpec)

    def to_dict(self) -> dict[str, Any]:
        """Return the experiment as the nested tables of its TOML form."""
        return to_dict(self)

    def to_toml(self) -> str:
        """Return the experiment as TOML text."""
        return to_toml(self)

    def replace_layer(self, index: int, layer: LayerSpec) -> Experiment:
        """Return a copy with the layer at `index` replaced."""
        layers = list(self.layers)
        layers[index] = layer
        return replace(self, layers=tuple(layers))

    def with_compile(self, **changes: Any) -> Experiment:
        """Return a copy with some `compile()` arguments changed."""
        return replace(self, compile=replace(self.compile, **changes))

    def with_fit(self, **changes: Any) -> Experiment:
        """Return a copy with some `fit()` arguments changed."""
        return replace(self, fit=replace(self.fit, **changes))

    def with_data(self, **changes: Any) -> Experiment:
        """Return a copy with some data options changed."""
        return replace(self, data=replace(self.data, **changes))


# --- Keras specs: a string or a table with a type --------------------------------


def spec_type(spec: KerasSpec) -> str:
    """Return the name a spec gives: the string itself, or the table's `type`."""
    if isinstance(spec, str):
        return spec
    return str(spec.get("type", ""))


def spec_args(spec: KerasSpec) -> dict[str, Any]:
    """Return a spec's constructor arguments (none for a string)."""
    if isinstance(spec, str):
        return {}
    return {name: value for name, value in spec.items() if name != "type"}


def optimizer_class(spec: KerasSpec) -> str:
    """Return the optimizer class a spec names: `"adam"` gives `"Adam"`."""
    name = spec_type(spec)
    return keras_names.OPTIMIZER_STRINGS.get(name.lower(), name)


def learning_rate(spec: KerasSpec) -> float:
    """Return the learning rate an optimizer spec sets, or its Keras default."""
    args = spec_args(spec)
    if "learning_rate" in args:
        return float(args["learning_rate"])
    return keras_names.DEFAULT_LEARNING_RATES.get(optimizer_class(spec), 0.001)


def loss_class(spec: KerasSpec) -> str:
    """Return the loss class a spec names: `"mse"` gives `"MeanSquaredError"`."""
    name = spec_type(spec)
    return keras_names.LOSS_STRINGS.get(name, name)


def metric_name(spec: KerasSpec) -> str:
    """Return the metric a spec names, keeping Keras's special string `"accuracy"`."""
    name = spec_type(spec)
    return keras_names.METRIC_STRINGS.get(name, name)


# --- to and from plain tables -------------------------------------------------------


def to_dict(experiment: Experiment) -> dict[str, Any]:
    """Return an experiment as plain tables, in the layout of its TOML file."""
    data = {
        f.name: getattr(experiment.data, f.name)
        for f in fields(DataSpec)
    }
    data["features"] = list(experiment.data.features)
    data["missing_indicators"] = list(experiment.data.missing_indicators)
    if data["sort_by"] is None:
        del data["sort_by"]
    if data["keep_positive"] == 1.0:
        del data["keep_positive"]
    if not data["missing_indicators"]:
        del data["missing_indicators"]

    fit: dict[str, Any] = {
        "batch_size": experiment.fit.batch_size,
        "epochs": experiment.fit.epochs,
        "validation_split": experiment.fit.validation_split,
        "shuffle": experiment.fit.shuffle,
    }
    if experiment.fit.class_weight:
        fit["class_weight"] = {str(k): v for k, v in experiment.fit.class_weight.items()}
    if experiment.fit.callbacks:
        fit["callbacks"] = copy.deepcopy(list(experiment.fit.callbacks))

    return {
        "name": experiment.name,
        "data": data,
        "layers": [layer.to_dict() for layer in experiment.layers],
        "compile": {
            "optimizer": copy.deepcopy(experiment.compile.optimizer),
            "loss": copy.deepcopy(experiment.compile.loss),
            "metrics": copy.deepcopy(list(experiment.compile.metrics)),
        },
        "fit": fit,
    }


def to_toml(experiment: Experiment) -> str:
    """Return an experiment as TOML, with `[[layers]]` and `[[fit.callbacks]]` tables.

    `tomli_w` would write short arrays of tables inline. The lab writes them as array
    tables so that a file reads like the layer list it describes.
    """
    tables = to_dict(experiment)
    callbacks = tables["fit"].pop("callbacks", [])
    parts = [
        tomli_w.dumps({"name": tables["name"]}),
        tomli_w.dumps({"data": tables["data"]}),
    ]
    parts += ["[[layers]]\n" + _inline_keys(layer) for layer in tables["layers"]]
    parts.append(tomli_w.dumps({"compile": tables["compile"]}))
    parts.append(tomli_w.dumps({"fit": tables["fit"]}))
    parts += ["[[fit.callbacks]]\n" + _inline_keys(callback) for callback in callbacks]
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


def _inline_keys(table: Mapping[str, Any]) -> str:
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in table.items())


def _toml_key(key: str) -> str:
    return tomli_w.dumps({key: 0}).split(" = ", 1)[0]


def _toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"x": value}).split(" = ", 1)[1].rstrip("\n")


def from_dict(tables: Mapping[str, Any], source: str | None = None) -> Experiment:
    """Build and validate an experiment from plain tables.

    Raises `ExperimentError` listing every invalid value, each with its field name,
    the value received and what is allowed.
    """
    reader = _Reader()
    experiment = reader.experiment(tables)
    if reader.problems:
        raise ExperimentError(reader.problems, source)
    return experiment


def validate(experiment: Experiment) -> list[Problem]:
    """Return the problems in an experiment built in code (empty when it is valid)."""
    try:
        from_dict(to_dict(experiment))
    except ExperimentError as error:
        return error.problems
    return []


def loads(text: str, source: str | None = None) -> Experiment:
    """Parse and validate an experiment from TOML text."""
    text = text.removeprefix("\ufeff")
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError([Problem("TOML", _first_line(text, error), f"valid TOML ({error})")],
                              source) from None
    except RecursionError:
        # Python 3.11's tomllib recurses once per level and fails near 500 nested arrays.
        raise _too_deep(text, source) from None
    except ValueError:
        # tomllib converts integers with int(), which rejects more than 4,300 digits.
        line = next((line for line in text.splitlines() if re.search(r"\d{4300}", line)), "")
        raise ExperimentError([Problem("TOML", _cut(line.strip()), "numbers of at most 4,300"
                                       " digits")], source) from None

    # Whether tomllib reaches its recursion limit depends on the interpreter's limit,
    # which other libraries may raise, so the depth of what it returned is checked too.
    if _nesting_depth(tables) > MAX_TOML_DEPTH:
        raise _too_deep(text, source)
    return from_dict(tables, source)


MAX_TOML_DEPTH = 64
"""Deepest nesting of tables and arrays an experiment file may have; a real one has 4."""


def _too_deep(text: str, source: str | None) -> ExperimentError:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return ExperimentError([Problem("TOML", _cut(first_line),
                                    f"arrays and inline tables nested at most {MAX_TOML_DEPTH}"
                                    " levels deep")], source)


def _nesting_depth(value: Any) -> int:
    """Return how deeply tables and arrays nest in `value`, without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_TOML_DEPTH:
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _first_line(text: str, error: tomllib.TOMLDecodeError) -> str:
    """Return the text of the line a TOML error points at ("... (at line 2, column 10)")."""
    found = re.search(r"at line (\d+)", str(error))
    lines = text.splitlines()
    if found and 0 < int(found.group(1)) <= len(lines):
        return lines[int(found.group(1)) - 1].strip()[:60]
    return lines[0].strip()[:60] if lines else ""


MAX_FILE_BYTES = 10 * 2**20
"""Largest experiment file `load` reads. A real one has a few KB, so this bounds the read of a
wrong path such as a dataset or /dev/zero."""


def load(path: str | os.PathLike[str]) -> Experiment:
    """Read and validate an experiment TOML file.

    Raises `ExperimentError` for a file that is missing, unreadable, larger than
    `MAX_FILE_BYTES`, not UTF-8 text or not a valid experiment.
    """
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExperimentError([Problem("file", str(path), f"a readable TOML file ({reason})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ExperimentError([Problem("file", str(path), f"a TOML file of at most"
                                       f" {MAX_FILE_BYTES // 2**20} MB; check that the path names"
                                       " the experiment")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        raise ExperimentError(
            [Problem("file", str(path),
                     f"a TOML text file in UTF-8 (byte {error.start:,} is 0x{byte:02x}, which is not"
                     " UTF-8; save the experiment as UTF-8 text)")]
        ) from None
    return loads(text, source=str(path))


def save(experiment: Experiment, path: str | os.PathLike[str]) -> None:
    """Write an experiment as TOML atomically: a temporary file, then a rename."""
    write_atomic(Path(path), experiment.to_toml().encode("utf-8"))


STALE_TEMPORARY_SECONDS = 60.0
"""Age in seconds after which the next write to a path deletes a temporary file of a killed write."""


def remove_stale_temporaries(directory: Path, prefix: str, suffix: str) -> list[Path]:
    """Delete the files `prefix*suffix` in `directory` last modified over `STALE_TEMPORARY_SECONDS` ago.

    A process killed between creating its temporary file and renaming it leaves the file
    behind. Younger files are kept because another process may still be writing them.
    Returns the deleted paths; a file that cannot be deleted is skipped.
    """
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    removed = []
    for candidate in directory.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}"):
        try:
            if candidate.is_file() and candidate.stat().st_mtime < cutoff:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def write_atomic(path: Path, content: bytes, mode: int = 0o644) -> None:
    """Write `content` to `path` so that the path has the old or the new file, never a part.

    Temporary files of earlier writes to `path` that were killed midway are deleted first
    (see `remove_stale_temporaries`).
    """
    directory = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(directory, f".{path.name}.", ".tmp")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- validation ---------------------------------------------------------------------


class _Reader:
    """Turns tables into an `Experiment`, collecting every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, value: Any, expected: str) -> None:
        self.problems.append(Problem(where, value, expected))

    def table(self, where: str, value: Any) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(where, value, "a table")
            return {}
        return value

    def unknown_keys(self, where: str, table: Mapping[str, Any], known: Sequence[str]) -> None:
        for key in table:
            if key not in known:
                name = _key_text(key)
                self.fail(f"{where}.{name}" if where else name, table[key],
                          "one of the known names: " + ", ".join(known))

    def experiment(self, tables: Mapping[str, Any]) -> Experiment:
        if not isinstance(tables, Mapping):
            self.fail("experiment", tables, "a table")
            return Experiment()
        self.unknown_keys("", tables, ("name", "data", "layers", "compile", "fit"))

        name = tables.get("name", "untitled")
        if not isinstance(name, str) or not name.strip():
            self.fail("name", name, "a non-empty string")
            name = "untitled"

        layers_value = tables.get("layers", [])
        if not isinstance(layers_value, list):
            self.fail("layers", layers_value, "an array of tables ([[layers]])")
            layers_value = []

        return Experiment(
            name=name,
            data=self.data(self.table("data", tables.get("data"))),
            layers=tuple(self.layer(i, value) for i, value in enumerate(layers_value)),
            compile=self.compile(self.table("compile", tables.get("compile"))),
            fit=self.fit(self.table("fit", tables.get("fit"))),
        )

    def data(self, table: Mapping[str, Any]) -> DataSpec:
        defaults = DataSpec()
        self.unknown_keys("data", table, [f.name for f in fields(DataSpec)])

        def text(key: str, choices: Sequence[str] | None = None) -> str:
            value = table.get(key, getattr(defaults, key))
            if not isinstance(value, str) or not value:
                self.fail(f"data.{key}", value, "a non-empty string")
                return getattr(defaults, key)
            if choices is not None and value not in choices:
                self.fail(f"data.{key}", value, " or ".join(repr(c) for c in choices))
                return getattr(defaults, key)
            return value

        def names(key: str) -> tuple[str, ...]:
            value = table.get(key, list(getattr(defaults, key)))
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.fail(f"data.{key}", value, "an array of column names")
                return tuple(getattr(defaults, key))
            if len(set(value)) != len(value):
                self.fail(f"data.{key}", value, "each column named once")
            return tuple(value)

        features = names("features")
        if not features:
            self.fail("data.features", [], "at least one feature column")

        shuffle = table.get("shuffle", defaults.shuffle)
        if not isinstance(shuffle, bool):
            self.fail("data.shuffle", shuffle, "true or false")
            shuffle = defaults.shuffle

        seed = self.argument("data.seed", table.get("seed", defaults.seed),
                             Argument("a whole number >= 0", keras_names._integer(0)), defaults.seed)
        keep_positive = self.argument(
            "data.keep_positive", table.get("keep_positive", 1.0),
            Argument("a number in (0, 1]", keras_names._real(0.0, 1.0, low_open=True)), 1.0)

        sort_by = table.get("sort_by")
        if sort_by is not None and (not isinstance(sort_by, str) or not sort_by):
            self.fail("data.sort_by", sort_by, "a column name")
            sort_by = None

        target = text("target")
        if target in features:
            self.fail("data.features", list(features), f"feature columns other than the target {target!r}")

        return DataSpec(
            source=text("source"),
            target=target,
            features=features,
            impute=text("impute", ("median", "none")),
            scale=text("scale", ("standard", "none")),
            shuffle=shuffle,
            seed=seed,
            sort_by=sort_by,
            keep_positive=float(keep_positive),
            missing_indicators=names("missing_indicators"),
        )

    def argument(self, where: str, value: Any, argument: Argument, fallback: Any) -> Any:
        try:
            return argument.check(value)
        except ArgumentError as error:
            self.fail(where, value, str(error).removeprefix("expected "))
            return fallback

    def arguments(self, where: str, args: Mapping[str, Any],
                  schema: Mapping[str, Argument], kind: str, extra: Sequence[str] = ()) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in args.items():
            if name in extra:
                argument = NAME
            elif name in schema:
                argument = schema[name]
            else:
                allowed = ", ".join(list(schema) + list(extra)) or "none"
                self.fail(f"{where}.{name}", value, f"an argument of {kind} ({allowed})")
                continue

            result = self.argument(f"{where}.{name}", value, argument, None)
            if result is None:
                # `None` is the Keras default of every argument that accepts it
                # (activation=None, kernel_regularizer=None), and TOML has no null.
                continue

            problem = toml_problem(result)
            if problem is not None:
                self.fail(f"{where}.{name}", value, problem)
                continue
            checked[name] = result
        return checked

    def layer(self, index: int, value: Any) -> LayerSpec:
        where = f"layers[{index}]"
        if not isinstance(value, Mapping):
            self.fail(where, value, "a table with a type, such as {type = \"Dense\", units = 8}")
            return LayerSpec("Dense", {"units": 1})
        layer_type = value.get("type")
        if not isinstance(layer_type, str) or layer_type not in keras_names.LAYERS:
            self.fail(f"{where}.type", layer_type, "a layer class: " + ", ".join(keras_names.LAYERS))
            return LayerSpec(str(layer_type), {})

        where = f"{where} ({layer_type})"
        args = {name: v for name, v in value.items() if name != "type"}
        for required in keras_names.LAYER_REQUIRED.get(layer_type, ()):
            if required not in args:
                self.fail(f"{where}.{required}", None, keras_names.LAYERS[layer_type][required].allowed)
        checked = self.arguments(where, args, keras_names.LAYERS[layer_type], f"{layer_type}", ("name",))
        units = checked.get("units") if layer_type == "Dense" else None
        if isinstance(units, int) and units > keras_names.MAX_UNITS:
            self.fail(f"{where}.units", args["units"], f"at most {keras_names.MAX_UNITS:,} units")
        return LayerSpec(layer_type, checked)

    def keras_object(self, where: str, value: Any, classes: Mapping[str, Mapping[str, Argument]],
                     strings: Mapping[str, str], kind: str) -> KerasSpec | None:
        if isinstance(value, str):
            if value in strings or value in classes or value.lower() in strings:
                return value
            known = sorted(set(strings) | set(classes))
            self.fail(where, value, f"a Keras {kind} name: " + ", ".join(known))
            return None
        if isinstance(value, Mapping):
            class_name = value.get("type")
            if not isinstance(class_name, str) or class_name not in classes:
                self.fail(f"{where}.type", class_name, f"a Keras {kind} class: " + ", ".join(classes))
                return None
            args = {k: v for k, v in value.items() if k != "type"}
            checked = self.arguments(where, args, classes[class_name], class_name, ("name",))
            return {"type": class_name, **checked}
        self.fail(where, value, f"a {kind} name or a table with a type")
        return None

    def compile(self, table: Mapping[str, Any]) -> CompileSpec:
        defaults = CompileSpec()
        self.unknown_keys("compile", table, ("optimizer", "loss", "metrics"))
        optimizer = self.keras_object("compile.optimizer", table.get("optimizer", defaults.optimizer),
                                      keras_names.OPTIMIZERS, keras_names.OPTIMIZER_STRINGS, "optimizer")
        loss = self.keras_object("compile.loss", table.get("loss", defaults.loss),
                                 keras_names.LOSSES, keras_names.LOSS_STRINGS, "loss")
        metrics_value = table.get("metrics", list(defaults.metrics))
        if not isinstance(metrics_value, list):
            self.fail("compile.metrics", metrics_value, "an array of metric names or tables")
            metrics_value = []
        metrics = []
        for i, metric in enumerate(metrics_value):
            checked = self.keras_object(f"compile.metrics[{i}]", metric, keras_names.METRICS,
                                        keras_names.METRIC_STRINGS, "metric")
            if checked is not None:
                metrics.append(checked)
        return CompileSpec(
            optimizer=optimizer if optimizer is not None else defaults.optimizer,
            loss=loss if loss is not None else defaults.loss,
            metrics=tuple(metrics),
        )

    def fit(self, table: Mapping[str, Any]) -> FitSpec:
        defaults = FitSpec()
        self.unknown_keys("fit", table, list(keras_names.FIT_ARGUMENTS) + ["callbacks"])
        values: dict[str, Any] = {}
        for name, argument in keras_names.FIT_ARGUMENTS.items():
            if name not in table:
                continue
            values[name] = self.argument(f"fit.{name}", table[name], argument, getattr(defaults, name))
        if values.get("epochs", 1) > keras_names.MAX_EPOCHS:
            self.fail("fit.epochs", table["epochs"], f"at most {keras_names.MAX_EPOCHS:,} epochs")
            values["epochs"] = defaults.epochs
        if values.get("batch_size", 1) > keras_names.MAX_BATCH_SIZE:
            self.fail("fit.batch_size", table["batch_size"], f"at most {keras_names.MAX_BATCH_SIZE:,}")
            values["batch_size"] = defaults.batch_size

        callbacks_value = table.get("callbacks", [])
        if not isinstance(callbacks_value, list):
            self.fail("fit.callbacks", callbacks_value, "an array of tables ([[fit.callbacks]])")
            callbacks_value = []
        callbacks = []
        for i, callback in enumerate(callbacks_value):
            checked = self.keras_object(f"fit.callbacks[{i}]", callback, keras_names.CALLBACKS, {}, "callback")
            if isinstance(checked, dict):
                callbacks.append(checked)
            elif isinstance(checked, str):
                callbacks.append({"type": checked})
        return FitSpec(**values, callbacks=tuple(callbacks))


NAME = Argument("a non-empty string", keras_names._string)
"""The `name` argument that every layer and Keras object may take."""

TOML_VALUE = "a TOML value: a string, number, true or false, array, or table with string keys"

TOML_MAX_ITEMS = 100_000
"""Maximum number of values `toml_problem` visits, which also ends its walk of a cyclic list."""


def toml_problem(value: Any) -> str | None:
    """Return what is expected when `value` cannot be written as TOML, else `None`.

    Tables from TOML text always pass; tables built in code (`from_dict`, the Python
    importer) can carry `None`, bytes or non-string keys, which `to_toml` cannot write.
    """
    pending = [value]
    visited = 0
    while pending:
        item = pending.pop()
        visited += 1
        if visited > TOML_MAX_ITEMS:
            return TOML_VALUE + f", of at most {TOML_MAX_ITEMS:,} items"
        if isinstance(item, Mapping):
            if not all(isinstance(key, str) for key in item):
                return TOML_VALUE
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif not isinstance(item, (str, int, float, bool, datetime.date, datetime.time)):
            return TOML_VALUE
    return None


def is_finite_number(value: Any) -> bool:
    """Return whether `value` is an int or float (not a bool) with a finite value."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
