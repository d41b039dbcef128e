"""The base class of the generated params classes (``Sora2Params``, ``SeedreamV45Params``...).

A params class is a frozen, keyword-only attrs value that checks itself against the spec when
built (every problem at once, as one :class:`~aireiter.ParamError`) and turns into the wire
``params`` object with :meth:`ModelParams.to_wire`. Fields left ``None`` are not sent.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from .._exceptions import ParamError
from ._checks import check_params
from ._model import load_spec

__all__ = ["ModelParams", "wire_value"]


def wire_value(value: Any) -> Any:
    """``value`` as JSON wants it: tuples become lists, recursively."""
    if isinstance(value, (list, tuple)):
        return [wire_value(item) for item in value]
    return value


@attrs.frozen(kw_only=True)
class ModelParams:
    """Typed parameters of one model; subclasses are generated from the spec.

    ``model_id`` names the model the class describes. Building an instance checks every field
    (types, enums, ranges, list lengths, image URLs) and raises :class:`~aireiter.ParamError`
    listing every problem.
    """

    model_id: ClassVar[str] = ""

    def __attrs_post_init__(self) -> None:
        issues = check_params(load_spec().models[self.model_id], self.to_wire())
        if issues:
            raise ParamError(issues, model=self.model_id)

    def to_wire(self) -> dict[str, Any]:
        """The ``params`` object to send: set fields only, in declaration order."""
        result: dict[str, Any] = {}
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if value is not None:
                result[field.name] = wire_value(value)
        return result
