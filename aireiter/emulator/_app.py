"""Building the emulator's aiohttp application and running it on a loopback port."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import attrs
from aiohttp import web

from ._callbacks import SCHEDULER_KEY, CallbackScheduler
from ._config import EmulatorConfig
from ._files import serve_file
from ._html import marketing_page
from ._middleware import add_request_id, front_middleware
from ._routes import add_task_routes
from ._state import STATE_KEY, EmulatorState

__all__ = ["RunningEmulator", "create_app", "run_emulator"]

CLIENT_MAX_SIZE: Final = 64 * 1024 * 1024  # request bodies may carry base64 images
SHUTDOWN_TIMEOUT_S: Final = 0.5  # how long stopping waits for requests still being handled
_CHAT_MODULE: Final = __package__ + "._chat"


def _add_chat_routes(app: web.Application) -> None:
    """Mount the chat routes when the chat module is present (a missing module is fine; an
    error inside it is not hidden)."""
    if importlib.util.find_spec(_CHAT_MODULE) is None:
        return
    module = importlib.import_module(_CHAT_MODULE)
    add_chat_routes = getattr(module, "add_chat_routes", None)
    if add_chat_routes is not None:
        add_chat_routes(app)


async def _stop_background(app: web.Application) -> None:
    await app[STATE_KEY].stop_background()


def create_app(config: EmulatorConfig | None = None) -> web.Application:
    """The emulator as an aiohttp application; its state is ``app[STATE_KEY]``.

    Routes: the task API (submit, query, balance), ``/files/{out_task_id}/{name}``, the chat
    routes when present, and last a catch-all answering HTTP 200 with the HTML marketing page.
    """
    cfg = config if config is not None else EmulatorConfig()
    app = web.Application(middlewares=[front_middleware], client_max_size=CLIENT_MAX_SIZE)
    state = EmulatorState(cfg)
    app[STATE_KEY] = state
    scheduler = CallbackScheduler(state)
    app[SCHEDULER_KEY] = scheduler
    app.on_response_prepare.append(add_request_id)
    app.on_startup.append(scheduler.start)
    app.on_cleanup.append(scheduler.stop)
    app.on_cleanup.append(_stop_background)
    add_task_routes(app)
    app.router.add_get("/files/{out_task_id}/{name}", serve_file)
    _add_chat_routes(app)
    app.router.add_route("*", "/{tail:.*}", marketing_page)
    return app


@attrs.frozen(kw_only=True)
class RunningEmulator:
    """A started emulator: where it listens, its first API key, its state and its app."""

    base_url: str
    api_key: str = attrs.field(repr=False)
    state: EmulatorState
    app: web.Application = attrs.field(repr=False, eq=False)

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this emulator."""
        return self.base_url + path


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):  # every interface: clients on this machine use loopback
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@asynccontextmanager
async def run_emulator(
    config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningEmulator]:
    """Run an emulator on ``host``:``port`` (0: a free port) until the block exits.

    >>> async with run_emulator(EmulatorConfig(time_scale=0.01)) as emu:  # doctest: +SKIP
    ...     print(emu.base_url, emu.api_key)
    """
    cfg = config if config is not None else EmulatorConfig()
    app = create_app(cfg)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        base_url = f"http://{_url_host(host)}:{bound_port}"
        state = app[STATE_KEY]
        state.base_url = base_url
        yield RunningEmulator(base_url=base_url, api_key=cfg.api_keys[0], state=state, app=app)
    finally:
        await runner.cleanup()
