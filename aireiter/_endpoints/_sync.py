"""The behaviour behind the blocking client's model namespaces (``AIReiter().videos.sora2``).

Generated classes (``aireiter/_generated``) give each model a blocking twin of its async
endpoint: ``Sora2SyncEndpoint`` sets ``submit`` and ``generate`` to :func:`blocking` wrappers of
the async methods, so they keep the exact typed keyword arguments (mypy infers them from the
async signature) and run on the client's event loop thread through its portal. This module
holds what is the same for every model: the portal-call protocol, the wrapper, and the two
base classes. It imports nothing of the clients, so generated code can build on it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from .._models import Task

if TYPE_CHECKING:
    from .._spec import ModelSpec
    from ._model import ModelEndpoint, ModelNamespace

__all__ = ["PortalCall", "SyncModelEndpoint", "SyncModelNamespace", "blocking"]

P = ParamSpec("P")
T = TypeVar("T")


class PortalCall(Protocol):
    """Runs a coroutine function on the blocking client's loop and returns its result
    (``AIReiter._call``)."""

    def __call__(self, func: Callable[[], Awaitable[T]], /) -> T: ...


def blocking(call: PortalCall, method: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """A blocking version of the async ``method``, with the same parameters (for type
    checkers too), run through ``call``."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return call(functools.partial(method, *args, **kwargs))

    return run


class SyncModelEndpoint:
    """One model of the blocking client; generated subclasses add the typed ``submit``
    (returns the pending task) and ``generate`` (blocks until it completes)."""

    def __init__(self, call: PortalCall, endpoint: ModelEndpoint[Any]) -> None:
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

    def submit_params(self, params: Any, **options: Any) -> Task:
        """Submit a params object built beforehand (``Sora2Params(prompt=...)``)."""
        return self._call(functools.partial(self._endpoint.submit_params, params, **options))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self.model_id!r}>"


class SyncModelNamespace:
    """``client.images`` / ``client.videos`` of the blocking client: generated subclasses add
    one typed attribute per model; here are the run-time lookups and the specs."""

    def __init__(self, call: PortalCall, models: ModelNamespace) -> None:
        self._call = call
        self._models = models

    def submit(self, model: str, **params: Any) -> Task:
        """Submit to ``model`` chosen at run time (``"sora2"``, ``"sora2_plus"``...)."""
        return self._call(functools.partial(self._models.submit, model, **params))

    def generate(self, model: str, **params: Any) -> Task:
        """Submit to ``model`` chosen at run time and block until it completes."""
        return self._call(functools.partial(self._models.generate, model, **params))

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
