"""The package version, single-sourced for pyproject and the User-Agent."""

__all__ = ["__version__"]

__version__ = "0.1.0"
