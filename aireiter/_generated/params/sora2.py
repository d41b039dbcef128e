# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of OpenAI Sora 2 (``sora2``, video; modes: text-to-video,
image-to-video).
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Sora2Channel", "Sora2Params"]

Sora2Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``sora2``: the four levels (the overview: every model has them) and any other
listed one. Listed in the docs: "base", "plus", "advanced"; an unlisted one is sent with a
one-time UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Sora2Params(ModelParams):
    """Parameters of OpenAI Sora 2 (``sora2``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; docs state no limit. Allowed: a non-empty string. Required.
        image_url: Single first-frame image (public URL); field name inferred (same wording as
            Veo's image_url). Field name inferred (not documented). Allowed: an http(s) URL or a
            data:image/...;base64, URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio. Allowed: "16:9", "9:16". Default "16:9" (documented,
            sent).
        video_length: Clip length in seconds, sent as a string. Allowed: "10", "15". Default
            "10" (documented, sent).
    """

    model_id: ClassVar[str] = "sora2"
    prompt: str
    image_url: str | None = None
    aspect_ratio: Literal["16:9", "9:16"] = "16:9"
    video_length: Literal["10", "15"] = "10"
