"""Hostile source: nothing in it runs, and no input hangs the importer or exhausts memory."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tui_lab.codeio.evaluator import Limits
from tui_lab.codeio.python_import import CodeImportError, import_bytes, import_source

MODEL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"

TIME_LIMIT = 5.0
"""Seconds one hostile import may take; each finishes in well under a second here."""


def _attacks(marker: Path) -> str:
    target = str(marker)
    return f'''
import os
import subprocess
import keras
open({target!r}, "w").write("pwned")
os.system("touch {target}")
__import__("socket").socket().connect(("127.0.0.1", PORT))
subprocess.run(["touch", {target!r}])
exec("open({target!r}, 'w').write('x')")
eval("__import__('os').system('touch {target}')")


def default_argument(path=open({target!r}, "w").write("pwned")):
    return path


@__import__("os").system
def decorated():
    pass


class Payload:
    written = open({target!r}, "w").write("pwned")


with open({target!r}, "w") as stream:
    stream.write("pwned")
model = keras.Sequential([keras.layers.Dense(units=open({target!r}, "w").write("pwned"))])
model.add(keras.layers.Dense(os.system("touch {target}")))
model.add(keras.layers.Dense(1, activation=__import__("os").system("touch {target}")))
model.compile(optimizer=open({target!r}, "w"), loss="binary_crossentropy")
model.fit(x, y, epochs=__import__("os").getpid(), validation_split=0.2)
default_argument()
'''


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    yield server
    server.close()


def test_attacks_do_not_run(tmp_path, listener):
    marker = tmp_path / "pwned"
    port = listener.getsockname()[1]
    source = _attacks(marker).replace("PORT", str(port))
    result = import_source(source, "attack.py")
    assert not marker.exists()
    with pytest.raises(socket.timeout):
        listener.accept()
    assert [dict(layer.args) for layer in result.experiment.layers] == [{"units": 1}]


def test_attacks_are_listed(tmp_path):
    marker = tmp_path / "pwned"
    result = import_source(_attacks(marker).replace("PORT", "9"), "attack.py")
    lines = {entry.line for entry in result.skipped}
    text = _attacks(marker).splitlines()
    for pattern in ('open(', 'os.system("touch', '__import__("socket")', 'subprocess.run', 'exec(', 'eval(',
                    '@__import__', 'class Payload', 'with open(', 'units=open(', 'Dense(os.system',
                    'activation=__import__', 'optimizer=open(', 'epochs=__import__'):
        number = next(i for i, line in enumerate(text, start=1) if pattern in line)
        assert number in lines, pattern


def _timed_import(source: str, limits: Limits | None = None):
    start = time.monotonic()
    try:
        outcome = import_source(source, "hostile.py", limits)
    except CodeImportError as error:
        outcome = error
    return outcome, time.monotonic() - start


@pytest.mark.parametrize("expression", [
    "9**9**9",
    "10**10**10",
    "2**100000",
    "(2**200)*(2**200)",
    "'a' * 10**9",
    "[0] * 10**9",
    "'%s' % 5",
    "len(range(10**12))",
    "round(5, -10**9)",
])
def test_hostile_expression_bounded(expression):
    source = MODEL + f"value = {expression}\nmodel.add(keras.layers.Dense(value))\n"
    outcome, seconds = _timed_import(source)
    assert seconds < TIME_LIMIT
    assert not isinstance(outcome, CodeImportError)
    assert [layer.get("units") for layer in outcome.experiment.layers] == [1]
    assert any(entry.line in (3, 4) for entry in outcome.skipped)


def test_huge_loop_skipped():
    source = MODEL + "for i in range(10**12):\n    model.add(keras.layers.Dense(4))\n"
    outcome, seconds = _timed_import(source)
    assert seconds < TIME_LIMIT
    assert len(outcome.experiment.layers) == 1
    assert any("loop of" in entry.reason for entry in outcome.skipped)


def test_nested_loops_hit_budget():
    source = MODEL + ("x = 0\nfor a in range(1000):\n    for b in range(1000):\n"
                      "        for c in range(1000):\n            x += 1\n")
    outcome, seconds = _timed_import(source, Limits(max_steps=50_000))
    assert seconds < TIME_LIMIT
    assert any("evaluation steps" in entry.reason for entry in outcome.skipped)


def test_squaring_loop_bounded():
    source = MODEL + "x = 3\nfor i in range(1000):\n    x = x * x\n"
    outcome, seconds = _timed_import(source)
    assert seconds < TIME_LIMIT
    assert any("bits" in entry.reason for entry in outcome.skipped)


def test_recursive_function_bounded():
    source = MODEL + "def f(n):\n    return f(n + 1)\n\nf(0)\n"
    outcome, seconds = _timed_import(source)
    assert seconds < TIME_LIMIT
    assert any("calls nested deeper" in entry.reason for entry in outcome.skipped)


@pytest.mark.parametrize("source", [
    "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
    "x = " + "-" * 100_000 + "1\n",
    "x = " + " + ".join(["1"] * 200_000) + "\n",
    "x = " + "[" * 90 + "]" * 90 + "\n" + "y = " + "1 if 1 else " * 3000 + "1\n",
])
def test_deep_nesting_bounded(source):
    outcome, seconds = _timed_import(MODEL + source)
    assert seconds < TIME_LIMIT
    assert isinstance(outcome, CodeImportError) or any(
        "nested" in entry.reason or "steps" in entry.reason for entry in outcome.skipped)


def test_huge_source_rejected():
    outcome, seconds = _timed_import(MODEL + "x = '" + "a" * 2_000_000 + "'\n")
    assert seconds < TIME_LIMIT
    assert isinstance(outcome, CodeImportError)
    assert "characters" in str(outcome)


def test_long_string_literal_skipped():
    outcome, _ = _timed_import(MODEL + "x = '" + "a" * 50_000 + "'\n")
    assert any(entry.line == 3 and "string" in entry.reason for entry in outcome.skipped)


def test_null_byte_rejected():
    outcome, _ = _timed_import(MODEL + "x = 1\x00\n")
    assert isinstance(outcome, CodeImportError)


def test_binary_bytes_rejected():
    with pytest.raises(CodeImportError, match="UTF-8"):
        import_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")


def test_latin1_rejected():
    with pytest.raises(CodeImportError, match="byte 2 is 0xe9"):
        import_bytes("# é\n".encode("latin-1"))
