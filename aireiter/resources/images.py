"""``client.images``: every image model of the spec as a typed endpoint.

``await client.images.seedream_v4_5.generate(prompt=..., aspect_ratio="16:9")`` submits and
waits; ``.submit(...)`` returns the pending task. For a model chosen at run time use
``client.images.submit("seedream_v4_5", prompt=...)``; ``client.images.list()`` (or iterating)
gives each model's spec. The per-model attributes are generated from the spec
(``aireiter/_generated/images``); the behaviour is in :mod:`aireiter._endpoints`.
"""

from __future__ import annotations

from .._generated.images import ImageModels

__all__ = ["AsyncImages"]


class AsyncImages(ImageModels):
    """Image models, reached as ``client.images``: ``client.images.<model_id>.generate(...)``,
    ``client.images.submit(model_id, **params)``, ``client.images.list()``."""
