"""Small shared types: the "not given" sentinel and JSON aliases."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, TypeVar

__all__ = ["NOT_GIVEN", "JSONObject", "JSONValue", "NotGiven", "NotGivenOr"]

JSONValue: TypeAlias = bool | int | float | str | Sequence[Any] | Mapping[str, Any] | None
JSONObject: TypeAlias = Mapping[str, Any]

_T = TypeVar("_T")


class NotGiven(enum.Enum):
    """Sentinel meaning "use the client's default", distinct from ``None`` ("disable").

    ``timeout=None`` turns timeouts off; leaving ``timeout`` out (``NOT_GIVEN``) keeps the
    client's setting.
    """

    NOT_GIVEN = enum.auto()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

NotGivenOr: TypeAlias = _T | NotGiven
