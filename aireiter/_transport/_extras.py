"""Per-call additions to a request: ``extra_headers``, ``extra_query``, ``extra_body``.

The names and meanings are openai's: ``extra_headers`` are sent besides the client's headers
(a name given here wins), ``extra_query`` is added to the URL's query string, and
``extra_body`` adds top-level fields to the JSON body. They exist for what the SDK does not
model yet (a gateway's routing header, a field the API added last week); nothing in them is
checked beyond its type.

Unlike openai, ``extra_body`` cannot replace a field the call sets from an argument of its own
(``out_task_id``, ``params``...): that would silently undo the argument, and for a submit the
``out_task_id`` is what keeps it from being paid for twice. Such a key is a ParamError.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from .._exceptions import ParamError

__all__ = ["NO_EXTRAS", "RequestExtras", "request_extras"]

QueryValue = str | int | float


@attrs.frozen
class RequestExtras:
    """The checked ``extra_headers``, ``extra_query`` and ``extra_body`` of one call."""

    headers: Mapping[str, str] | None = None
    query: Mapping[str, QueryValue] | None = None
    body: Mapping[str, Any] | None = None

    def headers_over(self, own: Mapping[str, str] | None) -> Mapping[str, str] | None:
        """``own`` headers of the request with the extra ones added over them."""
        if not self.headers:
            return own
        return {**own, **self.headers} if own else self.headers

    def without_body(self) -> RequestExtras:
        """The same headers and query for the other requests of a call (a submit's confirming
        queries, a generate's polls): the extra body belongs to the call's own request."""
        return self if self.body is None else attrs.evolve(self, body=None)

    def encode(self, body: Mapping[str, Any], *, reserved: Collection[str] = ()) -> bytes:
        """``body`` with the extra fields added, as JSON; ParamError when an extra field is one
        of ``reserved`` (set by an argument) or the whole is not JSON."""
        merged = dict(body)
        if self.body:
            taken = sorted(key for key in self.body if key in reserved)
            if taken:
                raise ParamError.single(
                    "extra_body",
                    ", ".join(taken),
                    "sets fields this call sets from its own arguments; pass them there",
                )
            merged.update(self.body)
        try:
            return json.dumps(merged).encode()
        except (TypeError, ValueError) as exc:
            raise ParamError.single(
                "extra_body" if self.body else "body", "<not JSON>", f"cannot be sent: {exc}"
            ) from None


NO_EXTRAS = RequestExtras()
"""A call without extras."""


def request_extras(
    extra_headers: object = None, extra_query: object = None, extra_body: object = None
) -> RequestExtras:
    """The three arguments checked (ParamError naming the argument and the bad entry, never
    a value: a header may hold a secret), before any request; :data:`NO_EXTRAS` when none
    is given."""
    if extra_headers is None and extra_query is None and extra_body is None:
        return NO_EXTRAS
    _check("extra_headers", extra_headers, (str,), "a mapping of header names to str values")
    _check("extra_query", extra_query, (str, int, float), "a mapping of names to str, int or float")
    _check("extra_body", extra_body, (object,), "a mapping with str keys")
    return RequestExtras(
        headers=dict(extra_headers) if extra_headers else None,  # type: ignore[call-overload]
        query=dict(extra_query) if extra_query else None,  # type: ignore[call-overload]
        body=dict(extra_body) if extra_body else None,  # type: ignore[call-overload]
    )


def _check(name: str, value: object, types: tuple[type, ...], allowed: str) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise ParamError.single(name, type(value).__name__, "must be a mapping", allowed=allowed)
    for key, item in value.items():
        if not isinstance(key, str):
            raise ParamError.single(name, f"key {key!r}", "is not a str", allowed=allowed)
        if types != (object,) and (not isinstance(item, types) or isinstance(item, bool)):
            problem = f"holds a value of type {type(item).__name__}"
            raise ParamError.single(name, f"[{key!r}]", problem, allowed=allowed)
