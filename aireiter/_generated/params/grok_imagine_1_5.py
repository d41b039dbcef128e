# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Grok Imagine 1.5 (``grok_imagine_1_5``, video; modes:
image-to-video). Not fully documented: only prompt is checked, other fields pass through.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["GrokImagine15Channel", "GrokImagine15Params"]

GrokImagine15Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``grok_imagine_1_5``: the four levels (the overview: every model has them) and
any other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class GrokImagine15Params(ModelParams):
    """Parameters of Grok Imagine 1.5 (``grok_imagine_1_5``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        image_url: First-frame image; a client reports image-to-video only, so it is probably
            required (3p). Not checked: known only from third-party code. Left out when None
            (the API's default applies).
        video_length: Clip length in seconds; a client clamps it to 1..15 (3p). Not checked:
            known only from third-party code. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio (3p). Not checked: known only from third-party code.
            Left out when None (the API's default applies).
        resolution: Output resolution; a client reports 720p maximum (3p). Not checked: known
            only from third-party code. Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "grok_imagine_1_5"
    prompt: str
    image_url: Any = None
    video_length: Any = None
    aspect_ratio: Any = None
    resolution: Any = None
