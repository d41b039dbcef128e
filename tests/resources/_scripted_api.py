"""A small stand-in for the task API on 127.0.0.1 whose submit and query answers a test
scripts: the faults the emulator does not play (a submit recorded late, a query that fails
for a while, a documented answer variant)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from aireiter._constants import QUERY_PATH, SUBMIT_PATH

Handler = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]


def envelope(data: Any, status: int = 200) -> web.Response:
    """The API's success envelope."""
    return web.json_response({"statusCode": status, "message": "", "data": data})


def not_found() -> web.Response:
    """The API's "api task not found" answer (statusCode 400 inside HTTP 200)."""
    return web.json_response({"statusCode": 400, "message": "api task not found", "data": None})


def unavailable() -> web.Response:
    """HTTP 503 with a JSON body."""
    body = {"statusCode": 503, "message": "service unavailable", "data": None}
    return web.json_response(body, status=503)


class ScriptedAPI:
    """Records submits in ``tasks`` (by ``out_task_id``) and answers queries from it, unless
    ``on_submit`` / ``on_query`` answer first (they may call :meth:`record` or the default)."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.submits: Counter[str] = Counter()  # submit requests received, per out_task_id
        self.recorded: Counter[str] = Counter()  # times each out_task_id was recorded
        self.queries: list[dict[str, Any]] = []
        self.on_submit: Handler | None = None
        self.on_query: Handler | None = None
        self._ids = itertools.count(1)

    def record(self, body: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """Record a submit body as a pending task (``fields`` override its data); a server
        that does not refuse a reused id records each submit it gets."""
        oid = body["out_task_id"]
        self.recorded[oid] += 1
        data = {
            "task_id": f"task_{next(self._ids):04d}",
            "out_task_id": oid,
            "status": "pending",
            "estimated_credits": 10,
            "input": {"model": body["model"], "params": body["params"]},
            **fields,
        }
        self.tasks[oid] = data
        return data

    async def default_submit(self, body: dict[str, Any]) -> web.StreamResponse:
        """Record the task and answer with it."""
        return envelope(self.record(body))

    async def default_query(self, body: dict[str, Any]) -> web.StreamResponse:
        """The task by ``out_task_id`` (or ``task_id``), else "not found"."""
        oid = body.get("out_task_id")
        if oid is not None:
            found = self.tasks.get(oid)
        else:
            found = next((t for t in self.tasks.values() if t["task_id"] == body["task_id"]), None)
        return envelope(found) if found is not None else not_found()

    async def _submit(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.submits[body.get("out_task_id", "")] += 1
        return await (self.on_submit or self.default_submit)(body)

    async def _query(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.queries.append(body)
        return await (self.on_query or self.default_query)(body)

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        """Serve on a free port of 127.0.0.1; yields the base URL."""
        app = web.Application()
        app.router.add_post(SUBMIT_PATH, self._submit)
        app.router.add_post(QUERY_PATH, self._query)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}"
        finally:
            await runner.cleanup()
