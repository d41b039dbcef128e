# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Google Veo 3.1 (``veo3_1``, video; modes: text-to-video, image-to-video, first-last-frame).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import Any, ClassVar, Literal

from ..._constants import DEFAULT_WAIT_TIMEOUT_S
from ..._endpoints import ModelEndpoint, PortalCall, SyncModelEndpoint, blocking
from ..._models import Task
from ..._spec import ModelParams
from ..._transport import Timeout
from ..._types import NOT_GIVEN, NotGivenOr
from ..params.veo3_1 import Veo31Channel, Veo31Params

__all__ = ["Veo31Endpoint", "Veo31SyncEndpoint"]


class Veo31Endpoint(ModelEndpoint[Veo31Params]):
    """Google Veo 3.1 (``veo3_1``, video; modes: text-to-video, image-to-video,
    first-last-frame).

    Reached as ``client.videos.veo3_1``. ``submit`` returns the pending task, ``generate`` the
    completed one.
    """

    model_id: ClassVar[str] = "veo3_1"
    params_class: ClassVar[type[ModelParams]] = Veo31Params

    async def submit(
        self,
        *,
        prompt: str,
        image_url: str | None = None,
        end_image_url: str | None = None,
        aspect_ratio: Literal["16:9", "9:16"] = "16:9",
        channel: Veo31Channel | None = None,
        fallback_channels: Sequence[Veo31Channel | None] | None = None,
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
        """Submit a task to Google Veo 3.1; returns it as accepted (``pending``).

        Args:
            prompt: Text description; docs state no limitations. Allowed: a non-empty string.
                Required.
            image_url: Single first-frame image (public URL). Allowed: an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies).
            end_image_url: Single last-frame image (public URL). Allowed: an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio. Allowed: "16:9", "9:16". Default "16:9"
                (documented, sent).
            channel: Channel to send to (``veo3_1_<channel>``); None: ``veo3_1``. Listed in the
                docs: "base", "plus"; another level is sent with a one-time
                UndocumentedChannelWarning.
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
                "end_image_url": end_image_url,
                "aspect_ratio": aspect_ratio,
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
        image_url: str | None = None,
        end_image_url: str | None = None,
        aspect_ratio: Literal["16:9", "9:16"] = "16:9",
        channel: Veo31Channel | None = None,
        fallback_channels: Sequence[Veo31Channel | None] | None = None,
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
        """Submit a task to Google Veo 3.1 and wait until it completes; returns it.

        Args:
            prompt: Text description; docs state no limitations. Allowed: a non-empty string.
                Required.
            image_url: Single first-frame image (public URL). Allowed: an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies).
            end_image_url: Single last-frame image (public URL). Allowed: an http(s) URL or a
                data:image/...;base64, URI. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio. Allowed: "16:9", "9:16". Default "16:9"
                (documented, sent).
            channel: Channel to send to (``veo3_1_<channel>``); None: ``veo3_1``. Listed in the
                docs: "base", "plus"; another level is sent with a one-time
                UndocumentedChannelWarning.
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
                "end_image_url": end_image_url,
                "aspect_ratio": aspect_ratio,
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


class Veo31SyncEndpoint(SyncModelEndpoint):
    """The blocking twin of :class:`Veo31Endpoint`, reached as ``AIReiter().videos.veo3_1``:
    ``submit`` and ``generate`` take the same arguments and block.
    """

    def __init__(self, call: PortalCall, endpoint: Veo31Endpoint) -> None:
        super().__init__(call, endpoint)
        self.submit = blocking(call, endpoint.submit)
        """Blocking :meth:`Veo31Endpoint.submit`: returns the pending task."""
        self.generate = blocking(call, endpoint.generate)
        """Blocking :meth:`Veo31Endpoint.generate`: returns the completed task."""
