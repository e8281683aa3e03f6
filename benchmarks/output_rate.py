"""Terminal output during training: bytes per second the app writes to its pty.

The baseline preset (short epochs, so many redraws) and the ~1M-parameter model each
train at 80x24 and at 120x40. Counting starts once epoch 2 is drawn and lasts a
fixed window with no key pressed. Run with `python -m benchmarks.output_rate`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.app_session import AppSession
from benchmarks.figures import Figure, run_script
from benchmarks.setups import fixed_epochs, million_model, write_experiment
from tui_lab import presets

TARGET_KB_PER_SECOND = 20.0
SIZES = ((80, 24), (120, 40))


def bytes_per_second(path: Path, columns: int, lines: int, window: float) -> tuple[float, int]:
    """Train the experiment at `path` and return (KB/s written during `window`, last epoch seen)."""
    session = AppSession(["--experiment", str(path)], columns, lines)
    try:
        session.wait_engine_ready()
        session.start_training()
        session.wait_for_epoch(2)
        start = time.perf_counter()
        time.sleep(window)
        end = time.perf_counter()
        written = session.terminal.bytes_between(start, end)
        screen = session.terminal.text()
        session.quit()
    finally:
        session.close()
    epoch = _shown_epoch(screen)
    return written / 1024 / (end - start), epoch


def _shown_epoch(screen: str) -> int:
    marker = screen.find("Epoch ")
    if marker < 0:
        return 0
    number = screen[marker + 6:].split("/", 1)[0]
    return int(number) if number.isdigit() else 0


def measure(quick: bool) -> list[Figure]:
    """Return KB/s for each experiment and terminal size."""
    window = 5.0 if quick else 10.0
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        experiments = {
            "baseline": fixed_epochs(presets.preset("baseline"), 5000),
            "million": million_model(500),
        }
        for name, experiment in experiments.items():
            path = write_experiment(experiment, Path(folder))
            for columns, lines in SIZES:
                rate, epoch = bytes_per_second(path, columns, lines, window)
                figures.append(Figure(
                    f"terminal output during training ({columns}x{lines}, {name})", rate, "KB/s",
                    TARGET_KB_PER_SECOND, f"{window:.0f} s window, epoch {epoch} on screen at its end"))
    return figures


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
