"""`tui-lab train`: train an experiment without the UI."""

from __future__ import annotations

import argparse
import json
import sys

from tui_lab.cli import common


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--store PATH`, the run history file that training runs are recorded in."""
    parser.add_argument("--store", metavar="PATH",
                        help="run history file (default: runs.sqlite3 in the user data directory)")


def open_store(path: str | None):
    """Open the run store at `path`, or the default one, marking dead writers' runs interrupted."""
    from tui_lab.store import RunStore

    store = RunStore(path)
    store.mark_interrupted()
    return store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` subcommand."""
    parser = subparsers.add_parser(
        "train",
        help="train an experiment without the UI",
        description="Train an experiment on its data, print one line per epoch, "
                    "and diagnose the result.",
    )
    common.add_experiment_arguments(parser)
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="number of epochs (overrides fit.epochs)")
    parser.add_argument("--save", metavar="PATH.keras",
                        help="save the trained model here, with the experiment TOML beside it")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (history, predictions, findings, "
                             "model_path) instead of the epoch lines")
    add_store_argument(parser)
    parser.set_defaults(handler=run)


def prepare(arguments: argparse.Namespace):
    """Open the experiment and its data for `train` and `diagnose --train`.

    Returns the experiment and dataset, or raises `common.UsageError`.
    """
    experiment = common.open_experiment(arguments.experiment, arguments.preset)
    if not any(layer.type == "Dense" for layer in experiment.layers):
        raise common.UsageError(
            "layers: expected at least one Dense layer, received "
            f"{len(experiment.layers)} layers with none; add an output layer such as "
            '[[layers]] type = "Dense", units = 1, activation = "sigmoid"'
        )

    epochs = getattr(arguments, "epochs", None)
    if epochs is not None:
        if epochs < 1:
            raise common.UsageError(f"--epochs: expected a whole number >= 1, received {epochs}")
        experiment = experiment.with_fit(epochs=epochs)

    save = getattr(arguments, "save", None)
    if save and not save.endswith(".keras"):
        raise common.UsageError(f"--save: expected a path ending in .keras, received {save!r}")

    from tui_lab import data

    try:
        dataset = data.load(experiment.data)
        dataset.require_binary()
    except data.DataError as error:
        raise common.UsageError(str(error)) from None
    return experiment, dataset


def train_from_arguments(arguments: argparse.Namespace) -> dict:
    """Open, train, diagnose and record the experiment the arguments name; return the result.

    Raises `common.UsageError` for an invalid experiment, data file or store, and
    `headless.TrainingError` when training fails.
    """
    from tui_lab.cli import headless
    from tui_lab.store import StoreError

    experiment, dataset = prepare(arguments)
    progress = sys.stderr if arguments.json else sys.stdout
    try:
        with open_store(getattr(arguments, "store", None)) as store:
            return headless.train_and_diagnose(experiment, dataset, getattr(arguments, "save", None),
                                               progress, store)
    except StoreError as error:
        raise common.UsageError(str(error)) from None


def run(arguments: argparse.Namespace) -> int:
    """Train, print the epochs or the JSON result, and return the exit status."""
    from tui_lab.cli import headless

    try:
        result = train_from_arguments(arguments)
    except common.UsageError as error:
        return common.fail(str(error))
    except headless.TrainingError as error:
        return common.fail(str(error), common.EXIT_FINDINGS)

    if arguments.json:
        print(json.dumps(result, indent=2, allow_nan=True))
    else:
        print(f"{result['status']} after {result['epochs_run']} epochs")
        headless.print_findings(result["findings"])
        if result["model_path"]:
            print(f"saved {result['model_path']}")
    return common.EXIT_OK
