"""Pieces shared by the subcommands: opening an experiment and reporting errors."""

from __future__ import annotations

import argparse
import sys

from tui_lab import presets
from tui_lab.experiment import Experiment, ExperimentError, load

EXIT_OK = 0
EXIT_FINDINGS = 1
"""Exit status when training failed or an error-level finding remains."""
EXIT_INVALID = 2
"""Exit status for an invalid experiment, data file or command line."""


class UsageError(Exception):
    """A command line or input that the command cannot run with; exits with status 2."""


def add_experiment_arguments(parser: argparse.ArgumentParser, positional: bool = True) -> None:
    """Add the experiment file argument and `--preset`, of which one is required."""
    if positional:
        parser.add_argument("experiment", nargs="?", metavar="FILE.toml",
                            help="experiment file to open")
    parser.add_argument("--preset", metavar="NAME",
                        help=f"open a ready-made experiment: {', '.join(presets.PRESETS)}")


def open_experiment(path: str | None, preset_name: str | None) -> Experiment:
    """Return the experiment from a TOML file or a preset, raising `UsageError` on failure."""
    if path and preset_name:
        raise UsageError("give an experiment file or --preset, not both")
    if preset_name:
        try:
            return presets.preset(preset_name)
        except KeyError as error:
            raise UsageError(str(error.args[0])) from None
    if not path:
        raise UsageError("expected an experiment file (FILE.toml) or --preset NAME")
    try:
        return load(path)
    except ExperimentError as error:
        raise UsageError(str(error)) from None


def fail(message: str, status: int = EXIT_INVALID) -> int:
    """Print `message` on stderr as the command's error and return `status`."""
    print(f"tui-lab: {message}", file=sys.stderr)
    return status
