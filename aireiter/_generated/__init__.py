# Generated from aireiter/_spec/models.json by `python -m aireiter._codegen`. Do not edit.
# spec sha256: 4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae
"""Typed modules generated from the model spec.

- ``params``: each model's params class and channel alias (public: ``aireiter.types``);
- ``images`` / ``videos``: the typed endpoints and the namespaces listing them;
- ``endpoints``: every endpoint class, by model id.
"""

from __future__ import annotations

SPEC_SHA256 = "4610031c0e98ddab529b5afeb6918e53f916b6587e2ccd5b8a7b06dc36863cae"
"""SHA-256 of the spec these modules were generated from."""

__all__ = ["SPEC_SHA256"]
