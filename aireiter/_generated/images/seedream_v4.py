# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 1c257ac537cc89c28d33814a3c00574f5a9e9a1abd46b5975e6dd34453d43068
"""Seedream 4.0 (``seedream_v4``, image; modes: text-to-image, image-to-image).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import attrs

from ..._constants import DEFAULT_POLL_INTERVAL_S, DEFAULT_WAIT_TIMEOUT_S
from ..._models import Task
from ..._spec import ModelParams
from ..._transport import Timeout
from ..._types import NOT_GIVEN, NotGivenOr
from ...resources._endpoint import ModelEndpoint
from ...resources._sync_models import PortalCall, SyncModelEndpoint, blocking

__all__ = ["SeedreamV4Endpoint", "SeedreamV4Params", "SeedreamV4SyncEndpoint"]


@attrs.frozen(kw_only=True)
class SeedreamV4Params(ModelParams):
    """Parameters of Seedream 4.0 (``seedream_v4``), as sent in ``params``.

    Building one checks every field; a bad value raises ParamError listing every
    problem. Fields left None are not sent.

    Attributes:
        prompt: Text description. Allowed: a non-empty string. Required.
        aspect_ratio: Output aspect ratio; default not known. Allowed: "1:1", "16:9", "9:16",
            "4:3", "3:4". Left out when None (the API's default applies).
        resolution: Output resolution tier; default not known. Allowed: "1K", "2K", "4K". Left
            out when None (the API's default applies).
        output_n: Number of images; example sends the string "2"; integer acceptance unknown.
            Allowed: "1", "2", "4". Left out when None (the API's default applies).
    """

    model_id: ClassVar[str] = "seedream_v4"
    prompt: str
    aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] | None = None
    resolution: Literal["1K", "2K", "4K"] | None = None
    output_n: Literal["1", "2", "4"] | None = None


class SeedreamV4Endpoint(ModelEndpoint[SeedreamV4Params]):
    """Seedream 4.0 (``seedream_v4``, image; modes: text-to-image, image-to-image).

    Reached as ``client.images.seedream_v4``. ``submit`` returns the pending task, ``generate``
    the completed one.
    """

    model_id: ClassVar[str] = "seedream_v4"
    params_class: ClassVar[type[ModelParams]] = SeedreamV4Params

    async def submit(
        self,
        *,
        prompt: str,
        aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] | None = None,
        resolution: Literal["1K", "2K", "4K"] | None = None,
        output_n: Literal["1", "2", "4"] | None = None,
        channel: None = None,
        fallback_channels: Sequence[None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> Task:
        """Submit a task to Seedream 4.0; returns it as accepted (``pending``).

        Args:
            prompt: Text description. Allowed: a non-empty string. Required.
            aspect_ratio: Output aspect ratio; default not known. Allowed: "1:1", "16:9",
                "9:16", "4:3", "3:4". Left out when None (the API's default applies).
            resolution: Output resolution tier; default not known. Allowed: "1K", "2K", "4K".
                Left out when None (the API's default applies).
            output_n: Number of images; example sends the string "2"; integer acceptance
                unknown. Allowed: "1", "2", "4". Left out when None (the API's default applies).
            channel: Only the default channel (``seedream_v4``) is offered.
            fallback_channels: Channels (None: the default) to try in order when the API turns
                the submit away for load (429, or a 5xx once a query shows no task was created);
                the same out_task_id is used.
            extra_params: Fields the spec does not know, sent unchecked.
            out_task_id: Your id for the task (default: a fresh one); the idempotency key.
            callback_url: Receives a POST when the task finishes.
            metadata: Returned unchanged with the task.
            timeout: Per-request timeout (default: the client's).
            max_retries: Retries of the submit request (default: the client's).

        Raises:
            ParamError (nothing sent) for bad input; the API's errors otherwise.
        """
        return await self._submit(
            {
                "prompt": prompt,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "output_n": output_n,
            },
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
        *,
        prompt: str,
        aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] | None = None,
        resolution: Literal["1K", "2K", "4K"] | None = None,
        output_n: Literal["1", "2", "4"] | None = None,
        channel: None = None,
        fallback_channels: Sequence[None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
    ) -> Task:
        """Submit a task to Seedream 4.0 and wait until it completes; returns it.

        Args:
            prompt: Text description. Allowed: a non-empty string. Required.
            aspect_ratio: Output aspect ratio; default not known. Allowed: "1:1", "16:9",
                "9:16", "4:3", "3:4". Left out when None (the API's default applies).
            resolution: Output resolution tier; default not known. Allowed: "1K", "2K", "4K".
                Left out when None (the API's default applies).
            output_n: Number of images; example sends the string "2"; integer acceptance
                unknown. Allowed: "1", "2", "4". Left out when None (the API's default applies).
            channel: Only the default channel (``seedream_v4``) is offered.
            fallback_channels: Channels (None: the default) to try in order when the API turns
                the submit away for load (429, or a 5xx once a query shows no task was created);
                the same out_task_id is used.
            extra_params: Fields the spec does not know, sent unchecked.
            out_task_id: Your id for the task (default: a fresh one); the idempotency key.
            callback_url: Receives a POST when the task finishes.
            metadata: Returned unchanged with the task.
            timeout: Per-request timeout (default: the client's).
            max_retries: Retries of the submit request (default: the client's).
            wait_timeout: Seconds to wait for the result (None: forever).
            poll_interval: Seconds before the first query, then growing.

        Raises:
            ParamError (nothing sent) for bad input; the API's errors otherwise;
            TaskFailedError, TaskTimeoutError.
        """
        return await self._generate(
            {
                "prompt": prompt,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "output_n": output_n,
            },
            channel=channel,
            fallback_channels=fallback_channels,
            extra_params=extra_params,
            out_task_id=out_task_id,
            callback_url=callback_url,
            metadata=metadata,
            timeout=timeout,
            max_retries=max_retries,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
        )


class SeedreamV4SyncEndpoint(SyncModelEndpoint):
    """The blocking twin of :class:`SeedreamV4Endpoint`, reached as
    ``AIReiter().images.seedream_v4``: ``submit`` and ``generate`` take the same arguments and
    block.
    """

    def __init__(self, call: PortalCall, endpoint: SeedreamV4Endpoint) -> None:
        super().__init__(call, endpoint)
        self.submit = blocking(call, endpoint.submit)
        """Blocking :meth:`SeedreamV4Endpoint.submit`: returns the pending task."""
        self.generate = blocking(call, endpoint.generate)
        """Blocking :meth:`SeedreamV4Endpoint.generate`: returns the completed task."""
