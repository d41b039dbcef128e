"""The blocking facade ``AIReiter``: a plain script, many threads, errors, lifecycle.

The sync client blocks its caller, so these tests are plain functions and the emulator runs
on an event loop in a thread of its own (an anyio blocking portal), not in the test's loop.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from aireiter import (
    AIReiter,
    AsyncAIReiter,
    ClientClosedError,
    ConfigurationError,
    NotFoundError,
    ParamError,
    TaskStatus,
)
from aireiter._confirm import ConfirmPolicy
from aireiter._constants import QUERY_PATH, SUBMIT_PATH
from aireiter._endpoints._sync import LoopRunner, SyncTwin
from aireiter._sync import MessageStream
from aireiter.emulator import EmulatorConfig, RunningEmulator, run_emulator
from aireiter.emulator._chat import CHAT_STATE_KEY
from aireiter.resources.messages import AsyncMessageStream
from aireiter.tracker import PollPolicy, TaskHandle
from aireiter.tracker._blocking import SyncTaskHandle, SyncTaskTracker


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
    assert sync_client.base_url == sync_client.config.base_url
    assert sync_client.async_client.base_url == sync_client.base_url


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
    with pytest.raises(ClientClosedError, match="closed"):
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


# -- derived twins ---------------------------------------------------------------------------
_ALIASES = {"aclose": "close"}  # async name -> its blocking twin's name


def _is_async_method(member: object) -> bool:
    return (
        inspect.iscoroutinefunction(member)
        or inspect.isasyncgenfunction(member)
        or inspect.isasyncgenfunction(getattr(member, "__wrapped__", None))  # @asynccontextmanager
    )


def _async_method_names(klass: type) -> list[str]:
    return [
        name
        for name in dir(klass)
        if not name.startswith("_") and _is_async_method(inspect.getattr_static(klass, name))
    ]


def _parameters(function: Any, *, drop_first: bool = False) -> list[tuple[Any, ...]]:
    params = list(inspect.signature(function).parameters.values())
    if drop_first:
        params = params[1:]
    return [(p.name, p.kind, p.default, p.annotation) for p in params]


def _twin_pairs(client: AIReiter) -> Iterator[tuple[str, object, object]]:
    """(where, async object, blocking object) for every namespace of the two clients."""
    async_client = client.async_client
    yield "client", async_client, client
    yield "tasks", async_client.tasks, client.tasks
    yield "messages", async_client.messages, client.messages
    for kind in ("images", "videos"):
        models = getattr(async_client, kind)
        blocking_models = getattr(client, kind)
        yield kind, models, blocking_models
        for spec in models.list():
            yield f"{kind}.{spec.id}", getattr(models, spec.id), getattr(blocking_models, spec.id)
    tracker = client.tracker()
    yield "tracker", tracker.tracker, tracker


def test_every_public_async_method_has_a_blocking_twin_with_the_same_parameters() -> None:
    """Each public coroutine, async iterator and async context manager method of the async
    client's namespaces (tasks, balance, the model endpoints, messages, the tracker, its
    handles, message streams) has a blocking twin taking exactly the same parameters; so does
    the constructor."""
    missing: list[str] = []
    differ: list[str] = []
    checked = 0
    with AIReiter(api_key="k", base_url="http://127.0.0.1:9") as client:
        for where, async_obj, sync_obj in _twin_pairs(client):
            for name in _async_method_names(type(async_obj)):
                twin_name = _ALIASES.get(name, name)
                twin = getattr(sync_obj, twin_name, None)
                if twin is None:
                    missing.append(f"{where}.{name}")
                    continue
                checked += 1
                if twin_name != name:
                    continue  # aclose() -> close(): no parameters to compare
                if _parameters(getattr(async_obj, name)) != _parameters(twin):
                    differ.append(f"{where}.{name}")
    for async_class, sync_class in (
        (TaskHandle, SyncTaskHandle),
        (AsyncMessageStream, MessageStream),
    ):
        for name in _async_method_names(async_class):
            twin = getattr(sync_class, _ALIASES.get(name, name), None)
            if twin is None:
                missing.append(f"{sync_class.__name__}.{name}")
                continue
            checked += 1
            if name not in _ALIASES:
                ours = _parameters(twin, drop_first=True)
                if _parameters(getattr(async_class, name), drop_first=True) != ours:
                    differ.append(f"{sync_class.__name__}.{name}")
    if _parameters(AIReiter) != _parameters(AsyncAIReiter):
        differ.append("AIReiter()")  # the constructor takes the async client's arguments
    assert not missing, f"no blocking twin: {missing}"
    assert not differ, f"parameters differ from the async method: {differ}"
    assert checked > 60  # submit and generate of every model, and the rest


def test_a_method_added_to_an_async_class_gets_its_twin_by_itself() -> None:
    """A twin class derives every public async method it does not name: a coroutine
    becomes a blocking call, an async generator a blocking iterator, with the same
    parameters; plain methods and private ones are left alone."""

    class Counter:
        async def add(self, value: int, *, times: int = 1) -> int:
            """Add ``value`` ``times`` times."""
            return value * times

        async def count(self, up_to: int) -> AsyncIterator[int]:
            for number in range(up_to):
                yield number

        def plain(self) -> int:
            return 0

        async def _private(self) -> None:
            return None

    class SyncCounter(SyncTwin, twin_of=Counter):
        pass

    with start_blocking_portal() as portal:
        counter = SyncCounter(LoopRunner(portal), Counter())
        assert counter.add(3, times=2) == 6  # type: ignore[attr-defined]
        assert list(counter.count(3)) == [0, 1, 2]  # type: ignore[attr-defined]
        assert str(inspect.signature(counter.add)) == "(value: 'int', *, times: 'int' = 1) -> 'int'"  # type: ignore[attr-defined]
        assert counter.add.__doc__ == "Add ``value`` ``times`` times."  # type: ignore[attr-defined]
    assert not hasattr(SyncCounter, "plain")
    assert not hasattr(SyncCounter, "_private")


def test_blocking_tracker_runs_jobs_and_iterates_their_results(
    sync_client: AIReiter, thread_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """``with client.tracker() as tracker``: submit returns blocking handles, as_completed is
    a plain iterator of each final task, gather and handle.result() block; a second run
    resumes the journal and sends nothing again."""
    journal = tmp_path / "run.db"
    policy = PollPolicy(fixed_duration_s=0.05)
    with sync_client.tracker(journal=journal, poll_policy=policy) as tracker:
        handles = [
            tracker.submit("gpt_4o", {"prompt": f"p{i}"}, out_task_id=f"sync-job-{i}")
            for i in range(4)
        ]
        more = tracker.submit_many([{"model": "gpt_4o", "params": {"prompt": "x"}}])
        assert all(isinstance(h, SyncTaskHandle) for h in [*handles, *more])
        found = tracker.handle("sync-job-1")
        assert isinstance(found, SyncTaskHandle)
        assert found.out_task_id == "sync-job-1"
        assert tracker.handle("nope") is None
        finished = [task.out_task_id for task in tracker.as_completed()]
        assert sorted(finished) == sorted(h.out_task_id for h in [*handles, *more])
        assert handles[0].result().status is TaskStatus.COMPLETED
        assert handles[0].done
        assert handles[0].out_task_id == "sync-job-0"
        assert [t.status for t in tracker.gather()] == [TaskStatus.COMPLETED] * 5
        assert tracker.progress().completed == 5
    assert all(thread_emulator.state.submit_counts[f"sync-job-{i}"] == 1 for i in range(4))
    with SyncTaskTracker.resume(sync_client, journal, poll_policy=policy) as resumed:
        assert len(resumed.gather()) == 5
    assert all(thread_emulator.state.submit_counts[f"sync-job-{i}"] == 1 for i in range(4))


def test_watch_is_a_plain_iterator_of_status_changes(sync_client: AIReiter) -> None:
    """tasks.watch() yields each new status of one task and ends with the completed task."""
    task = sync_client.tasks.submit("gpt_4o", {"prompt": "x"})
    seen = list(sync_client.tasks.watch(task, poll_interval=0.01))
    assert seen[0] is task
    assert seen[-1].status is TaskStatus.COMPLETED
    assert len({t.status for t in seen}) == len(seen)  # each one a change


def test_messages_stream_is_a_context_manager_that_releases_its_connection(
    sync_client: AIReiter, thread_emulator: RunningEmulator
) -> None:
    """``with client.messages.stream(...) as stream``: text_stream and get_final_message
    work as on the async stream; leaving the block early closes the connection."""
    turns = [{"role": "user", "content": "three little words"}]
    with sync_client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=64, messages=turns
    ) as stream:
        assert isinstance(stream, MessageStream)
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert "three little words" in text
    assert final.text == text
    assert stream.current_message == final
    assert stream.response.status == 200
    stream.close()  # a second close does nothing
    chat = thread_emulator.app[CHAT_STATE_KEY]
    forever = [{"role": "user", "content": "STREAM_FOREVER"}]
    with sync_client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=64, messages=forever
    ) as stream:
        for _event in zip(range(3), stream, strict=False):
            pass
        assert chat.active_streams == 1
    deadline = time.monotonic() + 10
    while chat.active_streams and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    assert chat.active_streams == 0


def test_an_interrupt_cancels_the_call_it_stopped(
    sync_client: AIReiter, thread_emulator: RunningEmulator
) -> None:
    """Ctrl-C in a blocking wait raises KeyboardInterrupt there and cancels the wait's
    coroutine on the client's loop (no query goes on in the background)."""
    runner = sync_client._runner

    def loop_tasks() -> int:
        return runner.run_sync(lambda: len(asyncio.all_tasks()))

    baseline = loop_tasks()
    task = sync_client.tasks.submit("gpt_4o", {"prompt": "x"}, out_task_id="never-ends")
    thread_emulator.state.force_status("never-ends", "processing")
    queried = threading.Event()

    def interrupt_after_a_query() -> None:
        deadline = time.monotonic() + 10
        while thread_emulator.state.query_counts["never-ends"] < 2:
            if time.monotonic() > deadline:
                return
            threading.Event().wait(0.01)
        queried.set()
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_after_a_query, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        sync_client.tasks.wait(task.out_task_id, poll_interval=0.01, max_poll_interval=0.02)
    assert queried.is_set()
    assert loop_tasks() == baseline  # the wait's task is gone from the loop


def test_with_options_is_a_blocking_copy_on_the_same_loop(
    sync_client: AIReiter, thread_emulator: RunningEmulator
) -> None:
    """client.with_options() returns a blocking client with the new settings that runs on the
    origin's loop thread and pool; closing the copy leaves the origin working."""
    threads = len(_loop_threads())
    copy = sync_client.with_options(max_retries=0, timeout=30)
    assert isinstance(copy, AIReiter)
    assert copy.config.max_retries == 0
    assert len(_loop_threads()) == threads
    task = copy.tasks.submit("gpt_4o", {"prompt": "x"})
    assert copy.tasks.wait(task.out_task_id, poll_interval=0.01).status is TaskStatus.COMPLETED
    copy.close()
    assert copy.is_closed
    assert not sync_client.is_closed
    assert sync_client.tasks.query(task.out_task_id).status is TaskStatus.COMPLETED
    assert thread_emulator.state.submit_counts[task.out_task_id] == 1
