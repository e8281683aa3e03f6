"""The experiment format: TOML in and out, and validation messages."""

from __future__ import annotations

import textwrap

import pytest

from tui_lab import experiment as ex
from tui_lab import presets

EXAMPLE = textwrap.dedent('''
    [data]
    source = "titanic"          # the bundled set, or a path to a CSV file
    target = "survived"
    features = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]
    impute = "median"           # or "none"
    scale = "standard"          # or "none"
    shuffle = true
    seed = 0

    [[layers]]
    type = "Dense"
    units = 32
    activation = "relu"

    [[layers]]
    type = "Dropout"
    rate = 0.5

    [[layers]]
    type = "Dense"
    units = 1
    activation = "softmax"

    [compile]
    optimizer = { type = "Adam", learning_rate = 0.1 }
    loss = "binary_crossentropy"
    metrics = ["Accuracy"]

    [fit]
    batch_size = 32
    epochs = 20
    validation_split = 0.1

    [[fit.callbacks]]
    type = "EarlyStopping"
    patience = 2
''')


def test_example_file_opens_as_written():
    experiment = ex.loads(EXAMPLE)

    assert [layer.type for layer in experiment.layers] == ["Dense", "Dropout", "Dense"]
    assert experiment.layers[2].args == {"units": 1, "activation": "softmax"}
    assert experiment.compile.optimizer == {"type": "Adam", "learning_rate": 0.1}
    assert experiment.compile.metrics == ("Accuracy",)
    assert experiment.fit.validation_split == 0.1
    assert experiment.fit.callbacks == ({"type": "EarlyStopping", "patience": 2},)
    assert ex.learning_rate(experiment.compile.optimizer) == 0.1


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_toml_round_trip_presets(name, tmp_path):
    experiment = presets.preset(name)
    path = tmp_path / f"{name}.toml"

    ex.save(experiment, path)

    assert ex.load(path) == experiment


def test_toml_round_trip_every_field():
    experiment = ex.Experiment(
        name="all fields",
        data=ex.DataSpec(source="data/passengers.csv", target="Survived",
                         features=("Age", "Sex"), impute="none", scale="none",
                         shuffle=False, seed=7, sort_by="Age", keep_positive=0.5,
                         missing_indicators=("Cabin",)),
        layers=(
            ex.LayerSpec("Dense", {"units": 8, "activation": "relu",
                                   "kernel_initializer": {"type": "Constant", "value": 0.1}}),
            ex.LayerSpec("BatchNormalization", {}),
            ex.LayerSpec("Dense", {"units": 1}),
        ),
        compile=ex.CompileSpec(
            optimizer={"type": "SGD", "learning_rate": 0.01, "momentum": 0.9, "nesterov": True},
            loss={"type": "BinaryCrossentropy", "from_logits": True},
            metrics=({"type": "BinaryAccuracy", "threshold": 0.0}, "auc"),
        ),
        fit=ex.FitSpec(batch_size=16, epochs=3, validation_split=0.25, shuffle=False,
                       class_weight={0: 1.0, 1: 2.5},
                       callbacks=({"type": "ReduceLROnPlateau", "factor": 0.5},)),
    )

    assert ex.loads(experiment.to_toml()) == experiment


def _problems(text: str) -> list[str]:
    with pytest.raises(ex.ExperimentError) as caught:
        ex.loads(textwrap.dedent(text))
    return [str(problem) for problem in caught.value.problems]


def test_zero_units_named():
    problems = _problems('''
        [[layers]]
        type = "Dense"
        units = 0
    ''')

    assert problems == ["layers[0] (Dense).units: expected a whole number >= 1, received 0"]


def test_dropout_rate_above_one_named():
    problems = _problems('''
        [[layers]]
        type = "Dropout"
        rate = 1.5
    ''')

    assert problems == ["layers[0] (Dropout).rate: expected a number in [0, 1), received 1.5"]


def test_unknown_activation_named():
    problems = _problems('''
        [[layers]]
        type = "Dense"
        units = 4
        activation = "relux"
    ''')

    assert len(problems) == 1
    assert problems[0].startswith("layers[0] (Dense).activation: expected one of: linear, relu")
    assert problems[0].endswith("received 'relux'")


def test_string_for_number_named():
    problems = _problems('''
        [fit]
        epochs = "twenty"
        batch_size = 32
    ''')

    assert problems == ["fit.epochs: expected a whole number >= 1, received 'twenty'"]


def test_every_problem_reported_together():
    problems = _problems('''
        [[layers]]
        type = "Dense"
        units = 0

        [[layers]]
        type = "Conv9D"

        [compile]
        optimizer = "adamm"
        loss = "binary_crossentropy"
    ''')

    assert len(problems) == 3
    assert problems[1].startswith("layers[1].type: expected a layer class: Dense, Dropout")
    assert problems[2].startswith("compile.optimizer: expected a Keras optimizer name")


def test_unknown_argument_named():
    problems = _problems('''
        [[layers]]
        type = "Dense"
        units = 4
        unitz = 5
    ''')

    assert problems[0].startswith("layers[0] (Dense).unitz: expected an argument of Dense")


def test_invalid_toml_names_line():
    with pytest.raises(ex.ExperimentError) as caught:
        ex.loads("[fit]\nepochs = = 3\n", source="bad.toml")

    message = str(caught.value)
    assert message.startswith("bad.toml: invalid experiment")
    assert "epochs = = 3" in message


def test_missing_file_message(tmp_path):
    with pytest.raises(ex.ExperimentError) as caught:
        ex.load(tmp_path / "absent.toml")

    assert "absent.toml" in str(caught.value)
    assert "No such file" in str(caught.value)


def test_target_among_features_rejected():
    problems = _problems('''
        [data]
        target = "age"
        features = ["age", "sex"]
    ''')

    assert problems[0].startswith("data.features: expected feature columns other than the target")


def test_validate_in_code_experiment():
    broken = presets.preset("baseline").replace_layer(0, ex.LayerSpec("Dense", {"units": -3}))

    problems = ex.validate(broken)

    assert [str(p) for p in problems] == [
        "layers[0] (Dense).units: expected a whole number >= 1, received -3"
    ]


def test_write_atomic_leaves_no_temporary(tmp_path):
    target = tmp_path / "file.toml"
    target.write_text("old")

    ex.write_atomic(target, b"new")

    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.toml"]
