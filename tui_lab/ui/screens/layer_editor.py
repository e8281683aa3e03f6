"""Modals that choose a layer type and edit a layer's constructor arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui_lab import keras_names
from tui_lab.experiment import Experiment, LayerSpec, Problem, validate
from tui_lab.ui.values import format_value, parse_value


class LayerTypePicker(ModalScreen[str | None]):
    """A list of the layer classes the lab builds; dismisses with the chosen class name."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="layer_type.cancel")]

    def compose(self) -> ComposeResult:
        """Show one option per layer class."""
        with Vertical(classes="dialog"):
            yield Static("Add which layer?", classes="dialog-title")
            yield OptionList(*(Option(name, id=name) for name in keras_names.LAYERS), id="layer-types")
            yield Static("enter: choose   escape: cancel", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Close with the chosen layer class."""
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


def layer_problems(layer: LayerSpec) -> list[Problem]:
    """Return the problems of one layer, each named by its argument alone (`units`, `rate`)."""
    problems = validate(Experiment(layers=(layer,)))
    prefix = f"layers[0] ({layer.type})."
    return [
        Problem(problem.field.removeprefix(prefix), problem.value, problem.expected)
        for problem in problems
        if problem.field.startswith("layers[0]")
    ]


class LayerArgumentsScreen(ModalScreen[LayerSpec | None]):
    """One Input per constructor argument of a layer class, checked by the experiment's validator.

    `enter` in any Input applies the values. An empty Input leaves the argument out, so
    Keras uses its default. Invalid values show a message under their Input, and the
    screen stays open with the text as typed.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="layer_arguments.cancel")]

    def __init__(self, layer_type: str, args: Mapping[str, Any] | None = None, title: str = "") -> None:
        super().__init__()
        self.layer_type = layer_type
        self.initial = dict(args or {})
        self.title_text = title or f"{layer_type} arguments"
        self.arguments = keras_names.LAYERS[layer_type]

    def compose(self) -> ComposeResult:
        """Show a labelled Input and an error line for each argument."""
        required = keras_names.LAYER_REQUIRED.get(self.layer_type, ())
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                if not self.arguments:
                    yield Static(f"{self.layer_type} takes no arguments here; press enter to add it.")
                for name, argument in self.arguments.items():
                    label = f"{name}*" if name in required else name
                    value = format_value(self.initial[name]) if name in self.initial else ""
                    with Horizontal(classes="option-row"):
                        yield Label(label, classes="option-label")
                        yield Input(value, placeholder=f"(Keras default) {argument.allowed}",
                                    compact=True, id=f"arg-{name}")
                    yield Static("", id=f"error-{name}", classes="argument-error")
            yield Static("", id="layer-problems", classes="argument-error")
            yield Static("enter: apply   tab: next   escape: cancel   * required",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        """Hide the empty error lines and focus the first argument."""
        for name in self.arguments:
            self.query_one(f"#error-{name}", Static).display = False
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def layer(self) -> LayerSpec:
        """Return the layer with the typed arguments; empty Inputs are left out."""
        args: dict[str, Any] = {}
        if "name" in self.initial:
            args["name"] = self.initial["name"]
        for name in self.arguments:
            text = self.query_one(f"#arg-{name}", Input).value
            if text.strip():
                args[name] = parse_value(text)
        return LayerSpec(self.layer_type, args)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Apply the values, or show what is invalid."""
        event.stop()
        self.apply()

    def key_enter(self) -> None:
        """Apply a layer that has no arguments to type."""
        if not self.arguments:
            self.apply()

    def apply(self) -> None:
        """Close with the layer when it is valid; otherwise show each problem under its Input."""
        layer = self.layer()
        problems = layer_problems(layer)
        messages: dict[str, list[str]] = {name: [] for name in self.arguments}
        leftover = []
        for problem in problems:
            argument = problem.field.split(".")[0]
            if argument in self.arguments:
                messages[argument].append(f"invalid {problem}")
            else:
                leftover.append(f"invalid {problem}")
        for name, lines in messages.items():
            error_line = self.query_one(f"#error-{name}", Static)
            error_line.update("\n".join(lines))
            error_line.display = bool(lines)
        self.query_one("#layer-problems", Static).update("\n".join(leftover))
        if not problems:
            self.dismiss(layer)

    def action_cancel(self) -> None:
        """Close without changing the layer."""
        self.dismiss(None)
