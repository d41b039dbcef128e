"""Webhooks in any ASGI app: WebhookRouter.asgi_app() under a real uvicorn server on
127.0.0.1, alone and mounted in a Starlette app, receiving the emulator's callbacks."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from aireiter import AsyncAIReiter, ParamError
from aireiter.emulator import RunningEmulator
from aireiter.tracker import PollPolicy
from aireiter.webhooks import CallbackEvent, WebhookASGIApp, WebhookRouter

uvicorn = pytest.importorskip("uvicorn")

MODEL = "seedream_v4_5"


@asynccontextmanager
async def serve(app: Callable[..., Any]) -> AsyncIterator[str]:
    """Serve the ASGI ``app`` with uvicorn on a free port of 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    running = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert not running.done(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await running


async def _run_jobs(
    emulator: RunningEmulator, router: WebhookRouter, base_url: str, count: int
) -> list[str]:
    """Run ``count`` jobs through a tracker whose callbacks go to ``base_url``."""
    async with (
        AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client,
        client.tracker(
            webhook=router,
            webhook_base_url=base_url,
            poll_policy=PollPolicy(fixed_duration_s=0.05),
        ) as tracker,
    ):
        handles = [await tracker.submit(MODEL, {"prompt": f"p{n}"}) for n in range(count)]
        tasks = await tracker.gather()
        assert tracker.progress().callbacks_received == count
    assert {task.status.value for task in tasks} == {"completed"}
    return [handle.out_task_id for handle in handles]


async def test_the_asgi_app_alone_under_uvicorn_drives_a_tracker(
    emulator: RunningEmulator,
) -> None:
    """Served alone by uvicorn (lifespan on), the app takes the emulator's callbacks: every
    job is finished by its callback and at most one confirming query."""
    router = WebhookRouter()
    async with serve(router.asgi_app()) as base:
        ids = await _run_jobs(emulator, router, f"{base}/aireiter/callback", 5)
    assert router.accepted == 5
    assert router.rejected == 0
    assert all(emulator.state.query_counts[oid] <= 1 for oid in ids)
    assert all(record.outcome == 200 for record in emulator.state.callbacks_sent)


async def test_mounted_in_a_starlette_app_beside_its_own_routes(
    emulator: RunningEmulator,
) -> None:
    """app.mount("/aireiter/callback", router.asgi_app()) in Starlette (what FastAPI's
    mount is): callbacks reach the tracker, the app's own routes still answer."""
    applications = pytest.importorskip("starlette.applications")
    responses = pytest.importorskip("starlette.responses")
    routing = pytest.importorskip("starlette.routing")

    async def health(request: Any) -> Any:
        return responses.PlainTextResponse("ok")

    router = WebhookRouter()
    app = applications.Starlette(
        routes=[
            routing.Route("/health", health),
            routing.Mount("/aireiter/callback", app=router.asgi_app()),
        ]
    )
    async with serve(app) as base:
        ids = await _run_jobs(emulator, router, f"{base}/aireiter/callback", 3)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/health") as answer:
                assert answer.status == 200
                assert await answer.text() == "ok"
            forged = WebhookRouter().callback_url(f"{base}/aireiter/callback", ids[0])
            async with http.post(forged, json={"status": "completed"}) as answer:
                assert answer.status == 404
    assert router.accepted == 3
    assert router.rejected == 1


async def test_bad_callbacks_get_the_routers_answers_through_uvicorn(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Wrong token or id -> 404, oversized (declared or streamed) -> 413, malformed or
    mismatched -> 400, GET -> 405; listeners see only the good one; no token in the logs."""
    router = WebhookRouter(max_body_bytes=4096)
    seen: list[CallbackEvent] = []
    router.subscribe(seen.append)
    async with serve(router.asgi_app()) as base, aiohttp.ClientSession() as http:
        good = router.callback_url(f"{base}/cb", "job-1")
        cases = [
            (WebhookRouter().callback_url(f"{base}/cb", "job-1"), b'{"status": "x"}', 404),
            (f"{base}/cb/{router.token}/bad%20id", b"{}", 404),
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
                    assert (await answer.json())["ok"] is False

            async def chunked() -> AsyncIterator[bytes]:
                for _ in range(10):
                    yield b"y" * 1000

            async with http.post(good, data=chunked()) as answer:  # no Content-Length
                assert answer.status == 413
            async with http.get(good) as answer:
                assert answer.status == 405
                assert answer.headers["Allow"] == "POST"
        assert seen == []
        assert router.rejected == len(cases) + 1
        assert len(caplog.records) == len(cases) + 1
        assert all(router.token not in r.getMessage() for r in caplog.records)
        envelope = {"statusCode": 200, "data": {"status": "completed"}}
        async with http.post(good, json=envelope) as answer:
            assert answer.status == 200
            assert await answer.json() == {"ok": True}
        token_in_query = f"{base}/job-1?token={router.token}"
        async with http.post(token_in_query, json={"status": "failed"}) as answer:
            assert answer.status == 200
    assert seen == [
        CallbackEvent(out_task_id="job-1", status="completed", body={"status": "completed"}),
        CallbackEvent(out_task_id="job-1", status="failed", body={"status": "failed"}),
    ]


async def test_the_app_speaks_only_http_and_lifespan() -> None:
    """A websocket is closed at once; only a WebhookRouter makes an app."""
    router = WebhookRouter()
    app = router.asgi_app()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await app({"type": "websocket", "path": "/x"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]
    with pytest.raises(ParamError) as info:
        WebhookASGIApp(object())  # type: ignore[arg-type]
    assert info.value.field == "router"
    assert router.token not in repr(app)
