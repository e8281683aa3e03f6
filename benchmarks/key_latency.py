"""Key latency during training: switch tabs in an 80x24 pty while the ~1M-parameter model trains.

Keys 1 (layer stack) and 4 (training view) alternate, with a short random pause
between presses, and each latency runs from writing the key to the pty until the
pane's text is on screen. Run with `python -m benchmarks.key_latency`.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.app_session import AppSession
from benchmarks.figures import Figure, median, percentile, run_script
from benchmarks.setups import million_model, write_experiment

TARGET_P95_MS = 50.0
PANE_TEXTS = {"1": "units=1000, activation=relu", "4": "Predictions on"}
"""Each key and a text that only its pane shows at 80x24."""


def measure(quick: bool) -> list[Figure]:
    """Press the tab keys before and during training; return the p95 latency of each."""
    presses = 20 if quick else 30
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        path = write_experiment(million_model(500), Path(folder))
        session = AppSession(["--experiment", str(path)], 80, 24)
        try:
            session.wait_engine_ready()
            idle = switch_tabs(session, presses // 2, rng)
            session.start_training()
            session.wait_for_epoch(2)
            training = switch_tabs(session, presses, rng)
            session.quit()
        finally:
            session.close()

    return [
        Figure("key latency during training, p95 (80x24, million)", percentile(training, 0.95), "ms",
               TARGET_P95_MS, describe(training)),
        Figure("key latency before training, p95 (80x24, million)", percentile(idle, 0.95), "ms",
               None, describe(idle)),
    ]


def switch_tabs(session: AppSession, presses: int, rng: random.Random) -> list[float]:
    """Press 1 and 4 in turn, `presses` times, starting with the pane not shown; return ms."""
    latencies = []
    for _ in range(presses):
        key = "4" if PANE_TEXTS["1"] in session.terminal.text() else "1"
        latencies.append(session.send_and_wait(key, PANE_TEXTS[key]) * 1000)
        time.sleep(rng.uniform(0.05, 0.3))
    return latencies


def describe(latencies: list[float]) -> str:
    """Return the press count, median and maximum latency as text."""
    return f"{len(latencies)} presses; median {median(latencies):.0f} ms, max {max(latencies):.0f} ms"


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
