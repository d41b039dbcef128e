# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 1c257ac537cc89c28d33814a3c00574f5a9e9a1abd46b5975e6dd34453d43068
"""Typed modules generated from the model spec: params and endpoint classes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._spec import ModelParams
from ..resources._endpoint import ModelEndpoint
from .images.gpt_4o import Gpt4oEndpoint, Gpt4oParams
from .images.nano_banana import NanoBananaChannel, NanoBananaEndpoint, NanoBananaParams
from .images.nano_banana_pro import NanoBananaProChannel, NanoBananaProEndpoint, NanoBananaProParams
from .images.nano_banana_v2 import NanoBananaV2Channel, NanoBananaV2Endpoint, NanoBananaV2Params
from .images.seedream_v4 import SeedreamV4Endpoint, SeedreamV4Params
from .images.seedream_v4_5 import SeedreamV45Endpoint, SeedreamV45Params
from .images.seedream_v5_lite import SeedreamV5LiteEndpoint, SeedreamV5LiteParams
from .images.gpt_image_2 import GptImage2Endpoint, GptImage2Params
from .images.gpt_image_2_official import GptImage2OfficialEndpoint, GptImage2OfficialParams
from .videos.sora2 import Sora2Channel, Sora2Endpoint, Sora2Params
from .videos.sora2_pro import Sora2ProChannel, Sora2ProEndpoint, Sora2ProParams
from .videos.veo3_1 import Veo31Channel, Veo31Endpoint, Veo31Params
from .videos.veo3_1_fast import Veo31FastEndpoint, Veo31FastParams
from .videos.seedance_1_5_pro import Seedance15ProEndpoint, Seedance15ProParams
from .videos.seedance_pro import SeedanceProEndpoint, SeedanceProParams
from .videos.seedance_pro_fast import SeedanceProFastEndpoint, SeedanceProFastParams
from .videos.seedance2 import Seedance2Channel, Seedance2Endpoint, Seedance2Params
from .videos.seedance2_fast import Seedance2FastEndpoint, Seedance2FastParams
from .videos.grok_imagine_1_5 import GrokImagine15Endpoint, GrokImagine15Params
from .videos.minimax_h3 import MinimaxH3Endpoint, MinimaxH3Params

SPEC_SHA256 = "1c257ac537cc89c28d33814a3c00574f5a9e9a1abd46b5975e6dd34453d43068"
"""SHA-256 of the spec these modules were generated from."""

PARAMS_CLASSES: Mapping[str, type[ModelParams]] = {
    "gpt_4o": Gpt4oParams,
    "nano_banana": NanoBananaParams,
    "nano_banana_pro": NanoBananaProParams,
    "nano_banana_v2": NanoBananaV2Params,
    "seedream_v4": SeedreamV4Params,
    "seedream_v4_5": SeedreamV45Params,
    "seedream_v5_lite": SeedreamV5LiteParams,
    "gpt_image_2": GptImage2Params,
    "gpt_image_2_official": GptImage2OfficialParams,
    "sora2": Sora2Params,
    "sora2_pro": Sora2ProParams,
    "veo3_1": Veo31Params,
    "veo3_1_fast": Veo31FastParams,
    "seedance_1_5_pro": Seedance15ProParams,
    "seedance_pro": SeedanceProParams,
    "seedance_pro_fast": SeedanceProFastParams,
    "seedance2": Seedance2Params,
    "seedance2_fast": Seedance2FastParams,
    "grok_imagine_1_5": GrokImagine15Params,
    "minimax_h3": MinimaxH3Params,
}
"""The params class of every model, by model id."""

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
    "Gpt4oParams",
    "GptImage2Endpoint",
    "GptImage2OfficialEndpoint",
    "GptImage2OfficialParams",
    "GptImage2Params",
    "GrokImagine15Endpoint",
    "GrokImagine15Params",
    "MinimaxH3Endpoint",
    "MinimaxH3Params",
    "NanoBananaChannel",
    "NanoBananaEndpoint",
    "NanoBananaParams",
    "NanoBananaProChannel",
    "NanoBananaProEndpoint",
    "NanoBananaProParams",
    "NanoBananaV2Channel",
    "NanoBananaV2Endpoint",
    "NanoBananaV2Params",
    "PARAMS_CLASSES",
    "SPEC_SHA256",
    "Seedance15ProEndpoint",
    "Seedance15ProParams",
    "Seedance2Channel",
    "Seedance2Endpoint",
    "Seedance2FastEndpoint",
    "Seedance2FastParams",
    "Seedance2Params",
    "SeedanceProEndpoint",
    "SeedanceProFastEndpoint",
    "SeedanceProFastParams",
    "SeedanceProParams",
    "SeedreamV45Endpoint",
    "SeedreamV45Params",
    "SeedreamV4Endpoint",
    "SeedreamV4Params",
    "SeedreamV5LiteEndpoint",
    "SeedreamV5LiteParams",
    "Sora2Channel",
    "Sora2Endpoint",
    "Sora2Params",
    "Sora2ProChannel",
    "Sora2ProEndpoint",
    "Sora2ProParams",
    "Veo31Channel",
    "Veo31Endpoint",
    "Veo31FastEndpoint",
    "Veo31FastParams",
    "Veo31Params",
]
