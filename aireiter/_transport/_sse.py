"""Server-sent events: a small, allocation-light parser over an aiohttp response body."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import attrs

__all__ = ["ServerSentEvent", "iter_sse"]


@attrs.frozen(kw_only=True)
class ServerSentEvent:
    """One SSE event: its ``event`` name (``None`` if unnamed), ``data`` text and ``id``."""

    event: str | None = None
    data: str = ""
    id: str | None = None


async def iter_sse(response: aiohttp.ClientResponse) -> AsyncIterator[ServerSentEvent]:
    """Yield the events of ``response`` as they arrive (``data: [DONE]`` is passed through)."""
    event: str | None = None
    event_id: str | None = None
    data_lines: list[str] = []
    async for raw_line in response.content:
        line = raw_line.decode("utf-8").rstrip("\r\n")
        if not line:
            if data_lines or event is not None:
                yield ServerSentEvent(event=event, data="\n".join(data_lines), id=event_id)
            event, event_id, data_lines = None, None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data_lines.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            event_id = value
    if data_lines or event is not None:
        yield ServerSentEvent(event=event, data="\n".join(data_lines), id=event_id)
