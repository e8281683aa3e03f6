"""Read the bundled passenger list or a CSV file into a DataFrame, with clear errors.

Every problem that stops a file from loading becomes a `DataError` that names the
file, the line where there is one, the problem and what to do. Missing values are
the empty string, pandas's default markers (NA, NaN, null, ...) and `?`, in every file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
from collections import Counter
from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from tui_lab.data.errors import DataError, list_items, shorten

BUNDLED_SOURCE = "titanic"
"""The `DataSpec.source` value that names the bundled passenger list."""

BUNDLED_FILE = "titanic.csv"

MISSING_MARKERS = ["?"]
"""Values read as missing, on top of the empty string and pandas's default markers."""

DELIMITERS = (",", ";", "\t", "|")
"""Delimiters the reader detects, in order of preference when they tie."""

MEMORY_FACTOR = 3
"""Bytes of memory needed per byte of CSV file.

NOTE: an estimate for number columns written with about 6 characters per value:
the DataFrame in float64 and two float32 copies of the feature matrix. Files of very
short values, or of long text values, can need more.
"""

SAMPLE_BYTES = 64 * 1024

_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook is one); export the sheet as CSV",
    b"\x1f\x8b": "a gzip archive; decompress it first (gunzip)",
    b"%PDF": "a PDF document; export the table as CSV",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file; convert it with pandas.read_parquet(...).to_csv(...)",
    b"SQLite format 3\x00": "an SQLite database; export the table as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook; export the sheet as CSV",
}

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}

_FIELDS_PATTERN = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_table(source: str) -> pd.DataFrame:
    """Read `"titanic"` (the bundled set) or the CSV file at path `source`.

    The delimiter is detected among comma, semicolon, tab and vertical bar. When it
    is not a comma, `frame.attrs["notes"]` contains a note that names it. `frame.attrs`
    also stores the file name (without its folder) as `"source"`, which messages use.

    Raises `DataError` for a file that is missing, a directory, empty, binary, not
    UTF-8 or too large for the available memory. It also raises for a file without a
    header row, with duplicated column names, with a row of more fields than the
    header, with no data rows or with a single column.
    """
    if source == BUNDLED_SOURCE:
        resource = files("tui_lab.datasets") / BUNDLED_FILE
        with as_file(resource) as path:
            return _read_file(Path(path), BUNDLED_FILE)
    try:
        path = Path(source).expanduser()
    except RuntimeError:
        raise DataError(f"data file {shorten(source)} not found: the home directory that its path "
                        f"starts with (~) does not exist. Write the full path.",
                        source=source) from None
    return _read_file(path, source)


def available_memory_bytes() -> int | None:
    """Return the memory available to a new allocation, or `None` when it is unknown.

    Reads `MemAvailable` from /proc/meminfo on Linux, else the free physical pages
    that `os.sysconf` reports.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass

    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def format_bytes(size: float) -> str:
    """Return a size in bytes as text in bytes, KB, MB or GB (powers of 1024)."""
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}"
    raise AssertionError("unreachable")


def _read_file(path: Path, source: str) -> pd.DataFrame:
    _check_path(path, source)
    name = path.name
    sample = _read_sample(path, name)
    _check_binary(sample, name)
    _check_size(path, name)

    text = _decode_sample(sample, name)
    delimiter = _detect_delimiter(text)
    header = _first_record(text, delimiter)
    _check_header(header, name)

    frame, notes = _parse(path, name, delimiter)
    _check_shape(frame, name)

    if delimiter != ",":
        notes.append(f"{name} uses the {_DELIMITER_NAMES[delimiter]} ({delimiter!r}) as its "
                     f"delimiter, not a comma; the lab read it with {delimiter!r}.")
    frame.attrs["source"] = name
    frame.attrs["delimiter"] = delimiter
    frame.attrs["notes"] = notes
    return frame


def _check_path(path: Path, name: str) -> None:
    try:
        is_directory = path.is_dir()
        exists = path.exists()
    except OSError as error:
        raise DataError(f"data file {shorten(name)} could not be opened: "
                        f"{error.strerror or error}. Check the path.", source=name) from None
    if is_directory:
        raise DataError(f"{name} is a directory, not a CSV file. Give the path of a .csv file "
                        f"inside it, or 'titanic' for the bundled passenger list.", source=name)
    if not exists:
        raise DataError(f"data file {name} not found. Check the path (relative paths start at "
                        f"{os.getcwd()}), or use 'titanic' for the bundled passenger list.",
                        source=name)


def _read_sample(path: Path, name: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            sample = stream.read(SAMPLE_BYTES)
    except OSError as error:
        raise DataError(f"{name} could not be read: {error.strerror or error}. Check that the "
                        f"file is readable by this user.", source=name) from None
    if not sample.strip():
        raise DataError(f"{name} is empty ({len(sample)} bytes, no header row). A CSV file needs "
                        f"a header row of column names and at least one data row.", source=name)
    return sample


def _check_binary(sample: bytes, name: str) -> None:
    for signature, kind in _SIGNATURES.items():
        if sample.startswith(signature):
            raise DataError(f"{name} is not a CSV text file: it starts like {kind}.", source=name)

    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{name} is UTF-16 text; the lab reads UTF-8. Save it as UTF-8 CSV "
                        f"(in Excel: 'CSV UTF-8'), or convert it with "
                        f"`iconv -f utf-16 -t utf-8`.", source=name)

    if b"\x00" in sample:
        offset = sample.index(b"\x00")
        raise DataError(f"{name} is binary, not CSV text: it contains a NUL byte at offset "
                        f"{offset:,}. Export the data as a CSV text file.", source=name)


def _check_size(path: Path, name: str) -> None:
    size = path.stat().st_size
    available = available_memory_bytes()
    if available is None or size * MEMORY_FACTOR <= available:
        return
    raise DataError(
        f"{name} is too large to load: the file is {format_bytes(size)}, loading it needs about "
        f"{format_bytes(size * MEMORY_FACTOR)}, and {format_bytes(available)} of memory is "
        f"available. Load a sample of the rows instead, for example "
        f"`head -n 100001 {name} > sample.csv`.", source=name)


def _decode_sample(sample: bytes, name: str) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(sample, final=False).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise _encoding_error(name, sample, error) from None


def _encoding_error(name: str, data: bytes, error: UnicodeDecodeError) -> DataError:
    offset = error.start
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset:offset + 1].hex()
    return DataError(
        f"{name} is not UTF-8 text: byte 0x{byte} at offset {offset:,} (line {line}) is not "
        f"valid UTF-8. Save the file as UTF-8, for example with "
        f"`iconv -f latin1 -t utf-8 {name} > utf8.csv` when it is Latin-1.",
        source=name, line=line)


def _detect_delimiter(text: str) -> str:
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        count = len(_first_record(text, delimiter))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _first_record(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    try:
        return next(reader)
    except (StopIteration, csv.Error):
        return []


def _check_header(header: list[str], name: str) -> None:
    if header and all(_is_number(field) for field in header):
        first_line = ", ".join(shorten(field) for field in header[:6])
        first_line += ", ..." if len(header) > 6 else ""
        raise DataError(
            f"{name} has no header row: its first line ({first_line}) is all numbers, not column "
            f"names. Add a first line that names each column, for example "
            f"'age,fare,survived'.", source=name, line=1)

    counts = Counter(field.strip() for field in header)
    repeated = [field for field, count in counts.items() if count > 1]
    if repeated:
        details = "; ".join(
            f"{shorten(field)!r} is column "
            + list_items([str(i + 1) for i, other in enumerate(header) if other.strip() == field],
                         separator=" and ")
            for field in repeated[:3])
        if len(repeated) > 3:
            details += f"; and {len(repeated) - 3:,} more names"
        raise DataError(f"{name} has duplicated column names in its header: {details}. "
                        f"Rename the duplicates so that each column has its own name.",
                        source=name, line=1, column=repeated[0])


def _is_number(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse(path: Path, name: str, delimiter: str) -> tuple[pd.DataFrame, list[str]]:
    """Parse the file, and return the frame with notes on columns that mix numbers and text.

    `low_memory=False` would avoid mixed columns but doubles the parse time, so a
    column that the chunked parser read as a mix of numbers and text becomes text.

    NOTE: a row with fewer fields than the header is not an error: pandas fills the
    missing fields with NaN. Decimal commas ("1,5") in a semicolon file are read as text.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(path, sep=delimiter, na_values=MISSING_MARKERS,
                                encoding="utf-8-sig")
    except UnicodeDecodeError:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _encoding_error(name, data, error) from None
        raise
    except pd.errors.EmptyDataError:
        raise DataError(f"{name} has no header row or data (only blank lines). A CSV file "
                        f"needs a header row of column names and at least one data row.",
                        source=name) from None
    except pd.errors.ParserError as error:
        raise _parser_error(name, error) from None

    notes = []
    for column in frame.columns[frame.dtypes == object]:
        frame[column] = frame[column].astype("str")
        notes.append(f"column {column!r} of {name} mixes numbers and text, so it is read as "
                     f"text; fix or blank the values that are not numbers to use it as a number.")
    return frame, notes


def _parser_error(name: str, error: pd.errors.ParserError) -> DataError:
    match = _FIELDS_PATTERN.search(str(error))
    if match is None:
        return DataError(f"{name} could not be read as CSV: {str(error).strip()}. Check the "
                         f"quoting: a value that contains the delimiter or a line break must "
                         f"be wrapped in double quotes.", source=name)
    expected, line, seen = (int(group) for group in match.groups())
    return DataError(
        f"{name} line {line} has {seen} fields, but the header has {expected} columns. Fix "
        f"that row: a value that contains the delimiter must be wrapped in double quotes.",
        source=name, line=line)


def _check_shape(frame: pd.DataFrame, name: str) -> None:
    columns = ", ".join(shorten(column) for column in frame.columns[:8])
    if len(frame) == 0:
        raise DataError(f"{name} has a header row ({columns}) but no data rows. Add at least "
                        f"one row of values below the header.", source=name)
    if frame.shape[1] == 1:
        raise DataError(
            f"{name} has a single column ({columns}); a classifier needs a target column and "
            f"at least one feature column. If the file separates values with another "
            f"character than a comma, semicolon, tab or vertical bar, save it as CSV with "
            f"commas.", source=name)
