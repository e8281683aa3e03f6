"""Export an `Experiment` as a runnable Python script that uses plain Keras, pandas and numpy.

The script loads the data the way `tui_lab.data.load` does: missing markers, dropped
rows without a target, `keep_positive`, `sort_by`, the seeded shuffle, median
imputation, one-hot text columns, standardisation and label encoding. It then seeds
Keras with `keras.utils.set_random_seed(seed)`, builds the same `Sequential` model,
compiles and fits it, and prints one JSON line last:
`{"val_accuracy": ..., "metric": ..., "history": {...}}`.

The data options are written as a module-level `DATA = {...}` dict that
`import_source` reads back, so export followed by import gives the same experiment
except its name.
"""

from __future__ import annotations

import pprint
from importlib.resources import files
from pathlib import Path
from typing import Any

from tui_lab.experiment import Experiment, KerasSpec, spec_args, spec_type, to_dict

BUNDLED_SOURCE = "titanic"

NESTED_MODULES = {
    "kernel_initializer": "initializers",
    "bias_initializer": "initializers",
    "kernel_regularizer": "regularizers",
    "bias_regularizer": "regularizers",
    "activity_regularizer": "regularizers",
}
"""Layer arguments whose table form names a class in another `keras` submodule."""

_DATA_CODE = '''
MISSING_MARKERS = ["?"]
DELIMITERS = (",", ";", "\\t", "|")
POSITIVE_WORDS = {"1", "yes", "y", "true", "t", "survived", "alive", "positive", "pos"}


def detect_delimiter(path):
    """Return the delimiter that splits the header line into the most fields."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        header = stream.readline()
    counts = [len(next(csv.reader(io.StringIO(header), delimiter=d), [])) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def find_column(frame, name):
    """Return the frame's column called name, matching case-insensitively when needed."""
    if name in frame.columns:
        return name
    matches = [c for c in frame.columns if str(c).strip().casefold() == name.strip().casefold()]
    if len(matches) != 1:
        raise SystemExit(f"column {name!r} not found; columns are: {list(frame.columns)}")
    return matches[0]


def encode_labels(target):
    """Return 0/1 labels: the larger number, or the positive word, becomes 1."""
    numeric = pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target)
    codes, uniques = pd.factorize(target if numeric else target.astype(str), sort=True)
    if len(uniques) != 2:
        raise SystemExit(f"the target needs exactly two values, it has {len(uniques)}")
    positive = 1
    if not numeric:
        words = [str(value).strip().casefold() in POSITIVE_WORDS for value in uniques]
        if words == [True, False]:
            positive = 0
    return (codes == positive).astype(np.float32)


def standardise(values):
    """Shift and scale a column to mean 0 and standard deviation 1, ignoring NaN."""
    mean, std = np.nanmean(values), np.nanstd(values)
    values -= mean
    if std > 0:
        values /= std


def encode_features(frame, order, options):
    """Return the float32 feature matrix of the rows in order."""
    columns = []
    for name in options["features"]:
        series = frame[find_column(frame, name)]
        numeric = pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
        if not numeric:
            codes, uniques = pd.factorize(series, sort=True)
            codes = codes[order]
            for code in range(len(uniques)):
                column = (codes == code).astype(np.float64)
                if options["scale"] == "standard" and len(codes):
                    share = np.count_nonzero(codes == code) / len(codes)
                    column -= share
                    std = np.sqrt(share * (1.0 - share))
                    if std > 0:
                        column /= std
                columns.append(column)
            continue
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)[order]
        missing = np.isnan(values)
        if options["impute"] == "median" and missing.any() and not missing.all():
            values[missing] = np.median(values[~missing])
        if options["scale"] == "standard":
            standardise(values)
        columns.append(values)
    for name in options.get("missing_indicators", []):
        values = frame[find_column(frame, name)].isna().to_numpy()[order].astype(np.float64)
        if options["scale"] == "standard":
            standardise(values)
        columns.append(values)
    return np.column_stack(columns).astype(np.float32)


def load_data(options, path):
    """Read the CSV file and return (x, y) in training order."""
    frame = pd.read_csv(path, sep=detect_delimiter(path), na_values=MISSING_MARKERS,
                        encoding="utf-8-sig", low_memory=False)
    target = find_column(frame, options["target"])
    frame = frame[frame[target].notna()]
    labels = encode_labels(frame[target])
    order = np.arange(len(frame))
    keep_positive = options.get("keep_positive", 1.0)
    if keep_positive < 1.0:
        positives = np.flatnonzero(labels == 1.0)
        keep = max(1, round(keep_positive * len(positives))) if len(positives) else 0
        chosen = np.random.default_rng(options["seed"]).choice(positives, size=keep, replace=False)
        selected = labels != 1.0
        selected[chosen] = True
        order = np.flatnonzero(selected)
    if options.get("sort_by"):
        keys = frame[find_column(frame, options["sort_by"])].iloc[order].reset_index(drop=True)
        order = order[keys.sort_values(kind="stable", na_position="last").index.to_numpy()]
    if options["shuffle"]:
        order = order[np.random.default_rng(options["seed"]).permutation(len(order))]
    return encode_features(frame, order, options), labels[order]
'''

_REPORT_CODE = '''
history = {name: [float(value) for value in values] for name, values in fit_history.history.items()}
metric = "val_accuracy" if "val_accuracy" in history else next(
    (name for name in history if name.startswith("val_") and name != "val_loss"), "val_loss")
print(json.dumps({
    "val_accuracy": history[metric][-1] if metric == "val_accuracy" else None,
    "metric": metric,
    "value": history[metric][-1],
    "history": history,
}))
'''


def export_python(experiment: Experiment) -> str:
    """Return a runnable script that trains `experiment` with plain Keras, pandas and numpy."""
    data = to_dict(experiment)["data"]
    fit = experiment.fit

    layers = ",\n".join(f"    {_layer_code(layer.type, dict(layer.args))}" for layer in experiment.layers)
    metrics = ", ".join(_object_code("metrics", metric) for metric in experiment.compile.metrics)
    fit_arguments = [
        f"batch_size={fit.batch_size!r}",
        f"epochs={fit.epochs!r}",
        f"validation_split={fit.validation_split!r}",
        f"shuffle={fit.shuffle!r}",
    ]
    if fit.class_weight:
        weights = {int(label): float(weight) for label, weight in fit.class_weight.items()}
        fit_arguments.append(f"class_weight={weights!r}")
    if fit.callbacks:
        callbacks = ", ".join(_object_code("callbacks", callback) for callback in fit.callbacks)
        fit_arguments.append(f"callbacks=[{callbacks}]")
    fit_lines = "".join(f"    {argument},\n" for argument in fit_arguments)

    parts = [
        f'"""Train the tui-lab experiment {experiment.name!r} with plain Keras.\n\n'
        "Run it with `python` on this file. The last line it prints is JSON with the final\n"
        'validation accuracy and the whole training history.\n"""\n',
        "import csv\nimport io\nimport json\n\nimport keras\nimport numpy as np\nimport pandas as pd\n",
        f"DATA = {pprint.pformat(data, sort_dicts=False, width=88)}\n",
        f"CSV_PATH = {_csv_path(experiment.data.source)!r}\n",
        _DATA_CODE,
        "\nx, y = load_data(DATA, CSV_PATH)\n",
        'keras.utils.set_random_seed(DATA["seed"])\n',
        "model = keras.Sequential([\n    keras.Input((x.shape[1],)),\n" + (layers + ",\n" if layers else "") + "])\n",
        "model.compile(\n"
        f"    optimizer={_object_code('optimizers', experiment.compile.optimizer)},\n"
        f"    loss={_object_code('losses', experiment.compile.loss)},\n"
        f"    metrics=[{metrics}],\n"
        ")\n",
        "fit_history = model.fit(\n    x,\n    y,\n" + fit_lines + "    verbose=0,\n)\n",
        _REPORT_CODE,
    ]
    return "\n".join(part.strip("\n") + "\n" for part in parts)


def _csv_path(source: str) -> str:
    if source == BUNDLED_SOURCE:
        return str(files("tui_lab.datasets") / "titanic.csv")
    return str(Path(source).expanduser().resolve())


def _layer_code(layer_type: str, args: dict[str, Any]) -> str:
    arguments = []
    for name, value in args.items():
        module = NESTED_MODULES.get(name)
        code = _object_code(module, value) if module and isinstance(value, dict) else _plain_code(value)
        arguments.append(f"{name}={code}")
    return f"keras.layers.{layer_type}({', '.join(arguments)})"


def _object_code(module: str, spec: KerasSpec) -> str:
    if isinstance(spec, str):
        return repr(spec)
    arguments = ", ".join(f"{name}={_plain_code(value)}" for name, value in spec_args(spec).items())
    return f"keras.{module}.{spec_type(spec)}({arguments})"


def _plain_code(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)
