"""Walk the spec against the emulator: every model completes a minimal request, and every
constrained field refuses a bad value with a ParamError before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from aireiter import AsyncAIReiter, ParamError, TaskStatus
from aireiter._endpoints import ModelEndpoint
from aireiter._spec import ModelSpec, ParamSpec, load_spec
from tests.conftest import EmulatorFactory

MODELS = list(load_spec().models.values())
URL = "https://example.com/ref.png"


def _endpoint(client: AsyncAIReiter, model: ModelSpec) -> Any:
    """The model's typed endpoint (typed as Any: the walk calls each with its own kwargs)."""
    namespace = client.images if model.kind == "image" else client.videos
    endpoint: ModelEndpoint[Any] = namespace.endpoint(model.id)
    return endpoint


def bad_values(param: ParamSpec) -> Iterator[tuple[str, Any]]:
    """(what is wrong, value) for every constraint of ``param``."""
    wrong_type = {"string": 12345, "integer": "7", "number": "7", "boolean": "yes", "array": 7}
    yield "type", wrong_type[param.type]
    if param.enum is not None:
        yield "enum", "not-an-option" if param.type == "string" else 987654
    if param.min is not None:
        yield "min", param.min - 1
    if param.max is not None:
        yield "max", param.max + 1
    if param.min_length:
        yield "min_length", ""
    if param.max_items is not None:
        yield "max_items", [URL] * (param.max_items + 1)
    if param.format == "image":
        yield "format", ["not-a-url"] if param.type == "array" else "not-a-url"
    if param.type == "array":
        yield "item type", [123]


def _cases() -> list[tuple[str, str, str, Any]]:
    cases: list[tuple[str, str, str, Any]] = []
    for model in MODELS:
        for param in model.params:
            if param.validated:
                cases.extend(
                    (model.id, param.name, what, value) for what, value in bad_values(param)
                )
    return cases


CASES = _cases()


async def test_every_model_completes_a_minimal_request(emulator_factory: EmulatorFactory) -> None:
    """For each model in the spec, generate(prompt=...) returns a completed task with outputs,
    sent under the model's own name."""
    emu = await emulator_factory(default_duration_s=0.01)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:

        async def run(model: ModelSpec) -> None:
            task = await _endpoint(client, model).generate(
                prompt=f"a test of {model.id}", poll_interval=0.01, wait_timeout=30
            )
            assert task.status is TaskStatus.COMPLETED, model.id
            assert task.urls, model.id
            assert task.model == model.id

        await asyncio.gather(*(run(model) for model in MODELS))
    assert len(emu.state.tasks) == len(MODELS)


async def test_every_constraint_refuses_a_bad_value_before_sending(
    emulator_factory: EmulatorFactory,
) -> None:
    """One bad value per constrained field: ParamError naming model, field and value; the
    emulator sees no request at all."""
    assert len(CASES) > 60
    emu = await emulator_factory(default_duration_s=0.01)
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:
        for model_id, field, what, value in CASES:
            model = load_spec().models[model_id]
            params: dict[str, Any] = {"prompt": "x", field: value}
            with pytest.raises(ParamError) as info:
                await _endpoint(client, model).submit(**params)
            error = info.value
            assert error.model == model_id, (model_id, field, what)
            assert error.field.split("[")[0] == field, (model_id, field, what, str(error))
            assert error.allowed, (model_id, field, what)
        for model in MODELS:
            namespace = client.images if model.kind == "image" else client.videos
            with pytest.raises(ParamError, match="prompt=None: is required"):
                await namespace.submit(model.id)
            with pytest.raises(ParamError, match="prompt=None: is required"):
                await _endpoint(client, model).submit(prompt=None)
    assert sum(emu.state.request_counts.values()) == 0
    assert emu.state.tasks == {}
