"""Memory: peak RSS of the app and its engine child after 500 epochs against after 10.

One headless app session (`LabApp.run_test()` with a real `ProcessEngine`) trains the
baseline preset for 500 epochs with no EarlyStopping. Peak RSS is `VmHWM` from
/proc/PID/status of this process (which runs the app) plus the engine child.
Run with `python -m benchmarks.memory`.
"""

from __future__ import annotations

import asyncio
import os
import time

from benchmarks.figures import Figure, run_script
from benchmarks.overhead import TimedLab
from benchmarks.setups import fixed_epochs
from tui_lab import presets

TARGET_RATIO = 1.2
EARLY_EPOCH = 10
ENGINE_TIMEOUT = 120.0
TRAINING_TIMEOUT = 1800.0


def status_kb(pid: int, field: str) -> int:
    """Return a size field of /proc/PID/status in KB: `VmHWM` (peak RSS) or `VmRSS` (current)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise ValueError(f"expected a {field} line in /proc/{pid}/status, found none")


def sizes_kb(pids: tuple[int, int]) -> dict[str, int]:
    """Return the summed `VmHWM` and `VmRSS` of both processes, in KB, and each one's peak."""
    return {
        "peak": sum(status_kb(pid, "VmHWM") for pid in pids),
        "current": sum(status_kb(pid, "VmRSS") for pid in pids),
        "app": status_kb(pids[0], "VmHWM"),
        "engine": status_kb(pids[1], "VmHWM"),
    }


async def _sample(epochs: int) -> tuple[dict[str, int], dict[str, int], float]:
    app = TimedLab(fixed_epochs(presets.preset("baseline"), epochs))
    async with app.run_test(size=(120, 40)):
        deadline = time.perf_counter() + ENGINE_TIMEOUT
        while app.engine_state != "ready":
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the engine did not start within {ENGINE_TIMEOUT} s")
            await asyncio.sleep(0.05)
        pids = (os.getpid(), app.engine.pid)

        start = time.perf_counter()
        app.action_train()
        while len(app.reports) < EARLY_EPOCH:
            await asyncio.sleep(0.01)
        early = sizes_kb(pids)

        deadline = time.perf_counter() + TRAINING_TIMEOUT
        while app.ended_at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"training did not end within {TRAINING_TIMEOUT} s")
            await asyncio.sleep(0.05)
        late = sizes_kb(pids)
        seconds = time.perf_counter() - start
        app.action_quit()
    return early, late, seconds


def measure(quick: bool) -> list[Figure]:
    """Return the ratio of peak RSS after all epochs to peak RSS after `EARLY_EPOCH` epochs."""
    epochs = 200 if quick else 500
    early, late, seconds = asyncio.run(_sample(epochs))
    ratio = late["peak"] / early["peak"]
    detail = (f"peak app {early['app'] / 1024:.0f} -> {late['app'] / 1024:.0f} MB, engine child "
              f"{early['engine'] / 1024:.0f} -> {late['engine'] / 1024:.0f} MB; current RSS of both "
              f"{early['current'] / 1024:.0f} -> {late['current'] / 1024:.0f} MB; "
              f"{epochs} epochs in {seconds:.0f} s")
    return [Figure(f"memory, peak RSS after {epochs} / after {EARLY_EPOCH} epochs (baseline)",
                   ratio, "x", TARGET_RATIO, detail)]


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
