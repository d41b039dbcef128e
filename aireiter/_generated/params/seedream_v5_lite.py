# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedream 5.0 Lite (``seedream_v5_lite``, image; modes:
text-to-image, image-to-image, multi-reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["SeedreamV5LiteChannel", "SeedreamV5LiteParams"]

SeedreamV5LiteChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``seedream_v5_lite``: the four levels (the overview: every model has them) and
any other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class SeedreamV5LiteParams(ModelParams):
    """Parameters of Seedream 5.0 Lite (``seedream_v5_lite``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; docs state no limitation. Allowed: a non-empty string.
            Required.
        image_url: Reference images: public URLs or base64 data URIs
            'data:image/{jpeg|png|webp};base64,...' (prefix required, max 10 MB each). Allowed:
            a list of strings, at most 9 items, each an http(s) URL or a data:image/...;base64,
            URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio; no default stated; no 'auto'. Allowed: "1:1", "3:2",
            "2:3", "4:3", "3:4", "16:9", "9:16", "21:9". Left out when None (the API's default
            applies).
        resolution: Output resolution tier. Allowed: "2K", "3K". Default "2K" (documented,
            sent).
        web_search: Let the model decide to search the web to improve output; adds latency.
            Example value false. Allowed: a boolean. Left out when None (the API's default
            applies).
    """

    model_id: ClassVar[str] = "seedream_v5_lite"
    prompt: str
    image_url: Sequence[str] | None = None
    aspect_ratio: Literal["1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9"] | None = None
    resolution: Literal["2K", "3K"] = "2K"
    web_search: bool | None = None
