"""The app driven by keys alone, with a FakeEngine that replays a recorded run."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from tui_lab import presets
from tui_lab.engine.fake import FakeEngine
from tui_lab.experiment import Experiment, FitSpec, load
from tui_lab.ui.app import LabApp
from tui_lab.ui.commands import COMMANDS
from tui_lab.ui.screens.help import HelpScreen
from tui_lab.ui.screens.layer_editor import LayerArgumentsScreen
from tui_lab.ui.widgets.layer_stack import LayerStack

FIXTURES = Path(__file__).parent / "fixtures"


def recorded_run(name: str) -> Path:
    """Return the recorded run `name`, or the hand-made synthetic run while it is not recorded."""
    path = FIXTURES / name
    return path if path.exists() else FIXTURES / "synthetic_run.json"


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


async def type_text(pilot, text: str) -> None:
    """Press the keys that type `text`."""
    await pilot.press(*text)


async def add_layer(pilot, type_index: int, values: list[str]) -> None:
    """Add a layer with `a`: pick the type at `type_index`, then type each argument in order."""
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*(["down"] * type_index), "enter")
    await pilot.pause()
    for position, value in enumerate(values):
        if position:
            await pilot.press("tab")
        await type_text(pilot, value)
    await pilot.press("enter")
    await pilot.pause()


async def test_app_builds_trains_and_saves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(Experiment(name="built", fit=FitSpec(epochs=20)), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await add_layer(pilot, 0, ["16", "relu"])
        await add_layer(pilot, 0, ["1", "sigmoid"])

        layers = app.experiment.layers
        assert [layer.type for layer in layers] == ["Dense", "Dense"]
        assert dict(layers[0].args) == {"units": 16, "activation": "relu"}
        assert dict(layers[1].args) == {"units": 1, "activation": "sigmoid"}

        await pilot.press("2")
        await pilot.press(*(["tab"] * 6))
        await type_text(pilot, "3")
        await pilot.pause()
        assert app.experiment.fit.epochs == 3

        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: engine.trained)
        await wait_for(pilot, lambda: app.trained_experiment is not None)
        assert engine.trained[0][0] == app.experiment

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "built.toml").exists())

    assert (tmp_path / "built.keras").exists()
    assert load(tmp_path / "built.toml") == app.experiment


async def test_save_asks_before_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.keras").write_bytes(b"older model")
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.trained_experiment is not None)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert (tmp_path / "baseline.keras").read_bytes() == b"older model"

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: engine.saved)

    assert (tmp_path / "baseline.keras").read_bytes() != b"older model"


async def test_not_learning_shows_stuck_banner():
    engine = FakeEngine(recorded_run("not_learning_run.json"))
    app = LabApp(presets.preset("not-learning"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.trained_experiment is not None)
        await pilot.pause(0.3)
        banner = app.query_one("#predictions").banner

    last = [event for event in engine.recorded if hasattr(event, "predictions")][-1]
    assert banner == f"STUCK: all {last.predictions.count} validation predictions are 1.000"


@pytest.mark.parametrize(
    ("layer_index", "argument", "typed", "allowed"),
    [
        (0, "units", "0", "a whole number >= 1"),
        (0, "units", "ten", "a whole number >= 1"),
        (0, "activation", "relux", "relu"),
        (1, "rate", "1.5", "[0, 1)"),
    ],
)
async def test_layer_modal_rejects_invalid(layer_index, argument, typed, allowed):
    experiment = presets.preset("baseline")
    app = LabApp(experiment, FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", *(["down"] * layer_index), "e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LayerArgumentsScreen)
        field = screen.query_one(f"#arg-{argument}")
        field.focus()
        field.value = typed
        await pilot.press("enter")
        await pilot.pause()

        message = str(screen.query_one(f"#error-{argument}", Static).content)
        assert app.screen is screen
        assert argument in message
        assert typed in message
        assert allowed in message

        await pilot.press("escape")
        await pilot.pause()

    assert app.experiment == experiment


async def test_help_lists_every_binding():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        descriptions = {str(table.get_row_at(row)[1]) for row in range(table.row_count)}

    for binding in [*LabApp.BINDINGS, *LayerStack.BINDINGS]:
        assert binding.description in descriptions


async def test_every_binding_has_command():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))
    actions = {command.action: command.title for command in COMMANDS}

    async with app.run_test(size=(80, 24)) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        await pilot.pause()

    for binding in [*LabApp.BINDINGS, *LayerStack.BINDINGS]:
        action = binding.action.removeprefix("app.")
        assert action in actions
        assert actions[action] in titles


async def test_palette_starts_training():
    engine = FakeEngine(recorded_run("baseline_run.json"))
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Training: start")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: engine.trained)

    assert engine.trained[0][0] == app.experiment


async def test_train_before_ready_is_queued():
    engine = FakeEngine(recorded_run("baseline_run.json"), ready_delay=0.5)
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        status = str(app.query_one("#status", Static).content)
        assert "TensorFlow is still loading" in status
        assert not engine.trained
        await wait_for(pilot, lambda: engine.trained)


async def test_quit_during_training_is_prompt():
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.5)
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training and engine.trained)
        started = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, timeout=3.0)
        elapsed = time.monotonic() - started

    assert engine.closed
    assert elapsed < 2.0


async def test_escape_does_not_stop_training():
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.2)
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.training
        assert len(app.experiment.layers) == 4
        await pilot.press("s")
        await wait_for(pilot, lambda: not app.training)


async def test_train_while_stopping_says_so():
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.5)
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training)
        await pilot.press("s")
        await pilot.press("t")
        notes = [str(note.message) for note in app._notifications]
        status = status_text(app)
        await wait_for(pilot, lambda: not app.training)

    assert any("is stopping" in note for note in notes)
    assert "stopping after the current batch" in status


async def test_focus_starts_on_layer_stack():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        assert isinstance(app.focused, LayerStack)


async def test_delete_and_undo_layer():
    experiment = presets.preset("baseline")
    app = LabApp(experiment, FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "down", "d")
        assert [layer.type for layer in app.experiment.layers] == ["Dense", "Dense", "Dense"]
        await pilot.press("u")
        assert app.experiment == experiment
        await pilot.press("J")
        assert [layer.type for layer in app.experiment.layers] == ["Dense", "Dense", "Dropout", "Dense"]


async def test_invalid_option_keeps_text():
    experiment = presets.preset("baseline")
    app = LabApp(experiment, FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        epochs = app.query_one("#epochs")
        epochs.focus()
        epochs.value = "ten"
        await pilot.pause()
        status = str(app.query_one("#status", Static).content)

    assert epochs.value == "ten"
    assert "fit.epochs" in status
    assert "'ten'" in status
    assert app.experiment == experiment


async def test_wide_layout_side_by_side():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        left = app.query_one("#left")
        right = app.query_one("#right")
        assert app.screen.has_class("-wide")
        assert left.display and right.display
        assert left.region.x < right.region.x
        assert left.region.y == right.region.y


async def test_narrow_layout_uses_tabs():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.has_class("-wide")
        assert app.query_one("#left").display
        assert not app.query_one("#right").display

        await pilot.press("4")
        await pilot.pause()
        assert app.query_one("#right").display
        assert not app.query_one("#left").display
        assert app.query_one("#pane-train").region.height > 10


async def test_open_preset_replaces_experiment():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await type_text(pilot, "not-learning")
        await pilot.press("enter")
        await pilot.pause()

    assert app.experiment == presets.preset("not-learning")


async def test_fake_engine_stop_ends_replay():
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.05)
    engine.start()
    engine.train(presets.preset("baseline"), "run-1")
    engine.stop()
    events = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not any(type(e).__name__ == "TrainingFinished" for e in events):
        events += engine.events(0.1)
        await asyncio.sleep(0)
    engine.close()

    finished = [e for e in events if type(e).__name__ == "TrainingFinished"]
    assert finished[0].status == "stopped"
    assert finished[0].run_id == "run-1"


def status_text(app: LabApp) -> str:
    """Return the text of the status line."""
    return str(app.query_one("#status", Static).content)


async def set_option(pilot, app: LabApp, field: str, text: str) -> None:
    """Type `text` into the Options form's input `field`, as an edit by the user."""
    control = app.query_one(f"#{field}")
    control.focus()
    control.value = text
    await pilot.pause()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("validation_split", "1.5",
         "Training not started: fit.validation_split = 1.5 is invalid, expected a number in (0, 1)"),
        ("epochs", "", "Training not started: fit.epochs is empty, expected a whole number >= 1"),
    ],
)
async def test_invalid_option_blocks_training(field, typed, message):
    engine = FakeEngine(recorded_run("baseline_run.json"))
    experiment = presets.preset("baseline")
    app = LabApp(experiment, engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("2")
        await set_option(pilot, app, field, typed)
        await pilot.press("escape", "t")
        await pilot.pause()
        after_key = status_text(app)

        await app.run_action("train")
        await pilot.pause(0.2)
        after_palette = status_text(app)
        notes = [str(note.message) for note in app._notifications]
        kept = app.query_one(f"#{field}").value

    assert not engine.trained
    assert not app.training
    assert after_key.startswith(message)
    assert after_key.endswith("Fix it in 2 Options.")
    assert after_palette == after_key
    assert after_key in notes
    assert kept == typed
    assert app.experiment == experiment


async def test_invalid_option_blocks_fix_and_retrain():
    from tui_lab.diagnosis.finding import Finding, Severity
    from tui_lab.ui.widgets.findings import FindingsList

    engine = FakeEngine(recorded_run("baseline_run.json"))
    experiment = presets.preset("baseline")
    app = LabApp(experiment, engine)
    fixable = Finding(id="softmax-single-unit", severity=Severity.ERROR, title="Softmax over one unit",
                      evidence="units=1", fix="Use sigmoid on the output.")

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await pilot.press("2")
        await set_option(pilot, app, "validation_split", "1.5")
        app.post_message(FindingsList.FixRequested(fixable, retrain=True))
        await pilot.pause(0.2)
        modal_open = app.screen is not app.main_screen
        status = status_text(app)

    assert not modal_open
    assert status.startswith("Fix not applied and training not started: fit.validation_split = 1.5")
    assert not engine.trained
    assert app.experiment == experiment


async def test_valid_edit_clears_option_error():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await set_option(pilot, app, "learning_rate", "")
        emptied = status_text(app)
        await set_option(pilot, app, "epochs", "ten")
        await set_option(pilot, app, "learning_rate", "0.001")
        one_left = status_text(app)
        await set_option(pilot, app, "epochs", "7")
        all_valid = status_text(app)
        problems = str(app.query_one("#option-problems", Static).content)

    assert emptied.startswith("compile.optimizer.learning_rate is empty")
    assert one_left.startswith("fit.epochs = 'ten' is invalid")
    assert "learning_rate" not in one_left
    assert "invalid" not in all_valid
    assert "empty" not in all_valid
    assert problems == ""
    assert app.experiment.fit.epochs == 7


async def test_progress_names_each_run():
    engine = FakeEngine(recorded_run("baseline_run.json"), delay=0.15)
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        progress = app.query_one("#progress")
        epochs = app.experiment.fit.epochs

        # The action runs directly, so the state line is read before any engine event arrives.
        app.action_train()
        first_run = app.run_id
        first_status = progress.status
        await wait_for(pilot, lambda: not app.training)
        ended = progress.status
        frozen = progress.elapsed
        await pilot.pause(0.3)
        still = progress.elapsed

        app.action_train()
        second_run = app.run_id
        second_status = progress.status
        restarted = progress.elapsed
        await wait_for(pilot, lambda: not app.training)

    assert first_status == f"training run {first_run}: epoch 1/{epochs}"
    assert ended.startswith(f"training run {first_run} ")
    assert still == frozen
    assert second_run != first_run
    assert second_status == f"training run {second_run}: epoch 1/{epochs}"
    assert restarted < 0.5


async def test_layer_stack_home_end():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "end")
        last = app.query_one(LayerStack).cursor_row
        await pilot.press("home")
        first = app.query_one(LayerStack).cursor_row

    assert last == len(app.experiment.layers) - 1
    assert first == 0


async def test_fix_without_one_key_fix_notifies():
    from tui_lab.diagnosis.finding import Finding, Severity
    from tui_lab.ui.widgets.findings import FindingsList

    app = LabApp(presets.preset("baseline"), FakeEngine([]))
    finding = Finding(id="labels-not-binary", severity=Severity.ERROR, title="The target is not binary",
                      evidence="3 classes", fix="Use a target column with two classes.")

    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(FindingsList.FixRequested(finding))
        await pilot.pause(0.2)
        modal_open = app.screen is not app.main_screen
        notes = [str(note.message) for note in app._notifications]

    assert not modal_open
    assert notes[-1] == "labels-not-binary has no one-key fix. Use a target column with two classes."


async def test_help_shows_no_action_names():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]

    descriptions = {description for _, description in rows}
    assert "help_quit" not in descriptions
    assert ("ctrl+c", "Show the key that quits (ctrl+c does not quit)") in rows
    assert all("_" not in description for description in descriptions)
