# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Nano Banana V2 (``nano_banana_v2``, image; modes: text-to-image,
image-to-image, edit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["NanoBananaV2Channel", "NanoBananaV2Params"]

NanoBananaV2Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``nano_banana_v2``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: "base", "plus", "max"; an unlisted one is sent with a
one-time UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class NanoBananaV2Params(ModelParams):
    """Parameters of Nano Banana V2 (``nano_banana_v2``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        image_url: Reference images: public URLs or full data URIs, may be mixed. Allowed: a
            list of strings, at most 8 items, each an http(s) URL or a data:image/...;base64,
            URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio; default not known. Allowed: "auto", "1:1", "3:2",
            "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "21:9". Left out when None (the
            API's default applies).
        resolution: Output resolution tier (upper-case K); default not known. Allowed: "1K",
            "2K", "4K". Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "nano_banana_v2"
    prompt: str
    image_url: Sequence[str] | None = None
    aspect_ratio: Literal["auto", "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "21:9"] | None = None
    resolution: Literal["1K", "2K", "4K"] | None = None
