"""What every resource namespace shares: a reference to its client's transport."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncAIReiter
    from .._transport import HTTPTransport

__all__ = ["AsyncResource"]


class AsyncResource:
    """A namespace on :class:`~aireiter.AsyncAIReiter` (``client.tasks``, ``client.images``...)."""

    def __init__(self, client: AsyncAIReiter) -> None:
        self._client = client

    @property
    def _transport(self) -> HTTPTransport:
        return self._client._transport
