"""The `tui-lab` command line: exit statuses, messages and the JSON result."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tui_lab import presets
from tui_lab.cli import main


def run_cli(*arguments: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `python -m tui_lab` with `arguments` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "tui_lab", *arguments],
        capture_output=True, text=True, timeout=timeout,
    )


def write(tmp_path, text: str, name: str = "experiment.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_train_invalid_value_exit_two(tmp_path, capsys):
    path = write(tmp_path, '''
        [[layers]]
        type = "Dense"
        units = 0
    ''')

    status = main(["train", str(path)])

    error = capsys.readouterr().err
    assert status == 2
    assert "layers[0] (Dense).units: expected a whole number >= 1, received 0" in error
    assert "Traceback" not in error


def test_train_missing_target_column_exit_two(tmp_path, capsys):
    path = write(tmp_path, '''
        [data]
        target = "survivd"

        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
    ''')

    status = main(["train", str(path)])

    error = capsys.readouterr().err
    assert status == 2
    assert "survivd" in error
    assert "Traceback" not in error


def test_train_non_binary_target_exit_two(tmp_path, capsys):
    path = write(tmp_path, '''
        [data]
        target = "fare"
        features = ["pclass", "sex", "age"]

        [[layers]]
        type = "Dense"
        units = 1
        activation = "sigmoid"
    ''')

    status = main(["train", str(path)])

    error = capsys.readouterr().err
    assert status == 2
    assert "fare" in error
    assert "two" in error


def test_unknown_preset_exit_two(capsys):
    status = main(["train", "--preset", "nope"])

    error = capsys.readouterr().err
    assert status == 2
    assert "unknown preset 'nope'" in error
    assert "not-learning" in error


def test_save_path_must_end_keras(capsys):
    status = main(["train", "--preset", "baseline", "--save", "model.h5"])

    assert status == 2
    assert "expected a path ending in .keras" in capsys.readouterr().err


def test_diagnose_not_learning_before_training(capsys):
    status = main(["diagnose", "--preset", "not-learning", "--json"])

    findings = json.loads(capsys.readouterr().out)["findings"]
    ids = {finding["id"] for finding in findings}
    assert status == 1
    assert {"softmax-single-unit", "accuracy-metric", "learning-rate-high",
            "early-stopping-eager"} <= ids


def test_diagnose_baseline_no_error(capsys):
    status = main(["diagnose", "--preset", "baseline", "--json"])

    findings = json.loads(capsys.readouterr().out)["findings"]
    assert status == 0
    assert [f["id"] for f in findings if f["severity"] == "error"] == []


def test_train_json_not_learning(tmp_path):
    model_path = tmp_path / "stuck.keras"

    result = run_cli("train", "--preset", "not-learning", "--epochs", "3",
                     "--save", str(model_path), "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"history", "predictions", "findings", "model_path"}
    assert len(report["history"]["loss"]) == report["epochs_run"]
    assert report["predictions"]["min"] == report["predictions"]["max"] == 1.0
    assert "constant-predictions" in {f["id"] for f in report["findings"]}
    assert report["model_path"] == str(model_path)
    assert model_path.is_file()
    assert model_path.with_suffix(".toml").is_file()


def test_train_prints_epoch_lines(tmp_path):
    result = run_cli("train", "--preset", "baseline", "--epochs", "2")

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].startswith("epoch 1/2")
    assert lines[1].startswith("epoch 2/2")
    assert "val_loss" in lines[0]
    assert "oneDNN" not in result.stderr
    assert "absl" not in result.stderr


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_preset_flag_help_lists(name):
    result = run_cli("train", "--help", timeout=60)

    assert name in result.stdout


def test_train_without_layers_exit_two(tmp_path, capsys):
    path = write(tmp_path, '''
        [fit]
        epochs = 2
    ''')

    status = main(["train", str(path)])

    error = capsys.readouterr().err
    assert status == 2
    assert "expected at least one Dense layer" in error
