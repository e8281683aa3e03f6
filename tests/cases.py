"""The diagnosis case corpus: real "my model is not learning" reports, rebuilt on Titanic.

Each case is an experiment with the rule ids that must fire (`expect`), the ids
that must stay quiet (`must_not`), and ids of which at least one must fire
(`expect_one_of`). Healthy cases set `quiet_from`: no finding of that severity or
above may appear. `epochs` is how many epochs the tests train, fewer than the
experiment's own where no runtime expectation needs them. `run_case` trains a case
with the real engine and returns every finding, for the tests and for
`benchmarks/diagnosis_scores.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_lab.diagnosis import Finding, Severity, check_data, check_experiment, check_training
from tui_lab.experiment import (
    DEFAULT_FEATURES, CompileSpec, DataSpec, Experiment, FitSpec, KerasSpec, LayerSpec,
)
from tui_lab.reports import EpochReport


@dataclass(frozen=True)
class Case:
    """One corpus case: an experiment and the findings the diagnosis must and must not report."""

    id: str
    source: str
    experiment: Experiment
    epochs: int
    expect: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    expect_one_of: tuple[str, ...] = ()
    quiet_from: Severity | None = None
    min_val_accuracy: float | None = None


def dense(units: int, activation: str | None = None, **args) -> LayerSpec:
    """Return a Dense layer spec; no activation means linear."""
    if activation is not None:
        args["activation"] = activation
    return LayerSpec("Dense", {"units": units, **args})


def layer(type_: str, **args) -> LayerSpec:
    """Return a layer spec of any class."""
    return LayerSpec(type_, args)


def experiment(name: str, layers: list[LayerSpec], *, optimizer: KerasSpec = {"type": "Adam", "learning_rate": 0.001},
               loss: KerasSpec = "binary_crossentropy", metrics: tuple[KerasSpec, ...] = ("accuracy",),
               data: DataSpec = DataSpec(), epochs: int = 10, batch_size: int = 32,
               validation_split: float = 0.2, callbacks: tuple[dict, ...] = ()) -> Experiment:
    """Build an experiment with the corpus defaults: Adam 1e-3, binary crossentropy, accuracy."""
    return Experiment(
        name=name, data=data, layers=tuple(layers),
        compile=CompileSpec(optimizer=optimizer, loss=loss, metrics=metrics),
        fit=FitSpec(batch_size=batch_size, epochs=epochs, validation_split=validation_split,
                    callbacks=callbacks),
    )


def healthy_layers() -> list[LayerSpec]:
    """Return the corpus's healthy model: Dense(16, relu), Dense(1, sigmoid)."""
    return [dense(16, "relu"), dense(1, "sigmoid")]


ERROR_IDS = (
    "empty-model", "softmax-single-unit", "loss-output-mismatch", "output-activation",
    "from-logits-mismatch", "constant-initializer", "labels-not-binary", "missing-values",
    "target-leakage", "constant-predictions", "single-class-predictions", "nan-loss",
    "loss-diverging",
)
"""Rules whose findings are errors by default."""


def _seed_constant_one() -> Experiment:
    layers = [dense(32, "relu")]
    for units in (32, 64, 128, 256):
        layers += [dense(units, "relu"), layer("Dropout", rate=0.5)]
    layers.append(dense(1, "softmax"))
    return experiment(
        "seed-constant-one", layers, optimizer={"type": "Adam", "learning_rate": 0.1},
        loss={"type": "BinaryCrossentropy"}, metrics=({"type": "Accuracy"},), epochs=20,
        validation_split=0.1, callbacks=({"type": "EarlyStopping", "patience": 2},))


UNSCALED = DataSpec(scale="none")

CASES: tuple[Case, ...] = (
    Case("seed-constant-one", "stats.stackexchange.com/questions/489939", _seed_constant_one(), 20,
         expect=("softmax-single-unit", "accuracy-metric", "learning-rate-high", "early-stopping-eager",
                 "constant-predictions"),
         must_not=("target-leakage",)),
    Case("softmax-as-activation-layer", 'SO "Why does a binary Keras CNN always predict 1?"',
         experiment("softmax-as-activation-layer", [
             dense(64), layer("BatchNormalization"), layer("LeakyReLU"), layer("Dropout", rate=0.2),
             dense(1), layer("Activation", activation="softmax")], optimizer="adam"), 5,
         expect=("softmax-single-unit", "constant-predictions"),
         must_not=("accuracy-metric", "linear-hidden-layer")),
    Case("titanic-softmax-unscaled", "stats.stackexchange.com/questions/511722",
         experiment("titanic-softmax-unscaled", [dense(32, "relu"), dense(64, "relu"), dense(1, "softmax")],
                    optimizer={"type": "SGD", "learning_rate": 0.1}, metrics=("binary_accuracy",),
                    data=DataSpec(features=("pclass", "age", "fare", "sex"), scale="none")), 5,
         expect=("softmax-single-unit", "unscaled-features")),
    Case("softmax-mse-tanh", "github.com/keras-team/keras/issues/126",
         experiment("softmax-mse-tanh", [
             dense(64, "tanh"), layer("Dropout", rate=0.5), dense(64, "tanh"), layer("Dropout", rate=0.5),
             dense(1, "softmax")],
             optimizer={"type": "SGD", "learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
             loss="mean_squared_error"), 5,
         expect=("softmax-single-unit", "loss-output-mismatch")),
    Case("cce-one-unit", "stats.stackexchange.com/questions/565956",
         experiment("cce-one-unit", healthy_layers(), optimizer="adam", loss="categorical_crossentropy"), 5,
         expect=("loss-output-mismatch",), must_not=("softmax-single-unit",)),
    Case("relu-output", "github.com/keras-team/keras/issues/4784",
         experiment("relu-output", [dense(32, "relu"), dense(16, "relu"), dense(1, "relu")],
                    optimizer="adam", epochs=20), 5,
         expect=("output-activation",), must_not=("softmax-single-unit",)),
    Case("single-relu-unit", 'ru.stackoverflow (2020) "sigmoid works but relu does not"',
         experiment("single-relu-unit", [dense(1, "relu")], optimizer="adam"), 5,
         expect=("output-activation",)),
    Case("accuracy-object", "github.com/keras-team/keras/issues/18796",
         experiment("accuracy-object", healthy_layers(), metrics=({"type": "Accuracy"},), epochs=30), 30,
         expect=("accuracy-metric",),
         must_not=("constant-predictions", "single-class-predictions", "loss-not-decreasing")),
    Case("logits-without-from-logits", "github.com/tensorflow/docs pull 2102",
         experiment("logits-without-from-logits", [dense(16, "relu"), dense(1)],
                    loss={"type": "BinaryCrossentropy", "from_logits": False}), 5,
         expect=("from-logits-mismatch",)),
    Case("sigmoid-with-from-logits", "the same fault in the reverse direction",
         experiment("sigmoid-with-from-logits", healthy_layers(),
                    loss={"type": "BinaryCrossentropy", "from_logits": True}), 5,
         expect=("from-logits-mismatch",)),
    Case("sgd-collapse", "datascience.stackexchange.com/questions/28481",
         experiment("sgd-collapse", [dense(64, "relu"), dense(64, "relu"), dense(1, "sigmoid")],
                    optimizer={"type": "SGD", "learning_rate": 5.0}, epochs=30), 30,
         expect=("learning-rate-high",),
         expect_one_of=("nan-loss", "loss-diverging", "constant-predictions", "single-class-predictions")),
    Case("no-scaling", "github.com/keras-team/keras/issues/508",
         experiment("no-scaling", [
             dense(10, "tanh"), layer("Dropout", rate=0.5), dense(10, "tanh"), layer("Dropout", rate=0.5),
             dense(1, "sigmoid")], optimizer={"type": "SGD", "learning_rate": 0.1}, data=UNSCALED), 5,
         expect=("unscaled-features", "dropout-placement")),
    Case("regression-target-with-bce", "SO question written up at openillumi.com/?p=113698",
         experiment("regression-target-with-bce", healthy_layers(),
                    data=DataSpec(target="fare", features=("pclass", "sex", "age", "sibsp", "parch", "embarked"))),
         5, expect=("labels-not-binary",)),
    Case("rare-positives", 'SO "All zero class prediction by Neural Network"',
         experiment("rare-positives", [dense(10, "relu"), dense(10, "relu"), dense(1, "sigmoid")],
                    data=DataSpec(keep_positive=0.05), epochs=20), 20,
         expect=("class-imbalance", "single-class-predictions")),
    Case("sorted-validation-tail", "github.com/keras-team/keras/issues/8346",
         experiment("sorted-validation-tail", healthy_layers(),
                    data=DataSpec(sort_by="survived", shuffle=False)), 5,
         expect=("unshuffled-validation-split",)),
    Case("nan-from-missing-age", "github.com/keras-team/keras/issues/2134",
         experiment("nan-from-missing-age", healthy_layers(), data=DataSpec(impute="none")), 3,
         expect=("missing-values", "nan-loss")),
    Case("batchnorm-batch-one", "github.com/keras-team/keras/issues/8837",
         experiment("batchnorm-batch-one", [
             dense(32), layer("BatchNormalization"), layer("ReLU"), dense(1, "sigmoid")],
             batch_size=1, epochs=3), 1,
         expect=("batchnorm-small-batch",)),
    Case("dead-relu-high-lr", "datascience.stackexchange.com/questions/18810",
         experiment("dead-relu-high-lr", [dense(64, "relu"), dense(64, "relu"), dense(64, "relu"),
                                          dense(1, "sigmoid")],
                    optimizer={"type": "Adam", "learning_rate": 0.5}, data=UNSCALED, epochs=10), 10,
         expect=("learning-rate-high", "dead-relu", "constant-predictions")),
    Case("dropout-after-output", "github.com/keras-team/keras/issues/5992",
         experiment("dropout-after-output", [
             dense(14, "relu"), layer("Dropout", rate=0.5), dense(8, "relu"), layer("Dropout", rate=0.5),
             dense(1, "sigmoid"), layer("Dropout", rate=0.5)], optimizer="adam", loss="mean_squared_error"), 5,
         expect=("dropout-placement", "loss-output-mismatch")),
    Case("leaky-boat-column", "titanic3 columns boat and body are recorded after the sinking",
         experiment("leaky-boat-column", healthy_layers(), epochs=30,
                    data=DataSpec(features=DEFAULT_FEATURES + ("boat",), missing_indicators=("body",))), 10,
         expect=("target-leakage",)),
    Case("healthy-baseline", "a small healthy classifier",
         experiment("healthy-baseline", [
             dense(32, "relu"), layer("Dropout", rate=0.2), dense(16, "relu"), dense(1, "sigmoid")],
             epochs=60, callbacks=({"type": "EarlyStopping", "patience": 10, "restore_best_weights": True},)),
         60, must_not=ERROR_IDS, quiet_from=Severity.WARNING, min_val_accuracy=0.78),
    Case("healthy-wide", "a wider healthy classifier",
         experiment("healthy-wide", [
             dense(128, "relu"), layer("Dropout", rate=0.3), dense(64, "relu"), layer("Dropout", rate=0.3),
             dense(1, "sigmoid")], epochs=40), 40,
         must_not=ERROR_IDS, quiet_from=Severity.ERROR),
    Case("healthy-logits", "a healthy classifier that outputs logits",
         experiment("healthy-logits", [dense(32, "relu"), dense(1)],
                    loss={"type": "BinaryCrossentropy", "from_logits": True},
                    metrics=({"type": "BinaryAccuracy", "threshold": 0.0},)), 10,
         must_not=ERROR_IDS + ("from-logits-mismatch", "accuracy-metric"), quiet_from=Severity.ERROR),
)
"""Every corpus case, in the order of the catalogue's rules."""

CASES_BY_ID = {case.id: case for case in CASES}


@dataclass
class CaseRun:
    """The outcome of training one case: its findings, reports, status and timing."""

    case: Case
    findings: list[Finding]
    reports: list[EpochReport] = field(default_factory=list)
    status: str = ""
    seconds: float = 0.0
    failure: str = ""
    """The engine's one-line message when training failed."""

    @property
    def ids(self) -> set[str]:
        """The ids of every finding."""
        return {finding.id for finding in self.findings}

    def best_val_accuracy(self) -> float | None:
        """Return the validation accuracy at the epoch of the lowest val_loss (the restored weights)."""
        scored = [r for r in self.reports if r.predictions is not None and "val_loss" in r.logs]
        if not scored:
            return None
        best = min(scored, key=lambda report: report.logs["val_loss"])
        return best.predictions.accuracy


def run_case(case: Case) -> CaseRun:
    """Load the data, run the static and data rules, train with the real engine and run the runtime rules."""
    import time

    from tui_lab.data import load
    from tui_lab.engine.trainer import train

    started = time.perf_counter()
    dataset = load(case.experiment.data)
    result = train(case.experiment, dataset, run_id=case.id, on_event=lambda event: None, epochs=case.epochs)
    findings = (check_experiment(case.experiment, result.keras_warnings)
                + check_data(case.experiment, dataset)
                + check_training(case.experiment, result.reports, dataset))
    failure = result.failure.message if result.failure is not None else ""
    return CaseRun(case, findings, list(result.reports), result.status, time.perf_counter() - started, failure)
