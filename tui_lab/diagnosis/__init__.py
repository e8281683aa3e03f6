"""The diagnosis: why a model is not learning, with evidence and a fix for each finding.

Nothing here imports TensorFlow, Keras or Textual. The rules read an `Experiment`,
the loaded `Dataset` and the engine's `EpochReport`s. Every limit they use is in
`thresholds.THRESHOLDS`, and every rule is described in `catalogue.RULES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tui_lab.diagnosis.catalogue import RULES, RULES_BY_ID, Rule
from tui_lab.diagnosis.data_rules import check_data as _check_data
from tui_lab.diagnosis.finding import Finding, Severity, sort_findings
from tui_lab.diagnosis.fixes import apply_fix, describe_change, fix_for
from tui_lab.diagnosis.runtime_rules import check_runtime
from tui_lab.diagnosis.static_rules import check_static
from tui_lab.diagnosis.thresholds import THRESHOLDS, Thresholds
from tui_lab.experiment import Experiment
from tui_lab.reports import EpochReport

__all__ = [
    "RULES", "RULES_BY_ID", "THRESHOLDS", "Finding", "Rule", "Severity", "Thresholds",
    "apply_fix", "check_data", "check_experiment", "check_training", "describe_change",
    "diagnose", "fix_for",
]


def check_experiment(experiment: Experiment, keras_warnings: Iterable[str] = (),
                     thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Return the findings of the static rules, sorted by severity then id."""
    return sort_findings(check_static(experiment, keras_warnings, thresholds))


def check_data(experiment: Experiment, dataset: Any, thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Return the findings of the data rules on `dataset`, sorted by severity then id."""
    return sort_findings(_check_data(experiment, dataset, thresholds))


def check_training(experiment: Experiment, reports: Sequence[EpochReport], dataset: Any = None,
                   thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Return the findings of the runtime rules on a run's reports, sorted by severity then id.

    With `dataset`, nan-loss can tell NaN inputs from a high learning rate.
    """
    return sort_findings(check_runtime(experiment, reports, dataset, thresholds))


def diagnose(experiment: Experiment, dataset: Any = None, reports: Sequence[EpochReport] = (),
             keras_warnings: Iterable[str] = (), thresholds: Thresholds = THRESHOLDS) -> list[Finding]:
    """Run every rule that the inputs allow and return the findings, errors first."""
    findings = check_static(experiment, keras_warnings, thresholds)
    if dataset is not None:
        findings += _check_data(experiment, dataset, thresholds)
    findings += check_runtime(experiment, reports, dataset, thresholds)
    return sort_findings(findings)
