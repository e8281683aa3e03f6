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
