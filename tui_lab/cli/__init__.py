"""The `tui-lab` command: the app, and headless subcommands on the same engine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui_lab.cli import app_command, codeio_command, diagnose_command, runs_command, train_command

SUBCOMMANDS = (train_command, diagnose_command, codeio_command, runs_command)
"""Modules that each add one subcommand with `register(subparsers)`."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with the app's options and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="tui-lab",
        description="Find out why a Keras network is not learning, and fix it.",
    )
    app_command.add_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `tui-lab` with `argv` and return the exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    handler = getattr(arguments, "handler", app_command.run)
    try:
        return handler(arguments)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
