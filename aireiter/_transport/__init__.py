"""The core transport: one aiohttp session per client, envelopes, errors, retries, SSE."""

from ._config import ClientConfig, Timeout
from ._http import APIResponse, HTTPTransport

__all__ = ["APIResponse", "ClientConfig", "HTTPTransport", "Timeout"]
