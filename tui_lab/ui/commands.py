"""The app's actions: one table that gives both the key bindings and the palette commands.

Every row has a binding id, the keys, the action, the footer description and the
command palette title, named "Category: action". Keeping both in one table means a
binding cannot exist without its command.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    """One action of the app, with its keys and how the footer and palette name it."""

    id: str
    keys: str
    action: str
    description: str
    title: str
    help: str
    show: bool = True
    bound: bool = True
    """Whether the app binds the keys itself; layer keys are bound by the layer stack, column keys by the data panel."""


COMMANDS = (
    Command("training.start", "t", "train", "Train", "Training: start",
            "Train the model on the data (queued while TensorFlow loads)"),
    Command("training.stop", "s", "stop", "Stop", "Training: stop",
            "Stop the training after the current batch"),
    Command("model.save", "ctrl+s", "save_model", "Save .keras", "Model: save .keras",
            "Save the trained model as .keras, with the experiment TOML beside it"),
    Command("experiment.open", "o", "open", "Open", "Experiment: open",
            "Open a preset, an experiment TOML, a CSV (data), Keras code (.py) or a .keras model"),
    Command("experiment.write", "w", "write_experiment", "Write TOML", "Experiment: write TOML",
            "Write the experiment as a TOML file"),
    Command("export.toml", "", "write_experiment", "Write TOML", "Export: TOML",
            "Write the experiment as a TOML file", bound=False),
    Command("export.python", "x", "export_python", "Export .py", "Export: Python script",
            "Write a plain Keras script that trains the experiment", show=False),
    Command("import.paste", "p", "paste_code", "Paste code", "Import: paste Keras code",
            "Paste Keras code; it is read, never run, and replaces the experiment (u undoes it)",
            show=False),
    Command("import.open", "", "import_file", "Import file", "Import: open file",
            "Import Keras code from a .py file (not run), or open a .keras model", bound=False),
    Command("data.open_csv", "", "open_csv", "Open CSV", "Data: open CSV",
            "Use a CSV file as the data; its target and features are guessed", bound=False),
    Command("data.toggle_feature", "space", "toggle_feature", "Feature on/off",
            "Data: toggle feature", "Add the highlighted column of the Data tab to the features, or remove it",
            bound=False),
    Command("data.choose_target", "T", "choose_target", "Make target", "Data: make target",
            "Make the highlighted column of the Data tab the target", bound=False),
    Command("model.evaluate", "v", "evaluate_model", "Evaluate", "Model: evaluate imported model",
            "Show the opened model's predictions on the data, without training it", show=False),
    Command("model.add_layer", "a", "add_layer", "Add layer", "Model: add layer",
            "Add a layer after the selected one", bound=False),
    Command("model.insert_layer", "i", "insert_layer", "Insert layer", "Model: insert layer",
            "Insert a layer before the selected one", bound=False),
    Command("model.edit_layer", "e", "edit_layer", "Edit layer", "Model: edit layer",
            "Edit the arguments of the selected layer", bound=False),
    Command("model.delete_layer", "d", "delete_layer", "Delete layer", "Model: delete layer",
            "Delete the selected layer (u undoes it)", bound=False),
    Command("model.move_up", "K", "move_layer(-1)", "Move up", "Model: move layer up",
            "Move the selected layer up", bound=False),
    Command("model.move_down", "J", "move_layer(1)", "Move down", "Model: move layer down",
            "Move the selected layer down", bound=False),
    Command("model.first_layer", "home", "select_layer('first')", "First layer", "Model: select first layer",
            "Move the layer stack's cursor to the first layer", bound=False),
    Command("model.last_layer", "end", "select_layer('last')", "Last layer", "Model: select last layer",
            "Move the layer stack's cursor to the last layer", bound=False),
    Command("model.undo", "u", "undo", "Undo", "Model: undo",
            "Undo the last change to the experiment", bound=False),
    Command("findings.fix", "f", "fix_selected(False)", "Apply fix", "Findings: apply fix",
            "Apply the fix of the highlighted finding, after showing the change", bound=False),
    Command("findings.fix_retrain", "F", "fix_selected(True)", "Fix and retrain",
            "Findings: fix and retrain", "Apply the highlighted finding's fix and train again",
            bound=False),
    Command("charts.next", "c", "next_chart", "Next chart", "Charts: next chart",
            "Show the next metric chart", bound=False),
    Command("runs.open", "r", "open_runs", "Runs", "Runs: open",
            "List the stored runs, to compare their curves or reopen one's experiment"),
    Command("runs.clear_overlay", "", "clear_overlay", "Clear overlay", "Runs: clear overlay",
            "Remove the compared runs' curves and histograms from the training view", bound=False),
    Command("view.model", "1", "show_pane('model')", "Model tab", "View: model",
            "Show the layer stack", show=False),
    Command("view.options", "2", "show_pane('options')", "Options tab", "View: options",
            "Show the compile, fit and data options", show=False),
    Command("view.data", "3", "show_pane('data')", "Data tab", "View: data",
            "Show the data summary", show=False),
    Command("view.train", "4", "show_pane('train')", "Train tab", "View: training",
            "Show the charts, predictions and progress", show=False),
    Command("view.findings", "5", "show_pane('findings')", "Findings tab", "View: findings",
            "Show the findings", show=False),
    Command("view.ansi", "", "toggle_ansi_theme", "ANSI colours", "View: toggle ANSI theme",
            "Switch between the terminal's own 16 colours and the default theme", bound=False),
    Command("help.keys", "question_mark,f1", "help", "Help", "Help: keys",
            "List every key binding"),
    Command("app.quit", "q,ctrl+q", "quit", "Quit", "App: quit",
            "Quit; a running training is ended"),
)
"""Every action of the app, in footer order."""


def app_bindings() -> list[Binding]:
    """Return the bindings the app declares, built from `COMMANDS`."""
    return [
        Binding(command.keys, command.action, command.description, show=command.show,
                id=command.id, key_display="?" if command.id == "help.keys" else None)
        for command in COMMANDS
        if command.bound
    ]
