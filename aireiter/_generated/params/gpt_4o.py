# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of GPT-4o Image (``gpt_4o``, image; modes: text-to-image,
image-to-image).
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Gpt4oChannel", "Gpt4oParams"]

Gpt4oChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``gpt_4o``: the four levels (the overview: every model has them) and any other
listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Gpt4oParams(ModelParams):
    """Parameters of GPT-4o Image (``gpt_4o``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description; docs state no length limit. Allowed: a non-empty string.
            Required.
        image_url: Single reference image (public URL) for image-to-image. Allowed: an http(s)
            URL or a data:image/...;base64, URI. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio. Allowed: "1:1", "3:2", "2:3". Default "1:1"
            (documented, sent).
    """

    model_id: ClassVar[str] = "gpt_4o"
    prompt: str
    image_url: str | None = None
    aspect_ratio: Literal["1:1", "3:2", "2:3"] = "1:1"
