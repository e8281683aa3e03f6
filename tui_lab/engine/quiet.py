"""Import TensorFlow and Keras once, with nothing printed to the terminal.

TensorFlow 2.21 writes some native log lines (the oneDNN notice, "Could not find cuda
drivers") before its logging is set up, so `TF_CPP_MIN_LOG_LEVEL` does not silence
them. `import_keras` therefore points file descriptors 1 and 2 at a log file (or
/dev/null) while the import runs, and restores them afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from types import ModuleType

_lock = threading.Lock()
_modules: tuple[ModuleType, ModuleType] | None = None
_import_seconds = 0.0


class EngineImportError(ImportError):
    """TensorFlow or Keras could not be imported."""


def set_quiet_environment() -> None:
    """Set the environment variables that TensorFlow and Keras read at import time."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["KERAS_BACKEND"] = "tensorflow"


@contextlib.contextmanager
def redirect_native_output(log_path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Send file descriptors 1 and 2 to `log_path` (or /dev/null) inside the block.

    Python's `sys.stdout` and `sys.stderr` are flushed first, so text written before
    the block still reaches the terminal.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()

    target = os.open(os.fspath(log_path) if log_path else os.devnull,
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for descriptor in (*saved, target):
            os.close(descriptor)


def _silence_python_loggers(tensorflow: ModuleType) -> None:
    tensorflow.get_logger().setLevel(logging.ERROR)
    with contextlib.suppress(Exception):
        tensorflow.autograph.set_verbosity(0)
    with contextlib.suppress(ImportError):
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
        absl_logging.set_stderrthreshold("error")


def _import(redirect: bool, log_path: str | os.PathLike[str] | None) -> tuple[ModuleType, ModuleType]:
    global _modules, _import_seconds

    set_quiet_environment()
    started = time.perf_counter()
    guard = redirect_native_output(log_path) if redirect else contextlib.nullcontext()
    try:
        with guard, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import tensorflow
            import keras
    except Exception as error:
        reason = f"{type(error).__name__}: {error}".splitlines()[0]
        raise EngineImportError(
            f"TensorFlow could not be imported ({reason}). Install it with: pip install tensorflow"
        ) from error

    _silence_python_loggers(tensorflow)
    keras.utils.disable_interactive_logging()
    _import_seconds = time.perf_counter() - started
    _modules = (tensorflow, keras)
    return _modules


def import_tensorflow_and_keras(
    redirect: bool = True, log_path: str | os.PathLike[str] | None = None
) -> tuple[ModuleType, ModuleType]:
    """Import TensorFlow and Keras once and return both modules.

    `redirect` sends native output during the import to `log_path` (or /dev/null).
    Raises `EngineImportError` when either package is missing or fails to import.
    """
    with _lock:
        if _modules is not None:
            return _modules
        return _import(redirect, log_path)


def import_keras(redirect: bool = True, log_path: str | os.PathLike[str] | None = None) -> ModuleType:
    """Import TensorFlow and Keras once and return the `keras` module."""
    return import_tensorflow_and_keras(redirect, log_path)[1]


def import_seconds() -> float:
    """Return the wall time the first import took, 0.0 before it has run."""
    return _import_seconds


def freeze_imported_objects() -> None:
    """Leave every object alive now out of Python's garbage collection from here on.

    TensorFlow, Keras and pandas leave millions of objects behind their imports.
    Frozen, they are no longer walked by each full collection, which otherwise costs
    about 200 ms whenever Keras frees a model and pauses `fit` now and then. Call it
    once the imports are done; frozen objects are still freed by reference counting.
    """
    gc.collect()
    gc.freeze()
