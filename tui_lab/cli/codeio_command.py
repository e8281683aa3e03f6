"""`tui-lab import` and `tui-lab export`: Keras code or a .keras file in, TOML or Python out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_lab import experiment as experiment_module
from tui_lab.codeio.python_export import export_python
from tui_lab.codeio.python_import import CodeImportError, import_file

USAGE_ERROR = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `import` and `export` subcommands."""
    importer = subparsers.add_parser(
        "import",
        help="print the experiment TOML of Keras code (.py) or a saved model (.keras)",
        description="Read Keras Python code without running it, or load a .keras model, and "
                    "print the experiment as TOML. Constructs that were not imported are "
                    "listed on stderr as FILE:LINE: skipped: REASON.",
    )
    importer.add_argument("file", metavar="FILE", help="a .py file of Keras code or a .keras model")
    importer.set_defaults(handler=run_import)

    exporter = subparsers.add_parser(
        "export",
        help="print an experiment TOML file as a Python script or as TOML",
        description="Print an experiment as a runnable Keras script (--python) or as TOML (--toml).",
    )
    exporter.add_argument("file", metavar="FILE.toml", help="the experiment file")
    formats = exporter.add_mutually_exclusive_group()
    formats.add_argument("--python", dest="format", action="store_const", const="python",
                         help="print a script that trains the experiment with plain Keras (default)")
    formats.add_argument("--toml", dest="format", action="store_const", const="toml",
                         help="print the validated experiment as TOML")
    exporter.set_defaults(handler=run_export, format="python")


def run_import(arguments: argparse.Namespace) -> int:
    """Print the TOML of the imported experiment; report skipped constructs on stderr."""
    path = Path(arguments.file)
    if path.suffix == ".keras":
        return _import_keras(path)

    try:
        result = import_file(path)
    except CodeImportError as error:
        print(f"tui-lab import: {error}", file=sys.stderr)
        return USAGE_ERROR

    for entry in result.skipped:
        print(f"{path}:{entry.line}: skipped: {entry.reason}", file=sys.stderr)
    for entry in result.notes:
        print(f"{path}:{entry.line}: note: {entry.reason}", file=sys.stderr)
    sys.stdout.write(result.experiment.to_toml())
    return 0


def _import_keras(path: Path) -> int:
    # Imported here because loading TensorFlow takes seconds; the .py import needs none of it.
    from tui_lab.engine.model_import import experiment_from_model
    from tui_lab.engine.saving import ModelFileError, load_model

    try:
        model, experiment = load_model(path)
        if experiment is None:
            experiment = experiment_from_model(model, name=path.stem or "imported")
    except (ModelFileError, ValueError) as error:
        print(f"tui-lab import: {error}", file=sys.stderr)
        return USAGE_ERROR
    sys.stdout.write(experiment.to_toml())
    return 0


def run_export(arguments: argparse.Namespace) -> int:
    """Print the experiment file as a Python script or as TOML."""
    try:
        experiment = experiment_module.load(arguments.file)
    except experiment_module.ExperimentError as error:
        print(f"tui-lab export: {error}", file=sys.stderr)
        return USAGE_ERROR
    if arguments.format == "toml":
        sys.stdout.write(experiment.to_toml())
    else:
        sys.stdout.write(export_python(experiment))
    return 0
