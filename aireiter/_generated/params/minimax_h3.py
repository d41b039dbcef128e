# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Parameters and channels of MiniMax H3 (``minimax_h3``, video; modes: first-last-frame). Not
fully documented: only prompt is checked, other fields pass through.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from ..._spec import ModelParams

__all__ = ["MinimaxH3Channel", "MinimaxH3Params"]

MinimaxH3Channel: TypeAlias = Literal["base", "plus", "advanced", "max"]
"""Channels of ``minimax_h3``: the four levels (the overview: every model has them) and any
other listed one. Listed in the docs: none; an unlisted one is sent with a one-time
UndocumentedChannelWarning.
"""


@attrs.frozen(kw_only=True)
class MinimaxH3Params(ModelParams):
    """Parameters of MiniMax H3 (``minimax_h3``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        type: Mode, e.g. first_last_frame (3p). Not checked: known only from third-party code.
            Left out when None (the API's default applies).
        image_url: Frame images (3p). Not checked: known only from third-party code. Left out
            when None (the API's default applies).
        video_length: Clip length in seconds, e.g. 7 (3p). Not checked: known only from
            third-party code. Left out when None (the API's default applies).
        quality: Output quality, e.g. 2k (3p). Not checked: known only from third-party code.
            Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "minimax_h3"
    prompt: str
    type: Any = None
    image_url: Any = None
    video_length: Any = None
    quality: Any = None
