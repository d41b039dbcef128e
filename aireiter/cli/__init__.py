"""The ``aireiter`` command line (``python -m aireiter`` or the ``aireiter`` script).

``main(argv)`` runs one command and returns its exit status: ``0`` all good, ``1`` something
failed, ``2`` usage error, ``130`` interrupted. Pretty output needs the ``cli`` extra (rich);
without it the output is plain text.
"""

from __future__ import annotations

from ._app import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "main"]
