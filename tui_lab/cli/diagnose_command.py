"""`tui-lab diagnose`: the findings for an experiment, with or without training."""

from __future__ import annotations

import argparse
import json

from tui_lab.cli import common
from tui_lab.cli.train_command import add_store_argument, train_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `diagnose` subcommand."""
    parser = subparsers.add_parser(
        "diagnose",
        help="list what is wrong with an experiment",
        description="Check an experiment and its data before training; with --train, "
                    "train it and add the findings from every epoch. Exits with status 1 "
                    "when an error-level finding remains.",
    )
    common.add_experiment_arguments(parser)
    parser.add_argument("--train", action="store_true",
                        help="train the experiment and add the runtime findings")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_store_argument(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Diagnose, print the findings, and return 1 when an error-level one remains."""
    from tui_lab import data, diagnosis
    from tui_lab.cli import headless

    if arguments.train:
        return _run_with_training(arguments)

    try:
        experiment = common.open_experiment(arguments.experiment, arguments.preset)
    except common.UsageError as error:
        return common.fail(str(error))

    try:
        dataset = data.load(experiment.data)
    except data.DataError as error:
        return common.fail(str(error))

    findings = [f.to_dict() for f in diagnosis.diagnose(experiment, dataset=dataset)]
    if arguments.json:
        print(json.dumps({"findings": findings}, indent=2))
    else:
        headless.print_findings(findings)
    return _status(findings)


def _run_with_training(arguments: argparse.Namespace) -> int:
    from tui_lab.cli import headless

    arguments.epochs = None
    arguments.save = None
    try:
        result = train_from_arguments(arguments)
    except common.UsageError as error:
        return common.fail(str(error))
    except headless.TrainingError as error:
        return common.fail(str(error), common.EXIT_FINDINGS)

    if arguments.json:
        print(json.dumps(result, indent=2))
    else:
        headless.print_findings(result["findings"])
    return _status(result["findings"])


def _status(findings: list[dict]) -> int:
    has_error = any(finding["severity"] == "error" for finding in findings)
    return common.EXIT_FINDINGS if has_error else common.EXIT_OK
