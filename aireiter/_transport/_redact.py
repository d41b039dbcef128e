"""Keeping secrets out of logs, reprs and errors.

:func:`redact` rewrites text so that no credential survives:

- every API key a client of this process was configured with (registered by
  :func:`register_secret`) becomes ``[REDACTED]`` wherever it appears;
- ``Authorization: ...`` / ``Bearer ...`` values become ``[REDACTED]``;
- the value of any ``name=value`` / ``"name": "value"`` pair whose name ends in ``key``,
  ``token``, ``secret``, ``password`` or ``signature`` (``api_key=``, ``?key=``,
  ``access_token``, ``x-api-key:``) becomes ``[REDACTED]``.

:func:`sanitize_exception` returns an exception safe to keep as an error's ``__cause__``: the
original one when nothing in its text (nor in its own causes) holds a secret, otherwise a
:class:`RedactedException` carrying the redacted text and the original type's name, and no
chain. :class:`RedactingFilter` applies :func:`redact` to log records (message, arguments and
traceback text).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = [
    "REDACTED",
    "RedactedException",
    "RedactingFilter",
    "redact",
    "register_secret",
    "sanitize_exception",
]

REDACTED = "[REDACTED]"

# A key shorter than this is not searched for as a substring (it would redact ordinary
# words); such a key is still caught by the Authorization/Bearer patterns.
_MIN_SECRET_LENGTH = 6
_MAX_CHAIN = 16  # how many links of a __cause__/__context__ chain are inspected

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_secret_pattern: re.Pattern[str] | None = None

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer xyz / 'Authorization': 'Bearer xyz' / authorization=xyz
    (
        re.compile(
            r"""(?i)(authorization['"]?\s*[:=]\s*['"]?)(?:(?:bearer|basic|token)\s+)?[^\s'",;&)>]+"""
        ),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    # api_key=..., ?key=..., "access_token": "...", x-api-key: ...; a name starts where a
    # word does (the lookbehind): else every position of a long word would be tried again,
    # quadratic in its length (a 65,000-character answer took minutes).
    (
        re.compile(
            r"""(?i)(?<![\w-])([\w-]*(?:key|token|secret|password|passwd|signature)['"]?\s*[:=]\s*['"]?)"""
            r"""[^\s'",;&)>\]}]+"""
        ),
        r"\1" + REDACTED,
    ),
)


def register_secret(secret: str | None) -> None:
    """Remember ``secret`` (an API key) so that :func:`redact` removes it from any text."""
    global _secrets, _secret_pattern
    if not secret or len(secret) < _MIN_SECRET_LENGTH or secret in _secrets:
        return
    with _lock:
        secrets = _secrets | {secret}
        ordered = sorted(secrets, key=len, reverse=True)  # longest first: no partial matches
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))
        _secrets = secrets


def redact(text: str) -> str:
    """``text`` with every known key and every key-like value replaced (module docstring)."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return text


def _safe_text(value: Any, *, use_repr: bool) -> str:
    try:
        return repr(value) if use_repr else str(value)
    except Exception:  # a broken __str__ of a foreign exception must not hide the real error
        return f"<{type(value).__name__}>"


def _is_clean(exc: BaseException) -> bool:
    """True when neither ``str`` nor ``repr`` of ``exc`` nor of its chain holds a secret."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        for text in (
            _safe_text(current, use_repr=False),
            _safe_text(current, use_repr=True),
        ):
            if redact(text) != text:
                return False
        current = current.__cause__ or current.__context__
    return current is None


class RedactedException(Exception):
    """Stands in for an exception whose text held a secret. ``original_type`` is the qualified
    name of the exception it replaces; its message is that exception's text, redacted."""

    def __init__(self, original: BaseException) -> None:
        kind = type(original)
        self.original_type = f"{kind.__module__}.{kind.__qualname__}"
        super().__init__(f"{kind.__name__}: {redact(_safe_text(original, use_repr=False))}")


def sanitize_exception(exc: BaseException) -> BaseException:
    """``exc`` itself when it is free of secrets, else a chain-less :class:`RedactedException`."""
    return exc if _is_clean(exc) else RedactedException(exc)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message, arguments and traceback text.

    Add it to a handler (it then covers records of every logger that reach the handler) or to
    a logger (records logged on that very logger). It never drops a record.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we have, redacted
            message = f"{record.msg!s} {record.args!r}"
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
