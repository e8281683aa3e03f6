"""Modules outside `tui_lab.engine` must not import TensorFlow or Keras."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = [
    "tui_lab.ui.app",
    "tui_lab.experiment",
    "tui_lab.data",
    "tui_lab.diagnosis",
    "tui_lab.codeio",
    "tui_lab.store",
    "tui_lab.engine.fake",
    "tui_lab.engine.process",
    "tui_lab.layer_summary",
]

CHECK = (
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
    "print(' '.join(loaded[:5]))\n"
)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_module_imports_no_tensorflow(module):
    result = subprocess.run([sys.executable, "-c", CHECK, module],
                            capture_output=True, text=True, timeout=60)
    if "ModuleNotFoundError" in result.stderr and f"'{module}'" in result.stderr:
        pytest.skip(f"{module} does not exist yet")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
