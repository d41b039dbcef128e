# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``,
image; modes: text-to-image, image-to-image).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["NanoBananaChannel", "NanoBananaParams"]

NanoBananaChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``nano_banana``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: "base", "plus", "max"; an unlisted one is sent with a
one-time UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class NanoBananaParams(ModelParams):
    """Parameters of Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description (required status inferred). Allowed: a non-empty string.
            Required.
        image_url: Reference images. The only documented value is one string with several URLs
            joined by commas; third-party clients send a list of URL strings. Either is accepted
            and sent as given. Allowed: a string or a list of strings, each an http(s) URL or a
            data:image/...;base64, URI, a string may join several URLs with commas. Left out
            when None (the API's default applies).
        aspect_ratio: Output aspect ratio; example 16:9; full enum not documented in corpus.
            Allowed: a string. Left out when None (the API's default applies).
        format: Output image format; example jpeg; enum not documented in corpus. Allowed: a
            string. Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "nano_banana"
    prompt: str
    image_url: str | Sequence[str] | None = None
    aspect_ratio: str | None = None
    format: str | None = None
