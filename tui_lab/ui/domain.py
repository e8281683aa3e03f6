"""The app's calls into data loading and diagnosis, as plain functions.

For the errors these calls are expected to raise (a `DataError`, a finding without a
fix, a failing rule), each function returns a message for the status line instead,
so a handler on the UI thread shows the problem instead of crashing. While `tui_lab.data` or
`tui_lab.diagnosis` lacks a function, the call returns nothing and says so.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tui_lab.experiment import DataSpec, Experiment

log = logging.getLogger(__name__)

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
"""Rank of each severity when findings are listed, errors first."""


def _function(module_name: str, name: str) -> Any:
    """Return `module_name.name`, or None while that module or function does not exist."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return None
    return getattr(module, name, None)


def load_dataset(spec: DataSpec, progress: Callable[[float, str], None] | None = None,
                 ) -> tuple[Any, str | None]:
    """Load the data of `spec`; return the dataset and None, or None and the error message.

    `progress` receives the fraction done and the step's name before each step.
    """
    load = _function("tui_lab.data", "load")
    if load is None:
        return None, "data loading is not available in this build (tui_lab.data.load is missing)"
    data_error = _function("tui_lab.data", "DataError") or ValueError
    try:
        return load(spec, progress=progress), None
    except (data_error, OSError, ValueError) as error:
        return None, str(error)


_last_data_findings: tuple[Experiment, Any, list[Any]] | None = None
"""The experiment, the dataset and the data rules' findings of the last `static_findings` call."""


def static_findings(experiment: Experiment, dataset: Any, keras_warnings: Sequence[str]) -> list[Any]:
    """Return the findings of the experiment rules and, once data is loaded, the data rules.

    The data rules read every row, which takes seconds on a million rows. The app
    requests the findings again when a run starts and when it ends, with only new
    Keras warnings, so the data rules' findings are kept for the next call with the
    same experiment and the same dataset object.
    """
    global _last_data_findings

    findings = _run_rules("check_experiment", experiment, keras_warnings=tuple(keras_warnings))
    if dataset is None:
        return findings

    last = _last_data_findings
    if last is not None and last[1] is dataset and last[0] == experiment:
        return findings + list(last[2])
    data_findings = _run_rules("check_data", experiment, dataset)
    _last_data_findings = (experiment, dataset, data_findings)
    return findings + list(data_findings)


def training_findings(experiment: Experiment, reports: Sequence[Any], dataset: Any) -> list[Any]:
    """Return the findings of the rules that read the epoch reports of a run."""
    return _run_rules("check_training", experiment, list(reports), dataset=dataset)


def _run_rules(name: str, *args: Any, **kwargs: Any) -> list[Any]:
    check = _function("tui_lab.diagnosis", name)
    if check is None:
        return []
    try:
        return list(check(*args, **kwargs))
    # NOTE: a failing rule must not close the app; it is logged and its findings are skipped.
    except Exception:
        log.exception("diagnosis %s failed", name)
        return []


def severity_name(finding: Any) -> str:
    """Return a finding's severity as "error", "warning" or "info"."""
    severity = getattr(finding, "severity", "info")
    return str(getattr(severity, "value", severity))


def merge(*groups: Iterable[Any]) -> list[Any]:
    """Return the findings of every group, errors first, each finding id once."""
    seen: set[str] = set()
    merged = []
    for group in groups:
        for finding in group:
            if finding.id not in seen:
                seen.add(finding.id)
                merged.append(finding)
    return sorted(merged, key=lambda f: (SEVERITY_ORDER.get(severity_name(f), 3), f.id))


def fix(finding: Any, experiment: Experiment) -> tuple[Experiment | None, list[str], str]:
    """Apply the fix of `finding`; return the new experiment, the diff lines and a problem message."""
    apply_fix = _function("tui_lab.diagnosis.fixes", "apply_fix")
    describe_change = _function("tui_lab.diagnosis.fixes", "describe_change")
    if apply_fix is None or describe_change is None:
        return None, [], "Fixes are not available in this build (tui_lab.diagnosis.fixes is missing)."
    try:
        after = apply_fix(finding, experiment)
    except (KeyError, ValueError) as error:
        return None, [], str(error)
    if after == experiment:
        return None, [], f"The fix for “{finding.title}” changes nothing in this experiment."
    return after, list(describe_change(experiment, after)), ""
