# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Every video model of the spec as a typed attribute of ``client.videos``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

from ..._endpoints import ModelEndpoint, ModelNamespace, SyncModelNamespace
from .sora2 import Sora2Endpoint, Sora2SyncEndpoint
from .sora2_pro import Sora2ProEndpoint, Sora2ProSyncEndpoint
from .veo3_1 import Veo31Endpoint, Veo31SyncEndpoint
from .veo3_1_fast import Veo31FastEndpoint, Veo31FastSyncEndpoint
from .seedance_1_5_pro import Seedance15ProEndpoint, Seedance15ProSyncEndpoint
from .seedance_pro import SeedanceProEndpoint, SeedanceProSyncEndpoint
from .seedance_pro_fast import SeedanceProFastEndpoint, SeedanceProFastSyncEndpoint
from .seedance2 import Seedance2Endpoint, Seedance2SyncEndpoint
from .seedance2_fast import Seedance2FastEndpoint, Seedance2FastSyncEndpoint
from .grok_imagine_1_5 import GrokImagine15Endpoint, GrokImagine15SyncEndpoint
from .minimax_h3 import MinimaxH3Endpoint, MinimaxH3SyncEndpoint

__all__ = ["VideoModels", "SyncVideoModels"]


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
        """Seedance 1.5 Pro (``seedance_1_5_pro``, video; modes: text-to-video,
        first-last-frame, audio). Not fully documented: fields the spec does not list pass
        through unchecked."""
        return Seedance15ProEndpoint(self._client)

    @cached_property
    def seedance_pro(self) -> SeedanceProEndpoint:
        """Seedance Pro (``seedance_pro``, video; modes: first-last-frame). Not fully
        documented: only prompt is checked, other fields pass through. The model id is a guess:
        no source gives it."""
        return SeedanceProEndpoint(self._client)

    @cached_property
    def seedance_pro_fast(self) -> SeedanceProFastEndpoint:
        """Seedance Pro Fast (``seedance_pro_fast``, video; modes: image-to-video). Not fully
        documented: only prompt is checked, other fields pass through. The model id is a guess:
        no source gives it."""
        return SeedanceProFastEndpoint(self._client)

    @cached_property
    def seedance2(self) -> Seedance2Endpoint:
        """Seedance 2.0 (``seedance2``, video; modes: text-to-video, first-last-frame,
        reference-images, reference-videos, audio). Not fully documented: only prompt is
        checked, other fields pass through."""
        return Seedance2Endpoint(self._client)

    @cached_property
    def seedance2_fast(self) -> Seedance2FastEndpoint:
        """Seedance 2.0 Fast (``seedance2_fast``, video; modes: reference-images,
        first-last-frame). Not fully documented: only prompt is checked, other fields pass
        through. The model id is a guess: no source gives it."""
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


class SyncVideoModels(SyncModelNamespace):
    """The video models of the blocking client, one typed attribute each."""

    _models: VideoModels

    @cached_property
    def sora2(self) -> Sora2SyncEndpoint:
        """OpenAI Sora 2 (``sora2``, video; modes: text-to-video, image-to-video)."""
        return Sora2SyncEndpoint(self._call, self._models.sora2)

    @cached_property
    def sora2_pro(self) -> Sora2ProSyncEndpoint:
        """OpenAI Sora 2 Pro (``sora2_pro``, video; modes: text-to-video, image-to-video)."""
        return Sora2ProSyncEndpoint(self._call, self._models.sora2_pro)

    @cached_property
    def veo3_1(self) -> Veo31SyncEndpoint:
        """Google Veo 3.1 (``veo3_1``, video; modes: text-to-video, image-to-video,
        first-last-frame)."""
        return Veo31SyncEndpoint(self._call, self._models.veo3_1)

    @cached_property
    def veo3_1_fast(self) -> Veo31FastSyncEndpoint:
        """Google Veo 3.1 Fast (``veo3_1_fast``, video; modes: text-to-video, image-to-video,
        first-last-frame)."""
        return Veo31FastSyncEndpoint(self._call, self._models.veo3_1_fast)

    @cached_property
    def seedance_1_5_pro(self) -> Seedance15ProSyncEndpoint:
        """Seedance 1.5 Pro (``seedance_1_5_pro``, video; modes: text-to-video,
        first-last-frame, audio). Not fully documented: fields the spec does not list pass
        through unchecked."""
        return Seedance15ProSyncEndpoint(self._call, self._models.seedance_1_5_pro)

    @cached_property
    def seedance_pro(self) -> SeedanceProSyncEndpoint:
        """Seedance Pro (``seedance_pro``, video; modes: first-last-frame). Not fully
        documented: only prompt is checked, other fields pass through. The model id is a guess:
        no source gives it."""
        return SeedanceProSyncEndpoint(self._call, self._models.seedance_pro)

    @cached_property
    def seedance_pro_fast(self) -> SeedanceProFastSyncEndpoint:
        """Seedance Pro Fast (``seedance_pro_fast``, video; modes: image-to-video). Not fully
        documented: only prompt is checked, other fields pass through. The model id is a guess:
        no source gives it."""
        return SeedanceProFastSyncEndpoint(self._call, self._models.seedance_pro_fast)

    @cached_property
    def seedance2(self) -> Seedance2SyncEndpoint:
        """Seedance 2.0 (``seedance2``, video; modes: text-to-video, first-last-frame,
        reference-images, reference-videos, audio). Not fully documented: only prompt is
        checked, other fields pass through."""
        return Seedance2SyncEndpoint(self._call, self._models.seedance2)

    @cached_property
    def seedance2_fast(self) -> Seedance2FastSyncEndpoint:
        """Seedance 2.0 Fast (``seedance2_fast``, video; modes: reference-images,
        first-last-frame). Not fully documented: only prompt is checked, other fields pass
        through. The model id is a guess: no source gives it."""
        return Seedance2FastSyncEndpoint(self._call, self._models.seedance2_fast)

    @cached_property
    def grok_imagine_1_5(self) -> GrokImagine15SyncEndpoint:
        """Grok Imagine 1.5 (``grok_imagine_1_5``, video; modes: image-to-video). Not fully
        documented: only prompt is checked, other fields pass through."""
        return GrokImagine15SyncEndpoint(self._call, self._models.grok_imagine_1_5)

    @cached_property
    def minimax_h3(self) -> MinimaxH3SyncEndpoint:
        """MiniMax H3 (``minimax_h3``, video; modes: first-last-frame). Not fully documented:
        only prompt is checked, other fields pass through."""
        return MinimaxH3SyncEndpoint(self._call, self._models.minimax_h3)
