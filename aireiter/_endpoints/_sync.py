"""Blocking twins: the blocking client's surface, derived from the async one.

Every class of the blocking client (``AIReiter``, ``client.tasks``, ``client.messages``, the
model namespaces and endpoints, the tracker and its handles) is a :class:`SyncTwin` of an async
class. Its methods are not written again: each is a :class:`Twin` built from the async method
(``submit = twin(AsyncTasks.submit)``), so it has the async method's parameters, for
``inspect.signature`` and for type checkers alike (a ``ParamSpec``), and runs it on the blocking
client's event loop thread. A coroutine method becomes a blocking call, an async generator a
blocking iterator, an async context manager a blocking one. A public async method the twin class
does not name is derived when the class is made (``twin_of=``), so a method added to the async
class has its blocking twin at once (typed once it is named here too).

:class:`LoopRunner` is that event loop thread (an anyio blocking portal): a call made from any
thread runs there, several threads share it, and an interrupt (Ctrl-C) in the calling thread
cancels the coroutine it was waiting for before it is raised.

This module imports nothing of the clients, so generated code can build on it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from .._exceptions import ClientClosedError
from ._model import ModelEndpoint, ModelNamespace

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal
    from typing_extensions import Self

    from .._spec import ModelSpec

__all__ = [
    "LoopRunner",
    "PortalCall",
    "SyncModelEndpoint",
    "SyncModelNamespace",
    "SyncTwin",
    "Twin",
    "blocking",
    "bound_twin",
    "each",
    "same_parameters",
    "twin",
    "twin_context",
    "twin_iterator",
    "twin_sync",
]

P = ParamSpec("P")
T = TypeVar("T")
A = TypeVar("A")
S = TypeVar("S")

UNWIND_TIMEOUT_S = 5.0  # after an interrupt, how long to let the cancelled coroutine unwind
CLOSED_MESSAGE = "this AIReiter client is closed"

Kind = Literal["call", "iterate", "context", "sync"]


class PortalCall(Protocol):
    """Runs a coroutine function on the blocking client's loop and returns its result
    (a :class:`LoopRunner`)."""

    def __call__(self, func: Callable[[], Awaitable[T]], /) -> T: ...


Convert = Callable[[PortalCall, Any], Any]


class LoopRunner:
    """The blocking client's event loop: one thread (an anyio blocking portal) that runs
    coroutines, async iterators and async context managers for callers in any thread."""

    def __init__(self, portal: BlockingPortal) -> None:
        self._portal = portal
        self._loop_thread = portal.call(threading.get_ident)
        self.closed = False
        """True once the client that owns the loop is closed: every call then raises
        :class:`~aireiter.ClientClosedError`."""

    @property
    def portal(self) -> BlockingPortal:
        """The anyio blocking portal underneath."""
        return self._portal

    def _check(self) -> None:
        if self.closed:
            raise ClientClosedError(CLOSED_MESSAGE)

    def _run(self, func: Callable[[], Any]) -> Any:
        self._check()
        finished = threading.Event()

        async def task() -> Any:
            try:
                result = func()
                return await result if inspect.isawaitable(result) else result
            finally:
                finished.set()

        future = self._portal.start_task_soon(task)
        try:
            return future.result()
        except BaseException:
            if not future.done():  # the caller was interrupted (Ctrl-C): stop the coroutine
                future.cancel()
                finished.wait(UNWIND_TIMEOUT_S)
            raise

    def __call__(self, func: Callable[[], Awaitable[T]], /) -> T:
        """Run ``func()`` on the loop; its result, or its error raised here."""
        result: T = self._run(func)
        return result

    def run_sync(self, func: Callable[[], T]) -> T:
        """Run the plain function ``func()`` on the loop thread (it touches loop-owned
        state); its result."""
        result: T = self._run(func)
        return result

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A blocking iterator over ``iterator``, read one item at a time on the loop.
        Leaving it early (``break``, an error, ``close()``) closes the async iterator."""

        async def step() -> tuple[bool, Any]:
            try:
                return True, await iterator.__anext__()
            except StopAsyncIteration:
                return False, None

        try:
            while True:
                more, item = self(step)
                if not more:
                    return
                yield item
        finally:
            closer = getattr(iterator, "aclose", None)
            if closer is not None and not self.closed and not self.in_loop_thread():
                with contextlib.suppress(Exception):
                    self(closer)

    def enter(self, manager: AbstractAsyncContextManager[T]) -> AbstractContextManager[T]:
        """``manager`` as a blocking context manager: entered and exited by one task on the
        loop (what anyio task groups and cancel scopes require)."""
        self._check()
        return self._portal.wrap_async_context_manager(manager)

    def in_loop_thread(self) -> bool:
        """True when called from the loop's own thread (where blocking would deadlock)."""
        return threading.get_ident() == self._loop_thread


def _runner(run: PortalCall) -> LoopRunner:
    if not isinstance(run, LoopRunner):
        raise TypeError("iterators and context managers need the blocking client's LoopRunner")
    return run


# -- converting results --------------------------------------------------------------------------
_TWINS: dict[type, type[SyncTwin]] = {}  # async class -> its blocking twin (twin_of=...)


def to_sync(run: PortalCall, value: Any) -> Any:
    """``value`` with every async object that has a blocking twin class replaced by its twin
    (a ``TaskHandle`` by a ``SyncTaskHandle``...), in lists and tuples too."""
    if isinstance(value, (list, tuple)):
        converted = [to_sync(run, item) for item in value]
        return converted if isinstance(value, list) else tuple(converted)
    for klass in type(value).__mro__:
        twin_class = _TWINS.get(klass)
        if twin_class is not None:
            return twin_class.from_async(run, value)
    return value


def each(convert: Callable[[PortalCall, A], S]) -> Callable[[PortalCall, Iterable[A]], list[S]]:
    """A converter of a list of values, made from the converter of one."""

    def convert_all(run: PortalCall, values: Iterable[A]) -> list[S]:
        return [convert(run, value) for value in values]

    return convert_all


def _twin_kind(method: Any) -> Kind | None:
    """How an async class's attribute becomes blocking (``None``: it does not)."""
    if inspect.iscoroutinefunction(method):
        return "call"
    if inspect.isasyncgenfunction(method):
        return "iterate"
    if inspect.isasyncgenfunction(getattr(method, "__wrapped__", None)):
        return "context"  # an @asynccontextmanager method
    return None


# -- the derived methods -------------------------------------------------------------------------
class Twin(Generic[P, T]):
    """A blocking method derived from an async one (made by :func:`twin` and its siblings).

    On an instance of a :class:`SyncTwin` it is a bound method with the async method's
    parameters that calls the method of the same name on the twin's async object through the
    twin's loop, then converts the result (:func:`to_sync`, or the converter given).
    """

    def __init__(self, method: Callable[..., Any], kind: Kind, convert: Convert | None) -> None:
        self.method = method
        self.kind = kind
        self.name: str = method.__name__
        self._function = _blocking_function(method, kind, convert or to_sync)

    @overload
    def __get__(self, instance: None, owner: type) -> Callable[Concatenate[Any, P], T]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> Callable[P, T]: ...

    def __get__(
        self, instance: object | None, owner: type
    ) -> Callable[Concatenate[Any, P], T] | Callable[P, T]:
        if instance is None:  # on the class: the plain function, as for any method
            function: Callable[Concatenate[Any, P], T] = self._function
            return function
        bound: Callable[P, T] = types.MethodType(self._function, instance)
        return bound

    def __repr__(self) -> str:
        return f"<blocking twin of {self.method.__qualname__}>"


def _blocking_function(method: Callable[..., Any], kind: Kind, convert: Convert) -> Any:
    """The plain function behind a :class:`Twin`: ``(twin_instance, *args, **kwargs)``."""
    name = method.__name__

    def run(twin: SyncTwin, /, *args: Any, **kwargs: Any) -> Any:
        target = getattr(twin._target, name)
        loop = twin._run
        if kind == "call":
            return convert(loop, loop(functools.partial(target, *args, **kwargs)))
        if kind == "sync":
            return convert(loop, _runner(loop).run_sync(functools.partial(target, *args, **kwargs)))
        if kind == "iterate":
            runner = _runner(loop)

            async def start() -> Any:
                made = target(*args, **kwargs)
                return await made if inspect.isawaitable(made) else made

            items = runner.iterate(runner(start))
            return (convert(loop, item) for item in items) if convert is not to_sync else items
        runner = _runner(loop)
        return _converted_context(runner.enter(target(*args, **kwargs)), loop, convert)

    functools.update_wrapper(run, method)
    del run.__wrapped__  # type: ignore[attr-defined]  # the signature below says it all
    signature = inspect.signature(method)
    if kind != "call":  # the async return annotation would be wrong here
        signature = signature.replace(return_annotation=inspect.Signature.empty)
    run.__signature__ = signature  # type: ignore[attr-defined]
    return run


@contextlib.contextmanager
def _converted_context(
    manager: AbstractContextManager[Any], run: PortalCall, convert: Convert
) -> Iterator[Any]:
    with manager as value:
        yield convert(run, value)


@overload
def twin(method: Callable[Concatenate[Any, P], Awaitable[T]], /) -> Twin[P, T]: ...


@overload
def twin(
    method: Callable[Concatenate[Any, P], Awaitable[A]], /, convert: Callable[[PortalCall, A], S]
) -> Twin[P, S]: ...


def twin(method: Callable[..., Any], /, convert: Convert | None = None) -> Twin[Any, Any]:
    """The blocking twin of the coroutine method ``method`` (``twin(AsyncTasks.wait)``): the
    same parameters, its result (through ``convert`` when given)."""
    return Twin(method, "call", convert)


def twin_iterator(
    method: Callable[Concatenate[Any, P], AsyncIterator[T]], /
) -> Twin[P, Iterator[T]]:
    """The blocking twin of an async generator method: a blocking iterator."""
    return Twin(method, "iterate", None)


def twin_context(
    method: Callable[Concatenate[Any, P], AbstractAsyncContextManager[A]],
    /,
    convert: Callable[[PortalCall, A], S],
) -> Twin[P, AbstractContextManager[S]]:
    """The blocking twin of a method returning an async context manager: a blocking context
    manager whose value is the async one's, through ``convert``."""
    return Twin(method, "context", convert)


def bound_twin(method: Callable[P, Awaitable[T]], /) -> Twin[P, T]:
    """:func:`twin` of a bound method (for type checkers, which cannot bind ``self`` of a
    method taking ``**kwargs`` themselves: ``bound_twin(a_namespace.submit)``)."""
    return Twin(getattr(method, "__func__", method), "call", None)


@overload
def twin_sync(method: Callable[Concatenate[Any, P], T], /) -> Twin[P, T]: ...


@overload
def twin_sync(
    method: Callable[Concatenate[Any, P], A], /, convert: Callable[[PortalCall, A], S]
) -> Twin[P, S]: ...


def twin_sync(method: Callable[..., Any], /, convert: Convert | None = None) -> Twin[Any, Any]:
    """A plain method of the async object run on the loop thread (it reads or changes state
    the loop owns), its result through ``convert`` when given."""
    return Twin(method, "sync", convert)


def same_parameters(
    source: Callable[Concatenate[Any, P], Any], /
) -> Callable[[Callable[Concatenate[S, ...], None]], Callable[Concatenate[S, P], None]]:
    """Give the decorated ``__init__(self, **options)`` the parameters of ``source`` (for
    ``inspect.signature`` and type checkers); it must hand them on to ``source``'s class."""

    def decorate(init: Callable[Concatenate[S, ...], None]) -> Callable[Concatenate[S, P], None]:
        signature = inspect.signature(source)
        init.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=inspect.Signature.empty
        )
        return init

    return decorate


class SyncTwin:
    """The blocking twin of an async object: ``_run`` is the loop (a :class:`LoopRunner`, or
    any :class:`PortalCall`), ``_target`` the async object.

    A subclass names its async class with ``twin_of=``: every public coroutine method, async
    generator method and async context manager method of it that the subclass does not define
    gets its :class:`Twin` (except the names in ``twin_skip``), and results of that class are
    converted to this twin class (:func:`to_sync`).
    """

    twin_of: ClassVar[type | None] = None
    twin_skip: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, run: PortalCall, target: Any) -> None:
        self._run = run
        self._target = target

    @classmethod
    def from_async(cls, run: PortalCall, target: Any) -> Self:
        """The twin of ``target`` (an instance of ``twin_of``) that an async method returned."""
        return cls(run, target)

    def __init_subclass__(cls, twin_of: type | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if twin_of is None:
            return
        cls.twin_of = twin_of
        _TWINS[twin_of] = cls
        for name in dir(twin_of):
            if name.startswith("_") or name in cls.twin_skip:
                continue
            if any(name in klass.__dict__ for klass in cls.__mro__ if klass is not object):
                continue
            method = inspect.getattr_static(twin_of, name)
            kind = _twin_kind(method)
            if kind is not None:
                setattr(cls, name, Twin(method, kind, None))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._target!r}>"


def blocking(call: PortalCall, method: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """A blocking version of the async (bound) ``method``, with the same parameters (for type
    checkers too), run through ``call``."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return call(functools.partial(method, *args, **kwargs))

    return run


# -- model namespaces and endpoints --------------------------------------------------------------
if TYPE_CHECKING:
    _A_NAMESPACE = cast("ModelNamespace", None)  # only for the types of its bound methods


class SyncModelEndpoint(SyncTwin, twin_of=ModelEndpoint):
    """One model of the blocking client; generated subclasses add the typed ``submit``
    (returns the pending task) and ``generate`` (blocks until it completes)."""

    submit_params = twin(ModelEndpoint.submit_params)

    def __init__(self, call: PortalCall, endpoint: ModelEndpoint[Any]) -> None:
        super().__init__(call, endpoint)
        self._call = call
        self._endpoint = endpoint

    @property
    def model_id(self) -> str:
        """The model's id (``"sora2"``)."""
        return self._endpoint.model_id

    @property
    def spec(self) -> ModelSpec:
        """The model's entry in the spec."""
        return self._endpoint.spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self.model_id!r}>"


class SyncModelNamespace(SyncTwin, twin_of=ModelNamespace):
    """``client.images`` / ``client.videos`` of the blocking client: generated subclasses add
    one typed attribute per model; here are the run-time lookups and the specs."""

    if TYPE_CHECKING:  # made by twin_of=; typed through a bound method (they take **params)
        submit = bound_twin(_A_NAMESPACE.submit)
        generate = bound_twin(_A_NAMESPACE.generate)

    def __init__(self, call: PortalCall, models: ModelNamespace) -> None:
        super().__init__(call, models)
        self._call = call
        self._models = models

    def endpoint(self, model: str) -> SyncModelEndpoint:
        """The blocking endpoint of ``model`` (a model id such as ``"sora2"``)."""
        self._models.endpoint(model)  # ParamError for a model this namespace does not have
        found: SyncModelEndpoint = getattr(self, model)
        return found

    def list(self) -> tuple[ModelSpec, ...]:
        """The spec of every model of this namespace."""
        return self._models.list()

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self.list())

    def __len__(self) -> int:
        return len(type(self._models).endpoint_classes)

    def __contains__(self, model: object) -> bool:
        return model in type(self._models).endpoint_classes

    def __repr__(self) -> str:
        return f"<{type(self).__name__} models={len(self)}>"
