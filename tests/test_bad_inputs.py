"""A corpus of bad inputs to the three loaders, each with the message it must give.

Files in tests/bad_inputs/ are small and written by hand. Inputs that are too large to
keep in the repository (a 50 MB CSV line, a 20 MB .py file, 10,000 nested brackets) are
generated in `tmp_path`. Every case names the fragment its message must contain, or
`VALID` for inputs that the loader accepts (a BOM, CRLF line ends).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_lab.codeio.python_import import CodeImportError, import_file
from tui_lab.data import DataError, load, read_table
from tui_lab.experiment import DataSpec, ExperimentError
from tui_lab.experiment import load as load_experiment

CORPUS = Path(__file__).parent / "bad_inputs"

VALID = None
"""The expected fragment of an input that loads without an error."""

MAX_MESSAGE_CHARS = 2_000
"""Maximum length of a loader's error message, in characters; a longer one floods the terminal."""

EXPERIMENT_CASES = [
    ("units_huge.toml", "layers[0] (Dense).units: expected at most 1,000,000 units, received 1000000000000"),
    ("epochs_1e300.toml", "fit.epochs: expected at most 100,000 epochs, received 1e+300"),
    ("units_negative.toml", "layers[0] (Dense).units: expected a whole number >= 1, received -4"),
    ("units_string.toml", "layers[0] (Dense).units: expected a whole number >= 1, received '32'"),
    ("batch_size_zero.toml", "fit.batch_size: expected a whole number >= 1, received 0"),
    ("layer_type_unicode.toml", "received 'Dénse'"),
    ("layer_type_array.toml", "layers[0].type: expected a layer class: Dense"),
    ("layers_as_table.toml", "layers: expected an array of tables ([[layers]])"),
    ("compile_as_string.toml", "compile: expected a table, received 'adam'"),
    ("optimizer_type_table.toml", "compile.optimizer.type: expected a Keras optimizer class"),
    ("learning_rate_text.toml", "compile.optimizer.learning_rate: expected a number, received 'fast'"),
    ("class_weight_label.toml", "fit.class_weight: expected class labels 0 and 1 as keys (not '2')"),
    ("validation_split_one.toml", "fit.validation_split: expected a number in (0, 1), received 1"),
    ("empty_key.toml", '"": expected one of the known names: name, data, layers, compile, fit'),
    ("deep_array.toml", "TOML: expected arrays and inline tables nested at most 64 levels deep"),
    ("nul.toml", "Illegal character '\\x00' (at line 1, column 10)"),
    ("not_utf8.toml", "byte 11 is 0xe9, which is not UTF-8; save the experiment as UTF-8 text"),
    ("image.toml", "byte 0 is 0x89, which is not UTF-8"),
    ("unclosed_table.toml", "Expected ']' at the end of a table declaration (at line 1"),
    ("bom.toml", VALID),
    ("crlf.toml", VALID),
    ("empty.toml", VALID),
]

PYTHON_CASES = [
    ("huge_power.py", "no Keras model found"),
    ("huge_power.py", "line 3: power with about 40,000,000,000 bits is larger than 256 bits"),
    ("syntax_error.py", "syntax_error.py:3: invalid Python syntax: '[' was never closed"),
    ("image.py", "expected UTF-8 Python source, but byte 0 is 0x89"),
    ("latin1.py", "expected UTF-8 Python source, but byte 5 is 0xe9"),
    ("nul.py", "source code string cannot contain null bytes"),
    ("empty.py", "no Keras model found; expected Sequential([...])"),
    ("no_model.py", "pd.read_csv(...) is not run"),
    ("bom.py", VALID),
    ("crlf.py", VALID),
]

PYTHON_SKIPS = [
    ("dense_unicode.py", "Dénse is not a layer the lab builds"),
    ("units_huge.py", "units 1,000,000,000,000 is more than 1,000,000"),
    ("units_negative.py", "Dense argument units: expected a whole number >= 1, received -3"),
    ("epochs_1e300.py", "fit argument epochs: expected at most 100,000, received 1e+300"),
    ("initializer_none.py", "Dense argument kernel_initializer: expected a TOML value"),
]
"""Python files that import, with the construct each one lists as skipped."""

CSV_CASES = [
    ("empty.csv", "empty.csv is empty (0 bytes, no header row)"),
    ("image.csv", "image.csv is not a CSV text file: it starts like a PNG image"),
    ("nul.csv", "contains a NUL byte at offset 20"),
    ("utf16.csv", "utf16.csv is UTF-16 text; the lab reads UTF-8"),
    ("latin1.csv", "byte 0xe9 at offset 34 (line 3) is not valid UTF-8"),
    ("duplicate_header.csv", "duplicated column names in its header: 'age' is column 1 and 2"),
    ("ragged.csv", "ragged.csv line 3 has 4 fields, but the header has 3 columns"),
    ("unclosed_quote.csv", "Check the quoting"),
    ("header_only.csv", "has a header row (age, fare, survived) but no data rows"),
    ("numbers_header.csv", "has no header row: its first line (22, 7.25, 0) is all numbers"),
    ("one_column.csv", "one_column.csv has a single column (survived)"),
    ("no_target.csv", "target 'survived' not found in no_target.csv; columns are: age, fare, outcome"),
    ("target_empty.csv", "target column 'survived' of target_empty.csv has no values"),
    ("age_unicode.csv", "feature 'age' not found in age_unicode.csv"),
    ("bom.csv", VALID),
    ("crlf.csv", VALID),
]


def _load_csv(path: Path, features: tuple[str, ...] = ("age", "fare")) -> None:
    load(DataSpec(source=str(path), target="survived", features=features))


def _expect(action, error_type: type[Exception], fragment: str | None) -> None:
    if fragment is VALID:
        action()
        return

    with pytest.raises(error_type) as caught:
        action()

    message = str(caught.value)
    assert fragment in message
    assert len(message) <= MAX_MESSAGE_CHARS


def test_corpus_size():
    cases = EXPERIMENT_CASES + PYTHON_CASES + PYTHON_SKIPS + CSV_CASES
    files = {path.name for path in CORPUS.iterdir()}

    assert len(cases) >= 30
    assert {name for name, _ in cases} == files


@pytest.mark.parametrize(("name", "fragment"), EXPERIMENT_CASES)
def test_experiment_file(name, fragment):
    _expect(lambda: load_experiment(CORPUS / name), ExperimentError, fragment)


@pytest.mark.parametrize(("name", "fragment"), PYTHON_CASES)
def test_python_file(name, fragment):
    _expect(lambda: import_file(CORPUS / name), CodeImportError, fragment)


@pytest.mark.parametrize(("name", "fragment"), PYTHON_SKIPS)
def test_python_file_skips(name, fragment):
    result = import_file(CORPUS / name)

    reasons = [entry.reason for entry in result.skipped]
    assert any(fragment in reason for reason in reasons), reasons


@pytest.mark.parametrize(("name", "fragment"), CSV_CASES)
def test_csv_file(name, fragment):
    _expect(lambda: _load_csv(CORPUS / name), DataError, fragment)


def test_csv_unicode_column():
    dataset = load(DataSpec(source=str(CORPUS / "age_unicode.csv"), target="survived",
                            features=("âge", "fare")))

    assert dataset.feature_names[0] == "âge"
    assert dataset.x.shape == (4, 2)


def test_csv_bom_header():
    frame = read_table(str(CORPUS / "bom.csv"))

    assert list(frame.columns) == ["age", "fare", "survived"]


# --- inputs generated in tmp_path ---------------------------------------------------


def test_python_deep_parentheses(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n")

    _expect(lambda: import_file(path), CodeImportError, "too many nested parentheses")


def test_python_long_operator_chain(tmp_path):
    path = tmp_path / "chain.py"
    path.write_text("x = 1" + " + 1" * 50_000 + "\n")

    _expect(lambda: import_file(path), CodeImportError, "nested too deeply to parse")


def test_python_20_mb_file(tmp_path):
    path = tmp_path / "big.py"
    path.write_text("x = 1\n" * (20 * 1024 * 1024 // 6))

    _expect(lambda: import_file(path), CodeImportError,
            "more than the 1,000,000 characters the importer reads")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_python_endless_file():
    _expect(lambda: import_file("/dev/zero"), CodeImportError, "/dev/zero: the file has more than")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_experiment_endless_file():
    _expect(lambda: load_experiment("/dev/zero"), ExperimentError, "a TOML file of at most 10 MB")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_csv_endless_file():
    _expect(lambda: _load_csv(Path("/dev/zero")), DataError, "contains a NUL byte at offset 0")


def test_python_huge_literal(tmp_path):
    path = tmp_path / "literal.py"
    path.write_text("x = 1" + "0" * 5_000 + "\n")

    _expect(lambda: import_file(path), CodeImportError, "literal.py:1: invalid Python syntax")


def test_experiment_huge_integer(tmp_path):
    path = tmp_path / "digits.toml"
    path.write_text("[fit]\nepochs = 1" + "0" * 5_000 + "\n")

    _expect(lambda: load_experiment(path), ExperimentError, "TOML: expected numbers of at most 4,300")


def test_experiment_overflowing_rate(tmp_path):
    path = tmp_path / "rate.toml"
    path.write_text('[compile]\noptimizer = { type = "Adam", learning_rate = 1' + "0" * 400 + " }\n")

    _expect(lambda: load_experiment(path), ExperimentError,
            "learning_rate: expected a finite number, received a whole number of about 401 digits")


def test_csv_50_mb_line(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(b"x" * (50 * 1024 * 1024))

    _expect(lambda: _load_csv(path), DataError, "but no data rows")


def test_csv_repeated_header(tmp_path):
    path = tmp_path / "repeated.csv"
    path.write_bytes(b"a," * (1024 * 1024) + b"\n")

    _expect(lambda: _load_csv(path), DataError, "duplicated column names in its header: 'a'")


def test_csv_many_columns_listed(tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f"column_{index}" for index in range(5_000))
    path.write_text(header + "\n" + ",".join("1" for _ in range(5_000)) + "\n")

    _expect(lambda: _load_csv(path), DataError, "column_19 (and 4,980 more)")


def test_csv_unknown_home_directory():
    _expect(lambda: _load_csv(Path("~tui-lab-no-such-user/data.csv")), DataError,
            "the home directory that its path starts with (~) does not exist")


def test_csv_name_too_long(tmp_path):
    _expect(lambda: _load_csv(tmp_path / ("x" * 5_000 + ".csv")), DataError,
            "could not be opened: File name too long")


# --- the command line ---------------------------------------------------------------

CLI_CASES = [
    (("train", "units_huge.toml"), "expected at most 1,000,000 units"),
    (("train", "image.toml"), "byte 0 is 0x89"),
    (("train", "deep_array.toml"), "nested at most 64 levels deep"),
    (("import", "image.py"), "expected UTF-8 Python source"),
    (("import", "syntax_error.py"), "invalid Python syntax"),
    (("import", "empty.py"), "no Keras model found"),
]


def _run_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = dict(os.environ, XDG_DATA_HOME=str(cwd))
    return subprocess.run([sys.executable, "-m", "tui_lab", *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("arguments", "fragment"), CLI_CASES)
def test_cli_bad_file(arguments, fragment, tmp_path):
    command, name = arguments
    (tmp_path / name).write_bytes((CORPUS / name).read_bytes())

    completed = _run_cli(command, name, cwd=tmp_path)

    assert completed.returncode == 2
    assert fragment in completed.stderr
    assert "Traceback" not in completed.stderr


def test_cli_train_unknown_home(tmp_path):
    (tmp_path / "home.toml").write_text(
        '[data]\nsource = "~tui-lab-no-such-user/data.csv"\n'
        '[[layers]]\ntype = "Dense"\nunits = 1\nactivation = "sigmoid"\n')

    completed = _run_cli("train", "home.toml", cwd=tmp_path)

    assert completed.returncode == 2
    assert "home directory" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_cli_train_bad_csv(tmp_path):
    (tmp_path / "image.csv").write_bytes((CORPUS / "image.csv").read_bytes())
    (tmp_path / "bad_data.toml").write_text(
        '[data]\nsource = "image.csv"\ntarget = "survived"\nfeatures = ["age"]\n'
        '[[layers]]\ntype = "Dense"\nunits = 1\nactivation = "sigmoid"\n')

    completed = _run_cli("train", "bad_data.toml", cwd=tmp_path)

    assert completed.returncode == 2
    assert "image.csv is not a CSV text file" in completed.stderr
    assert "Traceback" not in completed.stderr
