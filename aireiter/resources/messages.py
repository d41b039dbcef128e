"""``client.messages``: Claude's Messages format (``POST /api/v1/messages``) on the core
transport, with SSE streaming.

>>> message = await client.messages.create(                       # doctest: +SKIP
...     model="claude-sonnet-4-6", max_tokens=256,
...     messages=[{"role": "user", "content": "Hello"}])
>>> async with client.messages.stream(model=..., max_tokens=..., messages=...) as stream:
...     async for text in stream.text_stream: ...                  # doctest: +SKIP
...     final = await stream.get_final_message()

Requests carry ``anthropic-version: 2023-06-01`` and the client's bearer key. A plain request
is retried like every other request (connection errors, 408/409/429/5xx); a stream is not.
Errors are the SDK's usual typed errors, mapped from the HTTP status (Anthropic-style
``{"type": "error", "error": {...}}`` bodies give the message); an ``error`` event inside a
stream is raised the same way (``overloaded_error`` as :class:`InternalServerError` 529).
An answer that cannot be read (an HTML page, which says the base URL is wrong; an event that
is not JSON or not UTF-8; a stream without a single event) is an
:class:`~aireiter.APIResponseValidationError` with the status and the request id.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from types import TracebackType
from typing import Any, Final, Literal, cast, overload

import aiohttp

from .._constants import ERROR_BODY_PREVIEW_BYTES, MESSAGES_PATH
from .._exceptions import APIResponseValidationError, ParamError, ParamIssue
from .._transport import Timeout
from .._transport._extras import request_extras
from .._transport._http import request_id_of
from .._transport._sse import ServerSentEvent, iter_sse
from .._types import NOT_GIVEN, NotGivenOr
from ..types.messages import (
    ContentBlockDeltaEvent,
    Message,
    MessageAccumulator,
    MessageParam,
    MessageStreamEvent,
    TextDelta,
    ToolParam,
    parse_event,
    parse_message,
)
from ._base import AsyncResource
from ._messages_answers import (
    anthropic_error,
    check_stream_answer,
    checked_answer,
    unreadable,
    with_base_url_hint,
)

__all__ = ["ANTHROPIC_VERSION", "AsyncMessageStream", "AsyncMessages"]

ANTHROPIC_VERSION: Final = "2023-06-01"  # the Messages API version every request names


def _body(
    *,
    model: str,
    max_tokens: int,
    messages: Sequence[MessageParam | Mapping[str, Any]],
    system: str | Sequence[Mapping[str, Any]] | None,
    tools: Sequence[ToolParam | Mapping[str, Any]] | None,
    tool_choice: Mapping[str, Any] | None,
    temperature: float | None,
    stop_sequences: Sequence[str] | None,
    metadata: Mapping[str, Any] | None,
    extra_body: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The JSON body; checks what can be checked before the wire (all problems at once)."""
    issues = []
    if not isinstance(model, str) or not model:
        issues.append(ParamIssue("model", model, "must be a non-empty string"))
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        issues.append(ParamIssue("max_tokens", max_tokens, "must be an integer >= 1"))
    turns: object = messages
    if isinstance(turns, (str, bytes)) or not messages:
        issues.append(ParamIssue("messages", messages, "must be a non-empty list of turns"))
    if issues:
        raise ParamError(issues)
    body: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        "messages": [dict(m) for m in messages],
    }
    optional = {
        "system": system if isinstance(system, str) or system is None else list(system),
        "tools": None if tools is None else [dict(t) for t in tools],
        "tool_choice": tool_choice,
        "temperature": temperature,
        "stop_sequences": None if stop_sequences is None else list(stop_sequences),
        "metadata": metadata,
    }
    body.update((k, v) for k, v in optional.items() if v is not None)
    if extra_body:
        body.update(extra_body)
    return body


class AsyncMessageStream:
    """A streamed answer: an async iterator of typed events
    (:data:`~aireiter.types.messages.MessageStreamEvent`) that also accumulates the message.

    Use it in ``async with`` (or call :meth:`aclose`) so the connection is released even when
    you stop early; it is released by itself when the stream ends, fails or is cancelled.
    """

    def __init__(self, stack: AsyncExitStack, response: aiohttp.ClientResponse) -> None:
        self._stack = stack
        self._response = response
        self._events = cast("AsyncGenerator[ServerSentEvent, None]", iter_sse(response))
        self._accumulator = MessageAccumulator()
        self._closed = False
        self._seen = 0  # events read, of any kind

    @property
    def response(self) -> aiohttp.ClientResponse:
        """The live HTTP response (headers, status)."""
        return self._response

    @property
    def current_message(self) -> Message:
        """The message accumulated from the events seen so far."""
        return self._accumulator.message

    def __aiter__(self) -> AsyncMessageStream:
        return self

    async def __anext__(self) -> MessageStreamEvent:
        if self._closed:
            raise StopAsyncIteration
        try:
            event = await self._next_event()
        except BaseException as exc:
            # End of stream, an error, or cancellation: release the connection first.
            await self._close(exc)
            raise
        self._accumulator.feed(event)
        return event

    async def _next_event(self) -> MessageStreamEvent:
        while True:
            try:
                sse = await self._events.__anext__()
            except StopAsyncIteration:
                if self._seen:
                    raise
                raise unreadable(
                    self._response,
                    f"The Messages stream from POST {self._response.url} ended without a "
                    "single event.",
                    "",
                ) from None
            except (UnicodeDecodeError, ValueError) as exc:  # not UTF-8; a broken line
                preview = (
                    exc.object[:ERROR_BODY_PREVIEW_BYTES]
                    if isinstance(exc, UnicodeDecodeError)
                    else b""
                )
                raise unreadable(
                    self._response,
                    f"A Messages stream event could not be read ({type(exc).__name__}: {exc}).",
                    bytes(preview).decode("utf-8", errors="replace"),
                ) from None
            self._seen += 1
            if not sse.data or sse.data == "[DONE]":
                continue
            try:
                data = json.loads(sse.data)
            except (ValueError, RecursionError):
                raise unreadable(
                    self._response, "A Messages stream event is not JSON.", sse.data
                ) from None
            if not isinstance(data, Mapping):
                continue
            if data.get("type") == "error" or sse.event == "error":
                raise anthropic_error(
                    data,
                    http_status=self._response.status,
                    request_id=request_id_of(self._response.headers),
                    url=str(self._response.url),
                )
            return parse_event(data)

    async def _close(self, exc: BaseException | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        await self._events.aclose()
        if exc is None or isinstance(exc, StopAsyncIteration):
            await self._stack.aclose()
        else:  # let the transport map aiohttp/timeout errors to typed errors
            await self._stack.__aexit__(type(exc), exc, exc.__traceback__)

    async def aclose(self) -> None:
        """Stop reading and release the connection. Safe to call more than once."""
        await self._close()

    async def __aenter__(self) -> AsyncMessageStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        """Only the text pieces, as they arrive."""
        async for event in self:
            if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
                yield event.delta.text

    async def get_final_message(self) -> Message:
        """Read the rest of the stream; the whole message (equal to a non-streamed answer)."""
        async for _ in self:
            pass
        return self._accumulator.message

    async def get_final_text(self) -> str:
        """Read the rest of the stream; the message's text."""
        return (await self.get_final_message()).text


class AsyncMessages(AsyncResource):
    """``client.messages``: Claude Messages (``create``, ``stream``)."""

    @overload
    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam | Mapping[str, Any]],
        system: str | Sequence[Mapping[str, Any]] | None = None,
        tools: Sequence[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        stream: Literal[False] = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> Message: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam | Mapping[str, Any]],
        system: str | Sequence[Mapping[str, Any]] | None = None,
        tools: Sequence[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        stream: Literal[True],
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> AsyncMessageStream: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam | Mapping[str, Any]],
        system: str | Sequence[Mapping[str, Any]] | None = None,
        tools: Sequence[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> Message | AsyncMessageStream: ...

    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam | Mapping[str, Any]],
        system: str | Sequence[Mapping[str, Any]] | None = None,
        tools: Sequence[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> Message | AsyncMessageStream:
        """Send a conversation; the answer, or (``stream=True``) an :class:`AsyncMessageStream`.

        ``None`` leaves a field out. ``extra_body`` adds fields this signature does not name
        (``thinking``, ``top_k``, ...); ``extra_headers`` (an ``anthropic-beta``...) are sent
        besides the client's, ``extra_query`` is added to the URL. A bad ``model``,
        ``max_tokens``, ``messages`` or extra is a :class:`~aireiter.ParamError` before
        anything is sent; an error status raises the usual typed error (for a stream: here,
        before the first event).
        """
        extras = request_extras(extra_headers, extra_query, extra_body)  # checked first
        if extras.body is not None:
            extras.encode({})  # a ParamError now for a field that is not JSON
        body = _body(
            model=model,
            max_tokens=max_tokens,
            messages=messages,
            system=system,
            tools=tools,
            tool_choice=tool_choice,
            temperature=temperature,
            stop_sequences=stop_sequences,
            metadata=metadata,
            extra_body=extra_body,
        )
        headers = extras.headers_over({"anthropic-version": ANTHROPIC_VERSION})
        base_url = self._transport.config.base_url
        if not stream:
            try:
                answer = await self._transport.request(
                    "POST",
                    MESSAGES_PATH,
                    json_body=body,
                    timeout=timeout,
                    envelope=False,
                    headers=headers,
                    query=extras.query,
                )
            except APIResponseValidationError as error:
                raise with_base_url_hint(error, base_url) from None
            return parse_message(checked_answer(answer, self._transport.url(MESSAGES_PATH)))
        body["stream"] = True
        stack = AsyncExitStack()
        response = await stack.enter_async_context(
            self._transport.stream(
                "POST",
                MESSAGES_PATH,
                json_body=body,
                timeout=timeout,
                headers=headers,
                query=extras.query,
            )
        )
        try:
            await check_stream_answer(response, base_url)
        except BaseException:
            await stack.aclose()
            raise
        return AsyncMessageStream(stack, response)

    @asynccontextmanager
    async def stream(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[MessageParam | Mapping[str, Any]],
        system: str | Sequence[Mapping[str, Any]] | None = None,
        tools: Sequence[ToolParam | Mapping[str, Any]] | None = None,
        tool_choice: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        stop_sequences: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> AsyncIterator[AsyncMessageStream]:
        """``async with client.messages.stream(...) as stream:``: a streamed
        :meth:`create`, closed when the block exits."""
        stream = await self.create(
            model=model,
            max_tokens=max_tokens,
            messages=messages,
            system=system,
            tools=tools,
            tool_choice=tool_choice,
            temperature=temperature,
            stop_sequences=stop_sequences,
            metadata=metadata,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            stream=True,
        )
        async with stream:
            yield stream
