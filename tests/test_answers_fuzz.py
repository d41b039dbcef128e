"""Generated answers over real HTTP: whatever the server sends to submit, query or balance
(random JSON, wrong types, huge numbers, deep nesting, cut bodies, wrong content types, gzip,
HTML, oversized bodies), the call returns a typed value or raises an ``AIReiterError``.

One aiohttp server and one client serve every example (on one event loop driven here), so a
run of 1,000 examples takes seconds.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aireiter import AIReiterError, AsyncAIReiter, Balance, Task

KEY = "fuzz-key-7f3a9c1e5b"
MAX_BYTES = 64 * 1024  # the client's cap here, so oversized answers are cheap to send


@attrs.frozen
class Raw:
    """A JSON token written verbatim (``1e400``, ``NaN``, 5,000 digits ...)."""

    text: str


def to_json(value: Any) -> str:
    """``value`` as JSON text, with :class:`Raw` leaves written as they are."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


@attrs.frozen
class Answer:
    """What the server sends for one example."""

    status: int
    content_type: str | None
    body: bytes
    mode: str  # plain | gzip | cut | chunked


# -- strategies ----------------------------------------------------------------------------
ODD_TOKENS = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "-0",
        "1.5e-400",
        "18446744073709551616",
        "1" * 5000,  # more digits than Python reads as an int
        "3.0",
        '"\\ud800"',  # a lone surrogate
    ]
).map(Raw)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | ODD_TOKENS
)

JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

TIMESTAMPS = (
    st.integers(min_value=-(10**22), max_value=10**22)
    | st.sampled_from([1_766_383_408, 1_766_383_408_000, 1_766_383_408_000_000, 0, -1])
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2025-12-22T10:12:11.000Z", "2025-13-45", "yesterday", "1766383408"])
    | JSON_VALUES
)

TASK_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["pending", "processing", "completed", "failed", "weird"])
        | JSON_VALUES,
        "out_task_id": st.just("fuzz-1") | JSON_VALUES,
        "task_id": JSON_VALUES,
        "model": st.just("gpt_4o") | JSON_VALUES,
        "output": st.lists(
            st.text(max_size=30) | st.fixed_dictionaries({"url": JSON_VALUES}) | JSON_VALUES,
            max_size=3,
        )
        | JSON_VALUES,
        "estimated_credits": JSON_VALUES,
        "credits_used": JSON_VALUES,
        "error": JSON_VALUES,
        "metadata": JSON_VALUES,
        "input": st.fixed_dictionaries({}, optional={"model": JSON_VALUES, "params": JSON_VALUES})
        | JSON_VALUES,
        "created_at": TIMESTAMPS,
        "completed_at": TIMESTAMPS,
        "credits": JSON_VALUES,
        "balance": JSON_VALUES,
        "free_quota": st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=3) | JSON_VALUES,
    },
)

STATUS_CODES = st.sampled_from(
    [200] * 12
    + ["200", 200.0, " 200 ", 400, 401, 433, 500, 503, "abc", None, 10**30, -1, True, 1e400]
).map(lambda v: Raw("1e400") if v == float("inf") else v)

DATA = TASK_FIELDS | st.lists(TASK_FIELDS | JSON_VALUES, max_size=3) | JSON_VALUES


@st.composite
def envelopes(draw: st.DrawFn) -> str:
    envelope: dict[str, Any] = {}
    if draw(st.booleans()):
        envelope["statusCode"] = draw(STATUS_CODES)
    else:
        envelope["code"] = draw(STATUS_CODES)
    if draw(st.booleans()):
        envelope["message"] = draw(st.text(max_size=30) | JSON_VALUES)
    envelope["data"] = draw(DATA)
    return to_json(envelope)


def deep(depth: int, inner: str = "1") -> str:
    return '{"statusCode":200,"data":' + "[" * depth + inner + "]" * depth + "}"


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(
            ["envelope"] * 12 + ["any", "cut", "deep", "html", "binary", "empty", "badutf8", "big"]
        )
    )
    if kind == "envelope":
        return draw(envelopes()).encode("utf-8", "surrogatepass")
    if kind == "any":
        return to_json(draw(JSON_VALUES)).encode("utf-8", "surrogatepass")
    if kind == "cut":
        text = draw(envelopes()).encode("utf-8", "surrogatepass")
        return text[: draw(st.integers(min_value=0, max_value=max(0, len(text) - 1)))]
    if kind == "deep":
        return deep(draw(st.sampled_from([50, 900, 990, 1500, 100_000]))).encode()
    if kind == "html":
        return b"<!doctype html><html><body>AIReiter - the page you want</body></html>"
    if kind == "binary":
        return draw(st.binary(max_size=64))
    if kind == "empty":
        return b""
    if kind == "badutf8":
        return b'{"statusCode":200,"data":{"status":"\xff\xfe","out_task_id":"a\xc3"}}'
    # big: a valid envelope padded past the client's cap
    return b'{"statusCode":200,"data":{}' + b" " * (MAX_BYTES + 10) + b"}"


ANSWERS = st.builds(
    Answer,
    status=st.sampled_from([200] * 20 + [201, 204, 301, 400, 401, 404, 429, 500, 503]),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/html; charset=utf-8",
            "text/plain",
            None,
        ]
    ),
    body=bodies(),
    mode=st.sampled_from(["plain"] * 8 + ["gzip", "cut", "chunked"]),
)


# -- the server and the client, shared by every example --------------------------------------
@attrs.define
class Rig:
    loop: asyncio.AbstractEventLoop
    client: AsyncAIReiter
    answer: Answer | None = None


async def _respond(rig: Rig, request: web.Request) -> web.StreamResponse:
    await request.read()
    answer = rig.answer
    assert answer is not None
    headers = {}
    if answer.content_type is not None:
        headers["Content-Type"] = answer.content_type
    body = answer.body
    if answer.mode == "gzip":
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    if answer.mode == "plain" or answer.mode == "gzip":
        return web.Response(status=answer.status, body=body, headers=headers)
    response = web.StreamResponse(status=answer.status, headers=headers)
    if answer.mode == "cut":
        response.content_length = len(body) + 10  # announces more than it sends
        response.force_close()
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    if answer.mode == "cut":
        await response.write(body)
        assert request.transport is not None
        request.transport.close()
        return response
    for start in range(0, len(body), 7000):
        await response.write(body[start : start + 7000])
    await response.write_eof()
    return response


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    """An aiohttp server answering whatever ``rig.answer`` holds, and a client without retries
    bound to it, on one event loop of the module."""
    loop = asyncio.new_event_loop()
    holder: list[Rig] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        return await _respond(holder[0], request)

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner

    runner = loop.run_until_complete(start())
    port = runner.addresses[0][1]
    client = AsyncAIReiter(
        api_key=KEY,
        base_url=f"http://127.0.0.1:{port}",
        max_retries=0,
        max_response_bytes=MAX_BYTES,
        timeout=10,
    )
    holder.append(Rig(loop=loop, client=client))
    try:
        yield holder[0]
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(runner.cleanup())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def _call(client: AsyncAIReiter, endpoint: str) -> Task | Balance | AIReiterError:
    try:
        if endpoint == "submit":
            return await client.tasks.submit("gpt_4o", {"prompt": "x"}, max_retries=0)
        if endpoint == "query":
            return await client.tasks.query("fuzz-1", max_retries=0)
        return await client.balance()
    except AIReiterError as error:
        return error


@pytest.mark.timeout(300)  # about 7 s alone; several times that under coverage on 2 busy cores
@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(answer=ANSWERS, endpoint=st.sampled_from(["submit", "query", "balance"]))
def test_every_answer_is_a_value_or_an_aireiter_error(
    rig: Rig, answer: Answer, endpoint: str
) -> None:
    """Submit, query and balance never raise anything but AIReiterError, and what they
    return is the typed value (with its raw fields kept), whatever the answer."""
    rig.answer = answer
    outcome = rig.loop.run_until_complete(_call(rig.client, endpoint))
    if isinstance(outcome, AIReiterError):
        assert str(outcome)  # readable, whatever it holds
        assert KEY not in repr(outcome)
        return
    expected = Balance if endpoint == "balance" else Task
    assert isinstance(outcome, expected)
    assert isinstance(outcome.raw, dict)
    repr(outcome)
    if isinstance(outcome, Task):
        assert all(isinstance(url, str) for url in outcome.urls)
        assert outcome.created_at is None or outcome.created_at.tzinfo is not None
