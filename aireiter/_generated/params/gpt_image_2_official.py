# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of GPT-Image-2 official OpenAI channel (``gpt_image_2_official``,
image; modes: text-to-image, image-to-image).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["GptImage2OfficialChannel", "GptImage2OfficialParams"]

GptImage2OfficialChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``gpt_image_2_official``: the four levels (the overview: every model has them)
and any other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class GptImage2OfficialParams(ModelParams):
    """Parameters of GPT-Image-2 official OpenAI channel (``gpt_image_2_official``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; subject to platform safety review. Allowed: a non-empty
            string. Required.
        aspect_ratio: Output aspect ratio; default not known. Allowed: "1:1", "3:2", "2:3",
            "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "21:9", "9:21". Left out
            when None (the API's default applies).
        resolution: Output tier; 4K only for 16:9, 9:16, 2:1, 1:2, 21:9, 9:21. Allowed: "1K",
            "2K", "4K". Left out when None (the API's default applies).
        quality: Rendering quality; 'high' in doc example, full enum from 3p. Allowed: "low",
            "medium", "high". Left out when None (the API's default applies).
        image_url: Reference images, URL and base64 mixed; field name inferred from sibling
            models. Field name inferred (not documented). Allowed: a list of strings, at most 9
            items, each an http(s) URL or a data:image/...;base64, URI. Left out when None (the
            API's default applies).
    """

    model_id: ClassVar[str] = "gpt_image_2_official"
    prompt: str
    aspect_ratio: Literal["1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "21:9", "9:21"] | None = None
    resolution: Literal["1K", "2K", "4K"] | None = None
    quality: Literal["low", "medium", "high"] | None = None
    image_url: Sequence[str] | None = None
