"""`tui-lab` with no subcommand: open the full-screen lab."""

from __future__ import annotations

import argparse
import sys

from tui_lab import presets
from tui_lab.autosave import Autosave, autosave_path
from tui_lab.cli import common
from tui_lab.experiment import Experiment

DEFAULT_PRESET = "not-learning"
"""The preset that opens when no experiment is given and no autosave exists."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the app itself to the top-level parser."""
    parser.add_argument("--experiment", metavar="FILE.toml", help="open this experiment")
    parser.add_argument("--preset", metavar="NAME",
                        help=f"open a ready-made experiment: {', '.join(presets.PRESETS)}")
    parser.add_argument("--store", metavar="PATH",
                        help="run history file (default: runs.sqlite3 in the user data directory)")


def choose_experiment(arguments: argparse.Namespace) -> tuple[Experiment, bool]:
    """Return the experiment to open and whether it is the restored autosave.

    `--experiment` or `--preset` wins. Without either, the autosave of the store
    (`--store`, or the default) is restored if there is one, so that the lab returns
    to the experiment of a closed terminal or a lost SSH connection. Otherwise the
    not-learning preset opens. Raises `common.UsageError` for an invalid file or preset.
    """
    if arguments.experiment or arguments.preset:
        return common.open_experiment(arguments.experiment, arguments.preset), False

    try:
        restored = Autosave(autosave_path(arguments.store)).restore()
    except OSError as error:
        print(f"tui-lab: reading the autosave failed ({error}); opening the {DEFAULT_PRESET} preset",
              file=sys.stderr)
        restored = None
    if restored is not None:
        return restored, True
    return presets.preset(DEFAULT_PRESET), False


def run(arguments: argparse.Namespace) -> int:
    """Open the app with the chosen experiment and return its exit status."""
    try:
        experiment, restored = choose_experiment(arguments)
    except common.UsageError as error:
        return common.fail(str(error))

    from tui_lab.ui.app import LabApp

    LabApp(experiment, store_path=arguments.store, restored=restored).run()
    return common.EXIT_OK
