"""``AIReiter``: the blocking client, for scripts and threaded code.

It has the surface of :class:`~aireiter.AsyncAIReiter` (``tasks``, ``images``, ``videos``,
``messages``, ``balance()``, ``tracker()``, ``chat``/``responses``) and runs the same async core
on an event loop of its own: one background thread per client (anyio's blocking portal),
started in ``__init__`` and stopped by :meth:`AIReiter.close` (or leaving ``with``). Every
method hands its coroutine to that loop and blocks until it is done, so a client is safe to
share between threads: calls from many threads run concurrently on the one loop and share one
connection pool. Do not call it from inside a running event loop (use ``AsyncAIReiter`` there).

The methods are not written twice: each is derived from the async method
(:mod:`aireiter._endpoints._sync`), with its parameters; a coroutine becomes a blocking call,
an async iterator (``tasks.watch``, ``tracker.as_completed``) a plain iterator, an async
context manager (``messages.stream``, the tracker) a plain one.

``chat`` and ``responses`` are the official synchronous ``openai.OpenAI`` client's own
(:class:`aireiter.openai.OpenAI`), built from this client's settings; they need no loop.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._client import AsyncAIReiter
from ._confirm import ConfirmPolicy
from ._endpoints._sync import (
    LoopRunner,
    PortalCall,
    SyncTwin,
    same_parameters,
    twin,
    twin_context,
    twin_iterator,
    twin_sync,
)
from ._exceptions import ParamError
from ._transport import ClientConfig
from ._transport._config import redact_key
from .resources.messages import AsyncMessages, AsyncMessageStream
from .resources.tasks import AsyncTasks
from .types.messages import Message

if TYPE_CHECKING:
    from types import TracebackType

    import aiohttp
    from openai.resources.chat import Chat
    from openai.resources.responses import Responses

    from ._generated.images import SyncImageModels
    from ._generated.videos import SyncVideoModels
    from .openai import OpenAI
    from .tracker import TaskTracker
    from .tracker._blocking import SyncTaskTracker

__all__ = ["AIReiter", "MessageStream", "SyncMessages", "SyncTasks"]

_THREAD_NAME = "aireiter-sync-loop"


def _blocking_copy(run: PortalCall, client: AsyncAIReiter) -> AIReiter:
    return AIReiter.from_async(run, client)


class AIReiter(SyncTwin, twin_of=AsyncAIReiter):
    """The blocking client for the AIReiter API; it takes the arguments of
    :class:`~aireiter.AsyncAIReiter` (``api_key``/``AIREITER_API_KEY``, ``base_url``/
    ``AIREITER_BASE_URL``, ``timeout``, ``max_retries``, ...).

    >>> with AIReiter() as client:                                     # doctest: +SKIP
    ...     task = client.videos.sora2.generate(prompt="a red fox in snow")
    """

    twin_skip = frozenset({"aclose"})  # close() is its twin

    _runner: LoopRunner
    _async: AsyncAIReiter

    @same_parameters(AsyncAIReiter.__init__)
    def __init__(self, **options: Any) -> None:
        from anyio.from_thread import start_blocking_portal

        self._closed = True  # until fully built, so __del__ stays quiet on a failed init
        self._owner = True
        self._lock = threading.Lock()
        self._openai_client: OpenAI | None = None
        if options.get("http_session") is not None:
            raise ParamError.single(
                "http_session",
                "<aiohttp.ClientSession>",
                "cannot be used by the blocking client, which runs its own event loop (an "
                "aiohttp session works only in the loop it was made in); use AsyncAIReiter",
            )
        # Build (and so validate) the client before a thread is started for it.
        client = AsyncAIReiter(**options)
        self._stack = contextlib.ExitStack()
        portal = self._stack.enter_context(start_blocking_portal(name=_THREAD_NAME))
        self._setup(LoopRunner(portal), client)
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

    @classmethod
    def from_async(cls, run: PortalCall, target: AsyncAIReiter) -> AIReiter:
        """A blocking client for ``target``, an async client made by a method of this one's
        (a light copy sharing its pool): it runs on this client's loop thread, which it does
        not own. Its ``close()`` closes only what it made itself."""
        if not isinstance(run, LoopRunner):
            raise TypeError("a blocking client runs on a LoopRunner")
        view = cls.__new__(cls)
        view._owner = False
        view._lock = threading.Lock()
        view._openai_client = None
        view._setup(run, target)
        return view

    def _setup(self, runner: LoopRunner, client: AsyncAIReiter) -> None:
        super().__init__(runner, client)
        self._runner = runner
        self._async = client
        self._closed = False
        self.tasks = SyncTasks(runner, client.tasks)
        """Generation tasks: ``submit``, ``query``, ``wait``, ``watch``... (blocking)."""
        # The model modules load here, not at ``import aireiter``.
        from ._generated.images import SyncImageModels
        from ._generated.videos import SyncVideoModels

        self.images: SyncImageModels = SyncImageModels(runner, client.images)
        """Image models, typed: ``client.images.seedream_v4_5.generate(prompt=...)``."""
        self.videos: SyncVideoModels = SyncVideoModels(runner, client.videos)
        """Video models, typed: ``client.videos.sora2.generate(prompt=...)``."""
        self.messages = SyncMessages(runner, client.messages)
        """Claude Messages format: ``client.messages.create(...)``, ``.stream(...)``."""

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
    balance = twin(AsyncAIReiter.balance)

    with_options = twin_sync(AsyncAIReiter.with_options, _blocking_copy)
    """A light copy with another ``timeout``, ``max_retries`` or more ``default_headers``,
    sharing this client's connection pool and loop thread (see
    :meth:`AsyncAIReiter.with_options`). Closing the copy closes only the chat adapter it
    made itself; the pool and the thread stay this client's."""

    def tracker(self, **options: Any) -> SyncTaskTracker:
        """A blocking :class:`~aireiter.TaskTracker`, bound to this client: ``with
        client.tracker(journal="run.db") as tracker:``, ``tracker.submit(...)``, ``for task
        in tracker.as_completed(): ...``. The options are those of ``TaskTracker``;
        ``on_progress`` is called on the client's loop thread."""
        from .tracker._blocking import SyncTaskTracker

        made: TaskTracker = self._runner.run_sync(lambda: self._async.tracker(**options))
        return SyncTaskTracker(self._runner, made)

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool (and the OpenAI adapter) and stop the loop thread;
        anything still running on it (a tracker left open) is cancelled. Calling it again
        does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            openai_client, self._openai_client = self._openai_client, None
        if not self._owner:  # a light copy: the pool and the loop are its origin's
            if openai_client is not None:
                openai_client.close()
            return
        atexit.unregister(self._close_at_exit)
        portal = self._runner.portal
        try:
            if openai_client is not None:
                openai_client.close()
            portal.call(self._async.aclose)
        finally:
            self._runner.closed = True
            with contextlib.suppress(RuntimeError):
                portal.call(portal.stop, True)
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
        if getattr(self, "_owner", False) and not getattr(self, "_closed", True):
            warnings.warn(
                "an AIReiter client was not closed: call client.close() or use `with`",
                ResourceWarning,
                stacklevel=2,
            )


class SyncTasks(SyncTwin, twin_of=AsyncTasks):
    """``client.tasks`` of :class:`AIReiter`: every method of ``AsyncTasks``, blocking
    (``watch`` is a plain iterator)."""

    _target: AsyncTasks

    submit = twin(AsyncTasks.submit)
    query = twin(AsyncTasks.query)
    wait = twin(AsyncTasks.wait)
    watch = twin_iterator(AsyncTasks.watch)
    download = twin(AsyncTasks.download)
    balance = twin(AsyncTasks.balance)

    @property
    def confirm_policy(self) -> ConfirmPolicy:
        """The client-wide confirm window of ambiguous submits (settable; ``None`` restores
        the default). See ``AsyncTasks.confirm_policy``."""
        return self._target.confirm_policy

    @confirm_policy.setter
    def confirm_policy(self, policy: ConfirmPolicy | None) -> None:
        self._target.confirm_policy = policy


class MessageStream(SyncTwin, twin_of=AsyncMessageStream):
    """A streamed Claude Messages answer for blocking code: an iterator of typed events
    (``for event in stream``) that also accumulates the message; ``text_stream`` yields only
    the text, ``get_final_message()`` reads the rest. Use it in ``with`` (or call
    :meth:`close`) so the connection is released when you stop early."""

    twin_skip = frozenset({"aclose"})  # close() is its twin

    _target: AsyncMessageStream

    get_final_message = twin(AsyncMessageStream.get_final_message)
    get_final_text = twin(AsyncMessageStream.get_final_text)

    def __init__(self, run: PortalCall, stream: AsyncMessageStream) -> None:
        super().__init__(run, stream)
        self._events: Iterator[Any] | None = None

    def _runner(self) -> LoopRunner:
        run = self._run
        assert isinstance(run, LoopRunner)
        return run

    def __iter__(self) -> Iterator[Any]:
        if self._events is None:
            self._events = self._runner().iterate(self._target)
        return self._events

    @property
    def text_stream(self) -> Iterator[str]:
        """Only the text pieces, as they arrive."""
        texts: Iterator[str] = self._runner().iterate(self._target.text_stream)
        return texts

    @property
    def current_message(self) -> Message:
        """The message accumulated from the events seen so far."""
        return self._target.current_message

    @property
    def response(self) -> aiohttp.ClientResponse:
        """The live HTTP response (headers, status)."""
        return self._target.response

    def close(self) -> None:
        """Stop reading and release the connection. Safe to call more than once."""
        runner = self._runner()
        if not runner.closed:
            runner(self._target.aclose)

    def __enter__(self) -> MessageStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _message_stream(run: PortalCall, stream: AsyncMessageStream) -> MessageStream:
    return MessageStream(run, stream)


class SyncMessages(SyncTwin, twin_of=AsyncMessages):
    """``client.messages`` of :class:`AIReiter` (Claude Messages format): ``create(...)``
    returns the message (with ``stream=True``, a :class:`MessageStream`);
    ``with client.messages.stream(...) as stream:`` streams."""

    create = twin(AsyncMessages.create)
    stream = twin_context(AsyncMessages.stream, _message_stream)
