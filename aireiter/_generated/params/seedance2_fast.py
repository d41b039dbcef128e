# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedance 2.0 Fast (``seedance2_fast``, video; modes:
reference-images, first-last-frame). Not fully documented: only prompt is checked, other fields
pass through. The model id is a guess: no source gives it.
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Seedance2FastChannel", "Seedance2FastParams"]

Seedance2FastChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``seedance2_fast``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Seedance2FastParams(ModelParams):
    """Parameters of Seedance 2.0 Fast (``seedance2_fast``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
    """

    model_id: ClassVar[str] = "seedance2_fast"
    prompt: str
