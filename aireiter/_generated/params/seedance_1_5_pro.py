# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedance 1.5 Pro (``seedance_1_5_pro``, video; modes:
text-to-video, first-last-frame, audio). Not fully documented: fields the spec does not list
pass through unchecked.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Seedance15ProChannel", "Seedance15ProParams"]

Seedance15ProChannel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``seedance_1_5_pro``: the four levels (the overview: every model has them) and
any other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Seedance15ProParams(ModelParams):
    """Parameters of Seedance 1.5 Pro (``seedance_1_5_pro``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        image_url: Start (first) frame, one public image URL; type by analogy with veo3_1 (one
            URL), while seedance2 (3p) sends a list. Not checked (sent as given): its name is
            inferred, not documented. Left out when None (the API's default applies).
        end_image_url: End (last) frame, one public image URL; by analogy with veo3_1. Not
            checked (sent as given): its name is inferred, not documented. Left out when None
            (the API's default applies).
        video_length: Clip length in seconds, sent as an integer (example 5); 4-12 s per the
            overview; default not known. Allowed: an integer, 4 to 12. Left out when None (the
            API's default applies).
        aspect_ratio: Output aspect ratio; values from the size table; default not known.
            Allowed: "16:9", "9:16". Left out when None (the API's default applies).
        resolution: Output resolution; 16:9 -> 1280x720 / 1920x1080, 9:16 -> 720x1280 /
            1080x1920. Allowed: "720p", "1080p". Left out when None (the API's default applies).
        generate_audio: Audio generation switch (the overview says the model supports audio
            generation); by analogy with seedance2 (3p). Whether audio needs a flag at all is
            not documented. Not checked (sent as given): its name is inferred, not documented.
            Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "seedance_1_5_pro"
    prompt: str
    image_url: Any = None
    end_image_url: Any = None
    video_length: int | None = None
    aspect_ratio: Literal["16:9", "9:16"] | None = None
    resolution: Literal["720p", "1080p"] | None = None
    generate_audio: Any = None
