"""``client.videos``: every video model of the spec as a typed endpoint.

``await client.videos.sora2.generate(prompt=..., aspect_ratio="16:9", video_length="10")``
submits and waits; ``.submit(...)`` returns the pending task. For a model chosen at run time
use ``client.videos.submit("sora2", prompt=...)``; ``client.videos.list()`` (or iterating)
gives each model's spec. The per-model attributes are generated from the spec
(``aireiter/_generated/videos``); the behaviour is in :mod:`aireiter._endpoints`.
"""

from __future__ import annotations

from .._generated.videos import VideoModels

__all__ = ["AsyncVideos"]


class AsyncVideos(VideoModels):
    """Video models, reached as ``client.videos``: ``client.videos.<model_id>.generate(...)``,
    ``client.videos.submit(model_id, **params)``, ``client.videos.list()``."""
