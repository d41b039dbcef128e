"""How an emulator behaves: :class:`EmulatorConfig`, :class:`FaultConfig` and :class:`ManualClock`.

Every default lives here, named ``DEFAULT_*`` with its unit in the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_FAULT_PATHS",
    "DEFAULT_IMAGE_DURATION_S",
    "DEFAULT_SLOW_RECORD_S",
    "DEFAULT_VIDEO_DURATION_S",
    "DUPLICATE_ID_MODES",
    "FAULT_KINDS",
    "OUTAGE_KINDS",
    "OUT_TASK_ID_RULE",
    "TASK_PATHS",
    "TIMESTAMP_FORMATS",
    "DuplicateIdMode",
    "EmulatorConfig",
    "FaultConfig",
    "FaultKind",
    "ManualClock",
    "OutageKind",
    "TimestampFormat",
    "default_time_scale",
    "set_default_time_scale",
]

FaultKind = Literal[
    "error_5xx",
    "rate_limit",
    "reset_before",
    "reset_after",
    "malformed",
    "html",
    "latency",
    "slow_record",
]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = (
    "error_5xx",
    "rate_limit",
    "reset_before",
    "reset_after",
    "malformed",
    "html",
    "latency",
    "slow_record",
)
"""Every fault :meth:`EmulatorState.inject` accepts."""

OutageKind = Literal["5xx", "reset", "silent"]
OUTAGE_KINDS: Final[tuple[OutageKind, ...]] = ("5xx", "reset", "silent")
"""How task API requests fail during :meth:`EmulatorState.start_outage`."""

TimestampFormat = Literal["iso", "epoch_ms", "epoch_us"]
TIMESTAMP_FORMATS: Final[tuple[TimestampFormat, ...]] = ("iso", "epoch_ms", "epoch_us")
"""How ``created_at``/``completed_at`` are written: ISO-8601, or integer Unix ms/us."""

DuplicateIdMode = Literal["conflict", "return_existing", "accept"]
DUPLICATE_ID_MODES: Final[tuple[DuplicateIdMode, ...]] = ("conflict", "return_existing", "accept")
"""What a submit reusing an ``out_task_id`` gets (the API's behaviour is undocumented)."""

DEFAULT_API_KEY = "test-key"
SUBMIT_PATH: Final = "/api/openapi/submit"
QUERY_PATH: Final = "/api/openapi/query"
BALANCE_PATH: Final = "/api/openapi/balance"
TASK_PATHS: Final = (SUBMIT_PATH, QUERY_PATH, BALANCE_PATH)
"""The task API's routes (the docs' paths): submit (first), query, balance."""
OPENAI_COMPAT_PATH: Final = "/api/v1"  # chat completions, responses, models
MESSAGES_PATH: Final = "/api/v1/messages"  # Anthropic Messages format
OUT_TASK_ID_RULE: Final = r"[A-Za-z0-9_-]{1,64}"
"""The ``out_task_id`` rule clients report (third-party, unverified); the default of
``EmulatorConfig.out_task_id_pattern``."""
DEFAULT_FAULT_PATHS: Final = TASK_PATHS
DEFAULT_IMAGE_DURATION_S = 30.0  # an image model the catalogue does not know (as its images)
DEFAULT_VIDEO_DURATION_S = 180.0  # a video model the catalogue does not know (as its videos)
DEFAULT_INJECTED_LATENCY_S = 1.0  # an injected "latency" fault when latency_s is 0
DEFAULT_SLOW_RECORD_S = 2.0  # how long a "slow_record" submit is held before it is recorded
DEFAULT_CALLBACK_BACKOFF_S = 0.1  # first wait before a failed callback is retried; doubles
DEFAULT_CALLBACK_TIMEOUT_S = 5.0  # one callback POST, connect to last byte
DEFAULT_PENDING_FRACTION = 0.2  # share of a task's duration it reports "pending"
DEFAULT_IMAGE_CREDITS = 10.0  # credits per output image
DEFAULT_VIDEO_CREDITS_PER_5S = 50.0  # credits per started 5 seconds of video


_default_time_scale = 1.0


def default_time_scale() -> float:
    """The ``time_scale`` of an :class:`EmulatorConfig` that names none (1.0 unless
    ``aireiter.testing.time_scale(f)`` / ``set_default_time_scale(f)`` changed it)."""
    return _default_time_scale


def set_default_time_scale(factor: float) -> None:
    """Set :func:`default_time_scale` (a finite number >= 0)."""
    global _default_time_scale
    if not (isinstance(factor, (int, float)) and 0 <= factor < float("inf")):
        raise ValueError(f"time_scale must be a finite number >= 0, got {factor!r}")
    _default_time_scale = float(factor)


def _rate(name: str) -> Any:
    def check(_instance: object, _attribute: object, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value!r}")

    return check


def _one_of(allowed: tuple[str, ...]) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {', '.join(allowed)}; got {value!r}")

    return check


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _strings(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True)
class FaultConfig:
    """Faults the emulator injects at random (seeded) into requests on ``paths``.

    Each ``*_rate`` is the chance that one request gets that fault; at most one fault applies
    per request. ``paths`` match a request path exactly or as a prefix ending at ``/``
    (``"/api/v1"`` covers ``/api/v1/chat/completions``). ``latency_s`` delays every matching
    request. ``retry_after_s`` is the ``Retry-After`` header of a 429. A ``slow_record`` submit
    is held ``slow_record_s`` seconds and only then recorded (on other paths the draw is plain
    latency of that length).
    """

    error_rate: float = attrs.field(default=0.0, validator=_rate("error_rate"))
    rate_limit_rate: float = attrs.field(default=0.0, validator=_rate("rate_limit_rate"))
    retry_after_s: float = attrs.field(default=1.0, validator=_non_negative)
    reset_before_rate: float = attrs.field(default=0.0, validator=_rate("reset_before_rate"))
    reset_after_rate: float = attrs.field(default=0.0, validator=_rate("reset_after_rate"))
    malformed_rate: float = attrs.field(default=0.0, validator=_rate("malformed_rate"))
    html_rate: float = attrs.field(default=0.0, validator=_rate("html_rate"))
    slow_record_rate: float = attrs.field(default=0.0, validator=_rate("slow_record_rate"))
    slow_record_s: float = attrs.field(default=DEFAULT_SLOW_RECORD_S, validator=_non_negative)
    latency_s: float = attrs.field(default=0.0, validator=_non_negative)
    paths: tuple[str, ...] = attrs.field(default=DEFAULT_FAULT_PATHS, converter=_strings)
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        if self.total_rate > 1.0:
            raise ValueError(f"the fault rates add up to {self.total_rate:g}, more than 1")

    @property
    def total_rate(self) -> float:
        """The chance that a matching request gets some random fault."""
        return (
            self.error_rate
            + self.rate_limit_rate
            + self.reset_before_rate
            + self.reset_after_rate
            + self.malformed_rate
            + self.html_rate
            + self.slow_record_rate
        )

    @classmethod
    def uniform(cls, rate: float, **options: Any) -> FaultConfig:
        """``rate`` spread evenly over 5xx, 429, both resets and malformed bodies."""
        share = rate / 5
        return cls(
            error_rate=share,
            rate_limit_rate=share,
            reset_before_rate=share,
            reset_after_rate=share,
            malformed_rate=share,
            **options,
        )


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """Everything an emulator can be told. All fields are optional.

    Durations: a task takes ``durations[<model name or base model id>]``, else
    ``default_duration_s``, else the catalogue's processing time, 30 s (image) or 180 s
    (video); the result is multiplied by ``time_scale`` (default: the process's
    :func:`default_time_scale`, which ``aireiter.testing.time_scale(f)`` sets). It reports
    ``pending`` for the first ``pending_fraction`` of that time, then ``processing``, then
    ``completed`` or ``failed``. ``failure_rate`` of the tasks fail (chosen by a hash of
    ``seed`` and the ``out_task_id``, so the same id always gets the same fate); a prompt
    containing ``FAIL_ME`` always fails.

    ``clock`` (default :func:`time.monotonic`) is the time source of the task lifecycle; a
    :class:`ManualClock` makes it step only when a test says so.

    Wire variants where the docs are silent or the real API may differ: ``timestamp_format``
    (``"iso"``, ``"epoch_ms"``, ``"epoch_us"``), ``gzip_outputs`` (output files sent with
    ``Content-Encoding: gzip``), ``duplicate_id`` (a reused ``out_task_id``: ``"conflict"``
    409, ``"return_existing"`` 200 with the existing task, ``"accept"`` a second task under the
    same id) and ``html_everywhere`` (every ``/api/`` route answers the HTML marketing page,
    as a wrong base URL would).

    Documented answer variants: a model whose page shows another submit answer gets it
    (``gpt_image_2_official``: ``{"code": 200, "data": [{"status": "submitted", "task_id":
    "task_..."}]}``); ``submit_omits_task_id`` leaves ``task_id`` out of every submit answer
    (as the newer docs' examples do); tasks of the base models in ``task_id_only_models`` are
    found by ``task_id`` only (a query by ``out_task_id`` answers "api task not found").
    ``out_task_id_pattern`` is the id rule (``None``: any non-empty string). ``free_quota``
    (model -> free generations left) is reported by the balance route.
    """

    api_keys: tuple[str, ...] = attrs.field(
        default=(DEFAULT_API_KEY,), converter=_strings, repr=False
    )
    initial_credits: float = attrs.field(default=1_000_000.0, validator=_non_negative)
    default_duration_s: float | None = attrs.field(default=None, validator=_non_negative)
    durations: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen_mapping)
    time_scale: float = attrs.field(factory=default_time_scale, validator=_non_negative)
    failure_rate: float = attrs.field(default=0.0, validator=_rate("failure_rate"))
    duration_spread: float = attrs.field(default=0.0, validator=_rate("duration_spread"))
    """Each task takes its duration times a factor drawn uniformly from ``1 +/- spread``
    (fixed by a hash of ``seed`` and the ``out_task_id``): 0.2 gives 0.8x-1.2x."""
    seed: int = 0
    faults: FaultConfig = attrs.field(factory=FaultConfig)
    validate_params: bool = True
    accept_unknown_models: bool = False
    output_bytes_image: int = attrs.field(default=4096, validator=_non_negative)
    output_bytes_video: int = attrs.field(default=16384, validator=_non_negative)
    callback_attempts: int = 3
    callback_backoff_s: float = attrs.field(
        default=DEFAULT_CALLBACK_BACKOFF_S, validator=_non_negative
    )
    callback_timeout_s: float = attrs.field(default=DEFAULT_CALLBACK_TIMEOUT_S)
    pending_fraction: float = attrs.field(
        default=DEFAULT_PENDING_FRACTION, validator=_rate("pending_fraction")
    )
    image_credits: float = attrs.field(default=DEFAULT_IMAGE_CREDITS, validator=_non_negative)
    video_credits_per_5s: float = attrs.field(
        default=DEFAULT_VIDEO_CREDITS_PER_5S, validator=_non_negative
    )
    free_quota: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_mapping)
    submit_omits_task_id: bool = False
    task_id_only_models: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    out_task_id_pattern: str | None = OUT_TASK_ID_RULE
    clock: Callable[[], float] | None = attrs.field(default=None, eq=False)
    timestamp_format: TimestampFormat = attrs.field(
        default="iso", validator=_one_of(TIMESTAMP_FORMATS)
    )
    gzip_outputs: bool = False
    duplicate_id: DuplicateIdMode = attrs.field(
        default="conflict", validator=_one_of(DUPLICATE_ID_MODES)
    )
    html_everywhere: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.api_keys or not all(isinstance(k, str) and k for k in self.api_keys):
            raise ValueError("api_keys must hold at least one non-empty string")
        if self.callback_attempts < 1:
            raise ValueError(f"callback_attempts must be >= 1, got {self.callback_attempts}")
        if self.callback_timeout_s <= 0:
            raise ValueError(f"callback_timeout_s must be > 0, got {self.callback_timeout_s}")
        for name, seconds in self.durations.items():
            if seconds < 0:
                raise ValueError(f"durations[{name!r}] must be >= 0, got {seconds!r}")


class ManualClock:
    """A clock that moves only when told: ``clock.advance(5)``. Pass it as
    ``EmulatorConfig(clock=clock)``; a running emulator notices each advance at once (due
    tasks settle, due callbacks go out)."""

    __slots__ = ("_listeners", "_now")

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        return self._now

    @property
    def now(self) -> float:
        """The current reading, in seconds."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward (never back) and return the new reading."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds!r} s)")
        self._now += seconds
        for listener in tuple(self._listeners):
            listener()
        return self._now

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after every advance; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
