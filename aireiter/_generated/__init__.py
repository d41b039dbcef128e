# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: ab1e092016489297e35a6ab737dca9f7cb9d6ffb21e7d888e20d3b97a8a563c5
"""Typed modules generated from the model spec.

- ``params``: each model's params class and channel alias (public: ``aireiter.types``);
- ``images`` / ``videos``: the typed endpoints and the namespaces listing them;
- ``endpoints``: every endpoint class, by model id.
"""

from __future__ import annotations

SPEC_SHA256 = "ab1e092016489297e35a6ab737dca9f7cb9d6ffb21e7d888e20d3b97a8a563c5"
"""SHA-256 of the spec these modules were generated from."""

__all__ = ["SPEC_SHA256"]
