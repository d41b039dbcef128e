"""The base class of every namespace: it lives in :mod:`aireiter._endpoints`, below the
generated model endpoints and this package both."""

from __future__ import annotations

from .._endpoints._resource import AsyncResource, ClientAPI

__all__ = ["AsyncResource", "ClientAPI"]
