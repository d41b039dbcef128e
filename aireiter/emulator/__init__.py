"""An embedded AIReiter API emulator: a real aiohttp server speaking the documented task API.

It implements submit, query and balance with the API's envelopes and error codes, the task
lifecycle (``pending`` -> ``processing`` -> ``completed``/``failed``, derived from a clock, no
coroutine per task), credits (estimated at submit, charged only when a task completes),
webhook callbacks to loopback receivers, generated output files, the HTML page the API shows
for unknown routes, and fault injection (5xx, 429, dropped connections, broken bodies,
latency, slow recording, outages). Tests and ``aireiter demo`` run the SDK against it over
real HTTP on 127.0.0.1.

It is a second opinion: it imports nothing from the SDK and judges params with its own model
catalogue (``catalog.json``, read from the API docs), refusing only what the docs forbid.

>>> from aireiter.emulator import EmulatorConfig, run_emulator
>>> async with run_emulator(EmulatorConfig(time_scale=0.01)) as emu:  # doctest: +SKIP
...     emu.base_url, emu.api_key, emu.state.balance

From the shell: ``python -m aireiter.emulator --port 8787``. See ``docs/emulator.md``.
"""

from ._app import RunningEmulator, create_app, run_emulator
from ._auth import check_bearer
from ._callbacks import SCHEDULER_KEY, CallbackScheduler, is_loopback_url
from ._config import FAULT_KINDS, EmulatorConfig, FaultConfig, FaultKind, ManualClock
from ._files import file_bytes
from ._pricing import CHANNEL_PRICE_FACTORS, estimate_credits
from ._state import FAIL_MARKER, STATE_KEY, CallbackRecord, EmulatorState, LedgerEntry
from ._task import EmulatedTask

__all__ = [
    "CHANNEL_PRICE_FACTORS",
    "FAIL_MARKER",
    "FAULT_KINDS",
    "SCHEDULER_KEY",
    "STATE_KEY",
    "CallbackRecord",
    "CallbackScheduler",
    "EmulatedTask",
    "EmulatorConfig",
    "EmulatorState",
    "FaultConfig",
    "FaultKind",
    "LedgerEntry",
    "ManualClock",
    "RunningEmulator",
    "check_bearer",
    "create_app",
    "estimate_credits",
    "file_bytes",
    "is_loopback_url",
    "run_emulator",
]

# Reprs and tracebacks say ``aireiter.emulator.EmulatorConfig``, not a private module path.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("aireiter.emulator."):
        _obj.__module__ = __name__
del _name, _obj
