# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""The params class and channel alias of every model, generated from the spec."""

from __future__ import annotations

from collections.abc import Mapping

from ..._spec import ModelParams
from .gpt_4o import Gpt4oChannel, Gpt4oParams
from .nano_banana import NanoBananaChannel, NanoBananaParams
from .nano_banana_pro import NanoBananaProChannel, NanoBananaProParams
from .nano_banana_v2 import NanoBananaV2Channel, NanoBananaV2Params
from .seedream_v4 import SeedreamV4Channel, SeedreamV4Params
from .seedream_v4_5 import SeedreamV45Channel, SeedreamV45Params
from .seedream_v5_lite import SeedreamV5LiteChannel, SeedreamV5LiteParams
from .gpt_image_2 import GptImage2Channel, GptImage2Params
from .gpt_image_2_official import GptImage2OfficialChannel, GptImage2OfficialParams
from .sora2 import Sora2Channel, Sora2Params
from .sora2_pro import Sora2ProChannel, Sora2ProParams
from .veo3_1 import Veo31Channel, Veo31Params
from .veo3_1_fast import Veo31FastChannel, Veo31FastParams
from .seedance_1_5_pro import Seedance15ProChannel, Seedance15ProParams
from .seedance_pro import SeedanceProChannel, SeedanceProParams
from .seedance_pro_fast import SeedanceProFastChannel, SeedanceProFastParams
from .seedance2 import Seedance2Channel, Seedance2Params
from .seedance2_fast import Seedance2FastChannel, Seedance2FastParams
from .grok_imagine_1_5 import GrokImagine15Channel, GrokImagine15Params
from .minimax_h3 import MinimaxH3Channel, MinimaxH3Params

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

__all__ = [
    "Gpt4oChannel",
    "Gpt4oParams",
    "GptImage2Channel",
    "GptImage2OfficialChannel",
    "GptImage2OfficialParams",
    "GptImage2Params",
    "GrokImagine15Channel",
    "GrokImagine15Params",
    "MinimaxH3Channel",
    "MinimaxH3Params",
    "NanoBananaChannel",
    "NanoBananaParams",
    "NanoBananaProChannel",
    "NanoBananaProParams",
    "NanoBananaV2Channel",
    "NanoBananaV2Params",
    "PARAMS_CLASSES",
    "Seedance15ProChannel",
    "Seedance15ProParams",
    "Seedance2Channel",
    "Seedance2FastChannel",
    "Seedance2FastParams",
    "Seedance2Params",
    "SeedanceProChannel",
    "SeedanceProFastChannel",
    "SeedanceProFastParams",
    "SeedanceProParams",
    "SeedreamV45Channel",
    "SeedreamV45Params",
    "SeedreamV4Channel",
    "SeedreamV4Params",
    "SeedreamV5LiteChannel",
    "SeedreamV5LiteParams",
    "Sora2Channel",
    "Sora2Params",
    "Sora2ProChannel",
    "Sora2ProParams",
    "Veo31Channel",
    "Veo31FastChannel",
    "Veo31FastParams",
    "Veo31Params",
]
