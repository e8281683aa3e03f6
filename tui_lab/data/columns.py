"""Find the columns a `DataSpec` names, and guess target and features for a new file."""

from __future__ import annotations

import difflib
import re

import pandas as pd

from tui_lab.data.errors import DataError, list_items

TARGET_NAMES = ("survived", "target", "label", "class", "y")
"""Column names (compared case-insensitively) preferred as the target, in this order."""

IDENTIFIER_NAMES = frozenset({"name", "ticket", "cabin", "home.dest"})
"""Column names (compared case-insensitively) that identify a passenger, not describe one."""

LEAKING_NAMES = frozenset({"boat", "body"})
"""Column names (compared case-insensitively) recorded after the outcome: they leak the label."""

MAX_TEXT_DISTINCT = 20
"""A text column with more distinct values than this is left out of the guessed features."""

_ID_PATTERN = re.compile(r"(^id$|[_\s.-]id$|[a-z0-9]Id$|ID$)")


def source_name(frame: pd.DataFrame) -> str:
    """Return the display name `read_table` stored for a frame's file."""
    return str(frame.attrs.get("source", "the data"))


def resolve_column(frame: pd.DataFrame, name: str, role: str = "column") -> str:
    """Return the frame's column called `name`: an exact match first, then ignoring case.

    Raises `DataError` naming the file and listing its columns when there is no such
    column, or when two columns match `name` once case is ignored.
    """
    if name in frame.columns:
        return name

    folded = name.strip().casefold()
    matches = [column for column in frame.columns if str(column).strip().casefold() == folded]
    if len(matches) == 1:
        return matches[0]

    source = source_name(frame)
    columns = list_items([str(column) for column in frame.columns])
    if matches:
        raise DataError(f"{role} {name!r} matches several columns of {source} when case is "
                        f"ignored ({', '.join(map(str, matches))}); write the exact name.",
                        source=source, column=name)

    close = difflib.get_close_matches(name, [str(column) for column in frame.columns], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DataError(f"{role} {name!r} not found in {source}; columns are: {columns}.{hint}",
                    source=source, column=name)


def is_identifier(frame: pd.DataFrame, column: str) -> bool:
    """Return whether a column looks like an identifier rather than a feature.

    Identifiers are columns named like `id`, `PassengerId`, `user_id`, `name`,
    `ticket`, `cabin` or `home.dest`, text columns whose values are all distinct, and
    integer columns that number the rows (their values count up by one per row).
    """
    if _ID_PATTERN.search(str(column)) or str(column).casefold() in IDENTIFIER_NAMES:
        return True

    values = frame[column].dropna()
    if len(values) < 2 or not values.is_unique:
        return False
    if not pd.api.types.is_numeric_dtype(values):
        return True
    if pd.api.types.is_integer_dtype(values) and values.is_monotonic_increasing:
        return int(values.iloc[-1]) - int(values.iloc[0]) == len(values) - 1
    return False


def guess_columns(frame: pd.DataFrame) -> tuple[str, list[str]]:
    """Choose a target and feature columns for a file that comes with no configuration.

    The target is the first column named survived, target, label, class or y (in that
    order, ignoring case) with two distinct values, else the last column with two
    distinct values. The features are every other column except identifiers (see
    `is_identifier`), columns that leak the label (boat, body), columns with no values,
    and text columns with more than `MAX_TEXT_DISTINCT` distinct values.

    Raises `DataError` when no column has two distinct values or no feature is left.
    """
    source = source_name(frame)
    distinct = frame.nunique(dropna=True)
    two_valued = [column for column in frame.columns if distinct[column] == 2]

    target = None
    for preferred in TARGET_NAMES:
        named = [column for column in two_valued if str(column).strip().casefold() == preferred]
        if named:
            target = named[0]
            break
    if target is None and two_valued:
        target = two_valued[-1]
    if target is None:
        raise DataError(f"no column of {source} has exactly two distinct values, so there is no "
                        f"binary target to guess. Set data.target to the label column.",
                        source=source)

    features = []
    for column in frame.columns:
        if column == target or distinct[column] == 0:
            continue
        if str(column).strip().casefold() in LEAKING_NAMES or is_identifier(frame, column):
            continue
        is_text = not pd.api.types.is_numeric_dtype(frame[column])
        if is_text and distinct[column] > MAX_TEXT_DISTINCT:
            continue
        features.append(str(column))

    if not features:
        raise DataError(f"every column of {source} other than the target {target!r} is an "
                        f"identifier, leaks the label or is empty, so no feature is left. Set "
                        f"data.features to the columns to use.", source=source)
    return str(target), features
