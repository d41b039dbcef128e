"""A real headless chromium, driven over its DevTools protocol (a websocket, with aiohttp).

No driver or browser download: the system's ``chromium`` (Debian's package) is started with
``--remote-debugging-port=0``; the port it picked is read from ``DevToolsActivePort`` in its
profile folder. Every host name resolves to nothing but 127.0.0.1 (``--host-resolver-rules``)
and background services are off, so a test browser never sends traffic anywhere else.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
ENV_CHROMIUM = "AIREITER_CHROMIUM"  # path of the browser to use, if not on PATH
START_DEADLINE_S = 30.0
CALL_DEADLINE_S = 30.0
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-pings",
    "--mute-audio",
    "--hide-scrollbars",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "DevToolsActivePort").unlink(missing_ok=True)  # left by an earlier browser


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def find_chromium() -> str | None:
    """The browser executable: ``$AIREITER_CHROMIUM``, else the first candidate on PATH."""
    configured = os.environ.get(ENV_CHROMIUM)
    if configured:
        return shutil.which(configured)
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class CDPError(Exception):
    """The browser answered a command with an error, or a script threw."""


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        browser.listeners.append(self._on_event)

    def _on_event(self, message: dict[str, Any]) -> None:
        if message.get("sessionId") != self.session:
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            args = params.get("args", [])
            self.console.append(" ".join(str(a.get("value", a.get("description"))) for a in args))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(str(details.get("exception", {}).get("description", details)))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append(f"{entry.get('level')}: {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command in this tab."""
        return await self.browser.call(method, params, session=self.session)

    async def goto(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event."""
        loaded = self.browser.wait_event("Page.loadEventFired", self.session)
        await self.call("Page.navigate", url=url)
        await asyncio.wait_for(loaded, CALL_DEADLINE_S)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        answer = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise CDPError(f"{expression!r} threw: {answer['exceptionDetails']}")
        return answer.get("result", {}).get("value")

    async def wait_for(self, expression: str, what: str, deadline_s: float = 20.0) -> Any:
        """Poll ``expression`` until it is truthy (its value), failing by name at the deadline."""
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                value = await self.evaluate(expression)
            except CDPError as error:  # the page is between two documents (a reload)
                if "navigated" not in str(error) and "context" not in str(error):
                    raise
                value = None
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await asyncio.sleep(0.05)

    async def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element matching ``selector``."""
        box = await self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        assert box is not None, f"no element {selector!r} to click"
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    async def select(self, selector: str, label_prefix: str) -> None:
        """Pick the option whose text starts with ``label_prefix`` in a ``<select>``, as a
        user does (the value changes, then a ``change`` event)."""
        found = await self.evaluate(
            f"(() => {{ const s = document.querySelector({json.dumps(selector)});"
            f" const o = [...s.options].find(o => o.text.startsWith({json.dumps(label_prefix)}));"
            " if (!o) return false; s.value = o.value;"
            " s.dispatchEvent(new Event('input', {bubbles: true}));"
            " s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()"
        )
        assert found, f"no option {label_prefix!r} in {selector!r}"

    async def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or the whole page) to ``path``."""
        answer = await self.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=full_page
        )
        return _write(path, base64.b64decode(answer["data"]))


class Browser:
    """A chromium process and its DevTools connection."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(CDPError(str(data["error"])))
                    else:
                        future.set_result(data.get("result", {}))
                continue
            for listener in list(self.listeners):
                listener(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(CDPError("the browser closed the connection"))

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer."""
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, CALL_DEADLINE_S)

    def wait_event(self, method: str, session: str | None) -> asyncio.Future[dict[str, Any]]:
        """A future for the next event ``method`` (of ``session``)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def listener(message: dict[str, Any]) -> None:
            if message.get("method") == method and message.get("sessionId") == session:
                if not future.done():
                    future.set_result(message.get("params", {}))
                self.listeners.remove(listener)

        self.listeners.append(listener)
        return future

    async def new_page(self, *, width: int = 1280, height: int = 900) -> Page:
        """A new tab of ``width`` x ``height`` CSS pixels, with console, errors and network
        requests recorded."""
        target = await self.call("Target.createTarget", {"url": "about:blank"})
        attached = await self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self, attached["sessionId"])
        for domain in ("Page", "Runtime", "Log", "Network"):
            await page.call(f"{domain}.enable")
        await page.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return page


async def _port_file(profile: Path, proc: asyncio.subprocess.Process) -> str:
    """The websocket URL chromium wrote to ``DevToolsActivePort`` once it listens."""
    deadline = time.monotonic() + START_DEADLINE_S
    active = profile / "DevToolsActivePort"
    while True:
        lines = _lines(active)
        if len(lines) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        assert proc.returncode is None, f"chromium exited with status {proc.returncode}"
        assert time.monotonic() < deadline, "chromium did not start its DevTools endpoint"
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def launch(executable: str, profile: Path) -> AsyncIterator[Browser]:
    """Start headless chromium with a fresh ``profile`` folder; stop it (and only it) after."""
    _mkdir(profile)
    flags = [*FLAGS, f"--user-data-dir={profile}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
    proc = await asyncio.create_subprocess_exec(
        executable,
        *flags,
        "about:blank",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,  # its helper processes share its group: stopped together
    )
    try:
        url = await _port_file(profile, proc)
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(url, max_msg_size=0, autoping=False) as ws,
        ):
            browser = Browser(ws)
            try:
                yield browser
            finally:
                with contextlib.suppress(CDPError, asyncio.TimeoutError, ConnectionError):
                    await browser.call("Browser.close")
                browser._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await browser._reader
    finally:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(proc.wait(), 10)
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
