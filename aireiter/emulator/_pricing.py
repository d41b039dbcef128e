"""The emulator's price list: a simple, deterministic stand-in for the real one.

The real prices are not in the API docs. Here:

- an image task costs ``image_credits`` (10) per output image;
- a video task costs ``video_credits_per_5s`` (50) per started 5 seconds of clip length
  (``video_length``, else the model's default length);
- the channel scales the price: none (the bare name) x1, ``base`` x0.8, ``plus`` x1.25,
  ``advanced`` x1.5, ``max`` x2; any other channel x1.

So ``gpt_4o`` costs 10, ``seedream_v4`` with ``output_n="4"`` 40, ``sora2`` (10 s) 100,
``sora2_plus`` with ``video_length="15"`` 187.5.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from ._catalog import ModelInfo, video_length_s

__all__ = ["CHANNEL_PRICE_FACTORS", "estimate_credits"]

CHANNEL_PRICE_FACTORS: Final[Mapping[str | None, float]] = {
    None: 1.0,
    "base": 0.8,
    "plus": 1.25,
    "advanced": 1.5,
    "max": 2.0,
}


def estimate_credits(
    info: ModelInfo,
    params: Mapping[str, Any],
    outputs: int,
    *,
    image_credits: float,
    video_credits_per_5s: float,
) -> float:
    """The credits a task costs when it completes (its ``estimated_credits``)."""
    if info.kind == "video":
        units = max(1, math.ceil(video_length_s(info, params) / 5.0))
        price = video_credits_per_5s * units
    else:
        price = image_credits * outputs
    return price * CHANNEL_PRICE_FACTORS.get(info.channel, 1.0)
