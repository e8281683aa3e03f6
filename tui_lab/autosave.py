"""Autosave of the experiment being edited, restored when the lab starts again.

The experiment is written as TOML on every change, atomically (a temporary file, then
a rename) and readable by its owner alone (0o600), so a crash or a killed terminal
loses no edit.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs

from tui_lab import experiment as experiment_module
from tui_lab.experiment import Experiment, ExperimentError

LOGGER = logging.getLogger(__name__)

AUTOSAVE_NAME = "autosave.toml"


def autosave_path(store_path: str | os.PathLike[str] | None = None) -> Path:
    """Return where the autosave lives: beside the run store, or in the user's data directory.

    For a store at `runs.sqlite3` the autosave is `runs.autosave.toml` in the same directory,
    so two stores given with `--store` keep separate autosaves.
    """
    if store_path is None:
        return Path(platformdirs.user_data_dir("tui-lab")) / AUTOSAVE_NAME
    store_path = Path(store_path)
    return store_path.with_name(store_path.stem + "." + AUTOSAVE_NAME)


class Autosave:
    """The autosave file of one lab: `save` on every change, `restore` at the next start."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else autosave_path()
        self._last_saved: str | None = None

    def save(self, experiment: Experiment) -> bool:
        """Write the experiment unless it equals the last one written, and return whether it wrote."""
        text = experiment.to_toml()
        if text == self._last_saved:
            return False

        if not self.path.parent.exists():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        experiment_module.write_atomic(self.path, text.encode("utf-8"), mode=0o600)
        self._last_saved = text
        return True

    def restore(self) -> Experiment | None:
        """Return the autosaved experiment, or `None` when there is none.

        An autosave that no longer parses (a damaged file, or one from a tui-lab with
        other rules) is renamed to `*.invalid` and logged, so that the lab starts
        anyway and the file stays available for inspection.
        """
        if not self.path.exists():
            return None
        try:
            experiment = experiment_module.load(self.path)
        except ExperimentError as error:
            invalid = self.path.with_name(self.path.name + ".invalid")
            os.replace(self.path, invalid)
            LOGGER.warning("autosave %s is invalid and was moved to %s: %s", self.path, invalid, error)
            return None
        self._last_saved = experiment.to_toml()
        return experiment

    def clear(self) -> None:
        """Delete the autosave, for example after the user saved the experiment elsewhere."""
        self.path.unlink(missing_ok=True)
        self._last_saved = None
