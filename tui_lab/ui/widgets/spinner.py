"""A one-cell busy sign for the status line, drawn a few times a second."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widget import Widget

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
"""Braille frames of the spinner, drawn in turn."""

FRAME_SECONDS = 0.25
"""Seconds each frame stays, so the spinner repaints four times a second at most."""


class Spinner(Widget):
    """A turning braille dot that shows that work goes on, such as TensorFlow loading.

    Textual's `LoadingIndicator` animates at 16 frames a second and, with animations
    off, shows the word "Loading..." instead. This spinner turns whatever the
    animation setting, and slowly enough to cost little over SSH.
    """

    DEFAULT_CSS = """
    Spinner {
        width: 1;
        height: 1;
        color: $accent;
    }
    """

    def on_mount(self) -> None:
        """Repaint once per frame while shown."""
        self.auto_refresh = FRAME_SECONDS

    def render(self) -> Text:
        """Return the frame for the current time."""
        frame = int(time.monotonic() / FRAME_SECONDS) % len(FRAMES)
        return Text(FRAMES[frame])
