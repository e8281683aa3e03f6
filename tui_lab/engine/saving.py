"""Save a trained model as a .keras file with its experiment beside it, and load one back."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from tui_lab import experiment as experiment_module
from tui_lab.engine.capture import capture_keras_messages
from tui_lab.engine.quiet import import_keras
from tui_lab.experiment import Experiment, ExperimentError


class ModelFileError(ValueError):
    """A .keras file that cannot be loaded, with the reason and what to do about it."""


class SaveError(OSError):
    """A model or experiment file that could not be written, naming the path and the reason."""


def experiment_path_for(path: str | os.PathLike[str]) -> Path:
    """Return where the experiment of a model file goes: `model.keras` gives `model.toml`."""
    return Path(path).with_suffix(".toml")


def save_model(model: Any, path: str | os.PathLike[str], experiment: Experiment | None) -> tuple[Path, Path | None]:
    """Write `model` to `path` (.keras) and `experiment` beside it as TOML, each atomically.

    The model goes to a hidden temporary `.keras` file in the same directory first (Keras
    requires that suffix), is flushed to disk, then `os.replace` moves it into place.
    Temporaries of earlier saves to `path` killed midway are deleted first when they
    are older than `experiment.STALE_TEMPORARY_SECONDS`. Returns the model path and the
    experiment path (None when `experiment` is None). Raises `SaveError` for an
    unwritable directory, a full disk or any other OS error.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise SaveError(f"could not save the model to {path}: expected a file name ending in .keras, "
                        f"received {path.suffix or 'no suffix'}; rename it to {path.with_suffix('.keras').name}")

    directory = path.parent if str(path.parent) else Path(".")
    keras_messages: list[str] = []
    temporary: str | None = None
    try:
        experiment_module.remove_stale_temporaries(directory, f".{path.stem}.", ".keras")
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".keras", dir=directory)
        os.close(handle)
        with capture_keras_messages(keras_messages):
            model.save(temporary)
        _flush_to_disk(temporary)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise SaveError(f"could not save the model to {path}: {error.strerror or error}") from error
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)

    if experiment is None:
        return path, None

    toml_path = experiment_path_for(path)
    try:
        experiment_module.write_atomic(toml_path, experiment.to_toml().encode("utf-8"))
    except OSError as error:
        raise SaveError(f"saved the model to {path} but could not write the experiment to "
                        f"{toml_path}: {error.strerror or error}") from error
    return path, toml_path


def _flush_to_disk(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _check_archive(path: Path) -> None:
    if not path.exists():
        raise ModelFileError(f"model file not found: {path}. Check the path and try again")
    if path.is_dir():
        raise ModelFileError(f"expected a .keras file, received the directory {path}")
    if path.suffix in (".h5", ".hdf5"):
        raise ModelFileError(f"{path} is a legacy HDF5 file; the lab loads .keras files only. "
                             "Load it in Keras and save it again with model.save('model.keras')")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path} is not a .keras file (a .keras file is a zip archive); "
                             "it may be truncated or another format. Save the model with model.save('model.keras')")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ModelFileError(f"{path} is a damaged or truncated .keras file ({error}); save the model again") from error
    if damaged is not None:
        raise ModelFileError(f"{path} is a damaged .keras file (member {damaged} fails its CRC check); "
                             "save the model again")
    if "config.json" not in names:
        raise ModelFileError(f"{path} is a zip archive without config.json, so not a .keras model file")


def _load_error(path: Path, error: Exception) -> ModelFileError:
    text = str(error)
    if "safe_mode" in text or "Lambda" in text:
        return ModelFileError(
            f"{path} contains a Lambda layer or other arbitrary Python code, and the lab loads "
            ".keras files in safe mode only. Replace the Lambda layer with a built-in layer and save again"
        )
    if "Could not locate" in text or "custom_objects" in text or "Unknown" in text:
        first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
        return ModelFileError(
            f"{path} uses a custom class that the lab does not recognize ({first}). "
            "Use built-in Keras layers, losses and metrics only"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return ModelFileError(f"could not load {path}: {first}")


def load_model(path: str | os.PathLike[str]) -> tuple[Any, Experiment | None]:
    """Load a .keras file in safe mode, and the experiment TOML beside it when there is one.

    Raises `ModelFileError` when the file is missing, is not a .keras zip archive, is
    truncated, needs unsafe deserialization (a Lambda layer) or uses unknown custom
    objects. An experiment file that is missing or invalid gives None.
    """
    keras = import_keras()
    path = Path(path)
    _check_archive(path)

    messages: list[str] = []
    try:
        with capture_keras_messages(messages):
            model = keras.models.load_model(path, safe_mode=True, compile=True)
    except (ValueError, TypeError, KeyError, AttributeError, OSError, zipfile.BadZipFile) as error:
        raise _load_error(path, error) from error

    toml_path = experiment_path_for(path)
    experiment = None
    if toml_path.exists():
        try:
            experiment = experiment_module.load(toml_path)
        except ExperimentError:
            # NOTE: an invalid experiment file beside a valid model is ignored; the caller
            # can rebuild the experiment from the model with `experiment_from_model`.
            experiment = None
    return model, experiment
