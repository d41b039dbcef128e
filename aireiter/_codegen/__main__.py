"""``python -m aireiter._codegen [--check] [--root DIR]``: regenerate, or check for drift."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import check, repo_root, write

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator; the exit status (1: ``--check`` found drift)."""
    parser = argparse.ArgumentParser(
        prog="python -m aireiter._codegen",
        description="Generate aireiter/_generated and docs/models.md from the model spec.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if files differ from the spec"
    )
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: auto)")
    args = parser.parse_args(argv)
    root = args.root if args.root is not None else repo_root()
    if args.check:
        problems = check(root)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(
                "generated files are out of date: run python -m aireiter._codegen", file=sys.stderr
            )
            return 1
        print("generated files match the spec")
        return 0
    for path in write(root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
