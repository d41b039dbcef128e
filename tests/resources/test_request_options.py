"""Per-call request options (``extra_headers``, ``extra_query``, ``extra_body``) and the
request id on every returned task, against the emulator with a recorder in front of it.

The recorder is an ``on_response_prepare`` hook added to the emulator's application: for each
answer it keeps the request (path, query, headers, JSON body) and the answer's
``X-Request-Id``, so a test sees exactly what went over the wire.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, ParamError
from aireiter.emulator import STATE_KEY, EmulatorConfig, RunningEmulator, create_app

MODEL = "seedream_v4_5"
HEADERS = {"X-Gateway-Route": "eu-west"}
QUERY: dict[str, str | int | float] = {"trace": "on", "shard": 3}


@attrs.define
class Exchange:
    """One request as the server saw it, and the request id it answered with."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    request_id: str | None


class Recorded:
    """The emulator and every exchange it had."""

    def __init__(self, emulator: RunningEmulator, exchanges: list[Exchange]) -> None:
        self.emulator = emulator
        self.exchanges = exchanges

    def to(self, path: str) -> list[Exchange]:
        """The exchanges with ``path``, in order."""
        return [e for e in self.exchanges if e.path == path]

    def client(self) -> AsyncAIReiter:
        """A client of the emulator."""
        return AsyncAIReiter(api_key=self.emulator.api_key, base_url=self.emulator.base_url)


@pytest.fixture
async def recorded() -> AsyncIterator[Recorded]:
    """The emulator (tasks of about 0.05 s) with the recorder in front."""
    exchanges: list[Exchange] = []

    async def record(request: web.Request, response: web.StreamResponse) -> None:
        raw = await request.read()
        exchanges.append(
            Exchange(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=json.loads(raw) if raw else None,
                request_id=response.headers.get("X-Request-Id"),
            )
        )

    config = EmulatorConfig(default_duration_s=0.05)
    app = create_app(config)
    app.on_response_prepare.append(record)  # after the hook that sets X-Request-Id
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        app[STATE_KEY].base_url = base_url
        emulator = RunningEmulator(
            base_url=base_url, api_key=config.api_keys[0], state=app[STATE_KEY], app=app
        )
        yield Recorded(emulator, exchanges)
    finally:
        await runner.cleanup()


def _carries_extras(exchange: Exchange) -> None:
    assert exchange.headers["X-Gateway-Route"] == "eu-west"
    assert exchange.query == {"trace": "on", "shard": "3"}
    assert exchange.headers["Authorization"].startswith("Bearer ")  # the client's stay


async def test_task_calls_send_the_extras(recorded: Recorded) -> None:
    """submit, query, wait (each of its polls) and balance send extra_headers and
    extra_query, and add extra_body's fields to their JSON bodies."""
    async with recorded.client() as client:
        task = await client.tasks.submit(
            MODEL,
            {"prompt": "a fox"},
            extra_headers=HEADERS,
            extra_query=QUERY,
            extra_body={"priority": "high"},
        )
        await client.tasks.query(
            task.out_task_id, extra_headers=HEADERS, extra_query=QUERY, extra_body={"lang": "en"}
        )
        await client.tasks.wait(task, poll_interval=0.02, extra_headers=HEADERS, extra_query=QUERY)
        await client.tasks.balance(
            extra_headers=HEADERS, extra_query=QUERY, extra_body={"detail": True}
        )
    (submit,) = recorded.to("/api/openapi/submit")
    _carries_extras(submit)
    assert submit.body["priority"] == "high"
    assert submit.body["out_task_id"] == task.out_task_id
    assert submit.body["params"] == {"prompt": "a fox"}
    queries = recorded.to("/api/openapi/query")
    assert len(queries) >= 2  # the query, then at least one poll of the wait
    for query in queries:
        _carries_extras(query)
    assert queries[0].body == {"out_task_id": task.out_task_id, "lang": "en"}
    assert queries[-1].body == {"out_task_id": task.out_task_id}
    (balance,) = recorded.to("/api/openapi/balance")
    _carries_extras(balance)
    assert balance.body == {"detail": True}


async def test_an_extra_header_wins_over_the_clients(recorded: Recorded) -> None:
    """A header named in extra_headers replaces the client's header of that name, for that
    call only."""
    async with recorded.client() as client:
        await client.balance()
        await client.tasks.balance(extra_headers={"User-Agent": "my-gateway/1.0"})
        await client.balance()
    first, second, third = recorded.to("/api/openapi/balance")
    assert second.headers["User-Agent"] == "my-gateway/1.0"
    assert first.headers["User-Agent"].startswith("aireiter-python/")
    assert third.headers["User-Agent"] == first.headers["User-Agent"]


async def test_generate_sends_the_extras_with_its_submit_and_its_polls(
    recorded: Recorded,
) -> None:
    """A typed endpoint's generate() sends the extra headers and query with the submit and
    every poll; the extra body goes with the submit only. The run-time namespace's submit
    takes them too."""
    async with recorded.client() as client:
        task = await client.images.seedream_v4_5.generate(
            prompt="a fox",
            poll_interval=0.02,
            extra_headers=HEADERS,
            extra_query=QUERY,
            extra_body={"priority": "high"},
        )
        await client.images.submit(MODEL, prompt="a hare", extra_headers=HEADERS, extra_query=QUERY)
    first, second = recorded.to("/api/openapi/submit")
    _carries_extras(first)
    _carries_extras(second)
    assert first.body["priority"] == "high"
    assert first.body["out_task_id"] == task.out_task_id
    polls = recorded.to("/api/openapi/query")
    assert polls
    for poll in polls:
        _carries_extras(poll)
        assert poll.body == {"out_task_id": task.out_task_id}


async def test_messages_send_the_extras(recorded: Recorded) -> None:
    """messages.create() and messages.stream() send extra headers (besides
    anthropic-version) and the extra query."""
    hello = [{"role": "user", "content": "hello"}]
    async with recorded.client() as client:
        await client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=16,
            messages=hello,
            extra_headers={"anthropic-beta": "tools-2025"},
            extra_query={"beta": "true"},
        )
        async with client.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=16,
            messages=hello,
            extra_headers={"anthropic-beta": "tools-2025"},
            extra_query={"beta": "true"},
        ) as stream:
            assert await stream.get_final_text()
    plain, streamed = recorded.to("/api/v1/messages")
    for exchange in (plain, streamed):
        assert exchange.headers["anthropic-beta"] == "tools-2025"
        assert exchange.headers["anthropic-version"] == "2023-06-01"
        assert exchange.query == {"beta": "true"}
    assert streamed.body["stream"] is True


async def test_extra_body_cannot_replace_an_argument(recorded: Recorded) -> None:
    """extra_body naming a field the call sets from its own argument (out_task_id, params,
    model...) is a ParamError, and nothing is sent."""
    async with recorded.client() as client:
        with pytest.raises(ParamError, match="out_task_id") as info:
            await client.tasks.submit(MODEL, {"prompt": "a"}, extra_body={"out_task_id": "x"})
        assert info.value.field == "extra_body"
        with pytest.raises(ParamError, match="params"):
            await client.tasks.submit(MODEL, {"prompt": "a"}, extra_body={"params": {}})
        with pytest.raises(ParamError, match="task_id"):
            await client.tasks.query("job-1", extra_body={"task_id": "t"})
    assert recorded.exchanges == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"extra_headers": {"X-Token": 42}}, "extra_headers"),
        ({"extra_headers": ["X-A"]}, "extra_headers"),
        ({"extra_query": {"flag": True}}, "extra_query"),
        ({"extra_query": {"ids": [1, 2]}}, "extra_query"),
        ({"extra_body": "priority=high"}, "extra_body"),
        ({"extra_body": {1: "x"}}, "extra_body"),
        ({"extra_body": {"when": object()}}, "extra_body"),
    ],
)
async def test_bad_extras_are_param_errors_before_any_request(
    recorded: Recorded, options: dict[str, Any], field: str
) -> None:
    """An extra of the wrong shape is a ParamError naming it (never echoing a header's
    value), before anything is sent."""
    async with recorded.client() as client:
        with pytest.raises(ParamError) as info:
            await client.tasks.submit(MODEL, {"prompt": "a"}, **options)
        assert info.value.field == field
        assert "42" not in str(info.value)
        with pytest.raises(ParamError):
            await client.balance(**options)
        with pytest.raises(ParamError):
            await client.messages.create(
                model="claude-sonnet-4-6",
                max_tokens=8,
                messages=[{"role": "user", "content": "hi"}],
                **options,
            )
    assert recorded.exchanges == []


async def test_every_task_carries_the_request_id_of_its_answer(recorded: Recorded) -> None:
    """submit, query, wait and generate return tasks whose request_id is the X-Request-Id of
    the answer they were read from; it is not part of the task's value."""
    async with recorded.client() as client:
        submitted = await client.tasks.submit(MODEL, {"prompt": "a fox"})
        queried = await client.tasks.query(submitted.out_task_id)
        done = await client.tasks.wait(submitted, poll_interval=0.02)
        generated = await client.images.seedream_v4_5.generate(prompt="a hare", poll_interval=0.02)
    submits = recorded.to("/api/openapi/submit")
    queries = recorded.to("/api/openapi/query")
    assert submitted.request_id == submits[0].request_id
    assert queried.request_id == queries[0].request_id
    last_poll_of_wait = [q for q in queries if q.body["out_task_id"] == done.out_task_id][-1]
    assert done.request_id == last_poll_of_wait.request_id
    assert generated.request_id == queries[-1].request_id
    assert len({submitted.request_id, queried.request_id, done.request_id}) == 3
    assert attrs.evolve(done, request_id="other") == done
