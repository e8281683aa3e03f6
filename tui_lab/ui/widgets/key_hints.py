"""A one-line footer of the keys that work now, redrawn only when they change."""

from __future__ import annotations

from typing import Any

from textual.app import RenderResult
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground"
DESCRIPTION_STYLE = "$footer-description-foreground"
DISABLED_STYLE = "$footer-description-foreground 50%"
GAP = "  "
"""Blank cells between two hints."""


class KeyHints(Widget):
    """The footer line: each shown binding of the focused widget, its screen and the app.

    Textual's `Footer` mounts one widget per key and rebuilds them all whenever the
    focus moves: 20 to 50 ms of every tab switch on a 2-core machine. This widget
    draws the same hints as one line of text and repaints only when the hints
    differ. Clicking a hint presses its key. The command palette key stays at the
    right end; hints that do not fit are cut at the right.
    """

    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hints: tuple[tuple[str, str, str, bool], ...] = ()
        """(key, key as shown, description, enabled) of each hint, in binding order."""
        self.palette: tuple[str, str, str, bool] | None = None

    def on_mount(self) -> None:
        """Follow the screen's bindings, which change when the focus moves."""
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Read the active bindings and repaint when the hints differ from the ones shown."""
        if screen is not self.screen:
            return
        hints, palette = self.read_hints(screen)
        if hints == self.hints and palette == self.palette:
            return
        self.hints, self.palette = hints, palette
        self.refresh()

    def read_hints(self, screen: Screen[Any]) -> tuple[tuple[tuple[str, str, str, bool], ...],
                                                       tuple[str, str, str, bool] | None]:
        """Return the shown bindings, one per action, and the command palette's binding apart."""
        palette_key = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        hints: list[tuple[str, str, str, bool]] = []
        palette = None
        actions: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            hint = (binding.key, self.app.get_key_display(binding), binding.description, active.enabled)
            if key == palette_key:
                palette = hint
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                hints.append(hint)
        return tuple(hints), palette

    def render(self) -> RenderResult:
        """Return the hints, then the palette hint flush right."""
        width = self.size.width
        right = self.hint_content(self.palette) if self.palette else Content("")
        parts: list[Content] = []
        for hint in self.hints:
            parts.append(self.hint_content(hint))
        left = Content(GAP).join(parts)

        room = max(0, width - right.cell_length - 1 - len(GAP))
        if left.cell_length > room:
            left = left.truncate(room, ellipsis=True)
        padding = max(0, width - 1 - left.cell_length - right.cell_length)
        return Content.assemble(Content(" "), left, Content(" " * padding), right)

    @staticmethod
    def hint_content(hint: tuple[str, str, str, bool]) -> Content:
        """Return one hint, the key then its description, which presses the key when clicked."""
        key, shown, description, enabled = hint
        key_style = KEY_STYLE if enabled else DISABLED_STYLE
        text_style = DESCRIPTION_STYLE if enabled else DISABLED_STYLE
        content = Content.assemble((shown, key_style), " ", (description, text_style))
        return content.stylize(f"@click=app.simulate_key({key!r})")
