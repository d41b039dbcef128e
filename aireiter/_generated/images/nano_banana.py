# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``, image; modes: text-to-image,
image-to-image).
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
from ..params.nano_banana import NanoBananaChannel, NanoBananaParams

__all__ = ["NanoBananaEndpoint", "NanoBananaSyncEndpoint"]


class NanoBananaEndpoint(ModelEndpoint[NanoBananaParams]):
    """Gemini-2.5-Flash-Image-preview (Nano Banana) (``nano_banana``, image; modes:
    text-to-image, image-to-image).

    Reached as ``client.images.nano_banana``. ``submit`` returns the pending task, ``generate``
    the completed one.
    """

    model_id: ClassVar[str] = "nano_banana"
    params_class: ClassVar[type[ModelParams]] = NanoBananaParams

    async def submit(
        self,
        *,
        prompt: str,
        image_url: str | Sequence[str] | None = None,
        aspect_ratio: str | None = None,
        format: str | None = None,
        channel: NanoBananaChannel | None = None,
        fallback_channels: Sequence[NanoBananaChannel | None] | None = None,
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
        """Submit a task to Gemini-2.5-Flash-Image-preview (Nano Banana); returns it as accepted (``pending``).

        Args:
            prompt: Text description (required status inferred). Allowed: a non-empty string.
                Required.
            image_url: Reference images. The only documented value is one string with several
                URLs joined by commas; third-party clients send a list of URL strings. Either is
                accepted and sent as given. Allowed: a string or a list of strings, each an
                http(s) URL or a data:image/...;base64, URI, a string may join several URLs with
                commas. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio; example 16:9; full enum not documented in corpus.
                Allowed: a string. Left out when None (the API's default applies).
            format: Output image format; example jpeg; enum not documented in corpus. Allowed: a
                string. Left out when None (the API's default applies).
            channel: Channel to send to (``nano_banana_<channel>``); None: ``nano_banana``.
                Listed in the docs: "base", "plus", "max"; another level is sent with a one-time
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
                "aspect_ratio": aspect_ratio,
                "format": format,
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
        image_url: str | Sequence[str] | None = None,
        aspect_ratio: str | None = None,
        format: str | None = None,
        channel: NanoBananaChannel | None = None,
        fallback_channels: Sequence[NanoBananaChannel | None] | None = None,
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
        """Submit a task to Gemini-2.5-Flash-Image-preview (Nano Banana) and wait until it completes; returns it.

        Args:
            prompt: Text description (required status inferred). Allowed: a non-empty string.
                Required.
            image_url: Reference images. The only documented value is one string with several
                URLs joined by commas; third-party clients send a list of URL strings. Either is
                accepted and sent as given. Allowed: a string or a list of strings, each an
                http(s) URL or a data:image/...;base64, URI, a string may join several URLs with
                commas. Left out when None (the API's default applies).
            aspect_ratio: Output aspect ratio; example 16:9; full enum not documented in corpus.
                Allowed: a string. Left out when None (the API's default applies).
            format: Output image format; example jpeg; enum not documented in corpus. Allowed: a
                string. Left out when None (the API's default applies).
            channel: Channel to send to (``nano_banana_<channel>``); None: ``nano_banana``.
                Listed in the docs: "base", "plus", "max"; another level is sent with a one-time
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
                "aspect_ratio": aspect_ratio,
                "format": format,
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


class NanoBananaSyncEndpoint(SyncModelEndpoint):
    """The blocking twin of :class:`NanoBananaEndpoint`, reached as
    ``AIReiter().images.nano_banana``: ``submit`` and ``generate`` take the same arguments and
    block.
    """

    def __init__(self, call: PortalCall, endpoint: NanoBananaEndpoint) -> None:
        super().__init__(call, endpoint)
        self.submit = blocking(call, endpoint.submit)
        """Blocking :meth:`NanoBananaEndpoint.submit`: returns the pending task."""
        self.generate = blocking(call, endpoint.generate)
        """Blocking :meth:`NanoBananaEndpoint.generate`: returns the completed task."""
