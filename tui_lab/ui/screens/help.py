"""The help screen: every key binding of the app, the main screen and its panels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

HelpSection = tuple[str, list[tuple[str, str]]]
"""A heading and its (keys, description) rows."""

TEXTUAL_ACTION_DESCRIPTIONS = {
    "help_quit": "Show the key that quits (ctrl+c does not quit)",
}
"""Descriptions of actions that Textual binds without one, keyed by action name."""


def binding_rows(node: type[DOMNode] | DOMNode) -> list[tuple[str, str]]:
    """Return the (keys, description) of each binding a widget class or instance has, in order.

    A binding without a description shows the one in `TEXTUAL_ACTION_DESCRIPTIONS`,
    and is left out when that table has none, so no internal action name is listed.
    """
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, bindings in node._merge_bindings().key_to_bindings.items():
        for binding in bindings:
            description = binding.description or TEXTUAL_ACTION_DESCRIPTIONS.get(binding.action)
            if not description:
                continue
            keys = binding.key_display or key
            if (keys, description) not in seen:
                seen.add((keys, description))
                rows.append((keys, description))
    return _join_keys(rows)


def _join_keys(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge the keys of rows that share a description: `K, ctrl+up  Move up`."""
    merged: dict[str, list[str]] = {}
    for keys, description in rows:
        merged.setdefault(description, []).append(keys)
    return [(", ".join(keys), description) for description, keys in merged.items()]


class HelpScreen(ModalScreen[None]):
    """A table of every key binding, grouped by where it applies."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close help", id="help.close"),
    ]

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__()
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        """Show one table row per binding, under the heading of its section."""
        with Vertical(classes="dialog help"):
            yield Static("Keys", classes="dialog-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static("escape: close   The command palette (ctrl+p) runs the same actions by name.",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one(DataTable)
        table.add_columns("Keys", "Action")
        for heading, rows in self.sections:
            table.add_row(f"[b]{heading}[/b]", "")
            for keys, description in rows:
                table.add_row(keys, description)
        table.focus()

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
