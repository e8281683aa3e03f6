"""The form for the `compile()` options, the `fit()` options and the data options.

The form does not own the experiment. On every edit it posts `OptionsForm.Edited`,
and the app calls `build(experiment)` to get the experiment with the form's values,
validated by `tui_lab.experiment.from_dict`, or the problems found. Invalid text
stays in its Input, so an edit is never lost.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui_lab import keras_names
from tui_lab.experiment import (
    Experiment,
    ExperimentError,
    Problem,
    from_dict,
    learning_rate,
    loss_class,
    metric_name,
    optimizer_class,
    spec_args,
)
from tui_lab.ui.values import (
    describe_problem,
    format_class_weight,
    format_value,
    parse_class_weight,
    parse_names,
    parse_value,
)

EARLY_STOPPING = "EarlyStopping"

_CHOICES = {
    "optimizer": tuple(keras_names.OPTIMIZERS),
    "loss": tuple(keras_names.LOSSES),
    "impute": ("median", "none"),
    "scale": ("standard", "none"),
}
"""The class names each Select offers."""


def _row(label: str, control: Any) -> Horizontal:
    return Horizontal(Label(label, classes="option-label"), control, classes="option-row")


class OptionsForm(VerticalScroll):
    """Inputs for the compile, fit and data options of an experiment."""

    BINDINGS = [Binding("escape", "leave", "Leave form", id="options.leave")]

    class Edited(Message):
        """The user changed a value in the form."""

    def action_leave(self) -> None:
        """Move the focus to the tabs, so that single-key bindings such as t work again."""
        self.screen.query_one("#tabs").focus()

    def compose(self) -> ComposeResult:
        """Lay out one labelled control per option, grouped as compile, fit and data."""
        optimizers = [(name, name) for name in _CHOICES["optimizer"]]
        losses = [(name, name) for name in _CHOICES["loss"]]

        yield Static("compile()", classes="option-group")
        yield _row("optimizer", Select(optimizers, allow_blank=False, compact=True, id="optimizer"))
        yield _row("learning_rate", Input(compact=True, id="learning_rate"))
        yield _row("loss", Select(losses, allow_blank=False, compact=True, id="loss"))
        yield _row("from_logits", Checkbox(compact=True, id="from_logits"))
        yield _row("metrics", Input(compact=True, id="metrics", placeholder="none, or accuracy, AUC"))

        yield Static("fit()", classes="option-group")
        yield _row("batch_size", Input(compact=True, id="batch_size"))
        yield _row("epochs", Input(compact=True, id="epochs"))
        yield _row("validation_split", Input(compact=True, id="validation_split"))
        yield _row("early stopping", Checkbox(compact=True, id="early_stopping"))
        yield _row("  patience", Input(compact=True, id="patience"))
        yield _row("  restore_best_weights", Checkbox(compact=True, id="restore_best_weights"))
        yield _row("class_weight", Input(compact=True, id="class_weight", placeholder="none, or 0=1.0, 1=2.5"))

        yield Static("data", classes="option-group")
        yield _row("source", Input(compact=True, id="source", placeholder="titanic or a CSV path"))
        yield _row("target", Input(compact=True, id="target"))
        yield _row("features", Input(compact=True, id="features"))
        yield _row("shuffle", Checkbox(compact=True, id="shuffle"))
        yield _row("seed", Input(compact=True, id="seed"))
        yield _row("impute", Select([(name, name) for name in _CHOICES["impute"]], allow_blank=False,
                                    compact=True, id="impute"))
        yield _row("scale", Select([(name, name) for name in _CHOICES["scale"]], allow_blank=False,
                                   compact=True, id="scale"))
        yield Static("", id="option-problems")

    def load(self, experiment: Experiment) -> None:
        """Show the options of `experiment`, replacing whatever the form holds."""
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self._set_select("optimizer", optimizer_class(experiment.compile.optimizer))
            self._input("learning_rate").value = format_value(learning_rate(experiment.compile.optimizer))
            self._set_select("loss", loss_class(experiment.compile.loss))
            self._checkbox("from_logits").value = bool(spec_args(experiment.compile.loss).get("from_logits"))
            self._input("metrics").value = ", ".join(_metric_text(m) for m in experiment.compile.metrics)

            fit = experiment.fit
            self._input("batch_size").value = str(fit.batch_size)
            self._input("epochs").value = str(fit.epochs)
            self._input("validation_split").value = format_value(fit.validation_split)
            early = _early_stopping(fit.callbacks)
            self._checkbox("early_stopping").value = early is not None
            self._input("patience").value = str((early or {}).get("patience", 0))
            self._checkbox("restore_best_weights").value = bool((early or {}).get("restore_best_weights"))
            self._input("class_weight").value = format_class_weight(fit.class_weight)

            data = experiment.data
            self._input("source").value = data.source
            self._input("target").value = data.target
            self._input("features").value = ", ".join(data.features)
            self._checkbox("shuffle").value = data.shuffle
            self._input("seed").value = str(data.seed)
            self._set_select("impute", data.impute)
            self._set_select("scale", data.scale)
        for checkbox in self.query(Checkbox):
            _label_state(checkbox)
        self.show_problems([])

    def build(self, experiment: Experiment) -> tuple[Experiment | None, list[Problem]]:
        """Return `experiment` with the form's values, or None and the problems found."""
        tables = experiment.to_dict()
        tables["compile"]["optimizer"] = self._optimizer(experiment)
        tables["compile"]["loss"] = self._loss(experiment)
        tables["compile"]["metrics"] = self._metrics(experiment)
        self._set_fit(tables["fit"], experiment)
        tables["data"]["source"] = self._input("source").value.strip()
        tables["data"]["target"] = self._input("target").value.strip()
        tables["data"]["features"] = parse_names(self._input("features").value)
        tables["data"]["shuffle"] = self._checkbox("shuffle").value
        tables["data"]["seed"] = parse_value(self._input("seed").value)
        tables["data"]["impute"] = self._select("impute")
        tables["data"]["scale"] = self._select("scale")

        try:
            built = from_dict(tables)
        except ExperimentError as error:
            return None, error.problems
        return built, []

    def show_problems(self, problems: list[Problem]) -> None:
        """List the problems under the form, or clear the list."""
        text = "\n".join(describe_problem(problem) for problem in problems)
        self.query_one("#option-problems", Static).update(text)

    # --- the parts of the experiment the form changes ------------------------------

    def _optimizer(self, experiment: Experiment) -> Any:
        spec = experiment.compile.optimizer
        chosen = self._select("optimizer")
        rate_text = self._input("learning_rate").value
        unchanged_rate = rate_text.strip() == format_value(learning_rate(spec))
        if chosen == optimizer_class(spec) and unchanged_rate:
            return spec

        args = spec_args(spec) if chosen == optimizer_class(spec) else {}
        args["learning_rate"] = parse_value(rate_text)
        return {"type": chosen, **args}

    def _loss(self, experiment: Experiment) -> Any:
        spec = experiment.compile.loss
        chosen = self._select("loss")
        from_logits = self._checkbox("from_logits").value
        if chosen == loss_class(spec) and from_logits == bool(spec_args(spec).get("from_logits")):
            return spec

        args = spec_args(spec) if chosen == loss_class(spec) else {}
        if from_logits:
            args["from_logits"] = True
        else:
            args.pop("from_logits", None)
        return {"type": chosen, **args}

    def _metrics(self, experiment: Experiment) -> list[Any]:
        existing = {_metric_text(spec): spec for spec in experiment.compile.metrics}
        return [existing.get(name, name) for name in parse_names(self._input("metrics").value)]

    def _set_fit(self, fit: dict[str, Any], experiment: Experiment) -> None:
        fit["batch_size"] = parse_value(self._input("batch_size").value)
        fit["epochs"] = parse_value(self._input("epochs").value)
        fit["validation_split"] = parse_value(self._input("validation_split").value)

        class_weight = parse_class_weight(self._input("class_weight").value)
        if class_weight is None:
            fit.pop("class_weight", None)
        else:
            fit["class_weight"] = class_weight

        callbacks = [dict(c) for c in experiment.fit.callbacks if c.get("type") != EARLY_STOPPING]
        if self._checkbox("early_stopping").value:
            early = dict(_early_stopping(experiment.fit.callbacks) or {"type": EARLY_STOPPING})
            early["patience"] = parse_value(self._input("patience").value)
            if self._checkbox("restore_best_weights").value:
                early["restore_best_weights"] = True
            else:
                early.pop("restore_best_weights", None)
            callbacks.append(early)
        if callbacks:
            fit["callbacks"] = callbacks
        else:
            fit.pop("callbacks", None)

    # --- control access -------------------------------------------------------------

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _checkbox(self, name: str) -> Checkbox:
        return self.query_one(f"#{name}", Checkbox)

    def _select(self, name: str) -> str:
        return str(self.query_one(f"#{name}", Select).value)

    def _set_select(self, name: str, value: str) -> None:
        select = self.query_one(f"#{name}", Select)
        choices = _CHOICES[name]
        if value not in choices:
            select.set_options([(choice, choice) for choice in (*choices, value)])
        select.value = value

    def on_input_changed(self, event: Input.Changed) -> None:
        """Tell the app that a value changed."""
        event.stop()
        self.post_message(self.Edited())

    def on_select_changed(self, event: Select.Changed) -> None:
        """Tell the app that a value changed."""
        event.stop()
        self.post_message(self.Edited())

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Name the new state in words and tell the app that a value changed."""
        event.stop()
        _label_state(event.checkbox)
        self.post_message(self.Edited())


def _label_state(checkbox: Checkbox) -> None:
    """Label a checkbox "true" or "false", so its state reads without colour (NO_COLOR)."""
    checkbox.label = "true" if checkbox.value else "false"


def _metric_text(spec: Any) -> str:
    """Return the name a metric is typed as: the string, or a table's class name."""
    return spec if isinstance(spec, str) else metric_name(spec)


def _early_stopping(callbacks: Any) -> dict[str, Any] | None:
    for callback in callbacks:
        if callback.get("type") == EARLY_STOPPING:
            return dict(callback)
    return None
