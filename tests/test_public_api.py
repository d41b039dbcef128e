"""The public surface: ``__all__`` is honest and importing stays light."""

from __future__ import annotations

import subprocess
import sys

import aireiter


def test_all_names_exist_once() -> None:
    """Every name in ``__all__`` is importable, listed once, and public (ruff keeps the order)."""
    for name in aireiter.__all__:
        assert hasattr(aireiter, name), name
    assert len(set(aireiter.__all__)) == len(aireiter.__all__)
    assert all(not name.startswith("_") or name == "__version__" for name in aireiter.__all__)


def test_errors_report_the_public_module() -> None:
    """Tracebacks say ``aireiter.NotFoundError``, not a private module path."""
    assert aireiter.NotFoundError.__module__ == "aireiter"
    assert issubclass(aireiter.APITimeoutError, TimeoutError)
    assert issubclass(aireiter.TaskTimeoutError, TimeoutError)
    assert issubclass(aireiter.ParamError, ValueError)
    assert issubclass(aireiter.NoOutputsError, aireiter.TaskFailedError)
    assert aireiter.NoOutputsError.__module__ == "aireiter"


def test_import_does_not_pull_openai() -> None:
    """``import aireiter`` does not import openai (pydantic) until chat is used."""
    code = "import sys, aireiter; print('openai' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_channel_warning_and_task_ids_are_public() -> None:
    """The channel warning is a UserWarning named from ``aireiter``; task_id_for is exported."""
    assert issubclass(aireiter.UndocumentedChannelWarning, UserWarning)
    assert aireiter.UndocumentedChannelWarning.__module__ == "aireiter"
    assert callable(aireiter.task_id_for)


def test_params_classes_are_public_and_light_to_import() -> None:
    """``aireiter.types`` holds every model's params class; importing it loads neither the
    model endpoints nor openai."""
    code = (
        "import sys, aireiter.types as t; "
        "print(t.Sora2Params.__module__, 'aireiter._generated.videos' in sys.modules, "
        "'openai' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["aireiter.types", "False", "False"]
