"""Text typed into an Input, read as the TOML value it would be in an experiment file."""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w

from tui_lab.experiment import Problem


def parse_value(text: str) -> Any:
    """Read `text` as a TOML value (`16`, `0.5`, `true`, `{type = "L2"}`), else as a bare string.

    A bare word such as `relu` is not TOML, so it becomes the string `"relu"`. The
    validator then decides whether the value is allowed, and its message names it.
    """
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def format_value(value: Any) -> str:
    """Return a value as the text `parse_value` reads back to the same value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return tomli_w.dumps({"value": value}).split(" = ", 1)[1].strip()


def parse_names(text: str) -> list[str]:
    """Split a comma-separated list of names, dropping blanks."""
    return [name.strip() for name in text.split(",") if name.strip()]


def parse_class_weight(text: str) -> Any:
    """Read class weights written `0=1.0, 1=2.5` (or with `:`); an empty text gives None.

    Text in another form is returned unchanged, so the validator reports it.
    """
    text = text.strip()
    if not text:
        return None
    weights: dict[str, Any] = {}
    for pair in text.split(","):
        separator = "=" if "=" in pair else ":"
        if separator not in pair:
            return text
        label, weight = pair.split(separator, 1)
        weights[label.strip().strip('"')] = parse_value(weight)
    return weights


def format_class_weight(weights: Any) -> str:
    """Return class weights as `0=1.0, 1=2.5`, or an empty text for None."""
    if not weights:
        return ""
    return ", ".join(f"{label}={format_value(weight)}" for label, weight in weights.items())


SHOWN_VALUE_CHARS = 30
"""Maximum length of a value in `describe_problem`; a longer value is cut and ends with "…"."""


def describe_problem(problem: Problem) -> str:
    """Return an invalid option as one line that starts with its field and value.

    The status line is one row, so at 80 columns the end of a long message is cut off.
    The field and the value come first so that they stay visible.
    """
    value = problem.value
    if isinstance(value, str) and not value.strip():
        return f"{problem.field} is empty, expected {problem.expected}"
    if isinstance(value, str):
        shown = repr(value)
    else:
        try:
            shown = format_value(value)
        except (TypeError, ValueError):
            # tomli_w rejects None and other values that TOML cannot hold.
            shown = repr(value)
    if len(shown) > SHOWN_VALUE_CHARS:
        shown = f"{shown[:SHOWN_VALUE_CHARS - 1]}…"
    return f"{problem.field} = {shown} is invalid, expected {problem.expected}"
