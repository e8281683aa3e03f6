"""Data rules on the bundled Titanic list and on small CSV files written for each case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui_lab.data import load
from tui_lab.diagnosis import check_data
from tui_lab.diagnosis.data_rules import roc_auc, two_proportion_test
from tui_lab.experiment import DEFAULT_FEATURES, DataSpec, Experiment


def findings_for(spec: DataSpec):
    experiment = Experiment(data=spec)
    return check_data(experiment, load(spec))


def ids(spec: DataSpec):
    return {finding.id for finding in findings_for(spec)}


def write_csv(tmp_path, rows: int, columns: dict) -> str:
    path = tmp_path / "data.csv"
    names = list(columns)
    lines = [",".join(names)]
    for i in range(rows):
        lines.append(",".join(str(columns[name](i)) for name in names))
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_default_titanic_quiet():
    assert findings_for(DataSpec()) == []


def test_default_unshuffled_leakage_quiet():
    assert "target-leakage" not in ids(DataSpec(shuffle=False))


def test_labels_not_binary():
    spec = DataSpec(target="fare", features=("pclass", "sex", "age"))
    found = findings_for(spec)
    assert [f.id for f in found] == ["labels-not-binary"]
    assert "fare" in found[0].evidence


def test_missing_values():
    found = [f for f in findings_for(DataSpec(impute="none")) if f.id == "missing-values"]
    assert len(found) == 1
    assert "age: 263 of 1,309 rows" in found[0].evidence


def test_missing_values_imputed_quiet():
    assert "missing-values" not in ids(DataSpec(impute="median"))


def test_constant_feature(tmp_path):
    source = write_csv(tmp_path, 60, {"a": lambda i: i % 7, "same": lambda i: 5, "y": lambda i: i % 2})
    found = [f for f in findings_for(DataSpec(source=source, target="y", features=("a", "same")))
             if f.id == "constant-feature"]
    assert len(found) == 1
    assert found[0].params["features"] == ("same",)


def test_unscaled_features():
    found = [f for f in findings_for(DataSpec(scale="none")) if f.id == "unscaled-features"]
    assert len(found) == 1
    assert "fare" in found[0].evidence


def test_unscaled_one_hot_quiet():
    spec = DataSpec(features=("sex", "embarked"), scale="none")
    assert "unscaled-features" not in ids(spec)


def test_class_imbalance():
    found = [f for f in findings_for(DataSpec(keep_positive=0.05)) if f.id == "class-imbalance"]
    assert len(found) == 1
    assert found[0].value < 0.2
    assert found[0].params["counts"][1] == 25


def test_unshuffled_sorted_split():
    assert "unshuffled-validation-split" in ids(DataSpec(sort_by="survived", shuffle=False))


def test_shuffled_split_quiet():
    assert "unshuffled-validation-split" not in ids(DataSpec(sort_by="survived", shuffle=True))


def test_unshuffled_balanced_file_quiet(tmp_path):
    source = write_csv(tmp_path, 400, {"a": lambda i: (i * 37) % 11, "y": lambda i: i % 2})
    assert "unshuffled-validation-split" not in ids(DataSpec(source=source, target="y", features=("a",),
                                                             shuffle=False))


@pytest.mark.parametrize("feature", ["name", "ticket"])
def test_identifier_text(feature):
    found = [f for f in findings_for(DataSpec(features=DEFAULT_FEATURES + (feature,)))
             if f.id == "identifier-feature"]
    assert [f.params["features"] for f in found] == [(feature,)]


def test_identifier_number(tmp_path):
    source = write_csv(tmp_path, 100, {"passenger": lambda i: 1000 + i, "a": lambda i: i % 3,
                                       "y": lambda i: (i // 3) % 2})
    found = [f for f in findings_for(DataSpec(source=source, target="y", features=("passenger", "a")))
             if f.id == "identifier-feature"]
    assert [f.params["features"] for f in found] == [("passenger",)]


def test_continuous_number_not_identifier(tmp_path):
    source = write_csv(tmp_path, 100, {"height": lambda i: 150 + i * 0.37, "y": lambda i: (i // 3) % 2})
    assert "identifier-feature" not in ids(DataSpec(source=source, target="y", features=("height",)))


def test_leakage_boat_missingness():
    spec = DataSpec(features=DEFAULT_FEATURES + ("boat",), missing_indicators=("body",))
    found = [f for f in findings_for(spec) if f.id == "target-leakage"]
    assert len(found) == 1
    assert found[0].params["features"] == ("boat",)
    assert found[0].value >= 0.95


def test_leakage_numeric_column(tmp_path):
    source = write_csv(tmp_path, 200, {"noise": lambda i: (i * 13) % 17, "outcome_code": lambda i: i % 2 * 10 + i % 3,
                                       "y": lambda i: i % 2})
    found = [f for f in findings_for(DataSpec(source=source, target="y", features=("noise", "outcome_code")))
             if f.id == "target-leakage"]
    assert [f.params["features"] for f in found] == [("outcome_code",)]


def test_sex_not_leakage():
    assert "target-leakage" not in ids(DataSpec(features=("sex",)))


def test_roc_auc_perfect():
    assert roc_auc(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1])) == 1.0


def test_roc_auc_ties_half():
    assert roc_auc(np.array([1.0, 1.0, 1.0, 1.0]), np.array([0, 1, 0, 1])) == 0.5


def test_roc_auc_matches_pairs():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 60).astype(float)
    labels = rng.integers(0, 2, 60)
    positive, negative = scores[labels == 1], scores[labels == 0]
    pairs = (positive[:, None] > negative[None, :]).mean() + 0.5 * (positive[:, None] == negative[None, :]).mean()
    assert math.isclose(roc_auc(scores, labels), pairs)


def test_two_proportion_known_value():
    z, p_value = two_proportion_test(0.5, 100, 0.3, 100)
    assert math.isclose(z, 2.8868, abs_tol=1e-3)
    assert math.isclose(p_value, 0.00389, abs_tol=1e-4)
