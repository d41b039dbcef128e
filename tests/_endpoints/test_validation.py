"""``task_id_for`` and the ``out_task_id`` rule: any business key maps to a valid, stable id."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import aireiter
from aireiter import AsyncAIReiter, ParamError, task_id_for
from aireiter._constants import OUT_TASK_ID_PATTERN
from aireiter.emulator import RunningEmulator


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ORDER.2025.0001", "ORDER-2025-0001-0a165b0cb98ee8f8"),
        ("abc", "abc-ba7816bf8f01cfea"),
        ("Café №5 / été", "Cafe-No5-ete-37ccd39ddf449a3c"),
        ("...", "ab5df625bc76dbd4"),
        ("", "e3b0c44298fc1c14"),
    ],
)
def test_known_keys_map_to_pinned_ids(key: str, expected: str) -> None:
    """The mapping is documented and fixed: these ids must never change between versions
    (slug of the key, '-', the first 16 hex digits of its SHA-256)."""
    assert task_id_for(key) == expected


@given(st.text(max_size=300))
def test_every_key_gives_a_valid_id(key: str) -> None:
    """Whatever the key (any characters, any length), the id matches [A-Za-z0-9_-]{1,64}
    and is the same on every call."""
    result = task_id_for(key)
    assert OUT_TASK_ID_PATTERN.fullmatch(result), result
    assert task_id_for(key) == result


def test_keys_with_the_same_slug_get_different_ids() -> None:
    """ORDER.1 and ORDER/1 read alike but are different keys: the hash tells them apart."""
    ids = {task_id_for(key) for key in ("ORDER.1", "ORDER/1", "ORDER 1", "ORDER-1")}
    assert len(ids) == 4
    assert all(i.startswith("ORDER-1-") for i in ids)


def test_the_id_is_the_same_in_another_process() -> None:
    """No per-process hashing: another interpreter, with another hash seed, agrees."""
    code = "import aireiter; print(aireiter.task_id_for('ORDER.2025.0001'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == task_id_for("ORDER.2025.0001")


def test_a_key_that_is_not_a_string_is_a_param_error() -> None:
    """A number or None is refused with a ParamError naming the argument."""
    with pytest.raises(ParamError, match="business_key"):
        task_id_for(2025)  # type: ignore[arg-type]


async def test_a_bad_out_task_id_points_at_task_id_for(
    client: AsyncAIReiter, emulator: RunningEmulator
) -> None:
    """An order number used as out_task_id is refused before sending, and the message says
    how to map it; the mapped id is accepted and finds the task again."""
    with pytest.raises(ParamError) as info:
        await client.tasks.submit("sora2", {"prompt": "x"}, out_task_id="ORDER.2025.0001")
    assert "aireiter.task_id_for" in str(info.value)
    assert sum(emulator.state.request_counts.values()) == 0
    oid = aireiter.task_id_for("ORDER.2025.0001")
    task = await client.tasks.submit("sora2", {"prompt": "x"}, out_task_id=oid)
    assert (await client.tasks.query(oid)).out_task_id == task.out_task_id == oid
