"""aireiter.webhooks: real emulator callbacks reach listeners; forged or broken ones do not."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web

from aireiter import AsyncAIReiter, ParamError
from aireiter.emulator import RunningEmulator
from aireiter.webhooks import (
    CallbackEvent,
    CallbackRejected,
    WebhookReceiver,
    WebhookRouter,
    callback_url,
    parse_callback,
)
from tests.conftest import EmulatorFactory


class Inbox:
    """Collects CallbackEvents and lets a test wait for a number of them."""

    def __init__(self) -> None:
        self.events: list[CallbackEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: CallbackEvent) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[CallbackEvent]:
        """Wait until ``count`` events have arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.events) < count:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - loop.time()))
        return self.events


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A started receiver with a router whose body limit is 4 KiB."""
    async with WebhookReceiver(WebhookRouter(max_body_bytes=4096)) as rec:
        yield rec


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP session for hand-made requests."""
    async with aiohttp.ClientSession() as session:
        yield session


def test_tokens_are_unguessable_and_stay_out_of_repr() -> None:
    """Each router gets its own long random token, used in URLs but not shown in its repr."""
    a, b = WebhookRouter(), WebhookRouter()
    assert a.token != b.token
    assert len(a.token) >= 32
    url = a.callback_url("http://127.0.0.1:9/cb/", "job-1")
    assert url == f"http://127.0.0.1:9/cb/{a.token}/job-1"
    assert a.token not in repr(a)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: WebhookRouter(token="a/b"), "token"),
        (lambda: WebhookRouter(token=""), "token"),
        (lambda: WebhookRouter(max_body_bytes=0), "max_body_bytes"),
        (lambda: WebhookRouter(max_body_bytes="1k"), "max_body_bytes"),
        (lambda: WebhookReceiver(WebhookRouter(), port=70000), "port"),
        (lambda: WebhookReceiver(WebhookRouter(), port=-1), "port"),
        (lambda: WebhookReceiver(WebhookRouter(), public_url="me.example/cb"), "public_url"),
    ],
)
def test_bad_arguments_are_param_errors(make: Callable[[], object], field: str) -> None:
    """A bad router or receiver argument is a ParamError naming it (a bad token is not shown)."""
    with pytest.raises(ParamError) as caught:
        make()
    assert caught.value.field == field
    if field == "token":
        assert "a/b" not in str(caught.value)


async def test_emulator_callbacks_resolve_jobs_without_polling(
    client: AsyncAIReiter, emulator: RunningEmulator, receiver: WebhookReceiver
) -> None:
    """Finished tasks (completed and failed) reach listeners via the emulator's POSTs."""
    inbox = Inbox()
    receiver.router.subscribe(inbox)
    base = receiver.base_url
    assert base is not None
    assert base.startswith("http://127.0.0.1:")
    for oid, prompt in (("wh-ok", "a cat"), ("wh-bad", "FAIL_ME")):
        await client.tasks.submit(
            "seedream_v4_5",
            {"prompt": prompt},
            out_task_id=oid,
            callback_url=receiver.router.callback_url(base, oid),
            metadata={"k": oid},
        )
    events = await inbox.wait_for(2)
    by_id = {e.out_task_id: e for e in events}
    assert by_id["wh-ok"].status == "completed"
    assert by_id["wh-ok"].body["output"]
    assert by_id["wh-ok"].body["metadata"] == {"k": "wh-ok"}
    assert by_id["wh-bad"].status == "failed"
    assert all(query == 0 for query in emulator.state.query_counts.values())
    deadline = asyncio.get_running_loop().time() + 5
    while len(emulator.state.callbacks_sent) < 2:  # recorded just after our 200 was read
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.005)
    assert sorted(r.outcome for r in emulator.state.callbacks_sent) == [200, 200]
    assert receiver.router.accepted == 2


async def test_bad_requests_are_refused_logged_and_not_delivered(
    receiver: WebhookReceiver, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Wrong token -> 404, oversized -> 413, malformed/mismatched -> 400; listeners see none."""
    inbox = Inbox()
    router = receiver.router
    router.subscribe(inbox)
    base = receiver.base_url
    assert base is not None
    good = router.callback_url(base, "job-1")
    forged = WebhookRouter().callback_url(base, "job-1")
    cases = [
        (forged, b'{"out_task_id": "job-1", "status": "completed"}', 404),
        (f"{base}/{router.token}/..%2Fx", b"{}", 404),
        (good, b"x" * 5000, 413),
        (good, b"{not json", 400),
        (good, b"\xff\xfe", 400),
        (good, b"[1, 2]", 400),
        (good, b'{"out_task_id": "job-2", "status": "completed"}', 400),
        (good, b'{"status": 7}', 400),
    ]
    with caplog.at_level(logging.WARNING, logger="aireiter.webhooks"):
        for url, body, expected in cases:
            async with http.post(url, data=body) as answer:
                assert answer.status == expected, (url, body[:20])

        async def chunked() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 1000

        async with http.post(good, data=chunked()) as answer:  # no Content-Length
            assert answer.status == 413
        async with http.get(good) as answer:
            assert answer.status == 405
    assert inbox.events == []
    assert router.rejected == len(cases) + 1
    assert len(caplog.records) == len(cases) + 1
    assert all(router.token not in r.getMessage() for r in caplog.records)
    async with http.post(good, json={"statusCode": 200, "data": {"status": "completed"}}) as ok:
        assert ok.status == 200
    assert inbox.events == [
        CallbackEvent(out_task_id="job-1", status="completed", body={"status": "completed"})
    ]


async def test_listener_errors_and_unsubscribe(
    receiver: WebhookReceiver, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """A failing listener is logged and does not stop others; unsubscribed ones get nothing."""
    router = receiver.router
    base = receiver.base_url
    assert base is not None

    def broken(event: CallbackEvent) -> None:
        raise RuntimeError("listener bug")

    inbox, gone = Inbox(), Inbox()
    router.subscribe(broken)
    router.subscribe(inbox)
    router.subscribe(gone)()
    with caplog.at_level(logging.ERROR, logger="aireiter.webhooks"):
        async with http.post(router.callback_url(base, "j"), json={"status": "failed"}) as answer:
            assert answer.status == 200
    assert [e.status for e in inbox.events] == ["failed"]
    assert gone.events == []
    assert any("listener failed" in r.getMessage() for r in caplog.records)


async def test_router_mounts_in_a_user_app(http: aiohttp.ClientSession) -> None:
    """handle() works as a route of the user's own aiohttp app."""
    router = WebhookRouter(token="fixed-token")
    inbox = Inbox()
    router.subscribe(inbox)
    app = web.Application()
    app.router.add_post("/hooks/{token}/{out_task_id}", router.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
        url = router.callback_url(base, "mine")
        async with http.post(url, json={"out_task_id": "mine", "status": "completed"}) as answer:
            assert answer.status == 200
            assert await answer.json() == {"ok": True}
    finally:
        await runner.cleanup()
    assert [e.out_task_id for e in inbox.events] == ["mine"]


async def test_receiver_public_url_and_restart() -> None:
    """public_url overrides the advertised base; aclose is idempotent and start works again."""
    receiver = WebhookReceiver(WebhookRouter(), public_url="https://tunnel.example/cb/")
    assert await receiver.start() == "https://tunnel.example/cb"
    await receiver.aclose()
    await receiver.aclose()
    assert receiver.base_url is None
    receiver.public_url = None
    try:
        assert (await receiver.start()).startswith("http://127.0.0.1:")
    finally:
        await receiver.aclose()


# -- parse_callback: the same checks for an app that submits with callback_url itself ---------

SECRET = "s3cret-token"


@pytest.mark.parametrize(
    ("url", "body", "headers", "status"),
    [
        ("https://me.example/hooks/wrong/job-1", b"{}", None, 404),
        (f"/hooks/{SECRET}/..%2Fx", b"{}", None, 404),
        ("/hooks/job-1?token=nope", b"{}", None, 404),
        (f"/hooks/{SECRET}/job-1", b"{}", {"Content-Length": "999999"}, 413),
        (f"/hooks/{SECRET}/job-1", b" " * 5000, None, 413),
        (f"/hooks/{SECRET}/job-1", b"{not json", None, 400),
        (f"/hooks/{SECRET}/job-1", b"[1]", None, 400),
        (f"/hooks/{SECRET}/job-1", b'{"out_task_id": "job-2"}', None, 400),
        (f"/hooks/{SECRET}/job-1", b'{"status": 7}', None, 400),
    ],
)
def test_parse_callback_refuses_what_the_router_refuses(
    url: str, body: bytes, headers: dict[str, str] | None, status: int
) -> None:
    """Each bad request is a CallbackRejected carrying the status the router would answer."""
    with pytest.raises(CallbackRejected) as info:
        parse_callback(body, headers, token=SECRET, url=url, max_body_bytes=4096)
    assert info.value.status_code == status
    assert SECRET not in str(info.value)


def test_parse_callback_reads_the_url_the_router_builds() -> None:
    """callback_url() and parse_callback() agree; the envelope is unwrapped; a token in the
    query works too; a bad token argument is a ParamError that does not show it."""
    url = callback_url("https://me.example/hooks/", "job-1", token=SECRET)
    assert url == f"https://me.example/hooks/{SECRET}/job-1"
    body = b'{"statusCode": 200, "data": {"out_task_id": "job-1", "status": "completed"}}'
    event = parse_callback(body, {"content-length": str(len(body))}, token=SECRET, url=url)
    assert event == CallbackEvent(
        out_task_id="job-1",
        status="completed",
        body={"out_task_id": "job-1", "status": "completed"},
    )
    queried = parse_callback('{"status": "failed"}', token=SECRET, url=f"/h/job-2?token={SECRET}")
    assert (queried.out_task_id, queried.status) == ("job-2", "failed")
    with pytest.raises(ParamError) as info:
        parse_callback(b"{}", token="a/b", url=url)
    assert info.value.field == "token"
    assert "a/b" not in str(info.value)


async def test_an_app_that_submits_itself_confirms_each_callback_by_query(
    emulator_factory: EmulatorFactory,
) -> None:
    """A plain app (no router) that submits with callback_url and checks each POST with
    parse_callback: real callbacks are confirmed by one query; a forged "completed" for a
    running task is accepted as a hint, and the confirming query says it is still running."""
    emu = await emulator_factory(durations={"gpt_4o": 0.05, "sora2": 60.0})
    confirmed: dict[str, str] = {}
    changed = asyncio.Event()
    async with AsyncAIReiter(api_key=emu.api_key, base_url=emu.base_url) as client:

        async def hook(request: web.Request) -> web.Response:
            try:
                event = parse_callback(
                    await request.read(), request.headers, token=SECRET, url=str(request.url)
                )
            except CallbackRejected as rejected:
                return web.json_response({"ok": False}, status=rejected.status_code)
            task = await client.tasks.query(event.out_task_id)  # the callback is a hint
            confirmed[event.out_task_id] = task.status.value
            changed.set()
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hooks/{tail:.*}", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            base = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
            for oid, model in (("fast-1", "gpt_4o"), ("slow-1", "sora2")):
                await client.tasks.submit(
                    model,
                    {"prompt": "x"},
                    out_task_id=oid,
                    callback_url=callback_url(base, oid, token=SECRET),
                )
            forged = {"out_task_id": "slow-1", "status": "completed"}
            async with aiohttp.ClientSession() as http:
                target = callback_url(base, "slow-1", token=SECRET)
                async with http.post(target, json=forged) as answer:
                    assert answer.status == 200
                async with http.post(f"{base}/wrong/slow-1", json=forged) as answer:
                    assert answer.status == 404
            deadline = asyncio.get_running_loop().time() + 10
            while len(confirmed) < 2:
                changed.clear()
                await asyncio.wait_for(changed.wait(), deadline - asyncio.get_running_loop().time())
        finally:
            await runner.cleanup()
    assert confirmed == {"fast-1": "completed", "slow-1": "pending"}
    assert emu.state.query_counts["fast-1"] == 1
