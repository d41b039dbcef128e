"""The behaviour behind every typed model endpoint (``client.videos.sora2``...).

Generated endpoint classes (``aireiter/_generated``) only declare a typed ``submit`` /
``generate`` signature and hand the values to :class:`ModelEndpoint`, which:

1. builds the model's params object once (``Sora2Params(...)``: it checks itself against the
   spec) and checks ``channel``, ``fallback_channels`` and ``extra_params``, raising one
   :class:`~aireiter.ParamError` listing every problem, before any request;
2. sends that object's wire ``params`` (fields left ``None`` are not sent; a documented default
   is a real default of the keyword argument, so it is sent) plus ``extra_params``, unchecked
   a second time, through ``client.tasks.submit`` with the channel's model name
   (``sora2_plus``), which owns the ``out_task_id`` idempotency rules.

``channel=`` takes any of the four levels (``base``, ``plus``, ``advanced``, ``max``) on every
model, and ``face``: one the docs do not list for the model is sent with a one-time
:class:`~aireiter.UndocumentedChannelWarning` (see :mod:`aireiter._spec._channels`).

Channel fallback (``fallback_channels=[...]``): the channels are tried in order, with the
same ``out_task_id``, and only after a *capacity* rejection of the previous one:

- 429 (``RateLimitError``, after the transport's retries): the API refused the request, so no
  task exists; the next channel is tried at once;
- 5xx (after retries): the outcome is unknown, so the task's ``out_task_id`` is first
  confirmed over the client's confirm window (``client.tasks``' policy, see
  :mod:`aireiter._confirm`: queries spread over at least as long as the request could still
  be in flight). Found: it is returned (that channel did take it). A whole window of "not
  found": the next channel is tried. Nothing can tell: the original error is raised, naming
  the id, and nothing more is sent;
- anything else (timeouts and connection errors, which are about the network and not the
  channel, 400, 401, 433 not enough credits, 409...) is raised at once;
- a 409 on a fallback attempt means an earlier attempt did create the task after all (the
  id is taken): that task is queried and returned.

Reusing the ``out_task_id`` is what makes this safe: should an earlier attempt still land,
the API's uniqueness of ``out_task_id`` refuses the second one instead of charging twice.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .._constants import DEFAULT_WAIT_TIMEOUT_S
from .._exceptions import (
    AIReiterError,
    APIStatusError,
    ConflictError,
    ParamError,
    ParamIssue,
)
from .._files import encode_image_fields, is_image_file
from .._models import Task
from .._spec import (
    ModelParams,
    ModelSpec,
    channel_issue,
    channels_text,
    extra_params_issues,
    load_spec,
    parse_model_name,
    shorten,
    warn_undocumented_channel,
)
from .._transport._extras import NO_EXTRAS, RequestExtras, request_extras
from .._types import NOT_GIVEN, NotGivenOr
from ._resource import AsyncResource
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

OnUpdate = Callable[[Task], object]
"""``on_update=``: called with the task at each new status (plain or async)."""


def _holds_file(value: object) -> bool:
    return isinstance(value, (list, tuple)) and any(is_image_file(item) for item in value)


def is_capacity_error(error: BaseException) -> bool:
    """True when a submit was turned away for load (429 or 5xx): another channel may take it."""
    return isinstance(error, APIStatusError) and (
        error.status_code == 429 or error.status_code >= 500
    )


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
    def _build(
        self, values: Mapping[str, Any]
    ) -> tuple[ModelParams | None, dict[str, Any], list[ParamIssue]]:
        """The params object built from ``values`` (checked as it is built), the keys it does
        not type (sent as they are on a model with open params, else issues), the issues."""
        spec = self.spec
        known = spec.param_name_set
        fields = {key: value for key, value in values.items() if value is not None}
        issues: list[ParamIssue] = []
        extra: dict[str, Any] = {}
        for key in sorted(key for key in fields if key not in known):
            if spec.open_params:
                extra[key] = fields[key]
            else:
                problem = f"is not a parameter of {spec.id} ({_EXTRA_HINT})"
                allowed = ", ".join(spec.param_names)
                issues.append(ParamIssue(key, shorten(fields[key]), problem, allowed))
        # A missing required field is given as None, so the params object reports it.
        arguments: dict[str, Any] = dict.fromkeys(spec.required_params)
        arguments.update((key, value) for key, value in fields.items() if key in known)
        try:
            params = self.params_class(**arguments)
        except ParamError as error:
            return None, extra, [*error.issues, *issues]
        return params, extra, issues

    def _with_files(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """``values`` with each local image (a path, bytes, a binary file) as a data URI where
        the model's docs allow one (see :mod:`aireiter._files`); a ParamError otherwise."""
        if not any(is_image_file(v) or _holds_file(v) for v in values.values()):
            return values
        spec = self.spec
        lists = frozenset(p.name for p in spec.params if p.types == ("array",))
        return encode_image_fields(spec.id, values, list_fields=lists)

    def _options(
        self, channel: object, fallback_channels: object, extra_params: object
    ) -> tuple[list[str | None], dict[str, Any], list[ParamIssue]]:
        """The channels to try, the extra params, and every problem with them."""
        spec = self.spec
        issues: list[ParamIssue] = []
        if isinstance(fallback_channels, str) or not isinstance(
            fallback_channels, (Sequence, type(None))
        ):
            problem = "must be a list of channels"
            issues.append(ParamIssue("fallback_channels", fallback_channels, problem))
            fallback_channels = None
        channels: list[Any] = [channel, *(fallback_channels or ())]
        for index, name in enumerate(channels):
            field = "channel" if index == 0 else f"fallback_channels[{index - 1}]"
            issue = channel_issue(spec, name, field)
            if issue is not None:
                issues.append(issue)
            elif name in channels[:index]:
                issues.append(ParamIssue(field, name, "is listed twice", channels_text(spec)))
        extra, extra_issues = extra_params_issues(spec, extra_params)
        return channels, extra, [*issues, *extra_issues]

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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Submit a params object built beforehand (``Sora2Params(prompt=...)``); it was
        checked when it was built and is sent as it is."""
        if not isinstance(params, self.params_class):
            raise ParamError.single(
                "params",
                params,
                f"must be a {self.params_class.__name__}",
                model=self.model_id,
            )
        channels, extra, issues = self._options(channel, fallback_channels, extra_params)
        if issues:
            raise ParamError(issues, model=self.model_id)
        return await self._send(
            {**params.to_wire(), **extra},
            channels,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Encode local reference images, build the params object once (every problem at
        once), then send it."""
        params, open_extra, issues = self._build(self._with_files(values))
        channels, extra, option_issues = self._options(channel, fallback_channels, extra_params)
        issues += option_issues
        if issues or params is None:
            raise ParamError(issues, model=self.model_id)
        return await self._send(
            {**params.to_wire(), **open_extra, **extra},
            channels,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )

    async def _send(
        self,
        params: dict[str, Any],
        channels: Sequence[str | None],
        *,
        out_task_id: str | None,
        callback_url: str | None,
        metadata: Mapping[str, Any] | None,
        timeout: NotGivenOr[float | Timeout | None],
        max_retries: NotGivenOr[int],
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Submit the checked wire ``params`` on the first channel that takes them; the
        extras go with every request (``extra_body`` with the submits only)."""
        extras = request_extras(extra_headers, extra_query, extra_body)  # before any request
        spec = self.spec
        tasks = self._client.tasks
        oid = out_task_id or new_out_task_id()
        for index, name in enumerate(channels):
            model = spec.model_name(name)
            warn_undocumented_channel(spec, name)
            started = time.monotonic()
            try:
                return await tasks.submit(
                    model,
                    params,
                    out_task_id=oid,
                    callback_url=callback_url,
                    metadata=metadata,
                    validate=False,  # checked once, when the params object was built
                    timeout=timeout,
                    max_retries=max_retries,
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    extra_body=extra_body,
                )
            except ConflictError:
                if index == 0:
                    raise
                # An earlier channel's attempt did create the task: the id is taken by it.
                return await tasks.query(oid, extra_headers=extra_headers, extra_query=extra_query)
            except AIReiterError as error:
                if index == len(channels) - 1 or not is_capacity_error(error):
                    raise
                if isinstance(error, APIStatusError) and error.status_code >= 500:
                    attempt_s = time.monotonic() - started
                    existing = await self._find(oid, error, attempt_s, model, params, extras)
                    if existing is not None:
                        return existing
                logger.info(
                    "submit of %s on %s was turned away (%s); trying %s",
                    oid,
                    model,
                    getattr(error, "status_code", "?"),
                    spec.model_name(channels[index + 1]),
                )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _find(
        self,
        out_task_id: str,
        error: AIReiterError,
        attempt_s: float,
        model: str,
        params: Mapping[str, Any],
        extras: RequestExtras = NO_EXTRAS,
    ) -> Task | None:
        """The task if the failed submit created it after all; ``None`` once a confirm window
        of "not found" shows it did not. When nothing can tell, ``error`` is raised: nothing
        more is sent. A task found under the id that another request created is a
        :class:`~aireiter.ConflictError`."""
        return await self._client.tasks._confirm_absent(
            out_task_id,
            error,
            attempt_s=attempt_s,
            model=model,
            params=params,
            extras=extras.without_body(),
        )

    async def _generate(
        self,
        values: Mapping[str, Any],
        *,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
        download_dir: str | os.PathLike[str] | None = None,
        **submit_options: Any,
    ) -> Task:
        """Submit, then wait until the task completes (returned) or fails (raised); with
        ``download_dir``, download its outputs there first (``client.tasks.download``:
        ``<out_task_id><suffix>``).

        The wait follows the tracker's schedule from the submit's answer on (the first query
        near the model's typical duration), unless ``poll_interval`` fixes it; ``on_update``
        gets the task at each new status, the submitted one first. ``extra_headers`` and
        ``extra_query`` (in ``submit_options``) go with the polls too.
        """
        if download_dir is not None and not isinstance(download_dir, (str, os.PathLike)):
            raise ParamError.single(
                "download_dir", download_dir, "must be a path (str or Path), or None"
            )
        tasks = self._client.tasks
        task = await self._submit(values, **submit_options)
        task = await tasks.wait(
            task,
            timeout=wait_timeout,
            poll_interval=poll_interval,
            on_update=on_update,
            extra_headers=submit_options.get("extra_headers"),
            extra_query=submit_options.get("extra_query"),
        )
        if download_dir is not None:
            await tasks.download(task, download_dir)
        return task


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
        found = parse_model_name(model) if isinstance(model, str) else None
        if found is not None and found.channel is not None and found.model.id in self:
            if channel is not None and channel != found.channel:
                raise ParamError.single(
                    "channel",
                    channel,
                    f"conflicts with the channel in the model name {model!r}",
                    model=found.model.id,
                )
            return self.endpoint(found.model.id), found.channel
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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
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
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
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
        poll_interval: float | None = None,
        on_update: OnUpdate | None = None,
        download_dir: str | os.PathLike[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Task:
        """Submit to ``model`` chosen at run time and wait for the completed task (see the
        typed endpoints' ``generate`` for ``on_update`` and ``download_dir``)."""
        endpoint, channel = self._resolve(model, channel)
        return await endpoint._generate(
            params,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
            on_update=on_update,
            download_dir=download_dir,
            channel=channel,
            fallback_channels=fallback_channels,
            extra_params=extra_params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
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
