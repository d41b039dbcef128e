# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedream 4.0 (``seedream_v4``, image; modes: text-to-image,
image-to-image).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["SeedreamV4Channel", "SeedreamV4Params"]

SeedreamV4Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``seedream_v4``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class SeedreamV4Params(ModelParams):
    """Parameters of Seedream 4.0 (``seedream_v4``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        image_url: Reference images for image-to-image: publicly accessible image URLs, up to 9
            (doc-old). The field name is not shown on the page: image_url as on seedream_v4_5,
            whose page describes the field in the same words (inferred). Field name inferred
            (not documented). Allowed: a list of strings, at most 9 items, each an http(s) URL
            or a data:image/...;base64, URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio. Allowed: "1:1", "16:9", "9:16", "4:3", "3:4". Default
            "1:1" (documented, sent).
        resolution: Output resolution tier. Allowed: "1K", "2K", "4K". Default "1K" (documented,
            sent).
        output_n: Number of images, as a string (the example sends "2"); integer acceptance
            unknown. Allowed: "1", "2", "4". Default "1" (documented, sent).
    """

    model_id: ClassVar[str] = "seedream_v4"
    prompt: str
    image_url: Sequence[str] | None = None
    aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] = "1:1"
    resolution: Literal["1K", "2K", "4K"] = "1K"
    output_n: Literal["1", "2", "4"] = "1"
