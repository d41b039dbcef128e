# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Google Veo 3.1 (``veo3_1``, video; modes: text-to-video,
image-to-video, first-last-frame).
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Veo31Channel", "Veo31Params"]

Veo31Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``veo3_1``: the four levels (the overview: every model has them) and any other
listed one. Listed in the docs: "base", "plus"; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Veo31Params(ModelParams):
    """Parameters of Google Veo 3.1 (``veo3_1``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; docs state no limitations. Allowed: a non-empty string.
            Required.
        image_url: Single first-frame image (public URL). Allowed: an http(s) URL or a
            data:image/...;base64, URI. Left out when None (the API's default applies).
        end_image_url: Single last-frame image (public URL). Allowed: an http(s) URL or a
            data:image/...;base64, URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio. Allowed: "16:9", "9:16". Default "16:9" (documented,
            sent).
    """

    model_id: ClassVar[str] = "veo3_1"
    prompt: str
    image_url: str | None = None
    end_image_url: str | None = None
    aspect_ratio: Literal["16:9", "9:16"] = "16:9"
