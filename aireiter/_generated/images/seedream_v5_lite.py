# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Seedream 5.0 Lite (``seedream_v5_lite``, image; modes: text-to-image, image-to-image,
multi-reference).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import Any, ClassVar, Literal

from ..._constants import DEFAULT_WAIT_TIMEOUT_S
from ..._endpoints import ModelEndpoint, PortalCall, SyncModelEndpoint, blocking
from ..._files import ImageFile
from ..._models import Task
from ..._spec import ModelParams
from ..._transport import Timeout
from ..._types import NOT_GIVEN, NotGivenOr
from ..params.seedream_v5_lite import SeedreamV5LiteChannel, SeedreamV5LiteParams

__all__ = ["SeedreamV5LiteEndpoint", "SeedreamV5LiteSyncEndpoint"]


class SeedreamV5LiteEndpoint(ModelEndpoint[SeedreamV5LiteParams]):
    """Seedream 5.0 Lite (``seedream_v5_lite``, image; modes: text-to-image, image-to-image,
    multi-reference).

    Reached as ``client.images.seedream_v5_lite``. ``submit`` returns the pending task,
    ``generate`` the completed one.
    """

    model_id: ClassVar[str] = "seedream_v5_lite"
    params_class: ClassVar[type[ModelParams]] = SeedreamV5LiteParams

    async def submit(
        self,
        *,
        prompt: str,
        image_url: Sequence[str | ImageFile] | None = None,
        aspect_ratio: Literal["1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9"] | None = None,
        resolution: Literal["2K", "3K"] = "2K",
        web_search: bool | None = None,
        channel: SeedreamV5LiteChannel | None = None,
        fallback_channels: Sequence[SeedreamV5LiteChannel | None] | None = None,
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
        """Submit a task to Seedream 5.0 Lite; returns it as accepted (``pending``).

        Args:
            prompt: Text description; docs state no limitation. Allowed: a non-empty string.
                Required.
            image_url: Reference images: public URLs or base64 data URIs
                'data:image/{jpeg|png|webp};base64,...' (prefix required, max 10 MB each).
                Allowed: a list of strings, at most 9 items, each an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies). A
                local image (a Path, bytes, a binary file) is sent as a data URI.
            aspect_ratio: Output aspect ratio; no default stated; no 'auto'. Allowed: "1:1",
                "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9". Left out when None (the
                API's default applies).
            resolution: Output resolution tier. Allowed: "2K", "3K". Default "2K" (documented,
                sent).
            web_search: Let the model decide to search the web to improve output; adds latency.
                Example value false. Allowed: a boolean. Left out when None (the API's default
                applies).
            channel: Channel to send to (``seedream_v5_lite_<channel>``); None:
                ``seedream_v5_lite``. Listed in the docs: none; another level is sent with a
                one-time UndocumentedChannelWarning.
            fallback_channels: Channels (None: the default) to try in order when the API turns
                the submit away for load (429, or a 5xx once a query shows no task was created);
                the same out_task_id is used.
            extra_params: Fields the spec does not know, sent unchecked.
            out_task_id: Your id for the task (default: a fresh one); the idempotency key.
            callback_url: Receives a POST when the task finishes.
            metadata: Returned unchanged with the task.
            timeout: Per-request timeout (default: the client's).
            max_retries: Retries of the submit request (default: the client's).
            extra_headers: Headers added to every request of the call (openai's name).
            extra_query: Query parameters added to every request of the call.
            extra_body: Top-level fields added to the submit's JSON body (not those of the
                arguments above; model fields go in extra_params).

        Raises:
            ParamError (nothing sent) for bad input; the API's errors otherwise.
        """
        return await self._submit(
            {
                "prompt": prompt,
                "image_url": image_url,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "web_search": web_search,
            },
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
        *,
        prompt: str,
        image_url: Sequence[str | ImageFile] | None = None,
        aspect_ratio: Literal["1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9"] | None = None,
        resolution: Literal["2K", "3K"] = "2K",
        web_search: bool | None = None,
        channel: SeedreamV5LiteChannel | None = None,
        fallback_channels: Sequence[SeedreamV5LiteChannel | None] | None = None,
        extra_params: Mapping[str, Any] | None = None,
        out_task_id: str | None = None,
        callback_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: NotGivenOr[float | Timeout | None] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval: float | None = None,
        on_update: Callable[[Task], object] | None = None,
        download_dir: str | PathLike[str] | None = None,
    ) -> Task:
        """Submit a task to Seedream 5.0 Lite and wait until it completes; returns it.

        Args:
            prompt: Text description; docs state no limitation. Allowed: a non-empty string.
                Required.
            image_url: Reference images: public URLs or base64 data URIs
                'data:image/{jpeg|png|webp};base64,...' (prefix required, max 10 MB each).
                Allowed: a list of strings, at most 9 items, each an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies). A
                local image (a Path, bytes, a binary file) is sent as a data URI.
            aspect_ratio: Output aspect ratio; no default stated; no 'auto'. Allowed: "1:1",
                "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9". Left out when None (the
                API's default applies).
            resolution: Output resolution tier. Allowed: "2K", "3K". Default "2K" (documented,
                sent).
            web_search: Let the model decide to search the web to improve output; adds latency.
                Example value false. Allowed: a boolean. Left out when None (the API's default
                applies).
            channel: Channel to send to (``seedream_v5_lite_<channel>``); None:
                ``seedream_v5_lite``. Listed in the docs: none; another level is sent with a
                one-time UndocumentedChannelWarning.
            fallback_channels: Channels (None: the default) to try in order when the API turns
                the submit away for load (429, or a 5xx once a query shows no task was created);
                the same out_task_id is used.
            extra_params: Fields the spec does not know, sent unchecked.
            out_task_id: Your id for the task (default: a fresh one); the idempotency key.
            callback_url: Receives a POST when the task finishes.
            metadata: Returned unchanged with the task.
            timeout: Per-request timeout (default: the client's).
            max_retries: Retries of the submit request (default: the client's).
            extra_headers: Headers added to every request of the call (openai's name).
            extra_query: Query parameters added to every request of the call.
            extra_body: Top-level fields added to the submit's JSON body (not those of the
                arguments above; model fields go in extra_params).
            wait_timeout: Seconds to wait for the result (None: forever).
            poll_interval: None: the tracker's schedule (the first query near the model's
                typical duration); else seconds before the first query, then growing.
            on_update: Called with the task at each new status, the submitted one first (plain
                or async).
            download_dir: Download the outputs there (as client.tasks.download) before
                returning.

        Raises:
            ParamError (nothing sent) for bad input; the API's errors otherwise;
            TaskFailedError, TaskTimeoutError.
        """
        return await self._generate(
            {
                "prompt": prompt,
                "image_url": image_url,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "web_search": web_search,
            },
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
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
            on_update=on_update,
            download_dir=download_dir,
        )


class SeedreamV5LiteSyncEndpoint(SyncModelEndpoint):
    """The blocking twin of :class:`SeedreamV5LiteEndpoint`, reached as
    ``AIReiter().images.seedream_v5_lite``: ``submit`` and ``generate`` take the same arguments
    and block.
    """

    def __init__(self, call: PortalCall, endpoint: SeedreamV5LiteEndpoint) -> None:
        super().__init__(call, endpoint)
        self.submit = blocking(call, endpoint.submit)
        """Blocking :meth:`SeedreamV5LiteEndpoint.submit`: returns the pending task."""
        self.generate = blocking(call, endpoint.generate)
        """Blocking :meth:`SeedreamV5LiteEndpoint.generate`: returns the completed task."""
