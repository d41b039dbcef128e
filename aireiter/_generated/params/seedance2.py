# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of Seedance 2.0 (``seedance2``, video; modes: text-to-video,
first-last-frame, reference-images, reference-videos, audio). Not fully documented: only prompt
is checked, other fields pass through.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["Seedance2Channel", "Seedance2Params"]

Seedance2Channel: TypeAlias = Literal["base", "plus", "advanced", "max", "face"]
"""Channels of ``seedance2``: the four levels (the overview: every model has them) and any other
listed one. Listed in the docs: "face"; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class Seedance2Params(ModelParams):
    """Parameters of Seedance 2.0 (``seedance2``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        type: Reference mode: all_reference or first_last_frame (3p). Not checked: known only
            from third-party code. Left out when None (the API's default applies).
        image_url: Reference images (all_reference, up to 9) or the first frame
            (first_last_frame, 1) (3p). Not checked: known only from third-party code. Left out
            when None (the API's default applies).
        end_image_url: Last frame; first_last_frame only (3p). Not checked: known only from
            third-party code. Left out when None (the API's default applies).
        video_url: Reference videos, up to 3; all_reference only (3p). Not checked: known only
            from third-party code. Left out when None (the API's default applies).
        aspect_ratio: Output aspect ratio: 16:9, 9:16, 1:1, 4:3, 3:4, 21:9 (3p). Not checked:
            known only from third-party code. Left out when None (the API's default applies).
        resolution: Output resolution: 480p, 720p, 1080p (3p). Not checked: known only from
            third-party code. Left out when None (the API's default applies).
        video_length: Clip length in seconds as a string, 4 to 15 (3p). Not checked: known only
            from third-party code. Left out when None (the API's default applies).
        generate_audio: Generate synchronized audio (3p). Not checked: known only from
            third-party code. Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "seedance2"
    prompt: str
    type: Any = None
    image_url: Any = None
    end_image_url: Any = None
    video_url: Any = None
    aspect_ratio: Any = None
    resolution: Any = None
    video_length: Any = None
    generate_audio: Any = None
