"""A yes/no question in a modal, such as "overwrite this file?" or "apply this fix?"."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def diff_text(lines: Sequence[str]) -> Text:
    """Return unified diff lines as Rich text: added lines green, removed red, both with their sign."""
    text = Text()
    for line in lines:
        style = ""
        if line.startswith("+") and not line.startswith("+++"):
            style = "green"
        elif line.startswith("-") and not line.startswith("---"):
            style = "red"
        text.append(line.rstrip("\n") + "\n", style=style)
    return text


class ConfirmScreen(ModalScreen[bool]):
    """Ask a question; `y` or `enter` dismisses with True, `n` or `escape` with False."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, details: Text | str = "") -> None:
        super().__init__()
        self.question = question
        self.details = details

    def compose(self) -> ComposeResult:
        """Show the question, the details under it, and the keys that answer it."""
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            if self.details:
                with VerticalScroll(classes="dialog-body"):
                    yield Static(self.details, id="confirm-details")
            yield Static("y/enter: yes   n/escape: no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        """Close the question with `answer`."""
        self.dismiss(answer)
