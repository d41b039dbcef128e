"""The ``aireiter`` logger: redaction on every record, ``AIREITER_LOG``, and retry records.

- The ``aireiter`` logger carries a :class:`~._redact.RedactingFilter` (so do the loggers of
  openai, httpx and httpcore, which log answer headers at DEBUG), and every handler
  aireiter itself installs (``AIREITER_LOG``, the CLI's) carries one too, so records of child
  loggers are redacted on the way out as well.
- ``AIREITER_LOG=debug`` (or ``info``) sends the ``aireiter`` logger to stderr at that level,
  like ``OPENAI_LOG`` does for openai: each request at DEBUG, each retry at INFO.
- A retry is logged at INFO with ``record.aireiter_retry`` set to a :class:`RetryNotice`, so
  a front end (the CLI) can show retries without showing everything else.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import attrs

from .._constants import ENV_LOG
from ._redact import RedactingFilter

__all__ = [
    "RETRY_RECORD_ATTRIBUTE",
    "RetryNotice",
    "add_stream_handler",
    "logger",
    "remove_handler",
    "setup_logging_from_env",
]

logger = logging.getLogger("aireiter")

RETRY_RECORD_ATTRIBUTE = "aireiter_retry"
_HANDLER_MARK = "_aireiter_handler"
_FORMAT = "[%(asctime)s %(levelname)s %(name)s] %(message)s"


@attrs.frozen(kw_only=True)
class RetryNotice:
    """What a retry log record says: which request, after what, how long until the retry."""

    method: str
    path: str
    delay_s: float
    retry: int  # 1 for the first retry
    max_retries: int
    reason: str  # e.g. "HTTP 503 InternalServerError" or "connection refused"


# The loggers of the libraries under the chat adapter that log request and answer details at
# DEBUG (httpcore's trace logs every answer header: a proxy may echo the key in one). A filter
# on a logger covers the records logged on that very logger, so each one is named.
_CORE_LOGGERS = ("connection", "http11", "http2", "proxy", "socks")
_LIBRARY_LOGGERS = (
    "openai",
    "openai._base_client",
    "httpx",
    "httpx2",
    *(f"{core}.{part}" for core in ("httpcore", "httpcore2") for part in _CORE_LOGGERS),
)


def _install_logger_filter() -> None:
    for name in ("aireiter", *_LIBRARY_LOGGERS):
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (as ``logging.lastResort``
    does), not to the stream of the moment it was made."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


def add_stream_handler(
    level: int, *, mark: str, record_filter: logging.Filter | None = None, fmt: str = _FORMAT
) -> logging.Handler:
    """Add (once per ``mark``) a redacting stderr handler to the ``aireiter`` logger, and lower
    the logger's level to ``level`` if it is higher. Returns the handler; undo it with
    :func:`remove_handler`."""
    for handler in logger.handlers:
        if getattr(handler, _HANDLER_MARK, None) == mark:
            return handler
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(RedactingFilter())
    if record_filter is not None:
        handler.addFilter(record_filter)
    setattr(handler, _HANDLER_MARK, mark)
    handler._aireiter_level_before = logger.level  # type: ignore[attr-defined]
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler


def remove_handler(handler: logging.Handler) -> None:
    """Take back what :func:`add_stream_handler` did: the handler, and the level it set."""
    if handler in logger.handlers:
        logger.removeHandler(handler)
        logger.setLevel(getattr(handler, "_aireiter_level_before", logging.NOTSET))


def setup_logging_from_env() -> None:
    """Apply ``AIREITER_LOG`` (``debug`` or ``info``; anything else is ignored)."""
    _install_logger_filter()
    value = os.environ.get(ENV_LOG, "").strip().lower()
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(value)
    if level is not None:
        add_stream_handler(level, mark="env")
