"""Engine events to and from JSON tables, for recorded runs and replay (no TensorFlow)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from tui_lab import reports

EVENT_CLASSES = {
    cls.__name__: cls
    for cls in (
        reports.EngineReady, reports.EngineUnavailable, reports.TrainingStarted,
        reports.BatchProgress, reports.EpochReport, reports.TrainingFinished,
        reports.TrainingFailed, reports.ModelSaved, reports.SaveFailed,
    )
}
"""Event class names as they appear under "event" in JSON."""

def _finite(value: Any) -> Any:
    """Replace NaN and infinities with None, which JSON can hold; leave other values as they are."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def event_to_json(event: object) -> dict[str, Any]:
    """Return `{"event": ClassName, "data": fields}` for an engine event.

    NaN and infinite floats become null, because JSON has no value for them.
    Raises `TypeError` for an object that is not one of the engine events.
    """
    name = type(event).__name__
    if name not in EVENT_CLASSES or not dataclasses.is_dataclass(event):
        raise TypeError(f"expected an engine event ({', '.join(EVENT_CLASSES)}), received {name}")
    return {"event": name, "data": _finite(dataclasses.asdict(event))}


def _restore_nan(value: Any) -> Any:
    return float("nan") if value is None else value


def event_from_json(table: dict[str, Any]) -> object:
    """Rebuild an engine event from the table `event_to_json` returns.

    Nulls in float fields of `EpochReport.logs` and `PredictionStats` come back as NaN.
    Raises `ValueError` for an unknown event name or fields the class does not take.
    """
    name = table.get("event")
    cls = EVENT_CLASSES.get(name)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"expected an event name ({', '.join(EVENT_CLASSES)}), received {name!r}")
    data = dict(table.get("data") or {})

    if name == "EpochReport":
        data["logs"] = {key: _restore_nan(value) for key, value in data.get("logs", {}).items()}
        predictions = data.get("predictions")
        if predictions is not None:
            for key in ("min", "max", "mean", "std", "positive_rate", "true_positive_share",
                        "accuracy", "saturated_share"):
                predictions[key] = _restore_nan(predictions.get(key))
            data["predictions"] = reports.PredictionStats(**predictions)
        probe = data.get("probe")
        if probe is not None:
            probe = dict(probe)
            probe["layers"] = [reports.LayerProbe(**layer) for layer in probe.get("layers", [])]
            data["probe"] = reports.ProbeStats(**probe)
    if name == "TrainingFinished":
        data["history"] = {key: [_restore_nan(v) for v in values]
                           for key, values in data.get("history", {}).items()}

    try:
        return cls(**data)
    except TypeError as error:
        raise ValueError(f"invalid {name} fields: {error}") from error
