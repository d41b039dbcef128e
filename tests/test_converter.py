"""Structuring API payloads: lenient, lossless, timezone-aware."""

from __future__ import annotations

from datetime import datetime, timezone

from aireiter import Task, TaskStatus
from aireiter._converter import (
    parse_datetime,
    structure_balance,
    structure_task,
    unstructure_request,
)
from aireiter._models import QueryRequest, SubmitRequest

QUERY_DATA = {
    "task_id": "order_lwU2d-VkUq9-tlCCmrdYu",
    "out_task_id": "job-1",
    "status": "completed",
    "created_at": "2025-12-22T10:12:11.000Z",
    "completed_at": "2025-12-22T10:13:41.000Z",
    "input": {"model": "seedream_v4_5", "params": {"prompt": "cat"}, "showPublic": 0},
    "credits_used": 100,
    "output": [{"url": "https://s1.example/a.png", "width": 1024}],
    "brand_new_field": {"x": 1},
}


def test_query_payload_becomes_task() -> None:
    """Every documented query field lands in its typed attribute."""
    task = structure_task(QUERY_DATA)
    assert task.status is TaskStatus.COMPLETED
    assert task.task_id == "order_lwU2d-VkUq9-tlCCmrdYu"
    assert task.model == "seedream_v4_5"
    assert task.urls == ["https://s1.example/a.png"]
    assert task.outputs[0].raw["width"] == 1024
    assert task.credits_used == 100.0
    assert task.created_at == datetime(2025, 12, 22, 10, 12, 11, tzinfo=timezone.utc)
    assert task.completed_at is not None
    assert task.completed_at.tzinfo is not None
    assert task.is_done


def test_unknown_fields_are_kept_in_raw() -> None:
    """A field the SDK does not know is kept, not dropped and not an error."""
    assert structure_task(QUERY_DATA).raw["brand_new_field"] == {"x": 1}


def test_unknown_status_is_unknown_not_a_crash() -> None:
    """A new status string maps to UNKNOWN (not terminal); the raw value stays."""
    task = structure_task({"out_task_id": "a", "status": "queued_for_review"})
    assert task.status is TaskStatus.UNKNOWN
    assert not task.is_done
    assert task.raw["status"] == "queued_for_review"


def test_submit_answer_without_echo_is_filled_from_request() -> None:
    """A submit answer missing out_task_id/model is completed from what was sent."""
    task = structure_task(
        {"status": "pending", "estimated_credits": "100", "task_id": ""},
        out_task_id="mine",
        model="sora2",
        metadata={"k": "v"},
    )
    assert task == Task(
        out_task_id="mine",
        status=TaskStatus.PENDING,
        model="sora2",
        estimated_credits=100.0,
        metadata={"k": "v"},
    )
    assert task.task_id is None


def test_list_data_shape_takes_first_object() -> None:
    """The ``data: [ {...} ]`` submit shape yields the first task object."""
    task = structure_task([{"status": "submitted", "task_id": "task_01"}], out_task_id="x")
    assert task.status is TaskStatus.SUBMITTED
    assert task.task_id == "task_01"


def test_error_object_becomes_text() -> None:
    """A structured error reason is kept readable as text."""
    task = structure_task({"out_task_id": "a", "status": "failed", "error": {"code": "nsfw"}})
    assert task.error == '{"code": "nsfw"}'


def test_datetimes_are_aware() -> None:
    """Naive ISO strings and epoch numbers are read as UTC; junk gives None."""
    assert parse_datetime("2025-12-22T06:03:28.242") == datetime(
        2025, 12, 22, 6, 3, 28, 242000, tzinfo=timezone.utc
    )
    assert parse_datetime(1_766_383_408_000) == datetime.fromtimestamp(1_766_383_408, timezone.utc)
    assert parse_datetime("yesterday") is None


def test_balance_reads_credits_or_balance() -> None:
    """Balance accepts either field name the API family uses."""
    assert structure_balance({"credits": 12.5}).credits == 12.5
    assert structure_balance({"balance": "7"}).credits == 7.0
    assert structure_balance(None).credits is None


def test_requests_leave_out_unset_fields() -> None:
    """Optional request fields that are None are not sent."""
    body = unstructure_request(SubmitRequest(model="m", params={"prompt": "p"}, out_task_id="o"))
    assert body == {"model": "m", "params": {"prompt": "p"}, "out_task_id": "o"}
    assert unstructure_request(QueryRequest(task_id="t")) == {"task_id": "t"}
