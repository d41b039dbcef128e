"""Client CPU per chat request: the openai adapter on openai's default HTTP backend (httpx)
vs its aiohttp backend (``DefaultAioHttpClient``), against the emulator in another process.

Both sides run the same official code path (``aireiter.openai.AsyncOpenAI``, only
``http_backend`` differs): ``chat.completions.create`` plain, and streamed (a 24-piece reply,
every chunk read). Rounds alternate (httpx, aiohttp, httpx, ...) so machine noise hits both
alike; the figures are medians of per-round CPU time (``time.process_time`` of this process)
per request, and the ratio aiohttp/httpx (below 1: aiohttp is cheaper).

    python benchmarks/chat_backends.py [--iterations 200] [--rounds 5] [--quick]

Measured (2 cores, Python 3.11, openai 3.57, aiohttp 3.14, two full runs): non-stream
httpx 1756-1810 us vs aiohttp 1437-1512 us (ratio 0.80-0.84); stream httpx 5552-5804 us vs
aiohttp 4459-4632 us (ratio 0.76-0.80). So aiohttp is the adapter's default backend.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_process import API_KEY, emulator_process
from openai.types.chat import ChatCompletionMessageParam

from aireiter.openai import AsyncOpenAI, HTTPBackend

MODEL = "gpt-4o-mini"
PROMPT = " ".join(f"word{i}" for i in range(23))  # the reply echoes it: 24 pieces
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
BACKENDS: tuple[HTTPBackend, ...] = ("httpx", "aiohttp")


async def plain(client: AsyncOpenAI) -> None:
    """One non-streamed completion."""
    answer = await client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert answer.choices[0].message.content


async def streamed(client: AsyncOpenAI) -> None:
    """One streamed completion, every chunk read."""
    stream = await client.chat.completions.create(
        model=MODEL,
        messages=MESSAGES,
        stream=True,
    )
    count = 0
    async for _ in stream:
        count += 1
    assert count > 20, count


async def one_round(
    base_url: str, backend: HTTPBackend, call: Callable[[AsyncOpenAI], Awaitable[None]], n: int
) -> float:
    """CPU seconds for ``n`` calls on a fresh client (the pool is opened before timing)."""
    async with AsyncOpenAI(api_key=API_KEY, base_url=base_url, http_backend=backend) as client:
        await call(client)
        start = time.process_time()
        for _ in range(n):
            await call(client)
        return time.process_time() - start


async def measure(
    base_url: str, call: Callable[[AsyncOpenAI], Awaitable[None]], n: int, rounds: int
) -> dict[str, list[float]]:
    """Per-request CPU seconds of each backend, one figure per round."""
    for backend in BACKENDS:  # warm-up: imports, first-use caches
        await one_round(base_url, backend, call, max(5, n // 10))
    times: dict[str, list[float]] = {b: [] for b in BACKENDS}
    for _ in range(rounds):
        for backend in BACKENDS:
            times[backend].append(await one_round(base_url, backend, call, n) / n)
    return times


def report(name: str, times: dict[str, list[float]]) -> None:
    """Print one table row per backend and the ratio."""
    httpx_us = statistics.median(times["httpx"]) * 1e6
    aiohttp_us = statistics.median(times["aiohttp"]) * 1e6
    ratios = [a / h for a, h in zip(times["aiohttp"], times["httpx"], strict=True)]
    print(f"{name:<12} {httpx_us:>12.0f} {aiohttp_us:>12.0f} {statistics.median(ratios):>10.2f}")


async def main(iterations: int, rounds: int) -> None:
    with emulator_process() as host:
        base_url = host + "/api/v1"
        results = {
            "non-stream": await measure(base_url, plain, iterations, rounds),
            "stream": await measure(base_url, streamed, iterations, rounds),
        }
    print(f"requests per round: {iterations}, rounds: {rounds}; CPU per request in us")
    print(f"{'':<12} {'httpx':>12} {'aiohttp':>12} {'ratio a/h':>10}")
    for name, times in results.items():
        report(name, times)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="50 requests x 3 rounds")
    args = parser.parse_args()
    if args.quick:
        args.iterations, args.rounds = 50, 3
    asyncio.run(main(args.iterations, args.rounds))
