"""An aiohttp web app: one shared AsyncAIReiter for every request, and a webhook route.

    POST /generate {"prompt": "..."}   submit an image task with a callback URL -> its id
    POST /aireiter/callback/{token}/{out_task_id}   the API calls this when a task finishes
    GET  /tasks/{out_task_id}?wait=30  the finished task (waits up to 30 s for its callback)

A callback is only a hint: the app confirms it with one query before trusting it. The API
must be able to reach the callback URL: set PUBLIC_URL to this app's public address when you
use the real API. Run `python examples/webapp_aiohttp.py` for a self-check (starts the app
and, without AIREITER_API_KEY, a local emulator; makes one request; exits), or add `--serve`
to keep serving on port 8080 until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from aireiter import AsyncAIReiter, Task
from aireiter.webhooks import CallbackEvent, WebhookRouter

CLIENT = web.AppKey("client", AsyncAIReiter)
ROUTER = web.AppKey("router", WebhookRouter)
STATE = web.AppKey("state", dict)  # mutable: public_url, finished tasks, waiters
CALLBACK_PATH = "/aireiter/callback"


def make_app(*, api_key: str | None = None, base_url: str | None = None) -> web.Application:
    """The application; the client is created when the app starts and closed when it stops."""
    app = web.Application()
    router = WebhookRouter()
    app[ROUTER] = router
    app[STATE] = {"public_url": os.environ.get("PUBLIC_URL"), "done": {}, "waiters": {}}

    async def client_context(app: web.Application) -> AsyncIterator[None]:
        async with AsyncAIReiter(api_key=api_key, base_url=base_url) as client:
            app[CLIENT] = client
            confirming: set[asyncio.Task[None]] = set()

            def on_callback(event: CallbackEvent) -> None:  # runs inside the callback request
                job = asyncio.create_task(confirm(app, event.out_task_id))
                confirming.add(job)
                job.add_done_callback(confirming.discard)

            unsubscribe = router.subscribe(on_callback)
            yield
            unsubscribe()
            for job in confirming:
                job.cancel()

    app.cleanup_ctx.append(client_context)
    app.router.add_post("/generate", generate)
    app.router.add_post(CALLBACK_PATH + "/{token}/{out_task_id}", router.handle)
    app.router.add_get("/tasks/{out_task_id}", get_task)
    return app


async def confirm(app: web.Application, out_task_id: str) -> None:
    """Trust a callback only after one query says the task really finished."""
    task = await app[CLIENT].tasks.query(out_task_id)
    if task.is_done:
        app[STATE]["done"][out_task_id] = task
        waiter = app[STATE]["waiters"].get(out_task_id)
        if waiter is not None:
            waiter.set()


def task_json(task: Task) -> dict[str, Any]:
    return {"out_task_id": task.out_task_id, "status": task.status.value, "urls": task.urls}


async def generate(request: web.Request) -> web.Response:
    body = await request.json()
    state = request.app[STATE]
    out_task_id = uuid.uuid4().hex  # chosen here, so the callback URL can name it
    callback_base = (state["public_url"] or str(request.url.origin())) + CALLBACK_PATH
    task = await request.app[CLIENT].images.seedream_v4_5.submit(
        prompt=str(body["prompt"]),
        out_task_id=out_task_id,
        callback_url=request.app[ROUTER].callback_url(callback_base, out_task_id),
    )
    return web.json_response({"out_task_id": task.out_task_id}, status=202)


async def get_task(request: web.Request) -> web.Response:
    out_task_id = request.match_info["out_task_id"]
    state = request.app[STATE]
    wait_s = float(request.query.get("wait", "0"))
    if out_task_id not in state["done"] and wait_s > 0:
        waiter = state["waiters"].setdefault(out_task_id, asyncio.Event())
        with contextlib.suppress(asyncio.TimeoutError):  # builtin TimeoutError from 3.11
            await asyncio.wait_for(waiter.wait(), wait_s)
    task = state["done"].get(out_task_id)
    if task is None:  # no callback yet (or the API cannot reach us): ask the API directly
        task = await request.app[CLIENT].tasks.query(out_task_id)
    return web.json_response(task_json(task))


@contextlib.asynccontextmanager
async def api_settings() -> AsyncIterator[dict[str, str]]:
    """Client arguments: {} for AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator."""
    if os.environ.get("AIREITER_API_KEY"):
        yield {}
        return
    from aireiter.emulator import EmulatorConfig, run_emulator

    async with run_emulator(EmulatorConfig(default_duration_s=0.5)) as emu:
        yield {"api_key": emu.api_key, "base_url": emu.base_url}


async def self_check() -> None:
    """Start the app on a free port, ask it for one image, wait for the webhook, print it."""
    async with api_settings() as settings:
        runner = web.AppRunner(make_app(**settings))
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            async with aiohttp.ClientSession() as http:
                async with http.post(f"{url}/generate", json={"prompt": "a red fox"}) as resp:
                    out_task_id = (await resp.json())["out_task_id"]
                print("submitted", out_task_id)
                async with http.get(f"{url}/tasks/{out_task_id}", params={"wait": "30"}) as resp:
                    print("finished:", await resp.json())
            router = runner.app[ROUTER]
            print("callbacks accepted:", router.accepted)
        finally:
            await runner.cleanup()


def main() -> None:
    if "--serve" in sys.argv:
        web.run_app(make_app(), host="127.0.0.1", port=8080)
    else:
        asyncio.run(self_check())


if __name__ == "__main__":
    main()
