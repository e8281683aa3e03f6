"""Property tests: every input to the three loaders gives a valid result or the loader's error.

The experiment loader raises `ExperimentError`, the Python importer `CodeImportError`
and the CSV loader `DataError`. Any other exception, or an import slower than the
deadline, fails the property. Each property runs a modest number of examples so that
the file finishes in well under a minute on 2 cores.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui_lab import keras_names
from tui_lab.codeio.python_import import CodeImportError, ImportResult, import_bytes, import_source
from tui_lab.data import DataError, Dataset, load, read_table
from tui_lab.experiment import (DataSpec, Experiment, ExperimentError, from_dict, loads,
                                to_toml)

SNIPPETS = sorted((Path(__file__).parent / "snippets").glob("*.py"))

IMPORT_DEADLINE_MS = 5_000
"""Maximum time of one import, in milliseconds; a slower or hanging import fails the property."""

# --- experiment tables --------------------------------------------------------------

FIELD_NAMES = sorted(
    {"name", "data", "layers", "compile", "fit", "type", "callbacks", "optimizer", "loss",
     "metrics"}
    | {field for field in DataSpec.__dataclass_fields__}
    | set(keras_names.FIT_ARGUMENTS)
    | {argument for arguments in keras_names.LAYERS.values() for argument in arguments}
    | {argument for arguments in keras_names.OPTIMIZERS.values() for argument in arguments}
    | {argument for arguments in keras_names.CALLBACKS.values() for argument in arguments}
)
CLASS_NAMES = sorted(
    set(keras_names.LAYERS) | set(keras_names.OPTIMIZERS) | set(keras_names.LOSSES)
    | set(keras_names.METRICS) | set(keras_names.CALLBACKS)
    | set(keras_names.OPTIMIZER_STRINGS) | set(keras_names.LOSS_STRINGS)
    | set(keras_names.METRIC_STRINGS) | set(keras_names.ACTIVATIONS)
)

keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(CLASS_NAMES)
    | st.text(max_size=12)
    | st.dates()
    | st.datetimes(timezones=st.just(datetime.timezone.utc))
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=16,
)
keras_tables = st.fixed_dictionaries(
    {"type": st.sampled_from(CLASS_NAMES) | values},
    optional={name: values for name in ("units", "activation", "rate", "learning_rate",
                                        "patience", "name", "kernel_initializer")},
)
sections = st.fixed_dictionaries(
    {},
    optional={
        "name": values,
        "data": st.dictionaries(keys, values, max_size=5) | values,
        "layers": st.lists(keras_tables | values, max_size=4) | values,
        "compile": st.fixed_dictionaries(
            {}, optional={"optimizer": keras_tables | values, "loss": keras_tables | values,
                          "metrics": st.lists(keras_tables | values, max_size=3)}) | values,
        "fit": st.dictionaries(keys, values, max_size=5) | st.fixed_dictionaries(
            {}, optional={"epochs": values, "batch_size": values,
                          "callbacks": st.lists(keras_tables, max_size=2)}),
    },
)
experiment_tables = sections | st.dictionaries(keys, values, max_size=4) | values


def _assert_named(error: ExperimentError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.field
        assert problem.expected


def _assert_round_trip(experiment: Experiment) -> None:
    text = to_toml(experiment)

    again = loads(text)

    assert again.to_toml() == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiment_tables)
def test_from_dict_result_or_error(tables):
    try:
        experiment = from_dict(tables)
    except ExperimentError as error:
        _assert_named(error)
        return

    _assert_round_trip(experiment)


toml_lines = st.one_of(
    st.sampled_from(["[data]", "[compile]", "[fit]", "[[layers]]", "[[fit.callbacks]]",
                     "[compile.optimizer]", "[layers]", "[[compile]]", "", "# comment"]),
    st.builds(lambda key, value: f"{key} = {value}",
              st.sampled_from(FIELD_NAMES),
              st.sampled_from(['"Dense"', '"relu"', "1", "0", "-1", "1e300", "inf", "nan", "true",
                               '"adam"', "[]", "{}", '["accuracy"]', "{ type = \"Adam\" }",
                               "0.5", "10000000000000", '""', '"Dénse"', "1979-05-27",
                               "[[1]]", '{ type = ["Dense"] }'])),
    st.text(max_size=20),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(toml_lines, max_size=12).map("\n".join) | st.text())
def test_loads_result_or_error(text):
    try:
        experiment = loads(text)
    except ExperimentError as error:
        _assert_named(error)
        return

    _assert_round_trip(experiment)


# --- Python importer ----------------------------------------------------------------

_TOKEN = re.compile(r"\w+|[^\w\s]|\n")
REPLACEMENTS = ("(", ")", "[", "]", ",", "=", ":", "1e300", "10**12", "-1", "None", "0",
                "'Dénse'", "Dense", "model", "keras", "for", "if", "def", "lambda", "*", "**",
                "\\", "'", '"', "\t", "\x00", "\ufeff", "...", "2**400")


@st.composite
def mutated_snippets(draw) -> str:
    """Draw a real snippet and delete, duplicate or replace a few of its tokens or lines."""
    text = Path(draw(st.sampled_from(SNIPPETS))).read_text(encoding="utf-8")
    by_lines = draw(st.booleans())
    parts = text.splitlines(keepends=True) if by_lines else _TOKEN.findall(text)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not parts:
            break
        index = draw(st.integers(min_value=0, max_value=len(parts) - 1))
        action = draw(st.sampled_from(("delete", "duplicate", "replace")))
        if action == "delete":
            del parts[index]
        elif action == "duplicate":
            parts.insert(index, parts[index])
        else:
            parts[index] = draw(st.sampled_from(REPLACEMENTS + tuple(parts)))
    return ("" if by_lines else " ").join(parts)


def _assert_imported(result: ImportResult) -> None:
    assert isinstance(result, ImportResult)
    text = result.experiment.to_toml()
    assert loads(text).to_toml() == text


def test_snippets_present():
    assert len(SNIPPETS) >= 10


@settings(max_examples=80, deadline=IMPORT_DEADLINE_MS)
@given(mutated_snippets())
def test_import_mutated_snippet(source):
    try:
        result = import_source(source, "mutated.py")
    except CodeImportError as error:
        assert str(error)
        return

    _assert_imported(result)


@settings(max_examples=60, deadline=IMPORT_DEADLINE_MS)
@given(st.text(max_size=200))
def test_import_arbitrary_text(source):
    try:
        result = import_source(source, "arbitrary.py")
    except CodeImportError as error:
        assert str(error)
        return

    _assert_imported(result)


@settings(max_examples=60, deadline=IMPORT_DEADLINE_MS)
@given(st.binary(max_size=200))
def test_import_arbitrary_bytes(raw):
    try:
        result = import_bytes(raw, "arbitrary.py")
    except CodeImportError as error:
        assert str(error)
        return

    _assert_imported(result)


# --- CSV loader ---------------------------------------------------------------------

DELIMITERS = (",", ";", "\t", "|", " ", ":")
ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252")
QUOTING = (csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE)
LINE_ENDINGS = ("\n", "\r\n", "\r")
MISSING = ("", "NA", "NaN", "null", "?", "None", "-")

column_names = st.sampled_from(["age", "fare", "survived", "sex", "âge", "", " ", "a,b", '"q"',
                                "1", "Unnamed: 0"]) | st.text(max_size=6)
cells = (
    st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(MISSING)
    | st.sampled_from(["male", "female", "0", "1", "yes", "no", "é", "1,5", "line\nbreak"])
    | st.text(max_size=6)
)


@st.composite
def csv_files(draw) -> bytes:
    """Draw a small table written with a random delimiter, encoding, quoting and line end."""
    names = draw(st.lists(column_names, min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(cells, min_size=len(names), max_size=len(names)), max_size=8))
    if draw(st.booleans()):
        rows = [row[:draw(st.integers(min_value=0, max_value=len(row)))] for row in rows]

    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=draw(st.sampled_from(DELIMITERS)),
                        quoting=draw(st.sampled_from(QUOTING)), escapechar="\\",
                        lineterminator=draw(st.sampled_from(LINE_ENDINGS)))
    try:
        writer.writerow(names)
        writer.writerows(rows)
    except csv.Error:
        assume(False)
    encoding = draw(st.sampled_from(ENCODINGS))
    return stream.getvalue().encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def csv_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("property_csv")


def _load_csv(path: Path) -> None:
    """Read and load the file, asserting that each step gives a result or a `DataError`."""
    try:
        frame = read_table(str(path))
    except DataError as error:
        assert str(error)
        return

    columns = [str(column) for column in frame.columns]
    spec = DataSpec(source=str(path), target=columns[-1], features=tuple(columns[:-1]))
    try:
        dataset = load(spec)
    except DataError as error:
        assert str(error)
        return
    assert isinstance(dataset, Dataset)
    assert dataset.x.shape[0] == dataset.y.shape[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_csv_table_dataset_or_error(csv_folder, raw):
    path = csv_folder / "table.csv"
    path.write_bytes(raw)

    _load_csv(path)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300) | st.binary(max_size=40).map(lambda raw: b"age,survived\n" + raw))
def test_csv_binary_dataset_or_error(csv_folder, raw):
    path = csv_folder / "garbage.csv"
    path.write_bytes(raw)

    _load_csv(path)
