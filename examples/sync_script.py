"""A plain blocking script: `aireiter.AIReiter` runs the async core on a thread of its own.

Safe to share between threads (here: four at once). Without AIREITER_API_KEY a local emulator
is started first:

    python examples/sync_script.py
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from aireiter import AIReiter


@contextlib.contextmanager
def api_settings() -> Iterator[dict[str, str]]:
    """Client arguments: {} to use AIREITER_API_KEY / AIREITER_BASE_URL, else a local emulator's."""
    if os.environ.get("AIREITER_API_KEY"):
        yield {}
        return
    from anyio.from_thread import start_blocking_portal

    from aireiter.emulator import EmulatorConfig, run_emulator

    with start_blocking_portal() as portal:  # the emulator gets an event loop of its own
        emulator = run_emulator(EmulatorConfig(default_duration_s=0.5))
        with portal.wrap_async_context_manager(emulator) as emu:
            yield {"api_key": emu.api_key, "base_url": emu.base_url}


def main() -> None:
    with api_settings() as settings, AIReiter(**settings) as client:
        poll_s = 0.1 if client.base_url.startswith("http://127.0.0.1") else 5.0
        print("balance:", client.balance().credits)

        task = client.images.gpt_image_2.generate(prompt="a paper boat", poll_interval=poll_s)
        print("image:", task.status.value, task.urls)

        def one(prompt: str) -> str:
            task = client.tasks.submit("seedream_v4_5", {"prompt": prompt})
            return client.tasks.wait(task.out_task_id, poll_interval=poll_s).status.value

        prompts = ["a fox", "an owl", "a hare", "a lynx"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            print("from four threads:", list(pool.map(one, prompts)))


if __name__ == "__main__":
    main()
