"""Typed values of the formats aireiter speaks besides its task API (``types.messages``:
Claude Messages). Importing this package does not import openai."""

from . import messages

__all__ = ["messages"]
