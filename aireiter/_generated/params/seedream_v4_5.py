# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedream 4.5 (``seedream_v4_5``, image; modes: text-to-image,
image-to-image, multi-reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["SeedreamV45Channel", "SeedreamV45Params"]

SeedreamV45Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``seedream_v4_5``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class SeedreamV45Params(ModelParams):
    """Parameters of Seedream 4.5 (``seedream_v4_5``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; docs state unlimited. Allowed: a non-empty string. Required.
        image_url: Reference image URLs (public). Allowed: a list of strings, at most 9 items,
            each an http(s) URL or a data:image/...;base64, URI. Left out when None (the API's
            default applies).
        aspect_ratio: Output aspect ratio. Allowed: "1:1", "3:2", "2:3", "4:3", "3:4", "5:4",
            "4:5", "16:9", "9:16", "21:9". Default "1:1" (documented, sent).
        resolution: Resolution level (not K tiers on this model). Allowed: "basic", "high".
            Default "basic" (documented, sent).
    """

    model_id: ClassVar[str] = "seedream_v4_5"
    prompt: str
    image_url: Sequence[str] | None = None
    aspect_ratio: Literal["1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "21:9"] = "1:1"
    resolution: Literal["basic", "high"] = "basic"
