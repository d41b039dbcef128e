"""``AIReiter``: the blocking client, for scripts and threaded code.

It has the surface of :class:`~aireiter.AsyncAIReiter` (``tasks``, ``images``, ``videos``,
``messages``, ``balance()``, ``chat``/``responses``) and runs the same async core on an event
loop of its own: one background thread per client (anyio's blocking portal), started in
``__init__`` and stopped by :meth:`AIReiter.close` (or leaving ``with``). Every method hands its
coroutine to that loop and blocks until it is done, so a client is safe to share between
threads: calls from many threads run concurrently on the one loop and share one connection
pool. Do not call it from inside a running event loop (use ``AsyncAIReiter`` there).

``chat`` and ``responses`` are the official synchronous ``openai.OpenAI`` client's own
(:class:`aireiter.openai.OpenAI`), built from this client's settings; they need no loop.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import threading
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._client import AsyncAIReiter
from ._confirm import ConfirmPolicy
from ._constants import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POLL_BACKOFF,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_POLL_MAX_INTERVAL_S,
    DEFAULT_WAIT_TIMEOUT_S,
)
from ._models import Balance, Task
from ._transport import ClientConfig, Timeout
from ._transport._config import redact_key
from ._types import NOT_GIVEN, NotGivenOr

if TYPE_CHECKING:
    from types import TracebackType

    from anyio.from_thread import BlockingPortal
    from openai.resources.chat import Chat
    from openai.resources.responses import Responses

    from ._generated.images import SyncImageModels
    from ._generated.videos import SyncVideoModels
    from .openai import OpenAI

__all__ = ["AIReiter", "SyncMessages", "SyncTasks"]

T = TypeVar("T")

_THREAD_NAME = "aireiter-sync-loop"


class AIReiter:
    """The blocking client for the AIReiter API; arguments as for
    :class:`~aireiter.AsyncAIReiter` (``api_key``/``AIREITER_API_KEY``, ``base_url``/
    ``AIREITER_BASE_URL``, ``timeout``, ``max_retries``, ``max_connections``,
    ``default_headers``).

    >>> with AIReiter() as client:                                     # doctest: +SKIP
    ...     task = client.videos.sora2.generate(prompt="a red fox in snow")
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        from anyio.from_thread import start_blocking_portal

        self._closed = True  # until fully built, so __del__ stays quiet on a failed init
        self._lock = threading.Lock()
        self._openai_client: OpenAI | None = None
        # Build (and so validate) the client before a thread is started for it.
        client = AsyncAIReiter(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            default_headers=default_headers,
        )
        self._stack = contextlib.ExitStack()
        self._portal: BlockingPortal = self._stack.enter_context(
            start_blocking_portal(name=_THREAD_NAME)
        )
        self._async = client
        self._closed = False
        # A client left open would keep its loop thread alive and hang the interpreter at exit
        # (the portal's thread is joined then, when it can no longer answer): close it at exit,
        # while the thread still runs. A weak reference, so this keeps no client alive.
        ref = weakref.ref(self)

        def close_at_exit() -> None:
            leftover = ref()
            if leftover is not None:
                leftover.close()

        self._close_at_exit = close_at_exit
        atexit.register(close_at_exit)
        self.tasks = SyncTasks(self)
        """Generation tasks: ``submit``, ``query``, ``wait`` (blocking)."""
        # The model modules load here, not at ``import aireiter``.
        from ._generated.images import SyncImageModels
        from ._generated.videos import SyncVideoModels

        self.images: SyncImageModels = SyncImageModels(self._call, client.images)
        """Image models, typed: ``client.images.seedream_v4_5.generate(prompt=...)``."""
        self.videos: SyncVideoModels = SyncVideoModels(self._call, client.videos)
        """Video models, typed: ``client.videos.sora2.generate(prompt=...)``."""
        self.messages = SyncMessages(self)
        """Claude Messages format: ``client.messages.create(...)`` (``stream=True`` iterates)."""

    # -- running coroutines on the client's loop ------------------------------------------
    def _call(self, func: Callable[[], Awaitable[T]]) -> T:
        """Run ``func()`` on the client's loop and return its result (raising its error)."""
        if self._closed:
            raise RuntimeError("this AIReiter client is closed")
        return self._portal.call(func)

    # -- configuration ---------------------------------------------------------------------
    @property
    def async_client(self) -> AsyncAIReiter:
        """The :class:`AsyncAIReiter` underneath (it lives on this client's loop thread)."""
        return self._async

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (the key is redacted in its repr)."""
        return self._async.config

    @property
    def base_url(self) -> str:
        """The API host."""
        return self._async.base_url

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def __repr__(self) -> str:
        return (
            f"AIReiter(base_url={self.config.base_url!r}, "
            f"api_key={redact_key(self.config.api_key)!r})"
        )

    # -- openai adapter (synchronous, no loop needed) -------------------------------------
    @property
    def openai(self) -> OpenAI:
        """The OpenAI-compatible client (a subclass of ``openai.OpenAI``), made on first use
        from this client's settings and closed with it."""
        with self._lock:
            if self._openai_client is None:
                from .openai import OpenAI, _from_config

                self._openai_client = _from_config(OpenAI, self.config)
            return self._openai_client

    @property
    def chat(self) -> Chat:
        """OpenAI Chat Completions: ``client.chat.completions.create(...)``."""
        return self.openai.chat

    @property
    def responses(self) -> Responses:
        """OpenAI Responses: ``client.responses.create(...)``."""
        return self.openai.responses

    # -- actions ---------------------------------------------------------------------------
    def balance(self, *, timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN) -> Balance:
        """The account's credit balance."""
        return self._call(functools.partial(self._async.balance, timeout=timeout))

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool (and the OpenAI adapter) and stop the loop thread.
        Calling it again does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            openai_client, self._openai_client = self._openai_client, None
        atexit.unregister(self._close_at_exit)
        try:
            if openai_client is not None:
                openai_client.close()
            self._portal.call(self._async.aclose)
        finally:
            self._stack.close()

    def __enter__(self) -> AIReiter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            warnings.warn(
                "an AIReiter client was not closed: call client.close() or use `with`",
                ResourceWarning,
                stacklevel=2,
            )


class SyncTasks:
    """``client.tasks`` of :class:`AIReiter`: the blocking twin of ``AsyncTasks``."""

    def __init__(self, client: AIReiter) -> None:
        self._client = client

    def submit(
        self,
        model: str,
        params: Mapping[str, Any],
        *,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        validate: bool = True,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        confirm: ConfirmPolicy | None = None,
    ) -> Task:
        """Submit a task; returns it as accepted. An ambiguous submit is confirmed over the
        ``confirm`` window (default :attr:`confirm_policy`) before any resend. See
        ``AsyncTasks.submit``."""
        tasks = self._client.async_client.tasks
        return self._client._call(
            functools.partial(
                tasks.submit,
                model,
                params,
                out_task_id=out_task_id,
                callback_url=callback_url,
                metadata=metadata,
                validate=validate,
                timeout=timeout,
                max_retries=max_retries,
                confirm=confirm,
            )
        )

    @property
    def confirm_policy(self) -> ConfirmPolicy:
        """The client-wide confirm window of ambiguous submits (settable; ``None`` restores
        the default). See ``AsyncTasks.confirm_policy``."""
        return self._client.async_client.tasks.confirm_policy

    @confirm_policy.setter
    def confirm_policy(self, policy: ConfirmPolicy | None) -> None:
        self._client.async_client.tasks.confirm_policy = policy

    def query(
        self,
        out_task_id: str | None = None,
        *,
        task_id: str | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
    ) -> Task:
        """The task's current state. See ``AsyncTasks.query``."""
        tasks = self._client.async_client.tasks
        return self._client._call(
            functools.partial(tasks.query, out_task_id, task_id=task_id, timeout=timeout)
        )

    def wait(
        self,
        out_task_id: str | None = None,
        *,
        task_id: str | None = None,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        max_poll_interval: float = DEFAULT_POLL_MAX_INTERVAL_S,
        backoff: float = DEFAULT_POLL_BACKOFF,
        raise_on_failure: bool = True,
    ) -> Task:
        """Block until the task completes (returned) or fails (raised); failed queries are
        polled through until ``timeout`` (then :class:`TaskTimeoutError`). See
        ``AsyncTasks.wait``."""
        tasks = self._client.async_client.tasks
        return self._client._call(
            functools.partial(
                tasks.wait,
                out_task_id,
                task_id=task_id,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                backoff=backoff,
                raise_on_failure=raise_on_failure,
            )
        )

    def balance(self, *, timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN) -> Balance:
        """The account's credit balance."""
        return self._client.balance(timeout=timeout)


class SyncMessages:
    """``client.messages`` of :class:`AIReiter` (Claude Messages format).

    ``create(...)`` returns the message; with ``stream=True`` it returns an iterator of the
    stream's events, read from the client's loop one at a time (close it, or read it to the
    end, to release the connection).
    """

    def __init__(self, client: AIReiter) -> None:
        self._client = client

    def create(self, **kwargs: Any) -> Any:
        """Create a message; the keyword arguments are those of the async ``create``."""
        messages = self._client.async_client.messages
        result = self._client._call(functools.partial(messages.create, **kwargs))
        if not kwargs.get("stream"):
            return result
        return self._iterate(result)

    def _iterate(self, stream: Any) -> Iterator[Any]:
        iterator = stream.__aiter__()

        async def next_item() -> tuple[bool, Any]:
            try:
                return True, await iterator.__anext__()
            except StopAsyncIteration:
                return False, None

        try:
            while True:
                more, item = self._client._call(next_item)
                if not more:
                    return
                yield item
        finally:
            closer = getattr(stream, "aclose", None) or getattr(stream, "close", None)
            if closer is not None and not self._client.is_closed:
                with contextlib.suppress(Exception):
                    self._client._call(closer)
