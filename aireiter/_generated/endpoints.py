# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Every model's endpoint class, generated from the spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._endpoints import ModelEndpoint
from .images.gpt_4o import Gpt4oEndpoint
from .images.nano_banana import NanoBananaEndpoint
from .images.nano_banana_pro import NanoBananaProEndpoint
from .images.nano_banana_v2 import NanoBananaV2Endpoint
from .images.seedream_v4 import SeedreamV4Endpoint
from .images.seedream_v4_5 import SeedreamV45Endpoint
from .images.seedream_v5_lite import SeedreamV5LiteEndpoint
from .images.gpt_image_2 import GptImage2Endpoint
from .images.gpt_image_2_official import GptImage2OfficialEndpoint
from .videos.sora2 import Sora2Endpoint
from .videos.sora2_pro import Sora2ProEndpoint
from .videos.veo3_1 import Veo31Endpoint
from .videos.veo3_1_fast import Veo31FastEndpoint
from .videos.seedance_1_5_pro import Seedance15ProEndpoint
from .videos.seedance_pro import SeedanceProEndpoint
from .videos.seedance_pro_fast import SeedanceProFastEndpoint
from .videos.seedance2 import Seedance2Endpoint
from .videos.seedance2_fast import Seedance2FastEndpoint
from .videos.grok_imagine_1_5 import GrokImagine15Endpoint
from .videos.minimax_h3 import MinimaxH3Endpoint

ENDPOINT_CLASSES: Mapping[str, type[ModelEndpoint[Any]]] = {
    "gpt_4o": Gpt4oEndpoint,
    "nano_banana": NanoBananaEndpoint,
    "nano_banana_pro": NanoBananaProEndpoint,
    "nano_banana_v2": NanoBananaV2Endpoint,
    "seedream_v4": SeedreamV4Endpoint,
    "seedream_v4_5": SeedreamV45Endpoint,
    "seedream_v5_lite": SeedreamV5LiteEndpoint,
    "gpt_image_2": GptImage2Endpoint,
    "gpt_image_2_official": GptImage2OfficialEndpoint,
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
"""The endpoint class of every model, by model id."""

__all__ = [
    "ENDPOINT_CLASSES",
    "Gpt4oEndpoint",
    "GptImage2Endpoint",
    "GptImage2OfficialEndpoint",
    "GrokImagine15Endpoint",
    "MinimaxH3Endpoint",
    "NanoBananaEndpoint",
    "NanoBananaProEndpoint",
    "NanoBananaV2Endpoint",
    "Seedance15ProEndpoint",
    "Seedance2Endpoint",
    "Seedance2FastEndpoint",
    "SeedanceProEndpoint",
    "SeedanceProFastEndpoint",
    "SeedreamV45Endpoint",
    "SeedreamV4Endpoint",
    "SeedreamV5LiteEndpoint",
    "Sora2Endpoint",
    "Sora2ProEndpoint",
    "Veo31Endpoint",
    "Veo31FastEndpoint",
]
