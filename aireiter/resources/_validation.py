"""Checks of the task API's own fields: they live in :mod:`aireiter._endpoints._validation`,
below the generated model endpoints and this package both."""

from __future__ import annotations

from .._endpoints._validation import (
    check_submit_fields,
    new_out_task_id,
    task_id_for,
    validate_out_task_id,
)

__all__ = ["check_submit_fields", "new_out_task_id", "task_id_for", "validate_out_task_id"]
