"""A diagnosis finding: which rule held, how bad it is, the evidence and the fix."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """How much a finding matters; the order is error > warning > info."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in JSON and in the docs: "error", "warning" or "info"."""
        return self.name.lower()

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Finding:
    """One rule that held, with the evidence that shows it and the change that fixes it.

    `value` is the measured quantity and `threshold` the limit it crossed, when the
    rule compares a number. `epochs` lists the epochs (counted from 1) where a
    runtime rule held. `subject` names what the finding is about ("layers[3] (Dense)",
    "column fare"). `params` carries what a fix needs, such as the feature to drop.
    """

    id: str
    severity: Severity
    title: str
    evidence: str
    fix: str
    value: float | str | None = None
    threshold: float | None = None
    epochs: tuple[int, ...] = ()
    subject: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON values (a non-finite value becomes a string)."""
        return {
            "id": self.id,
            "severity": self.severity.label,
            "title": self.title,
            "evidence": self.evidence,
            "fix": self.fix,
            "value": _json_number(self.value),
            "threshold": _json_number(self.threshold),
            "epochs": list(self.epochs),
            "subject": self.subject,
            "params": _json_params(self.params),
        }


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = {str(k): v for k, v in value.items()}
        plain[str(key)] = _json_number(value)
    return plain


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Return findings sorted by severity (errors first), then by rule id."""
    return sorted(findings, key=lambda finding: (-int(finding.severity), finding.id))
