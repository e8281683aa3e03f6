"""Bringing your own code, model and CSV into the app, and exporting from it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from textual import events
from textual.widgets import DataTable, Static, TextArea

from tui_lab import presets
from tui_lab.codeio.python_import import import_source
from tui_lab.engine.fake import FakeEngine
from tui_lab.engine.process import ProcessEngine
from tui_lab.engine_events import EvaluationFailed, LoadFailed, ModelLoaded
from tui_lab.reports import EngineReady, EpochReport, ModelSaved, TrainingFinished
from tui_lab.ui.app import LabApp
from tui_lab.ui.screens.import_report import ImportReportScreen
from tui_lab.ui.screens.paste_code import PasteCodeScreen
from tui_lab.ui.widgets.data_panel import DataPanel

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = Path(__file__).parent / "snippets"
RECORDED = Path(__file__).parent / "fixtures" / "baseline_run.json"
KAGGLE_FEATURES = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


async def paste(pilot, app, source: str) -> None:
    """Open the paste area with p, paste `source` as a terminal paste, and import it with ctrl+r."""
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(app.screen, PasteCodeScreen)
    app.screen.query_one(TextArea).post_message(events.Paste(source))
    await pilot.pause()
    await pilot.press("ctrl+r")
    await pilot.pause()


async def open_path(pilot, path: Path) -> None:
    """Type `path` into the open prompt (o) and submit it."""
    await pilot.press("o")
    await pilot.pause()
    await pilot.press(*str(path), "enter")
    await pilot.pause()


def kaggle_csv(path: Path) -> Path:
    """Write the bundled passengers in the column layout of Kaggle's train.csv."""
    passengers = pd.read_csv(ROOT / "datasets" / "titanic.csv", na_values="?")
    frame = pd.DataFrame({
        "PassengerId": range(1, len(passengers) + 1),
        "Survived": passengers["survived"],
        "Pclass": passengers["pclass"],
        "Name": passengers["name"],
        "Sex": passengers["sex"],
        "Age": passengers["age"],
        "SibSp": passengers["sibsp"],
        "Parch": passengers["parch"],
        "Ticket": passengers["ticket"],
        "Fare": passengers["fare"],
        "Cabin": passengers["cabin"],
        "Embarked": passengers["embarked"],
    })
    frame.iloc[:300].to_csv(path, index=False)
    return path


async def test_paste_imports_not_learning():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))
    source = (SNIPPETS / "not_learning_list.py").read_text(encoding="utf-8")

    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, app, source)
        await wait_for(pilot, lambda: not isinstance(app.screen, PasteCodeScreen))
        expected = presets.preset("not-learning")
        assert app.experiment.layers == expected.layers
        assert app.experiment.compile == expected.compile

        await pilot.press("escape", "1", "u")
        await pilot.pause()
        assert app.experiment == presets.preset("baseline")


async def test_paste_hostile_code_not_run(tmp_path):
    marker = tmp_path / "ran.txt"
    source = (
        "import os\n"
        "import keras\n"
        f"open({str(marker)!r}, 'w').write('ran')\n"
        f"os.system('touch {marker}')\n"
        "model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropy')\n"
    )
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, app, source)
        await wait_for(pilot, lambda: isinstance(app.screen, ImportReportScreen))
        listed = str(app.screen.query_one("#import-lines", Static).render())

        assert "line 3: skipped" in listed
        assert "line 4: skipped" in listed
        assert [layer.type for layer in app.experiment.layers] == ["Dense"]

    assert not marker.exists()


async def test_paste_invalid_code_stays_open():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, app, "model = (\n")
        assert isinstance(app.screen, PasteCodeScreen)
        problem = str(app.screen.query_one("#code-problem", Static).render())
        assert "invalid Python syntax" in problem

    assert app.experiment == presets.preset("baseline")


async def test_open_kaggle_csv_guesses_columns(tmp_path):
    path = kaggle_csv(tmp_path / "train.csv")
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await open_path(pilot, path)
        await wait_for(pilot, lambda: app.experiment.data.source == str(path))

        assert app.experiment.data.target == "Survived"
        assert app.experiment.data.features == KAGGLE_FEATURES
        assert app.experiment.layers == presets.preset("baseline").layers


async def test_open_bad_csv_keeps_experiment(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await open_path(pilot, path)
        await wait_for(pilot, lambda: any("empty.csv" in n.message for n in app._notifications))
        shown = [n for n in app._notifications if "empty.csv" in n.message]

        assert shown[0].severity == "error"
        assert app.experiment == presets.preset("baseline")


async def test_open_missing_file_shows_problem(tmp_path):
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await open_path(pilot, tmp_path / "absent.csv")
        problem = str(app.screen.query_one("#open-problem", Static).render())

        assert "file not found" in problem
        assert app.experiment == presets.preset("baseline")


async def test_data_tab_toggles_feature():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))
    before = app.experiment.data.features

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await pilot.press("3")
        await pilot.pause()
        panel = app.query_one(DataPanel)
        column = panel.selected_column
        await pilot.press("space")
        await pilot.pause()

        assert column in before
        assert column not in app.experiment.data.features
        await wait_for(pilot, lambda: panel.features == app.experiment.data.features)
        assert f"{column} (feature)" not in str(app.query_one("#data-columns", DataTable).get_row_at(0)[0])

        await pilot.press("space")
        await pilot.pause()
        assert column in app.experiment.data.features


async def test_data_tab_target_key():
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#data-columns", DataTable)
        names = [column.name for column in app.dataset.summary.columns]
        await pilot.press(*(["down"] * names.index("sex")), "T")
        await pilot.pause()

        assert app.experiment.data.target == "sex"
        assert "sex" not in app.experiment.data.features
        assert table.cursor_row == names.index("sex")


async def test_export_python_reads_back(tmp_path):
    path = tmp_path / "baseline.py"
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+u", *str(path), "enter")
        await pilot.pause()

    imported = import_source(path.read_text(encoding="utf-8"), str(path)).experiment
    assert imported == app.experiment


async def test_open_keras_with_fake_engine(tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(b"placeholder")
    engine = FakeEngine(RECORDED, models={str(path): presets.preset("not-learning")})
    app = LabApp(presets.preset("baseline"), engine)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await open_path(pilot, path)
        await wait_for(pilot, lambda: app.loaded_model_path == str(path))

        assert app.experiment.layers == presets.preset("not-learning").layers
        assert app.experiment.data == presets.preset("baseline").data

        await pilot.press("v")
        await wait_for(pilot, lambda: app.query_one("#predictions").epoch == 0)
        assert engine.evaluated[0] == app.experiment


async def test_open_bad_keras_keeps_experiment(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip")
    app = LabApp(presets.preset("baseline"), FakeEngine([]))

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine_state == "ready")
        await open_path(pilot, path)
        await wait_for(pilot, lambda: any(n.title == "Model not opened" for n in app._notifications))

        assert app.experiment == presets.preset("baseline")
        assert app.loaded_model_path is None


def test_fake_engine_load_events(tmp_path):
    known = str(tmp_path / "known.keras")
    engine = FakeEngine([], models={known: presets.preset("baseline")})
    engine.evaluate(presets.preset("baseline"))
    engine.load(known)
    engine.load(str(tmp_path / "other.keras"))
    received = engine.events(0.1)

    assert isinstance(received[0], EvaluationFailed)
    assert isinstance(received[1], ModelLoaded)
    assert received[1].experiment == presets.preset("baseline").to_dict()
    assert isinstance(received[2], LoadFailed)
    assert "not found" in received[2].message


def wait_for_event(engine, kind, seconds: float) -> list[object]:
    """Read engine events until one of class `kind` arrives, or fail after `seconds`."""
    received: list[object] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received += engine.events(0.5)
        if any(isinstance(event, kind) for event in received):
            return received
    raise AssertionError(f"no {kind} within {seconds} s; received {received}")


LAMBDA_MODEL = """
import sys
from tui_lab.engine.quiet import import_keras
keras = import_keras()
model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
model.save(sys.argv[1])
"""


def test_process_engine_loads_keras(tmp_path):
    baseline = presets.preset("baseline")
    engine = ProcessEngine(tmp_path / "engine.log")
    engine.start()
    try:
        wait_for_event(engine, EngineReady, 60)
        engine.train(baseline, "one", epochs=1)
        wait_for_event(engine, TrainingFinished, 60)
        engine.save(str(tmp_path / "model.keras"), baseline)
        wait_for_event(engine, ModelSaved, 30)
        (tmp_path / "model.toml").unlink()

        engine.load(str(tmp_path / "model.keras"))
        loaded = [e for e in wait_for_event(engine, (ModelLoaded, LoadFailed), 30)
                  if isinstance(e, (ModelLoaded, LoadFailed))][0]
        assert isinstance(loaded, ModelLoaded)
        assert loaded.experiment_path is None
        assert len(loaded.experiment["layers"]) == len(baseline.layers)

        engine.evaluate(baseline)
        reports = [e for e in wait_for_event(engine, (EpochReport, EvaluationFailed), 30)
                   if isinstance(e, (EpochReport, EvaluationFailed))]
        assert isinstance(reports[0], EpochReport)
        assert reports[0].epoch == 0
        assert reports[0].predictions.count > 0

        lambda_path = tmp_path / "lambda.keras"
        subprocess.run([sys.executable, "-c", LAMBDA_MODEL, str(lambda_path)], check=True,
                       capture_output=True, timeout=120)
        engine.load(str(lambda_path))
        failed = [e for e in wait_for_event(engine, (ModelLoaded, LoadFailed), 30)
                  if isinstance(e, (ModelLoaded, LoadFailed))][0]
        assert isinstance(failed, LoadFailed)
        assert "Lambda layer" in failed.message
    finally:
        engine.close()
