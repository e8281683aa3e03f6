"""Test-wide setup: keep every test's run store, autosave and engine logs out of the user's directories."""

from __future__ import annotations

import os
import tempfile

_DATA_HOME = tempfile.mkdtemp(prefix="tui-lab-tests-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
os.environ["XDG_STATE_HOME"] = os.path.join(_DATA_HOME, "state")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
