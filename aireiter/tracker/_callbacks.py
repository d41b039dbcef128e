"""Webhooks wired into a tracker: a callback URL per job, and each callback turned into a query.

The tracker gives every job ``router.callback_url(base_url, out_task_id)`` at submit time. A
callback the router accepts is only a hint: the tracker schedules one immediate query for that
job, and only the query's answer can finish it (a forged callback changes nothing). With
webhooks on, the poll schedule is ``webhook_slowdown`` times slower: a safety net for lost
callbacks. Jobs resumed from a journal are polled normally (their old callback URLs may point
to a receiver that is gone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..webhooks import CallbackEvent, WebhookReceiver, WebhookRouter

__all__ = ["Callbacks"]


class Callbacks:
    """The tracker's webhook side: its router, a built-in receiver when no base URL is given."""

    def __init__(self, webhook: WebhookRouter | Literal[True] | None, base_url: str | None) -> None:
        self._webhook = webhook
        self._base_url = base_url
        self.router: WebhookRouter | None = None
        self._receiver: WebhookReceiver | None = None
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self, on_callback: Callable[[str], None]) -> Callable[[str], str] | None:
        """Subscribe ``on_callback(out_task_id)``; returns the job -> callback URL function
        (``None`` when webhooks are off)."""
        if self._webhook is None:
            return None
        from ..webhooks import WebhookReceiver, WebhookRouter

        router = WebhookRouter() if self._webhook is True else self._webhook
        self.router = router
        base_url = self._base_url
        if base_url is None:
            self._receiver = WebhookReceiver(router)
            base_url = await self._receiver.start()

        def listener(event: CallbackEvent) -> None:
            on_callback(event.out_task_id)

        self._unsubscribe = router.subscribe(listener)
        base = base_url
        return lambda out_task_id: router.callback_url(base, out_task_id)

    async def aclose(self) -> None:
        """Stop listening (and stop the built-in receiver)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        receiver, self._receiver = self._receiver, None
        if receiver is not None:
            await receiver.aclose()
