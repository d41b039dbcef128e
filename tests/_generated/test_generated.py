"""The generated modules follow the spec: every model reachable, every parameter typed."""

from __future__ import annotations

import inspect
import typing
from typing import Any, Literal

import attrs
import pytest

from aireiter._generated import SPEC_SHA256
from aireiter._generated.endpoints import ENDPOINT_CLASSES
from aireiter._generated.images import ImageModels
from aireiter._generated.images.gpt_4o import Gpt4oEndpoint
from aireiter._generated.videos import VideoModels
from aireiter._generated.videos.sora2 import Sora2Endpoint
from aireiter._spec import ModelSpec, load_spec
from aireiter.types import PARAMS_CLASSES

MODELS = list(load_spec().models.values())
COMMON = [
    "channel",
    "fallback_channels",
    "extra_params",
    "out_task_id",
    "callback_url",
    "metadata",
    "timeout",
    "max_retries",
    "extra_headers",
    "extra_query",
    "extra_body",
]


def test_generated_package_matches_the_loaded_spec() -> None:
    """The generated package was built from the spec shipped beside it."""
    assert load_spec().sha256 == SPEC_SHA256
    assert list(ENDPOINT_CLASSES) == list(load_spec().models)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_every_model_is_a_typed_namespace_attribute(model: ModelSpec) -> None:
    """client.images.<id> / client.videos.<id> exist and return the model's endpoint class."""
    namespace = ImageModels if model.kind == "image" else VideoModels
    assert model.id in namespace.endpoint_classes
    attribute = inspect.getattr_static(namespace, model.id)
    hints = typing.get_type_hints(attribute.func)
    assert hints["return"] is ENDPOINT_CLASSES[model.id]
    assert ENDPOINT_CLASSES[model.id].params_class is PARAMS_CLASSES[model.id]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
@pytest.mark.parametrize("method", ["submit", "generate"])
def test_signatures_follow_the_spec(model: ModelSpec, method: str) -> None:
    """Parameters are keyword-only, in spec order, with Literal enums and documented defaults."""
    function = getattr(ENDPOINT_CLASSES[model.id], method)
    signature = inspect.signature(function)
    names = [name for name in signature.parameters if name != "self"]
    extra = (
        ["wait_timeout", "poll_interval", "on_update", "download_dir"]
        if method == "generate"
        else []
    )
    assert names == [*model.param_names, *COMMON, *extra]
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY
        for name, p in signature.parameters.items()
        if name != "self"
    )
    hints = typing.get_type_hints(function)
    for param in model.params:
        parameter = signature.parameters[param.name]
        if param.required:
            assert parameter.default is inspect.Parameter.empty
        elif param.has_default:
            assert parameter.default == param.default
        else:
            assert parameter.default is None
        if param.enum is not None and param.validated:
            literal = hints[param.name]
            literal_args = [a for a in typing.get_args(literal) if a is not type(None)]
            if typing.get_origin(literal) is not Literal:
                (literal,) = literal_args
                literal_args = list(typing.get_args(literal))
            assert tuple(literal_args) == param.enum


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_params_classes_hold_exactly_the_spec_fields(model: ModelSpec) -> None:
    """Each params class has the spec's fields, keyword-only, and checks itself when built."""
    cls: Any = PARAMS_CLASSES[model.id]
    fields = attrs.fields(cls)
    assert [f.name for f in fields] == list(model.param_names)
    assert all(f.kw_only for f in fields)
    assert cls(prompt="a prompt").to_wire()["prompt"] == "a prompt"


def test_channel_arguments_are_literal_per_model() -> None:
    """channel is a Literal of the four levels on every model (the docs list some per model,
    the overview says all four exist), plus the model's other listed channels."""
    sora = typing.get_type_hints(Sora2Endpoint.submit)["channel"]
    levels = {"base", "plus", "advanced", "max"}
    assert set(typing.get_args(typing.get_args(sora)[0])) == levels
    gpt = typing.get_type_hints(Gpt4oEndpoint.submit)["channel"]
    assert set(typing.get_args(typing.get_args(gpt)[0])) == levels
    seedance2 = typing.get_type_hints(ENDPOINT_CLASSES["seedance2"].submit)["channel"]
    assert set(typing.get_args(typing.get_args(seedance2)[0])) == {*levels, "face"}


def test_params_classes_are_public_in_aireiter_types() -> None:
    """Every model's params class and channel alias is importable from aireiter.types."""
    import aireiter.types

    for model in MODELS:
        cls = PARAMS_CLASSES[model.id]
        assert getattr(aireiter.types, cls.__name__) is cls
        assert cls.__name__ in aireiter.types.__all__
        assert cls.__module__ == "aireiter.types"
        channel = cls.__name__.removesuffix("Params") + "Channel"
        assert channel in aireiter.types.__all__
    assert ENDPOINT_CLASSES["sora2"].params_class is aireiter.types.Sora2Params
