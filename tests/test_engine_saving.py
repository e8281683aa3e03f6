"""Saving and loading .keras files, and rebuilding an experiment from a model."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from tui_lab import presets
from tui_lab.engine.build import build_and_compile
from tui_lab.engine.model_import import experiment_from_model
from tui_lab.engine.quiet import import_keras
from tui_lab.engine.saving import ModelFileError, SaveError, load_model, save_model

INPUT_DIM = 10


@pytest.fixture(scope="module")
def baseline_model():
    return build_and_compile(presets.preset("baseline"), INPUT_DIM).model


def test_round_trip_same_predictions(tmp_path, baseline_model):
    path = tmp_path / "model.keras"
    model_path, toml_path = save_model(baseline_model, path, presets.preset("baseline"))
    loaded, experiment = load_model(model_path)

    rows = np.random.default_rng(0).normal(size=(16, INPUT_DIM)).astype("float32")
    assert np.allclose(baseline_model.predict_on_batch(rows), loaded.predict_on_batch(rows))
    assert toml_path == tmp_path / "model.toml"
    assert experiment == presets.preset("baseline")


def test_save_leaves_no_temporary_file(tmp_path, baseline_model):
    save_model(baseline_model, tmp_path / "model.keras", None)

    assert sorted(os.listdir(tmp_path)) == ["model.keras"]


def test_save_read_only_directory(tmp_path, baseline_model):
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o500)
    if os.access(directory, os.W_OK):
        pytest.skip("running as a user who can write to read-only directories")

    with pytest.raises(SaveError, match="locked"):
        save_model(baseline_model, directory / "model.keras", None)


def test_save_wrong_suffix(tmp_path, baseline_model):
    with pytest.raises(SaveError, match=r"\.keras"):
        save_model(baseline_model, tmp_path / "model.h5", None)


def test_load_lambda_rejected(tmp_path):
    keras = import_keras()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    path = tmp_path / "lambda.keras"
    model.save(path)

    with pytest.raises(ModelFileError, match="Lambda layer"):
        load_model(path)


def test_load_truncated_rejected(tmp_path, baseline_model):
    path = tmp_path / "model.keras"
    save_model(baseline_model, path, None)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])

    with pytest.raises(ModelFileError, match="truncated"):
        load_model(path)


def test_load_garbage_rejected(tmp_path):
    path = tmp_path / "garbage.keras"
    path.write_bytes(b"not a zip archive at all")

    with pytest.raises(ModelFileError, match="not a .keras file"):
        load_model(path)


def test_load_zip_without_config_rejected(tmp_path):
    path = tmp_path / "other.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(ModelFileError, match="config.json"):
        load_model(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "absent.keras")


def test_experiment_from_model_layers():
    experiment = presets.preset("not-learning")
    model = build_and_compile(experiment, INPUT_DIM).model
    rebuilt = experiment_from_model(model)

    assert rebuilt.layers == experiment.layers
    assert rebuilt.compile.optimizer == {"type": "Adam", "learning_rate": 0.1}
    assert rebuilt.compile.loss == {"type": "BinaryCrossentropy"}
    assert rebuilt.compile.metrics == ({"type": "Accuracy"},)


def test_experiment_from_model_initializer():
    experiment = presets.preset("baseline")
    layer = experiment.layers[0].with_args(kernel_initializer="zeros",
                                           bias_initializer={"type": "Constant", "value": -1.0})
    experiment = experiment.replace_layer(0, layer)
    rebuilt = experiment_from_model(build_and_compile(experiment, INPUT_DIM).model)

    assert rebuilt.layers[0].get("kernel_initializer") == "Zeros"
    assert rebuilt.layers[0].get("bias_initializer") == {"type": "Constant", "value": -1.0}
