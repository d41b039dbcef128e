# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 1c257ac537cc89c28d33814a3c00574f5a9e9a1abd46b5975e6dd34453d43068
"""Every video model of the spec as a typed attribute of ``client.videos``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

from ...resources._endpoint import ModelEndpoint, ModelNamespace
from .sora2 import Sora2Endpoint
from .sora2_pro import Sora2ProEndpoint
from .veo3_1 import Veo31Endpoint
from .veo3_1_fast import Veo31FastEndpoint
from .seedance_1_5_pro import Seedance15ProEndpoint
from .seedance_pro import SeedanceProEndpoint
from .seedance_pro_fast import SeedanceProFastEndpoint
from .seedance2 import Seedance2Endpoint
from .seedance2_fast import Seedance2FastEndpoint
from .grok_imagine_1_5 import GrokImagine15Endpoint
from .minimax_h3 import MinimaxH3Endpoint

__all__ = ["VideoModels"]


class VideoModels(ModelNamespace):
    """The video models, one typed attribute each (generated from the spec)."""

    kind: ClassVar[str] = "video"
    endpoint_classes: ClassVar[Mapping[str, type[ModelEndpoint[Any]]]] = {
        "sora2": Sora2Endpoint,
        "sora2_pro": Sora2ProEndpoint,
        "veo3_1": Veo31Endpoint,
        "veo3_1_fast": Veo31FastEndpoint,
        "seedance_1_5_pro": Seedance15ProEndpoint,
        "seedance_pro": SeedanceProEndpoint,
        "seedance_pro_fast": SeedanceProFastEndpoint,
        "seedance2": Seedance2Endpoint,
        "seedance2_fast": Seedance2FastEndpoint,
        "grok_imagine_1_5": GrokImagine15Endpoint,
        "minimax_h3": MinimaxH3Endpoint,
    }

    @cached_property
    def sora2(self) -> Sora2Endpoint:
        """OpenAI Sora 2 (``sora2``, video; modes: text-to-video, image-to-video)."""
        return Sora2Endpoint(self._client)

    @cached_property
    def sora2_pro(self) -> Sora2ProEndpoint:
        """OpenAI Sora 2 Pro (``sora2_pro``, video; modes: text-to-video, image-to-video)."""
        return Sora2ProEndpoint(self._client)

    @cached_property
    def veo3_1(self) -> Veo31Endpoint:
        """Google Veo 3.1 (``veo3_1``, video; modes: text-to-video, image-to-video,
        first-last-frame)."""
        return Veo31Endpoint(self._client)

    @cached_property
    def veo3_1_fast(self) -> Veo31FastEndpoint:
        """Google Veo 3.1 Fast (``veo3_1_fast``, video; modes: text-to-video, image-to-video,
        first-last-frame)."""
        return Veo31FastEndpoint(self._client)

    @cached_property
    def seedance_1_5_pro(self) -> Seedance15ProEndpoint:
        """Seedance 1.5 Pro (``seedance_1_5_pro``, video; modes: text-to-video)."""
        return Seedance15ProEndpoint(self._client)

    @cached_property
    def seedance_pro(self) -> SeedanceProEndpoint:
        """Seedance Pro (``seedance_pro``, video; modes: text-to-video, image-to-video,
        first-last-frame, reference-images, reference-videos). Not fully documented: only prompt
        is checked, other fields pass through."""
        return SeedanceProEndpoint(self._client)

    @cached_property
    def seedance_pro_fast(self) -> SeedanceProFastEndpoint:
        """Seedance Pro Fast (``seedance_pro_fast``, video; modes: text-to-video,
        image-to-video, first-last-frame, reference-images, reference-videos). Not fully
        documented: only prompt is checked, other fields pass through."""
        return SeedanceProFastEndpoint(self._client)

    @cached_property
    def seedance2(self) -> Seedance2Endpoint:
        """Seedance 2.0 (``seedance2``, video; modes: text-to-video, image-to-video,
        first-last-frame, reference-images, reference-videos, audio). Not fully documented: only
        prompt is checked, other fields pass through."""
        return Seedance2Endpoint(self._client)

    @cached_property
    def seedance2_fast(self) -> Seedance2FastEndpoint:
        """Seedance 2.0 Fast (``seedance2_fast``, video; modes: text-to-video, image-to-video,
        first-last-frame, reference-images, reference-videos). Not fully documented: only prompt
        is checked, other fields pass through."""
        return Seedance2FastEndpoint(self._client)

    @cached_property
    def grok_imagine_1_5(self) -> GrokImagine15Endpoint:
        """Grok Imagine 1.5 (``grok_imagine_1_5``, video; modes: image-to-video). Not fully
        documented: only prompt is checked, other fields pass through."""
        return GrokImagine15Endpoint(self._client)

    @cached_property
    def minimax_h3(self) -> MinimaxH3Endpoint:
        """MiniMax H3 (``minimax_h3``, video; modes: first-last-frame). Not fully documented:
        only prompt is checked, other fields pass through."""
        return MinimaxH3Endpoint(self._client)
