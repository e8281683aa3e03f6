"""Collect the Python warnings and log records that Keras emits, instead of printing them."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator

LOGGER_NAMES = ("keras", "tensorflow", "absl")
"""Loggers whose records are collected: those Keras, TensorFlow and absl log through."""

IGNORED_CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
"""Warning classes about library internals, not the user's model; they are dropped."""

_BATCH_SHAPE = re.compile(r"shape \((?:\d+|None), ")


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def capture_keras_messages(messages: list[str]) -> Iterator[list[str]]:
    """Append every warning and WARNING-or-worse log record raised in the block to `messages`.

    Deprecation and future warnings are dropped. Each distinct message is kept once,
    in the order it first appeared. The loggers stop propagating to the root logger
    inside the block, so nothing is printed. Warnings raised in a block that ends
    with an exception are lost.
    """
    handler = _ListHandler(messages)
    loggers = [logging.getLogger(name) for name in LOGGER_NAMES]
    saved = [(logger.propagate, list(logger.handlers)) for logger in loggers]
    for logger in loggers:
        logger.handlers = [handler]
        logger.propagate = False

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        for logger, (propagate, handlers) in zip(loggers, saved):
            logger.handlers = handlers
            logger.propagate = propagate

    for warning in caught:
        if not issubclass(warning.category, IGNORED_CATEGORIES):
            messages.append(str(warning.message))

    # Keras names the batch size in some shapes ("(32, 1)"), so one warning repeats
    # for every batch size it is traced with. Writing None for it keeps one copy.
    messages[:] = [_BATCH_SHAPE.sub("shape (None, ", message) for message in messages]

    unique = list(dict.fromkeys(message.strip() for message in messages if message.strip()))
    messages[:] = unique
