"""The behaviour behind every typed model endpoint (``client.videos.sora2``...).

Generated endpoint classes (``aireiter/_generated``) only declare a typed ``submit`` /
``generate`` signature and hand the values to :class:`ModelEndpoint`, which:

1. checks everything at once (the params against the spec, ``channel``,
   ``fallback_channels``, ``extra_params``) and raises one :class:`~aireiter.ParamError`
   listing every problem, before any request;
2. builds the model's params class and its wire ``params`` (fields left ``None`` are not
   sent; a documented default is a real default of the keyword argument, so it is sent);
3. submits through ``client.tasks.submit`` with the channel's model name (``sora2_plus``),
   which owns the ``out_task_id`` idempotency rules.

Channel fallback (``fallback_channels=[...]``): the channels are tried in order, with the
same ``out_task_id``, and only after a *capacity* rejection of the previous one:

- 429 (``RateLimitError``, after the transport's retries): the API refused the request, so no
  task exists; the next channel is tried at once;
- 5xx (after retries): the outcome is unknown, so the task is first queried by its
  ``out_task_id``. Found: it is returned (that channel did take it). "Not found": the next
  channel is tried. The check itself failing: the original error is raised, nothing more
  is sent;
- anything else (timeouts and connection errors, which are about the network and not the
  channel, 400, 401, 433 not enough credits, 409...) is raised at once;
- a 409 on a fallback attempt means an earlier attempt did create the task after all (the
  id is taken): that task is queried and returned.

Reusing the ``out_task_id`` is what makes this safe: should an earlier attempt still land,
the API's uniqueness of ``out_task_id`` refuses the second one instead of charging twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .._constants import DEFAULT_POLL_INTERVAL_S, DEFAULT_WAIT_TIMEOUT_S
from .._exceptions import (
    AIReiterError,
    APIStatusError,
    ConflictError,
    NotFoundError,
    ParamError,
    ParamIssue,
    TaskFailedError,
)
from .._models import Task, TaskStatus
from .._spec import ModelParams, ModelSpec, check_params, load_spec, resolve_model
from .._types import NOT_GIVEN, NotGivenOr
from ._base import AsyncResource
from ._validation import new_out_task_id

if TYPE_CHECKING:
    from .._transport import Timeout

__all__ = [
    "ModelEndpoint",
    "ModelNamespace",
    "is_capacity_error",
]

logger = logging.getLogger("aireiter")

P = TypeVar("P", bound=ModelParams)

_EXTRA_HINT = "set it with extra_params={...}"


def is_capacity_error(error: BaseException) -> bool:
    """True when a submit was turned away for load (429 or 5xx): another channel may take it."""
    return isinstance(error, APIStatusError) and (
        error.status_code == 429 or error.status_code >= 500
    )


def _channel_text(spec: ModelSpec) -> str:
    offered = ", ".join(repr(name) for name in spec.channel_names)
    return f"{offered} or None (default)" if offered else "None (default channel only)"


class ModelEndpoint(AsyncResource, Generic[P]):
    """One model's endpoint: ``submit`` (returns the pending task) and ``generate`` (submits
    and waits for the completed task). Subclasses are generated from the spec, one per model,
    with the model's parameters as typed keyword arguments."""

    model_id: ClassVar[str] = ""
    params_class: ClassVar[type[ModelParams]] = ModelParams

    @property
    def spec(self) -> ModelSpec:
        """This model's entry in the spec (parameters, modes, channels...)."""
        return load_spec().models[self.model_id]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self.model_id!r}>"

    # -- checks ----------------------------------------------------------------------------
    def _check(
        self,
        values: Mapping[str, Any],
        channel: str | None,
        fallback_channels: Any,
        extra_params: Any,
    ) -> tuple[dict[str, Any], dict[str, Any], list[str | None]]:
        """Every input problem at once; else (field values, extra params, channels to try)."""
        spec = self.spec
        issues: list[ParamIssue] = []
        fields = {name: value for name, value in values.items() if value is not None}
        extra: dict[str, Any] = {}
        if not spec.documented:
            # Keys the spec does not list pass through for a model without a parameter page.
            known = set(spec.param_names)
            extra = {k: v for k, v in fields.items() if k not in known}
            fields = {k: v for k, v in fields.items() if k in known}
        issues.extend(check_params(spec, fields, unknown_hint=_EXTRA_HINT))
        if isinstance(fallback_channels, str) or not isinstance(
            fallback_channels, (Sequence, type(None))
        ):
            problem = "must be a list of channels"
            issues.append(ParamIssue("fallback_channels", fallback_channels, problem))
            fallback_channels = None
        channels: list[str | None] = [channel, *(fallback_channels or ())]
        for index, name in enumerate(channels):
            field = "channel" if index == 0 else f"fallback_channels[{index - 1}]"
            if name is not None and (
                not isinstance(name, str) or f"{spec.id}_{name}" not in spec.channels
            ):
                problem = f"is not offered by {spec.id}"
                issues.append(ParamIssue(field, name, problem, _channel_text(spec)))
            elif name in channels[:index]:
                issues.append(ParamIssue(field, name, "is listed twice", _channel_text(spec)))
        if extra_params is not None:
            if not isinstance(extra_params, Mapping):
                issues.append(ParamIssue("extra_params", extra_params, "must be a mapping"))
            else:
                key: Any
                for key, value in extra_params.items():
                    if key in spec.param_names:
                        issues.append(
                            ParamIssue(
                                f"extra_params[{key!r}]",
                                value,
                                "is a typed parameter of this model: pass it as "
                                f"{key}=... so it is checked",
                            )
                        )
                    elif not isinstance(key, str):
                        issues.append(ParamIssue("extra_params", key, "keys must be strings"))
                    else:
                        extra[key] = value
        if issues:
            raise ParamError(issues, model=spec.id)
        return fields, extra, channels

    def _wire(self, fields: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        params = self.params_class(**fields).to_wire()
        params.update(extra)
        return params

    # -- actions ---------------------------------------------------------------------------
    async def submit_params(
        self,
        params: P,
        *,
        channel: str | None = None,
        fallback_channels: Sequence[str | None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """Submit a params object built beforehand (``Sora2Params(prompt=...)``)."""
        if not isinstance(params, self.params_class):
            raise ParamError.single(
                "params",
                params,
                f"must be a {self.params_class.__name__}",
                model=self.model_id,
            )
        return await self._submit(
            params.to_wire(),
            channel=channel,
            fallback_channels=fallback_channels,
            extra_params=extra_params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def _submit(
        self,
        values: Mapping[str, Any],
        *,
        channel: str | None = None,
        fallback_channels: Sequence[str | None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """Check, build the wire params, and submit on the first channel that takes it."""
        fields, extra, channels = self._check(values, channel, fallback_channels, extra_params)
        params = self._wire(fields, extra)
        tasks = self._client.tasks
        oid = out_task_id or new_out_task_id()
        for index, name in enumerate(channels):
            model = self.spec.model_name(name)
            try:
                return await tasks.submit(
                    model,
                    params,
                    out_task_id=oid,
                    callback_url=callback_url,
                    metadata=metadata,
                    validate=False,
                    timeout=timeout,
                    max_retries=max_retries,
                )
            except ConflictError:
                if index == 0:
                    raise
                # An earlier channel's attempt did create the task: the id is taken by it.
                return await tasks.query(oid)
            except AIReiterError as error:
                if index == len(channels) - 1 or not is_capacity_error(error):
                    raise
                if isinstance(error, APIStatusError) and error.status_code >= 500:
                    existing = await self._find(oid, error)
                    if existing is not None:
                        return existing
                logger.info(
                    "submit of %s on %s was turned away (%s); trying %s",
                    oid,
                    model,
                    getattr(error, "status_code", "?"),
                    self.spec.model_name(channels[index + 1]),
                )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _find(self, out_task_id: str, error: AIReiterError) -> Task | None:
        """The task if the failed submit created it after all; ``None`` if it certainly did
        not. When the check fails too, ``error`` is raised: nothing more is sent."""
        try:
            return await self._client.tasks.query(out_task_id)
        except NotFoundError:
            return None
        except AIReiterError as check_error:
            raise error from check_error

    async def _generate(
        self,
        values: Mapping[str, Any],
        *,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        **submit_options: Any,
    ) -> Task:
        """Submit, then wait until the task completes (returned) or fails (raised)."""
        task = await self._submit(values, **submit_options)
        if task.status is TaskStatus.COMPLETED:
            return task
        if task.status is TaskStatus.FAILED:
            raise TaskFailedError(task)
        return await self._client.tasks.wait(
            task.out_task_id, timeout=wait_timeout, poll_interval=poll_interval
        )


class ModelNamespace(AsyncResource):
    """``client.images`` / ``client.videos``: each model as a typed attribute (generated
    subclasses add them), plus ``submit(model_id, **params)`` / ``generate(...)`` for a model
    chosen at run time, and iteration over the models' specs."""

    kind: ClassVar[str] = ""
    endpoint_classes: ClassVar[Mapping[str, type[ModelEndpoint[Any]]]] = {}

    def endpoint(self, model: str) -> ModelEndpoint[Any]:
        """The endpoint of ``model`` (a model id such as ``"sora2"``)."""
        if model not in self.endpoint_classes:
            known = ", ".join(self.endpoint_classes)
            raise ParamError.single(
                "model", model, f"is not a {self.kind} model in the spec", allowed=known
            )
        endpoint: ModelEndpoint[Any] = getattr(self, model)
        return endpoint

    def _resolve(self, model: str, channel: str | None) -> tuple[ModelEndpoint[Any], str | None]:
        spec, name_channel = resolve_model(model)
        if spec is not None and name_channel is not None and spec.id in self.endpoint_classes:
            if channel is not None and channel != name_channel:
                raise ParamError.single(
                    "channel",
                    channel,
                    f"conflicts with the channel in the model name {model!r}",
                    model=spec.id,
                )
            return self.endpoint(spec.id), name_channel
        return self.endpoint(model), channel

    async def submit(
        self,
        model: str,
        *,
        channel: str | None = None,
        fallback_channels: Sequence[str | None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        **params: Any,
    ) -> Task:
        """Submit to ``model`` chosen at run time; ``params`` are checked like the typed
        endpoint's keyword arguments (a channel suffix in ``model`` is understood)."""
        endpoint, channel = self._resolve(model, channel)
        return await endpoint._submit(
            params,
            channel=channel,
            fallback_channels=fallback_channels,
            extra_params=extra_params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def generate(
        self,
        model: str,
        *,
        channel: str | None = None,
        fallback_channels: Sequence[str | None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        **params: Any,
    ) -> Task:
        """Submit to ``model`` chosen at run time and wait for the completed task."""
        endpoint, channel = self._resolve(model, channel)
        return await endpoint._generate(
            params,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
            channel=channel,
            fallback_channels=fallback_channels,
            extra_params=extra_params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
        )

    def list(self) -> tuple[ModelSpec, ...]:
        """The spec of every model of this namespace, in spec order."""
        models = load_spec().models
        return tuple(models[model_id] for model_id in self.endpoint_classes)

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self.list())

    def __len__(self) -> int:
        return len(self.endpoint_classes)

    def __contains__(self, model: object) -> bool:
        return model in self.endpoint_classes
