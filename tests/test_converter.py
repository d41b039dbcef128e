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


def test_epoch_timestamps_in_any_unit() -> None:
    """Epoch seconds, milliseconds, microseconds and nanoseconds (numbers or digit strings)
    all read as the same instant."""
    expected = datetime.fromtimestamp(1_766_383_408, timezone.utc)
    for value in (
        1_766_383_408,
        1_766_383_408_000,
        1_766_383_408_000_000,
        1_766_383_408_000_000_000,
        1_766_383_408.0,
        "1766383408",
        "1766383408000",
    ):
        assert parse_datetime(value) == expected, value


def test_unreadable_timestamps_are_none_and_kept_raw() -> None:
    """Garbage, out-of-range or non-finite timestamps give None, never an exception; the raw
    value stays in ``raw``."""
    for value in (10**30, -(10**25), float("nan"), float("inf"), "2025-13-45", [1], {"a": 1}):
        assert parse_datetime(value) is None, value
    task = structure_task({"out_task_id": "a", "created_at": 10**30, "completed_at": "soon"})
    assert task.created_at is None
    assert task.completed_at is None
    assert task.raw["created_at"] == 10**30


def test_odd_field_values_never_raise() -> None:
    """Out-of-range numbers, unhashable statuses, non-string URLs, deep nesting and a
    ``data`` of the wrong shape give a task with None/UNKNOWN where unreadable."""
    nested: object = 1
    for _ in range(2000):
        nested = [nested]
    task = structure_task(
        {
            "out_task_id": 12,
            "status": ["completed"],
            "estimated_credits": 10**400,
            "credits_used": float("nan"),
            "output": [{"url": 5}, {"url": None}, "https://ok.example/a.png", 7],
            "error": nested,
            "metadata": "not an object",
        }
    )
    assert task.out_task_id == "12"
    assert task.status is TaskStatus.UNKNOWN
    assert task.estimated_credits is None
    assert task.credits_used is None
    assert task.urls == ["https://ok.example/a.png"]
    assert task.error is not None
    assert task.metadata is None
    for data in ("ok", 5, [1, 2], None):
        odd = structure_task(data, out_task_id="mine")
        assert odd.out_task_id == "mine"
        assert odd.status is TaskStatus.UNKNOWN
        assert odd.raw == ({} if data is None else {"data": data})


def test_balance_keeps_free_quota_and_every_field() -> None:
    """Per-model free quota is typed (an object or a list of objects); every field stays."""
    balance = structure_balance(
        {"credits": "120.5", "free_quota": {"sora2": 3, "gpt_4o": "2", "bad": "x"}, "vip": 1}
    )
    assert balance.credits == 120.5
    assert balance.free_quota == {"sora2": 3.0, "gpt_4o": 2.0}
    assert balance.raw["vip"] == 1
    listed = structure_balance(
        {"balance": 7, "free_quota": [{"model": "veo3_1", "remaining": 4}, {"model": 1}]}
    )
    assert listed.free_quota == {"veo3_1": 4.0}
    assert structure_balance({"points": 3}).credits == 3.0
    assert structure_balance("odd").raw == {"data": "odd"}


def test_hand_written_request_bodies_match_the_converter() -> None:
    """The hot-path request encoder gives exactly what the converter's hook gives."""
    from aireiter._converter import make_converter

    converter = make_converter()
    requests = [
        SubmitRequest(model="m", params={"prompt": "p"}, out_task_id="o"),
        SubmitRequest(
            model="m", params={}, out_task_id="o", callback_url="http://cb", metadata={"k": 1}
        ),
        QueryRequest(out_task_id="o"),
        QueryRequest(task_id="t"),
        QueryRequest(out_task_id="o", task_id="t"),
    ]
    for request in requests:
        assert unstructure_request(request) == converter.unstructure(request)


def test_hot_path_task_equals_the_attrs_built_one() -> None:
    """A task built by the hot path equals (and reprs like) the same task built by
    ``Task(...)``, stays frozen, and evolves like any other."""
    import attrs
    import pytest

    from aireiter._converter import _new_task

    fields = {
        "out_task_id": "a",
        "status": TaskStatus.COMPLETED,
        "task_id": "t",
        "model": "m",
        "outputs": (),
        "estimated_credits": 1.0,
        "credits_used": 2.0,
        "error": None,
        "metadata": {"k": 1},
        "input": {"model": "m"},
        "created_at": datetime(2025, 1, 1, tzinfo=timezone.utc),
        "completed_at": None,
        "raw": {"x": 1},
        "request_id": "req-1",
    }
    fast = _new_task(*fields.values())
    assert fast == Task(**fields)  # type: ignore[arg-type]
    assert repr(fast) == repr(Task(**fields))  # type: ignore[arg-type]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.status = TaskStatus.FAILED  # type: ignore[misc]
    assert attrs.evolve(fast, status=TaskStatus.FAILED).status is TaskStatus.FAILED
    assert structure_task(QUERY_DATA) == Task(
        out_task_id="job-1",
        status=TaskStatus.COMPLETED,
        task_id="order_lwU2d-VkUq9-tlCCmrdYu",
        model="seedream_v4_5",
        outputs=structure_task(QUERY_DATA).outputs,
        credits_used=100.0,
        input=QUERY_DATA["input"],  # type: ignore[arg-type]
        created_at=datetime(2025, 12, 22, 10, 12, 11, tzinfo=timezone.utc),
        completed_at=datetime(2025, 12, 22, 10, 13, 41, tzinfo=timezone.utc),
        raw=QUERY_DATA,
    )
