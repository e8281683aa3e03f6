"""Import Keras Python source as an `Experiment`, reading it with `ast` and never running it.

    result = import_source(open("train.py").read(), "train.py")
    result.experiment      # the layers, compile and fit options the code sets
    result.skipped         # every construct left out, with its line and reason

The code that loads and prepares data is not modelled, so the data options stay
`DataSpec()` unless the source has a module-level `DATA = {...}` dict of data options,
which `export_python` writes.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tui_lab import keras_names
from tui_lab.codeio import keras_objects
from tui_lab.codeio.evaluator import Limits, Opaque
from tui_lab.codeio.keras_model import KerasReader, ModelCall, ModelValue
from tui_lab.experiment import DataSpec, Experiment, ExperimentError, from_dict
from tui_lab.keras_names import ArgumentError

COMPILE_POSITIONAL = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                      "run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss")
FIT_POSITIONAL = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
                  "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
                  "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq")
"""The positional parameters of `Model.compile` and `Model.fit` in Keras 3.15."""

FIT_IGNORED = ("x", "y", "verbose")
"""`fit()` arguments that the lab sets itself (the data) or that do not change training."""

DATA_VARIABLE = "DATA"
"""Module-level dict of data options that `export_python` writes and the importer reads back."""

FIT_MAXIMUMS = {"epochs": keras_names.MAX_EPOCHS, "batch_size": keras_names.MAX_BATCH_SIZE}
"""The largest `fit()` values the lab runs; a larger one is skipped so that the rest imports."""

UTF8_MAX_BYTES = 4
"""Most bytes that one character takes in UTF-8; bounds the bytes read for the character limit."""

KERAS_DEFAULT_EPOCHS = 1
KERAS_DEFAULT_OPTIMIZER = "rmsprop"


@dataclass(frozen=True)
class Skipped:
    """A construct of the source that was not imported, with its line (0 when unknown)."""

    line: int
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """The imported experiment, the constructs left out, and the defaults the lab filled in."""

    experiment: Experiment
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)
    """Places where the source sets nothing and the lab uses its own value instead."""


class CodeImportError(ValueError):
    """Source that cannot be imported at all: invalid syntax, too large, or without a model."""


def import_file(path: str | Path, limits: Limits | None = None) -> ImportResult:
    """Read a Python file as UTF-8 and import it; raise `CodeImportError` for unreadable files."""
    path = Path(path)
    max_bytes = (limits or Limits()).max_source_chars * UTF8_MAX_BYTES
    try:
        with open(path, "rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as error:
        raise CodeImportError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if len(raw) > max_bytes:
        raise CodeImportError(f"{path}: the file has more than {max_bytes:,} bytes, more than the"
                              f" {max_bytes // UTF8_MAX_BYTES:,} characters the importer reads;"
                              " import only the model code")
    return import_bytes(raw, str(path), limits)


def import_bytes(raw: bytes, filename: str = "<pasted>", limits: Limits | None = None) -> ImportResult:
    """Decode UTF-8 source bytes (with or without a byte order mark) and import them."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CodeImportError(
            f"{filename}: expected UTF-8 Python source, but byte {error.start} is"
            f" 0x{raw[error.start]:02x}; save the file as UTF-8 and import it again") from None
    return import_source(text, filename, limits)


def import_source(text: str, filename: str = "<pasted>", limits: Limits | None = None) -> ImportResult:
    """Import Keras source as an experiment without running any of it.

    Raises `CodeImportError` for source that does not parse, passes the size limit,
    or builds no Keras model.
    """
    limits = limits or Limits()
    tree = _parse(text.removeprefix("\ufeff"), filename, limits)
    _check_nesting(tree, filename)

    reader = KerasReader(limits)
    try:
        reader.run(tree)
    except RecursionError:
        raise CodeImportError(f"{filename}: the code nests calls or expressions too deeply to"
                              " follow; paste only the code that builds the model") from None

    model = reader.chosen_model()
    if model is None:
        raise CodeImportError(
            f"{filename}: no Keras model found; expected Sequential([...]), model.add(...) or"
            " Model(inputs, outputs) at module level or in a function the code calls"
            + _skipped_summary(reader.skips.entries))

    builder = _ExperimentBuilder(reader)
    tables = builder.tables(model, _experiment_name(filename))
    try:
        experiment = from_dict(tables, filename)
    except ExperimentError as error:
        raise CodeImportError(str(error)) from None

    skipped = [Skipped(line, reason) for line, reason in sorted(reader.skips.entries, key=lambda e: e[0])]
    return ImportResult(experiment, skipped, builder.notes)


SHOWN_SKIPS = 3
"""Skipped statements that the "no Keras model found" message lists."""


def _skipped_summary(entries: list[tuple[int, str]]) -> str:
    """Return the skipped statements that may have built the model, for the no-model message."""
    if not entries:
        return ""
    listed = "; ".join(f"line {line}: {reason}" for line, reason in sorted(entries)[:SHOWN_SKIPS])
    more = f" and {len(entries) - SHOWN_SKIPS:,} more" if len(entries) > SHOWN_SKIPS else ""
    return f". Statements skipped, one of which may build the model: {listed}{more}"


MAX_SYNTAX_DEPTH = 200
"""Deepest syntax tree the importer follows; model code rarely nests 30 levels.

Whether `ast.parse` itself fails on deep nesting depends on the interpreter's
recursion limit, which other libraries may raise, so the importer checks the depth
of the parsed tree itself.
"""


def _check_nesting(tree: ast.AST, filename: str) -> None:
    """Raise `CodeImportError` when the syntax tree nests deeper than `MAX_SYNTAX_DEPTH`."""
    pending = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_SYNTAX_DEPTH:
            line = getattr(node, "lineno", None)
            where = f"{filename}:{line}" if line else filename
            raise CodeImportError(f"{where}: the code is nested more than {MAX_SYNTAX_DEPTH} levels"
                                  " deep; paste only the code that builds the model")
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _parse(text: str, filename: str, limits: Limits) -> ast.Module:
    if len(text) > limits.max_source_chars:
        raise CodeImportError(f"{filename}: the source has {len(text):,} characters, more than"
                              f" the {limits.max_source_chars:,} the importer reads; paste only"
                              " the model code")
    try:
        with warnings.catch_warnings():
            # The compiler warns about code such as "1if x" or "\d" in a string. Those
            # warnings go to stderr, where the app draws its screen.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return ast.parse(text, filename=filename)
    except SyntaxError as error:
        where = f"{filename}:{error.lineno}" if error.lineno else filename
        raise CodeImportError(f"{where}: invalid Python syntax: {error.msg}; fix that line or"
                              " paste only the code that builds, compiles and fits the model") from None
    except (RecursionError, MemoryError):
        raise CodeImportError(f"{filename}: the code is nested too deeply to parse; paste only"
                              " the model code") from None
    except UnicodeEncodeError as error:
        raise CodeImportError(f"{filename}: character {error.start:,} of the source is not valid"
                              f" Unicode ({error.reason}); remove it or paste the code again") from None
    except ValueError as error:
        raise CodeImportError(f"{filename}: the source cannot be parsed: {error}") from None


def _experiment_name(filename: str) -> str:
    if filename.startswith("<"):
        return "imported"
    stem = Path(filename).stem.strip()
    return stem or "imported"


class _ExperimentBuilder:
    """Turns the model a `KerasReader` collected into experiment tables."""

    def __init__(self, reader: KerasReader) -> None:
        self.reader = reader
        self.notes: list[Skipped] = []

    def skip(self, line: int, reason: str) -> None:
        self.reader.skip(line, reason)

    def note(self, line: int, message: str) -> None:
        self.notes.append(Skipped(line, message))

    def tables(self, model: ModelValue, name: str) -> dict[str, Any]:
        layers = []
        for line, value in model.entries:
            table = keras_objects.layer_spec(value, line, self.skip)
            if table is not None:
                layers.append(table)
        if not layers:
            self.note(model.line, "the model has no layers the lab builds")
        return {
            "name": name,
            "data": self.data(),
            "layers": layers,
            "compile": self.compile(model),
            "fit": self.fit(model),
        }

    def data(self) -> dict[str, Any]:
        value = self.reader.globals.get(DATA_VARIABLE)
        known = {f.name for f in fields(DataSpec)}
        if not isinstance(value, dict) or not value or not set(value) <= known:
            return {}
        table = {key: list(item) if isinstance(item, tuple) else item for key, item in value.items()}
        try:
            from_dict({"data": table})
        except ExperimentError as error:
            problems = "; ".join(str(problem) for problem in error.problems)
            self.skip(0, f"{DATA_VARIABLE} is not valid data options ({problems})")
            return {}
        return table

    def compile(self, model: ModelValue) -> dict[str, Any]:
        call = model.compile_call
        if call is None:
            self.note(model.line, "the code never calls compile(); the lab uses its default"
                                  " optimizer, loss and metrics")
            return {}
        arguments = self.named(call, COMPILE_POSITIONAL, "compile")
        table: dict[str, Any] = {}

        optimizer = arguments.pop("optimizer", KERAS_DEFAULT_OPTIMIZER)
        spec = keras_objects.optimizer_spec(optimizer, call.line, self.skip)
        if spec is not None:
            table["optimizer"] = spec

        if "loss" in arguments:
            spec = keras_objects.loss_spec(arguments.pop("loss"), call.line, self.skip)
            if spec is not None:
                table["loss"] = spec
        else:
            self.note(call.line, "compile() sets no loss; the lab uses binary_crossentropy")

        table["metrics"] = keras_objects.metric_specs(arguments.pop("metrics", []), call.line, self.skip)
        for name in arguments:
            self.skip(call.line, f"compile argument {name} is not modelled by the lab")
        return table

    def fit(self, model: ModelValue) -> dict[str, Any]:
        call = model.fit_call
        if call is None:
            self.note(model.line, "the code never calls fit(); the lab uses its default fit options")
            return {}
        arguments = self.named(call, FIT_POSITIONAL, "fit")
        for name in FIT_IGNORED:
            arguments.pop(name, None)
        table: dict[str, Any] = {}

        if "callbacks" in arguments:
            callbacks = arguments.pop("callbacks")
            if callbacks is not None:
                table["callbacks"] = keras_objects.callback_specs(callbacks, call.line, self.skip)
        if "epochs" not in arguments:
            table["epochs"] = KERAS_DEFAULT_EPOCHS
        if arguments.get("batch_size", 0) is None:
            del arguments["batch_size"]
        if not arguments.get("validation_split"):
            arguments.pop("validation_split", None)
            self.note(call.line, "fit() sets no validation_split; the lab holds out 0.2 of the"
                                 " rows to measure validation metrics")

        for name, value in arguments.items():
            argument = keras_names.FIT_ARGUMENTS.get(name)
            if argument is None:
                self.skip(call.line, f"fit argument {name} is not modelled by the lab")
                continue
            if isinstance(value, Opaque):
                self.skip(call.line, f"fit argument {name} not imported: {value.reason}")
                continue
            try:
                checked = argument.check(value)
            except ArgumentError as error:
                self.skip(call.line, f"fit argument {name}: {error}, received {value!r}")
                continue
            maximum = FIT_MAXIMUMS.get(name)
            if maximum is not None and checked > maximum:
                self.skip(call.line, f"fit argument {name}: expected at most {maximum:,},"
                                     f" received {value:.3g}")
                continue
            table[name] = checked
        if "class_weight" in table:
            table["class_weight"] = {str(k): v for k, v in table["class_weight"].items()}
        return table

    def named(self, call: ModelCall, positional: tuple[str, ...], method: str) -> dict[str, Any]:
        """Return a call's arguments by name, reporting extra positional ones."""
        arguments: dict[str, Any] = {}
        for index, value in enumerate(call.args):
            if index >= len(positional):
                self.skip(call.line, f"{method}() positional argument {index + 1} is not modelled")
                continue
            arguments[positional[index]] = value
        arguments.update(call.kwargs)
        return arguments


__all__ = ["CodeImportError", "ImportResult", "Limits", "Skipped", "import_bytes", "import_file",
           "import_source"]
