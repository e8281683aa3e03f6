"""Import of Keras Python source: the snippet corpus, the preset example and each form."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tui_lab import experiment as experiment_module
from tui_lab.codeio.python_import import CodeImportError, import_bytes, import_source
from tui_lab.presets import preset

SNIPPETS = Path(__file__).parent / "snippets"
SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def test_snippet_corpus_size():
    assert len(SNIPPET_FILES) >= 25


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.stem)
def test_snippet_matches_toml(path):
    expected = experiment_module.load(path.with_suffix(".toml"))
    result = import_source(path.read_text(encoding="utf-8"), path.name)
    assert result.experiment == expected


@pytest.mark.parametrize("name", ["not_learning_list", "not_learning_range"])
def test_not_learning_example_is_preset(name):
    source = (SNIPPETS / f"{name}.py").read_text(encoding="utf-8")
    imported = import_source(source, f"{name}.py").experiment
    assert replace(imported, name="not-learning") == preset("not-learning")


def test_import_name_from_filename():
    source = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
    assert import_source(source, "/tmp/my_model.py").experiment.name == "my_model"
    assert import_source(source).experiment.name == "imported"


def test_import_keeps_no_tensorflow():
    code = ("import sys\n"
            "from tui_lab.codeio.python_import import import_source\n"
            "from tui_lab.codeio.python_export import export_python\n"
            "from tui_lab.presets import preset\n"
            "import_source(export_python(preset('baseline')))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_syntax_error_names_line():
    with pytest.raises(CodeImportError) as error:
        import_source("import keras\nmodel = keras.Sequential([\n", "bad.py")
    assert "bad.py:2" in str(error.value) or "bad.py:3" in str(error.value)
    assert "invalid Python syntax" in str(error.value)


def test_no_model_is_error():
    with pytest.raises(CodeImportError, match="no Keras model found"):
        import_source("x = 1\n")


def test_skipped_data_lines():
    source = (SNIPPETS / "data_loading_noise.py").read_text(encoding="utf-8")
    skipped = {entry.line: entry.reason for entry in import_source(source).skipped}
    assert "pd.read_csv" in skipped[8]
    assert "line 8" in skipped[9]
    assert "set_random_seed" in skipped[7]
    assert 14 in skipped


def test_skipped_unsupported_constructs():
    source = (SNIPPETS / "unsupported_layers.py").read_text(encoding="utf-8")
    reasons = [entry.reason for entry in import_source(source).skipped]
    assert any(reason.startswith("Flatten is not a layer") for reason in reasons)
    assert any(reason.startswith("Conv1D is not a layer") for reason in reasons)
    assert any("kernel_constraint" in reason for reason in reasons)
    assert any("validation_data" in reason for reason in reasons)
    assert any("run_eagerly" in reason for reason in reasons)


def test_fit_defaults_follow_keras():
    source = (SNIPPETS / "compile_defaults.py").read_text(encoding="utf-8")
    result = import_source(source)
    assert result.experiment.fit.epochs == 1
    assert result.experiment.compile.optimizer == "rmsprop"
    assert result.experiment.compile.metrics == ()
    assert any("validation_split" in note.reason for note in result.notes)


def test_invalid_argument_dropped():
    source = "from keras.layers import Dense\nfrom keras import Sequential\n" \
             "m = Sequential([Dense(8, activation='nope'), Dense(-3), Dense(1)])\n"
    result = import_source(source)
    assert [dict(layer.args) for layer in result.experiment.layers] == [{"units": 8}, {"units": 1}]
    assert any("activation" in entry.reason for entry in result.skipped)
    assert any("units" in entry.reason for entry in result.skipped)


def test_functional_branch_rejected():
    source = ("from keras import Input, Model, Sequential\nfrom keras.layers import Dense\n"
              "a = Input((3,))\nb = Input((3,))\nout = Dense(1)(b)\n"
              "m = Model(a, out)\nfallback = Sequential([Dense(2)])\n")
    result = import_source(source)
    assert any(entry.line == 6 for entry in result.skipped)
    assert [layer.get("units") for layer in result.experiment.layers] == [2]


def test_loop_variable_arithmetic():
    source = ("import tensorflow as tf\nmodel = tf.keras.Sequential()\n"
              "for i in range(3):\n    model.add(tf.keras.layers.Dense(2**(5+i)))\n")
    units = [layer.get("units") for layer in import_source(source).experiment.layers]
    assert units == [32, 64, 128]


def test_utf8_bytes_imported():
    result = import_bytes("# café\nimport keras\nm = keras.Sequential([keras.layers.Dense(1)])\n"
                          .encode("utf-8"))
    assert len(result.experiment.layers) == 1
