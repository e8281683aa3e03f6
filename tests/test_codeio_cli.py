"""`tui-lab import` and `tui-lab export` through their argparse handlers."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui_lab import experiment as experiment_module
from tui_lab.cli import codeio_command
from tui_lab.presets import preset

SNIPPETS = Path(__file__).parent / "snippets"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tui-lab")
    codeio_command.register(parser.add_subparsers(dest="command"))
    arguments = parser.parse_args(argv)
    return arguments.handler(arguments)


def test_import_prints_toml(capsys):
    path = SNIPPETS / "not_learning_list.py"
    assert _run("import", str(path)) == 0
    output = capsys.readouterr()
    assert experiment_module.loads(output.out).layers == preset("not-learning").layers
    assert f"{path}:7: skipped: pd.read_csv(...) is not run" in output.err


def test_import_syntax_error_exit_2(tmp_path, capsys):
    path = tmp_path / "broken.py"
    path.write_text("model = keras.Sequential([\n", encoding="utf-8")
    assert _run("import", str(path)) == 2
    output = capsys.readouterr()
    assert output.out == ""
    assert "invalid Python syntax" in output.err


def test_import_missing_file_exit_2(tmp_path, capsys):
    assert _run("import", str(tmp_path / "absent.py")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_import_bad_keras_file_exit_2(tmp_path, capsys):
    path = tmp_path / "model.keras"
    path.write_bytes(b"not a zip archive")
    assert _run("import", str(path)) == 2
    assert str(path) in capsys.readouterr().err


def test_export_python_and_toml(tmp_path, capsys):
    path = tmp_path / "baseline.toml"
    experiment_module.save(preset("baseline"), path)

    assert _run("export", str(path), "--python") == 0
    script = capsys.readouterr().out
    assert "model = keras.Sequential([" in script

    assert _run("export", str(path), "--toml") == 0
    assert experiment_module.loads(capsys.readouterr().out) == preset("baseline")


def test_export_invalid_toml_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[fit]\nepochs = 0\n", encoding="utf-8")
    assert _run("export", str(path)) == 2
    assert "fit.epochs" in capsys.readouterr().err
