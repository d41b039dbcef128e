"""``python -m aireiter ...``: the same as the ``aireiter`` console script."""

from __future__ import annotations

import sys

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
