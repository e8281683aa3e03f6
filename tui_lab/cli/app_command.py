"""`tui-lab` with no subcommand: open the full-screen lab."""

from __future__ import annotations

import argparse

from tui_lab import presets
from tui_lab.cli import common


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the app itself to the top-level parser."""
    parser.add_argument("--experiment", metavar="FILE.toml", help="open this experiment")
    parser.add_argument("--preset", metavar="NAME",
                        help=f"open a ready-made experiment: {', '.join(presets.PRESETS)}")
    parser.add_argument("--store", metavar="PATH",
                        help="run history file (default: runs.sqlite3 in the user data directory)")


def run(arguments: argparse.Namespace) -> int:
    """Open the app with the chosen experiment and return its exit status."""
    try:
        if arguments.experiment or arguments.preset:
            experiment = common.open_experiment(arguments.experiment, arguments.preset)
        else:
            experiment = presets.preset("not-learning")
    except common.UsageError as error:
        return common.fail(str(error))

    from tui_lab.ui.app import LabApp

    LabApp(experiment).run()
    return common.EXIT_OK
