"""The one error type of the data layer."""

from __future__ import annotations


class DataError(ValueError):
    """A data file or data option that the lab cannot use.

    The message names the file, the line or column where it can, the problem and what
    to do about it. `source`, `line` and `column` repeat those facts for a UI that
    wants to point at them; each is `None` when it does not apply.
    """

    def __init__(self, message: str, source: str | None = None,
                 line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.line = line
        self.column = column


MESSAGE_VALUE_CHARS = 40
"""Maximum length of one file value (a column name, a field) quoted in a message."""

MESSAGE_ITEMS = 20
"""Maximum number of column names or positions one message lists."""


def shorten(text: object, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """Return `text` as a string of at most `limit` characters, cut in the middle with "..."."""
    text = str(text)
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return text[:half] + "..." + text[-half:]


def list_items(items: list[str], limit: int = MESSAGE_ITEMS, separator: str = ", ") -> str:
    """Join the first `limit` items, each shortened, and append the count of the rest."""
    joined = separator.join(shorten(item) for item in items[:limit])
    if len(items) > limit:
        joined += f" (and {len(items) - limit:,} more)"
    return joined
