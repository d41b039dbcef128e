"""What every API namespace and typed model endpoint is built on.

This package sits below both the generated model modules (``aireiter._generated``) and the
hand-written namespaces (``aireiter.resources``), so imports run one way: ``_spec`` <-
``_endpoints`` <- ``_generated`` <- ``resources`` <- the clients. It holds the namespace base
(:class:`AsyncResource`, with :class:`ClientAPI`, what a namespace needs of its client), the
model endpoint behaviour (:class:`ModelEndpoint`, :class:`ModelNamespace`), their blocking
twins, and the checks of the task API's own fields (``out_task_id``...).
"""

from __future__ import annotations

from ._model import ModelEndpoint, ModelNamespace, is_capacity_error
from ._resource import AsyncResource, ClientAPI, TasksAPI
from ._sync import PortalCall, SyncModelEndpoint, SyncModelNamespace, blocking
from ._validation import check_submit_fields, new_out_task_id, task_id_for, validate_out_task_id

__all__ = [
    "AsyncResource",
    "ClientAPI",
    "ModelEndpoint",
    "ModelNamespace",
    "PortalCall",
    "SyncModelEndpoint",
    "SyncModelNamespace",
    "TasksAPI",
    "blocking",
    "check_submit_fields",
    "is_capacity_error",
    "new_out_task_id",
    "task_id_for",
    "validate_out_task_id",
]
