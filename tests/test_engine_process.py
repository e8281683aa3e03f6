"""The engine child process: readiness, training events, close during training, no TF in the parent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tui_lab import presets
from tui_lab.engine.process import ProcessEngine
from tui_lab.reports import EngineReady, EpochReport, TrainingFinished

READY_SECONDS = 60.0


def wait_for(engine, kind, seconds):
    received = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received += engine.events(0.5)
        if any(isinstance(event, kind) for event in received):
            return received
    raise AssertionError(f"no {kind.__name__} within {seconds} s; received {received}")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = ProcessEngine(tmp_path_factory.mktemp("engine") / "engine.log")
    engine.start()
    engine.ready_events = wait_for(engine, EngineReady, READY_SECONDS)
    yield engine
    engine.close()


def test_process_import_keeps_tensorflow_out():
    code = ("import sys, tui_lab.engine.process; "
            "print(any(name.split('.')[0] in ('tensorflow', 'keras') for name in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert output.stdout.strip() == "False"


def test_process_ready(engine):
    ready = [event for event in engine.ready_events if isinstance(event, EngineReady)][0]

    assert ready.tensorflow_version.startswith("2.")
    assert ready.seconds > 0


def test_process_trains_two_epochs(engine):
    engine.train(presets.preset("baseline"), "two", epochs=2)
    events = wait_for(engine, TrainingFinished, 60)

    assert [type(event).__name__ for event in events][0] == "TrainingStarted"
    assert len([event for event in events if isinstance(event, EpochReport)]) == 2
    assert events[-1].status == "finished"


def test_process_log_gets_output(engine):
    assert "engine: process" in engine.log_path.read_text(encoding="utf-8")


def test_process_close_mid_training(tmp_path):
    engine = ProcessEngine(tmp_path / "engine.log")
    engine.start()
    wait_for(engine, EngineReady, READY_SECONDS)
    engine.train(presets.preset("baseline"), "long", epochs=500)
    wait_for(engine, EpochReport, 60)
    pid = engine.pid

    started = time.monotonic()
    engine.close()
    seconds = time.monotonic() - started

    assert seconds < 2.0
    assert not engine.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_import_error_message():
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "from tui_lab.engine.quiet import EngineImportError, import_keras\n"
            "try:\n    import_keras()\nexcept EngineImportError as error:\n    print(error)\n")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert "TensorFlow could not be imported" in output.stdout
    assert "pip install tensorflow" in output.stdout
