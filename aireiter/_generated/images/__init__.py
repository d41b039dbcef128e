# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Every image model of the spec as a typed attribute of ``client.images``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

from ..._endpoints import ModelEndpoint, ModelNamespace, SyncModelNamespace
from .gpt_4o import Gpt4oEndpoint, Gpt4oSyncEndpoint
from .nano_banana import NanoBananaEndpoint, NanoBananaSyncEndpoint
from .nano_banana_pro import NanoBananaProEndpoint, NanoBananaProSyncEndpoint
from .nano_banana_v2 import NanoBananaV2Endpoint, NanoBananaV2SyncEndpoint
from .seedream_v4 import SeedreamV4Endpoint, SeedreamV4SyncEndpoint
from .seedream_v4_5 import SeedreamV45Endpoint, SeedreamV45SyncEndpoint
from .seedream_v5_lite import SeedreamV5LiteEndpoint, SeedreamV5LiteSyncEndpoint
from .gpt_image_2 import GptImage2Endpoint, GptImage2SyncEndpoint
from .gpt_image_2_official import GptImage2OfficialEndpoint, GptImage2OfficialSyncEndpoint

__all__ = ["ImageModels", "SyncImageModels"]


class ImageModels(ModelNamespace):
    """The image models, one typed attribute each (generated from the spec)."""

    kind: ClassVar[str] = "image"
    endpoint_classes: ClassVar[Mapping[str, type[ModelEndpoint[Any]]]] = {
        "gpt_4o": Gpt4oEndpoint,
        "nano_banana": NanoBananaEndpoint,
        "nano_banana_pro": NanoBananaProEndpoint,
        "nano_banana_v2": NanoBananaV2Endpoint,
        "seedream_v4": SeedreamV4Endpoint,
        "seedream_v4_5": SeedreamV45Endpoint,
        "seedream_v5_lite": SeedreamV5LiteEndpoint,
        "gpt_image_2": GptImage2Endpoint,
        "gpt_image_2_official": GptImage2OfficialEndpoint,
    }

    @cached_property
    def gpt_4o(self) -> Gpt4oEndpoint:
        """GPT-4o Image (``gpt_4o``, image; modes: text-to-image, image-to-image)."""
        return Gpt4oEndpoint(self._client)

    @cached_property
    def nano_banana(self) -> NanoBananaEndpoint:
        """Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``, image; modes:
        text-to-image, image-to-image)."""
        return NanoBananaEndpoint(self._client)

    @cached_property
    def nano_banana_pro(self) -> NanoBananaProEndpoint:
        """Gemini-3-Pro-Image-preview (Nano Banana Pro) (``nano_banana_pro``, image; modes:
        text-to-image, image-to-image, multi-reference)."""
        return NanoBananaProEndpoint(self._client)

    @cached_property
    def nano_banana_v2(self) -> NanoBananaV2Endpoint:
        """Nano Banana V2 (``nano_banana_v2``, image; modes: text-to-image, image-to-image,
        edit)."""
        return NanoBananaV2Endpoint(self._client)

    @cached_property
    def seedream_v4(self) -> SeedreamV4Endpoint:
        """Seedream 4.0 (``seedream_v4``, image; modes: text-to-image, image-to-image)."""
        return SeedreamV4Endpoint(self._client)

    @cached_property
    def seedream_v4_5(self) -> SeedreamV45Endpoint:
        """Seedream 4.5 (``seedream_v4_5``, image; modes: text-to-image, image-to-image,
        multi-reference)."""
        return SeedreamV45Endpoint(self._client)

    @cached_property
    def seedream_v5_lite(self) -> SeedreamV5LiteEndpoint:
        """Seedream 5.0 Lite (``seedream_v5_lite``, image; modes: text-to-image, image-to-image,
        multi-reference)."""
        return SeedreamV5LiteEndpoint(self._client)

    @cached_property
    def gpt_image_2(self) -> GptImage2Endpoint:
        """GPT-Image-2 (standard/cheaper channel) (``gpt_image_2``, image; modes: text-to-image,
        image-to-image)."""
        return GptImage2Endpoint(self._client)

    @cached_property
    def gpt_image_2_official(self) -> GptImage2OfficialEndpoint:
        """GPT-Image-2 official OpenAI channel (``gpt_image_2_official``, image; modes:
        text-to-image, image-to-image)."""
        return GptImage2OfficialEndpoint(self._client)


class SyncImageModels(SyncModelNamespace):
    """The image models of the blocking client, one typed attribute each."""

    _models: ImageModels

    @cached_property
    def gpt_4o(self) -> Gpt4oSyncEndpoint:
        """GPT-4o Image (``gpt_4o``, image; modes: text-to-image, image-to-image)."""
        return Gpt4oSyncEndpoint(self._call, self._models.gpt_4o)

    @cached_property
    def nano_banana(self) -> NanoBananaSyncEndpoint:
        """Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``, image; modes:
        text-to-image, image-to-image)."""
        return NanoBananaSyncEndpoint(self._call, self._models.nano_banana)

    @cached_property
    def nano_banana_pro(self) -> NanoBananaProSyncEndpoint:
        """Gemini-3-Pro-Image-preview (Nano Banana Pro) (``nano_banana_pro``, image; modes:
        text-to-image, image-to-image, multi-reference)."""
        return NanoBananaProSyncEndpoint(self._call, self._models.nano_banana_pro)

    @cached_property
    def nano_banana_v2(self) -> NanoBananaV2SyncEndpoint:
        """Nano Banana V2 (``nano_banana_v2``, image; modes: text-to-image, image-to-image,
        edit)."""
        return NanoBananaV2SyncEndpoint(self._call, self._models.nano_banana_v2)

    @cached_property
    def seedream_v4(self) -> SeedreamV4SyncEndpoint:
        """Seedream 4.0 (``seedream_v4``, image; modes: text-to-image, image-to-image)."""
        return SeedreamV4SyncEndpoint(self._call, self._models.seedream_v4)

    @cached_property
    def seedream_v4_5(self) -> SeedreamV45SyncEndpoint:
        """Seedream 4.5 (``seedream_v4_5``, image; modes: text-to-image, image-to-image,
        multi-reference)."""
        return SeedreamV45SyncEndpoint(self._call, self._models.seedream_v4_5)

    @cached_property
    def seedream_v5_lite(self) -> SeedreamV5LiteSyncEndpoint:
        """Seedream 5.0 Lite (``seedream_v5_lite``, image; modes: text-to-image, image-to-image,
        multi-reference)."""
        return SeedreamV5LiteSyncEndpoint(self._call, self._models.seedream_v5_lite)

    @cached_property
    def gpt_image_2(self) -> GptImage2SyncEndpoint:
        """GPT-Image-2 (standard/cheaper channel) (``gpt_image_2``, image; modes: text-to-image,
        image-to-image)."""
        return GptImage2SyncEndpoint(self._call, self._models.gpt_image_2)

    @cached_property
    def gpt_image_2_official(self) -> GptImage2OfficialSyncEndpoint:
        """GPT-Image-2 official OpenAI channel (``gpt_image_2_official``, image; modes:
        text-to-image, image-to-image)."""
        return GptImage2OfficialSyncEndpoint(self._call, self._models.gpt_image_2_official)
