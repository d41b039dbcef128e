# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Seedance 2.0 (``seedance2``, video; modes: text-to-video, first-last-frame, reference-images,
reference-videos, audio). Not fully documented: only prompt is checked, other fields pass
through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import Any, ClassVar

from ..._constants import DEFAULT_WAIT_TIMEOUT_S
from ..._endpoints import ModelEndpoint, PortalCall, SyncModelEndpoint, blocking
from ..._models import Task
from ..._spec import ModelParams
from ..._transport import Timeout
from ..._types import NOT_GIVEN, NotGivenOr
from ..params.seedance2 import Seedance2Channel, Seedance2Params

__all__ = ["Seedance2Endpoint", "Seedance2SyncEndpoint"]


class Seedance2Endpoint(ModelEndpoint[Seedance2Params]):
    """Seedance 2.0 (``seedance2``, video; modes: text-to-video, first-last-frame,
    reference-images, reference-videos, audio). Not fully documented: only prompt is checked,
    other fields pass through.

    Reached as ``client.videos.seedance2``. ``submit`` returns the pending task, ``generate``
    the completed one.
    """

    model_id: ClassVar[str] = "seedance2"
    params_class: ClassVar[type[ModelParams]] = Seedance2Params

    async def submit(
        self,
        *,
        prompt: str,
        type: Any = None,
        image_url: Any = None,
        end_image_url: Any = None,
        video_url: Any = None,
        aspect_ratio: Any = None,
        resolution: Any = None,
        video_length: Any = None,
        generate_audio: Any = None,
        channel: Seedance2Channel | None = None,
        fallback_channels: Sequence[Seedance2Channel | None] | None = None,
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
        """Submit a task to Seedance 2.0; returns it as accepted (``pending``).

        Args:
            prompt: Text description. Allowed: a non-empty string. Required.
            type: Reference mode: all_reference or first_last_frame (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            image_url: Reference images (all_reference, up to 9) or the first frame
                (first_last_frame, 1) (3p). Not checked: known only from third-party code. Left
                out when None (the API's default applies).
            end_image_url: Last frame; first_last_frame only (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            video_url: Reference videos, up to 3; all_reference only (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio: 16:9, 9:16, 1:1, 4:3, 3:4, 21:9 (3p). Not
                checked: known only from third-party code. Left out when None (the API's default
                applies).
            resolution: Output resolution: 480p, 720p, 1080p (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            video_length: Clip length in seconds as a string, 4 to 15 (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            generate_audio: Generate synchronized audio (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            channel: Channel to send to (``seedance2_<channel>``); None: ``seedance2``. Listed
                in the docs: "face"; another level is sent with a one-time
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
                "type": type,
                "image_url": image_url,
                "end_image_url": end_image_url,
                "video_url": video_url,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "video_length": video_length,
                "generate_audio": generate_audio,
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
        type: Any = None,
        image_url: Any = None,
        end_image_url: Any = None,
        video_url: Any = None,
        aspect_ratio: Any = None,
        resolution: Any = None,
        video_length: Any = None,
        generate_audio: Any = None,
        channel: Seedance2Channel | None = None,
        fallback_channels: Sequence[Seedance2Channel | None] | None = None,
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
        """Submit a task to Seedance 2.0 and wait until it completes; returns it.

        Args:
            prompt: Text description. Allowed: a non-empty string. Required.
            type: Reference mode: all_reference or first_last_frame (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            image_url: Reference images (all_reference, up to 9) or the first frame
                (first_last_frame, 1) (3p). Not checked: known only from third-party code. Left
                out when None (the API's default applies).
            end_image_url: Last frame; first_last_frame only (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            video_url: Reference videos, up to 3; all_reference only (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio: 16:9, 9:16, 1:1, 4:3, 3:4, 21:9 (3p). Not
                checked: known only from third-party code. Left out when None (the API's default
                applies).
            resolution: Output resolution: 480p, 720p, 1080p (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            video_length: Clip length in seconds as a string, 4 to 15 (3p). Not checked: known
                only from third-party code. Left out when None (the API's default applies).
            generate_audio: Generate synchronized audio (3p). Not checked: known only from
                third-party code. Left out when None (the API's default applies).
            channel: Channel to send to (``seedance2_<channel>``); None: ``seedance2``. Listed
                in the docs: "face"; another level is sent with a one-time
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
                "type": type,
                "image_url": image_url,
                "end_image_url": end_image_url,
                "video_url": video_url,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
                "video_length": video_length,
                "generate_audio": generate_audio,
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


class Seedance2SyncEndpoint(SyncModelEndpoint):
    """The blocking twin of :class:`Seedance2Endpoint`, reached as
    ``AIReiter().videos.seedance2``: ``submit`` and ``generate`` take the same arguments and
    block.
    """

    def __init__(self, call: PortalCall, endpoint: Seedance2Endpoint) -> None:
        super().__init__(call, endpoint)
        self.submit = blocking(call, endpoint.submit)
        """Blocking :meth:`Seedance2Endpoint.submit`: returns the pending task."""
        self.generate = blocking(call, endpoint.generate)
        """Blocking :meth:`Seedance2Endpoint.generate`: returns the completed task."""
