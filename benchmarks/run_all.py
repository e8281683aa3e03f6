"""Run every benchmark script, each in its own process, and print all figures in one table.

    python -m benchmarks            # every figure, 3 repeats where a figure repeats
    python -m benchmarks --quick    # fewer repeats and shorter runs
    python -m benchmarks --only first_frame key_latency

Each script can also run alone (`python -m benchmarks.first_frame`). The exit status
is 0 when every figure with a target passes, 1 when one fails, 2 when a script fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure
from benchmarks.machine import describe_machine

SCRIPTS = (
    "first_frame",
    "key_latency",
    "output_rate",
    "stop_quit",
    "diagnosis_cost",
    "overhead",
    "memory",
    "scale",
)
"""Benchmark modules in running order: the quick figures first."""


def run_scripts(names: list[str], quick: bool) -> tuple[list[Figure], list[str]]:
    """Run each script and return the figures collected and the names of scripts that failed."""
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    root = Path(__file__).resolve().parents[1]
    failed = []
    with tempfile.TemporaryDirectory() as folder:
        collected = Path(folder) / "figures.jsonl"
        for name in names:
            command = [sys.executable, "-m", f"benchmarks.{name}", "--json", str(collected)]
            if quick:
                command.append("--quick")
            print(f"--- {name}", flush=True)
            start = time.perf_counter()
            completed = subprocess.run(command, cwd=root, env=environment)
            print(f"    ({time.perf_counter() - start:.0f} s)", flush=True)
            if completed.returncode != 0:
                failed.append(name)
        lines = collected.read_text(encoding="utf-8").splitlines() if collected.exists() else []
    return [Figure(**json.loads(line)) for line in lines], failed


def main() -> int:
    """Parse the options, print the machine, run the scripts and print the summary."""
    parser = argparse.ArgumentParser(description="Run the tui-lab benchmarks and print every figure.")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter runs")
    parser.add_argument("--only", nargs="+", choices=SCRIPTS, metavar="NAME",
                        help=f"run only these scripts: {', '.join(SCRIPTS)}")
    arguments = parser.parse_args()

    print(describe_machine(), flush=True)
    figures, failed = run_scripts(list(arguments.only or SCRIPTS), arguments.quick)

    print("\n=== summary")
    for figure in figures:
        print(figure.line())
    for name in failed:
        print(f"benchmarks.{name} exited with an error; its figures are missing")
    if failed:
        return 2
    return 1 if any(figure.passed is False for figure in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
