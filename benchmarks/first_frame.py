"""Time to first frame: `tui-lab --preset not-learning` in an 80x24 pty until the screen is complete.

The frame counts as complete when the footer's key hints and the first row of the
layer stack are both on screen. Run with `python -m benchmarks.first_frame`.
"""

from __future__ import annotations

from benchmarks.app_session import AppSession
from benchmarks.figures import Figure, median, run_script, spread

TARGET_SECONDS = 1.0
LAYER_TEXT = "units=32, activation=relu"


def measure(quick: bool) -> list[Figure]:
    """Start the app `repeats` times and return the median time to its first complete frame."""
    repeats = 3 if quick else 5
    times = []
    for _ in range(repeats):
        session = AppSession(["--preset", "not-learning"], 80, 24)
        try:
            times.append(session.wait_first_frame(LAYER_TEXT))
            session.quit()
        finally:
            session.close()
    return [Figure("time to first frame (80x24, not-learning)", median(times), "s",
                   TARGET_SECONDS, spread(times))]


if __name__ == "__main__":
    raise SystemExit(run_script(__doc__.splitlines()[0], measure))
