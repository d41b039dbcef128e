"""Client CPU per submit+query: aireiter vs raw aiohttp, against the emulator in another process.

Both sides do the same work per iteration: POST a submit with a JSON body, read and check the
envelope, POST a query, read and check it. Raw aiohttp stops at ``json.loads`` and a statusCode
check; aireiter also validates the params against the model spec, maps errors and builds typed
``Task`` objects. Rounds alternate (raw, sdk, raw, sdk, ...) so machine noise hits both alike;
the figures are the median of per-round CPU-time ratios (``time.process_time`` of this process)
and the ratio of each side's fastest round (the least disturbed by other load).

    python benchmarks/transport_overhead.py [--iterations 300] [--rounds 7]
    python benchmarks/transport_overhead.py --instructions     # noise-free, needs valgrind

Target: ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_process import API_KEY, emulator_process

from aireiter import AsyncAIReiter
from aireiter._transport._config import DEFAULT_TIMEOUT

MODEL = "seedream_v4_5"
PARAMS = {"prompt": "a lighthouse at dawn", "aspect_ratio": "16:9", "resolution": "high"}


async def raw_round(base_url: str, iterations: int) -> float:
    """CPU seconds for ``iterations`` submit+query pairs with a bare aiohttp session."""
    headers = {"Authorization": f"Bearer {API_KEY}", "User-Agent": "bench"}
    # The same timeouts the SDK sets by default: a production client needs them too, and a
    # per-read timeout costs a timer per read.
    async with aiohttp.ClientSession(
        headers=headers, timeout=DEFAULT_TIMEOUT.to_aiohttp()
    ) as session:
        start = time.process_time()
        for _ in range(iterations):
            oid = uuid.uuid4().hex
            body = {"model": MODEL, "params": PARAMS, "out_task_id": oid}
            async with session.post(base_url + "/api/openapi/submit", json=body) as resp:
                data = json.loads(await resp.read())
                assert data["statusCode"] == 200, data
            async with session.post(
                base_url + "/api/openapi/query", json={"out_task_id": oid}
            ) as resp:
                data = json.loads(await resp.read())
                assert data["statusCode"] == 200, data
        return time.process_time() - start


async def sdk_round(base_url: str, iterations: int) -> float:
    """CPU seconds for ``iterations`` submit+query pairs through aireiter."""
    async with AsyncAIReiter(api_key=API_KEY, base_url=base_url) as client:
        await client.balance()  # open the session outside the measured part, like the raw side
        start = time.process_time()
        for _ in range(iterations):
            task = await client.tasks.submit(MODEL, PARAMS)
            await client.tasks.query(task.out_task_id)
        return time.process_time() - start


async def main(iterations: int, rounds: int) -> None:
    with emulator_process("--time-scale", "0.001") as base_url:
        await raw_round(base_url, 20)  # warm-up: imports, connection pool, JIT-free caches
        await sdk_round(base_url, 20)
        ratios, raw_times, sdk_times = [], [], []
        for _ in range(rounds):
            raw = await raw_round(base_url, iterations)
            sdk = await sdk_round(base_url, iterations)
            raw_times.append(raw)
            sdk_times.append(sdk)
            ratios.append(sdk / raw)
    per_req = 1e6 / (2 * iterations)
    print(f"iterations per round: {iterations} submit+query pairs, rounds: {rounds}")
    print(f"raw aiohttp  CPU per request: {statistics.median(raw_times) * per_req:8.1f} us")
    print(f"aireiter     CPU per request: {statistics.median(sdk_times) * per_req:8.1f} us")
    print(
        f"ratio aireiter/raw (median of rounds): {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}); target <= 1.15"
    )
    # Noise from other processes only ever adds CPU time, so the fastest round of each side
    # is the least disturbed estimate of its cost.
    print(f"ratio of fastest rounds: {min(sdk_times) / min(raw_times):.3f}")


# --- instruction counts: the same comparison, free of timing noise ---------------------------
#
# On a shared machine CPU time per round can swing by 2x. ``--instructions`` runs each side in
# its own process under valgrind's callgrind, once with SHORT and once with LONG pairs after the
# same warm-up, and divides the difference by LONG - SHORT: start-up and imports cancel out and
# what is left is the instructions one submit+query pair costs. Repeatable to a fraction of a
# percent; a proxy for CPU time, not CPU time itself.
SHORT, LONG = 50, 250


def _child(side: str, base_url: str, pairs: int) -> None:
    run = raw_round if side == "raw" else sdk_round

    async def go() -> None:
        await run(base_url, 20)  # the same warm-up in both runs
        await run(base_url, pairs)

    asyncio.run(go())


def _instructions(side: str, base_url: str, pairs: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        side,
        base_url,
        str(pairs),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in callgrind's output: {result.stderr[-500:]}")
    return int(found.group(1))


def instructions_main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    per_request: dict[str, float] = {}
    with emulator_process("--time-scale", "0.001") as base_url:
        for side in ("raw", "sdk"):
            short = _instructions(side, base_url, SHORT)
            long = _instructions(side, base_url, LONG)
            per_request[side] = (long - short) / (LONG - SHORT) / 2
    print(f"raw aiohttp  instructions per request: {per_request['raw']:12,.0f}")
    print(f"aireiter     instructions per request: {per_request['sdk']:12,.0f}")
    print(f"ratio aireiter/raw: {per_request['sdk'] / per_request['raw']:.3f}; target <= 1.15")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind instead of timing (noise-free, about 2 min)",
    )
    args = parser.parse_args()
    if args.instructions:
        instructions_main()
    else:
        asyncio.run(main(args.iterations, args.rounds))
