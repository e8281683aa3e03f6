"""`tui-lab runs`: list, show, export, rename, tag and delete stored runs."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tui_lab.cli import common
from tui_lab.reports import EpochReport
from tui_lab.store import (
    ORDER_COLUMNS,
    RunStore,
    RunSummary,
    StoreError,
    val_accuracy,
)

PREDICTION_COLUMNS = ("mean", "std", "min", "max", "positive_rate", "saturated_share", "nan_count")
"""Prediction statistics that `runs export` writes as `pred_*` columns."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `runs` subcommand and its own subcommands."""
    store_option = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a `--store` given before `runs` (on `tui-lab` itself) from being reset.
    store_option.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                              help="run store file (default: runs.sqlite3 in the user data directory)")

    parser = subparsers.add_parser(
        "runs", parents=[store_option],
        help="list and manage stored training runs",
        description="List the stored training runs, newest first, or manage one of them.",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.add_argument("--sort", default="-started", metavar="KEY",
                        help="sort key, with a leading - for descending: "
                             f"{', '.join(ORDER_COLUMNS)} (default: -started)")
    parser.add_argument("--filter", metavar="TEXT",
                        help="keep runs whose name, status or a tag contains TEXT")
    parser.set_defaults(handler=_handler(list_runs))
    actions = parser.add_subparsers(dest="runs_command", metavar="ACTION")

    show = actions.add_parser("show", parents=[store_option], help="show one run in full")
    show.add_argument("run_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the run and its epochs as JSON")
    show.set_defaults(handler=_handler(show_run))

    export = actions.add_parser("export", parents=[store_option],
                                help="write a run's epochs as CSV")
    export.add_argument("run_id", metavar="ID")
    export.add_argument("--csv", action="store_true",
                        help="write CSV, one row per epoch (the default and only format)")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(handler=_handler(export_run))

    rename = actions.add_parser("rename", parents=[store_option], help="rename a run")
    rename.add_argument("run_id", metavar="ID")
    rename.add_argument("name", metavar="NAME")
    rename.set_defaults(handler=_handler(rename_run))

    tag = actions.add_parser("tag", parents=[store_option], help="add tags to a run, or remove them")
    tag.add_argument("run_id", metavar="ID")
    tag.add_argument("tags", metavar="TAG", nargs="+")
    tag.add_argument("--remove", action="store_true", help="remove the tags instead of adding them")
    tag.set_defaults(handler=_handler(tag_run))

    delete = actions.add_parser("delete", parents=[store_option],
                                help="delete a run and its epochs (saved model files stay)")
    delete.add_argument("run_id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    delete.set_defaults(handler=_handler(delete_run))


def _handler(action: Callable[[RunStore, argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap an action so that it gets an open store and its errors become exit status 2."""

    def run(arguments: argparse.Namespace) -> int:
        try:
            store = RunStore(getattr(arguments, "store", None))
        except StoreError as error:
            return common.fail(str(error))
        try:
            return action(store, arguments)
        except (StoreError, ValueError) as error:
            return common.fail(str(error))
        finally:
            store.close()

    return run


# --- list and show --------------------------------------------------------------------


def list_runs(store: RunStore, arguments: argparse.Namespace) -> int:
    """Print the runs as a table or JSON."""
    store.mark_interrupted()
    runs = store.list_runs(order_by=arguments.sort, filter=arguments.filter)

    if arguments.json:
        print(json.dumps([_summary_json(run) for run in runs], indent=2))
        return common.EXIT_OK
    if not runs:
        print("no runs stored yet: train an experiment in the lab or with `tui-lab train`")
        return common.EXIT_OK

    print(f"{'ID':>4}  {'NAME':<14}  {'STARTED':<16}  {'VAL ACC':<11}  {'VAL LOSS':<11}  "
          f"{'EP':>3}  STATUS")
    for run in runs:
        print(f"{run.id:>4}  {_clip(run.name, 14):<14}  {format_time(run.started_at):<16}  "
              f"{format_pair(run.final_val_accuracy, run.best_val_accuracy):<11}  "
              f"{format_pair(run.final_val_loss, run.best_val_loss):<11}  "
              f"{run.epochs:>3}  {run.status}")
    print("VAL ACC and VAL LOSS are final/best.")
    return common.EXIT_OK


def show_run(store: RunStore, arguments: argparse.Namespace) -> int:
    """Print one run: its summary, versions, epochs, findings, models and experiment."""
    run = store.get_run(arguments.run_id)
    reports = store.epochs(run.id)

    if arguments.json:
        document = {
            **_summary_json(run.summary),
            "keras_version": run.keras_version,
            "tensorflow_version": run.tensorflow_version,
            "seed": run.seed,
            "error": run.error,
            "pid": run.pid,
            "hostname": run.hostname,
            "model_paths": run.model_paths,
            "findings": run.findings,
            "experiment_toml": run.experiment_toml,
            "epochs_recorded": [_plain(dataclasses.asdict(report)) for report in reports],
        }
        print(json.dumps(_plain(document), indent=2))
        return common.EXIT_OK

    summary = run.summary
    print(f"run {run.id}: {run.name}")
    print(f"  status      {run.status}" + (f" ({run.error})" if run.error else ""))
    print(f"  started     {format_time(summary.started_at)}")
    print(f"  ended       {format_time(summary.ended_at) if summary.ended_at else '-'}")
    print(f"  epochs      {summary.epochs}")
    print(f"  val acc     {format_pair(summary.final_val_accuracy, summary.best_val_accuracy)}"
          " (final/best)")
    print(f"  val loss    {format_pair(summary.final_val_loss, summary.best_val_loss)} (final/best)")
    print(f"  versions    Keras {run.keras_version or '?'}, TensorFlow {run.tensorflow_version or '?'}")
    print(f"  seed        {run.seed}")
    print(f"  tags        {', '.join(summary.tags) or '-'}")
    print(f"  written by  pid {run.pid} on {run.hostname}")
    for path in run.model_paths:
        print(f"  model       {path}")

    if reports:
        print()
        print(f"{'EPOCH':>5}  {'LOSS':>8}  {'VAL LOSS':>8}  {'VAL ACC':>8}")
        for report in reports:
            print(f"{report.epoch:>5}  {format_number(report.logs.get('loss')):>8}  "
                  f"{format_number(report.logs.get('val_loss')):>8}  "
                  f"{format_number(val_accuracy(report.logs)):>8}")
    if run.findings:
        print()
        print("findings:")
        for finding in run.findings:
            print(f"  [{finding.get('severity', '?')}] {finding.get('id', '?')}: {finding.get('title', '')}")
    print()
    print(run.experiment_toml.rstrip())
    return common.EXIT_OK


# --- export ---------------------------------------------------------------------------


def export_run(store: RunStore, arguments: argparse.Namespace) -> int:
    """Write a run's epochs as CSV to stdout or to `--output`."""
    reports = store.epochs(arguments.run_id)
    text = epochs_csv(reports)
    if arguments.output:
        try:
            with open(arguments.output, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as error:
            return common.fail(f"cannot write {arguments.output}: {error.strerror}")
        print(f"wrote {len(reports)} epochs to {arguments.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return common.EXIT_OK


def epochs_csv(reports: list[EpochReport]) -> str:
    """Return epochs as CSV: epoch, every log key, seconds, learning_rate and `pred_*` columns."""
    log_keys: list[str] = []
    for report in reports:
        log_keys += [key for key in report.logs if key not in log_keys]
    header = ["epoch", *log_keys, "seconds", "learning_rate",
              *(f"pred_{name}" for name in PREDICTION_COLUMNS)]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for report in reports:
        predictions = report.predictions
        row = [report.epoch, *(report.logs.get(key, "") for key in log_keys),
               report.seconds, "" if report.learning_rate is None else report.learning_rate]
        row += [getattr(predictions, name) if predictions else "" for name in PREDICTION_COLUMNS]
        writer.writerow(row)
    return buffer.getvalue()


# --- edits ----------------------------------------------------------------------------


def rename_run(store: RunStore, arguments: argparse.Namespace) -> int:
    """Rename a run."""
    store.rename(arguments.run_id, arguments.name)
    print(f"renamed run {arguments.run_id} to {arguments.name.strip()!r}")
    return common.EXIT_OK


def tag_run(store: RunStore, arguments: argparse.Namespace) -> int:
    """Add tags to a run, or remove them with `--remove`."""
    if arguments.remove:
        store.untag(arguments.run_id, *arguments.tags)
    else:
        store.tag(arguments.run_id, *arguments.tags)
    tags = store.get_run(arguments.run_id).summary.tags
    print(f"run {arguments.run_id} tags: {', '.join(tags) or '(none)'}")
    return common.EXIT_OK


def delete_run(store: RunStore, arguments: argparse.Namespace, stdin: TextIO | None = None) -> int:
    """Delete a run after a yes/no question on a terminal, which `--yes` skips."""
    stdin = stdin or sys.stdin
    run = store.get_run(arguments.run_id)
    if not arguments.yes:
        if not stdin.isatty():
            return common.fail(f"deleting run {run.id} needs confirmation: add --yes")
        print(f"delete run {run.id} ({run.name}, {run.summary.epochs} epochs)? [y/N] ", end="", flush=True)
        if stdin.readline().strip().lower() not in ("y", "yes"):
            print("kept")
            return common.EXIT_OK
    store.delete(run.id)
    print(f"deleted run {run.id} ({run.name})")
    return common.EXIT_OK


# --- formatting -----------------------------------------------------------------------


def format_time(seconds: float | None) -> str:
    """Return Unix seconds as local `YYYY-MM-DD HH:MM`."""
    if seconds is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def format_number(value: Any) -> str:
    """Return a metric with 3 decimals, or `-` when it is missing."""
    if value is None:
        return "-"
    return f"{float(value):.3f}"


def format_pair(final: float | None, best: float | None) -> str:
    """Return `final/best` with 3 decimals each."""
    return f"{format_number(final)}/{format_number(best)}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _summary_json(run: RunSummary) -> dict[str, Any]:
    document = dataclasses.asdict(run)
    document["tags"] = list(run.tags)
    document["started"] = format_time(run.started_at)
    return document


def _plain(value: Any) -> Any:
    """Replace NaN and infinities with None, so the output is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
