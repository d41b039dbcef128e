"""The blocking facade ``AIReiter``: a plain script, many threads, errors, lifecycle.

The sync client blocks its caller, so these tests are plain functions and the emulator runs
on an event loop in a thread of its own (an anyio blocking portal), not in the test's loop.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from anyio.from_thread import start_blocking_portal

from aireiter import AIReiter, ConfigurationError, NotFoundError, ParamError, TaskStatus
from aireiter._confirm import ConfirmPolicy
from aireiter._constants import QUERY_PATH, SUBMIT_PATH
from aireiter.emulator import EmulatorConfig, RunningEmulator, run_emulator


@pytest.fixture
def thread_emulator() -> Iterator[RunningEmulator]:
    """An emulator with fast tasks, served from its own thread's event loop."""
    with start_blocking_portal() as portal:
        config = EmulatorConfig(default_duration_s=0.05)
        with portal.wrap_async_context_manager(run_emulator(config)) as emu:
            yield emu


@pytest.fixture
def sync_client(thread_emulator: RunningEmulator) -> Iterator[AIReiter]:
    """A blocking client bound to ``thread_emulator``, closed after the test."""
    with AIReiter(api_key=thread_emulator.api_key, base_url=thread_emulator.base_url) as client:
        yield client


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "aireiter-sync-loop"]


def test_generate_submit_wait_and_balance(sync_client: AIReiter) -> None:
    """Typed endpoints, run-time model names, tasks.* and balance() all block and return."""
    task = sync_client.images.seedream_v4_5.generate(prompt="a lighthouse", poll_interval=0.05)
    assert task.status is TaskStatus.COMPLETED
    assert task.urls
    pending = sync_client.videos.submit("sora2_plus", prompt="waves", video_length="15")
    assert pending.model == "sora2_plus"
    done = sync_client.tasks.wait(pending.out_task_id, poll_interval=0.05)
    assert done.status is TaskStatus.COMPLETED
    assert sync_client.tasks.query(done.out_task_id).status is TaskStatus.COMPLETED
    assert sync_client.balance().credits is not None


def test_eight_threads_share_one_client(
    sync_client: AIReiter, thread_emulator: RunningEmulator
) -> None:
    """Calls from 8 threads at once run on the client's single loop; each task is made once."""

    def job(index: int) -> str:
        task = sync_client.tasks.submit(
            "seedream_v4_5", {"prompt": f"p{index}"}, out_task_id=f"thread-{index}"
        )
        done = sync_client.tasks.wait(task.out_task_id, poll_interval=0.05)
        assert done.status is TaskStatus.COMPLETED
        return done.out_task_id

    start = threading.Barrier(8)

    def run(index: int) -> str:
        start.wait(timeout=10)
        return job(index)

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(run, range(8)))
    assert ids == [f"thread-{i}" for i in range(8)]
    assert all(thread_emulator.state.submit_counts[i] == 1 for i in ids)
    assert len(_loop_threads()) == 1


def test_errors_surface_in_the_calling_thread(sync_client: AIReiter) -> None:
    """A ParamError (nothing sent) and an API error reach the caller with their types."""
    with pytest.raises(ParamError) as caught:
        sync_client.videos.sora2.submit(prompt="x", video_length="7")
    assert caught.value.field == "video_length"
    with pytest.raises(NotFoundError):
        sync_client.tasks.query("no-such-task")
    with pytest.raises(AttributeError):
        _ = sync_client.images.not_a_model
    assert "sora2" in sync_client.videos
    assert len(sync_client.images) == len(list(sync_client.images))


def test_close_stops_the_loop_thread_and_is_idempotent(thread_emulator: RunningEmulator) -> None:
    """close() stops the background loop; a second close() is harmless; later calls fail."""
    before = len(_loop_threads())
    client = AIReiter(api_key=thread_emulator.api_key, base_url=thread_emulator.base_url)
    assert len(_loop_threads()) == before + 1
    assert client.balance().credits is not None
    client.close()
    client.close()
    assert client.is_closed
    assert len(_loop_threads()) == before
    with pytest.raises(RuntimeError, match="closed"):
        client.balance()
    assert "***" in repr(client)
    assert thread_emulator.api_key not in repr(client)


def test_plain_script(thread_emulator: RunningEmulator) -> None:
    """A script with no asyncio in sight generates an image and exits cleanly."""
    script = textwrap.dedent(
        """
        from aireiter import AIReiter

        with AIReiter() as client:  # key and URL from the environment
            task = client.images.gpt_4o.generate(prompt="a cat", poll_interval=0.05)
            print(task.status.value, len(task.urls))
        """
    )
    env = {
        **os.environ,
        "AIREITER_API_KEY": thread_emulator.api_key,
        "AIREITER_BASE_URL": thread_emulator.base_url,
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["completed", "1"]


def test_a_client_never_closed_does_not_hang_the_exit(thread_emulator: RunningEmulator) -> None:
    """A script that forgets close() still exits: the client is closed at interpreter exit,
    while its loop thread can still answer."""
    script = textwrap.dedent(
        """
        from aireiter import AIReiter

        client = AIReiter()  # never closed
        print(client.balance().credits)

        def helper():
            AIReiter().balance()  # dropped without close()

        helper()
        """
    )
    env = {
        **os.environ,
        "AIREITER_API_KEY": thread_emulator.api_key,
        "AIREITER_BASE_URL": thread_emulator.base_url,
    }
    result = subprocess.run(
        [sys.executable, "-W", "ignore::ResourceWarning", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1000000.0"]


def test_chat_and_messages(sync_client: AIReiter) -> None:
    """chat goes through the official sync openai client; messages.create blocks, and with
    stream=True yields the stream's events one by one."""
    reply = sync_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "ping"}]
    )
    assert "ping" in (reply.choices[0].message.content or "")
    assert sync_client.openai is sync_client.openai
    message = sync_client.messages.create(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "pong"}]
    )
    assert "pong" in message.text
    events = list(
        sync_client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=64,
            messages=[{"role": "user", "content": "streamed words"}],
            stream=True,
        )
    )
    assert events[0].type == "message_start"
    assert events[-1].type == "message_stop"
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    assert "streamed words" in text


def test_bad_settings_fail_before_a_thread_starts() -> None:
    """A missing key raises at construction and leaves no loop thread behind."""
    before = len(_loop_threads())
    with pytest.raises(ConfigurationError, match="AIREITER_API_KEY"):
        AIReiter()
    assert len(_loop_threads()) == before


def test_an_unsure_submit_is_confirmed_over_its_window(
    sync_client: AIReiter, thread_emulator: RunningEmulator
) -> None:
    """The blocking submit takes confirm=: after a 5xx it queries over the whole window (two
    queries here) before the one resend; the client-wide policy is settable too."""
    thread_emulator.state.inject("error_5xx", path=SUBMIT_PATH, count=1)
    policy = ConfirmPolicy(min_window_s=0.2, queries=2)
    task = sync_client.tasks.submit(
        "gpt_4o", {"prompt": "x"}, out_task_id="sync-unsure", confirm=policy
    )
    assert task.out_task_id == "sync-unsure"
    assert thread_emulator.state.submit_counts["sync-unsure"] == 1
    assert thread_emulator.state.request_counts[("POST", QUERY_PATH)] == 2
    sync_client.tasks.confirm_policy = policy
    assert sync_client.tasks.confirm_policy is policy
    sync_client.tasks.confirm_policy = None
    assert sync_client.tasks.confirm_policy == ConfirmPolicy()


def test_a_blocking_wait_polls_through_server_errors(thread_emulator: RunningEmulator) -> None:
    """The blocking wait keeps polling through 503s and returns the completed task."""
    with AIReiter(
        api_key=thread_emulator.api_key, base_url=thread_emulator.base_url, max_retries=0
    ) as client:
        task = client.tasks.submit("gpt_4o", {"prompt": "x"})
        thread_emulator.state.inject("error_5xx", path=QUERY_PATH, count=4)
        done = client.tasks.wait(task.out_task_id, poll_interval=0.01, timeout=10)
    assert done.status is TaskStatus.COMPLETED
    assert thread_emulator.state.request_counts[("POST", QUERY_PATH)] >= 5
