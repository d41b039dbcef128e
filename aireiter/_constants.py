"""Every transport and polling default on one screen.

Names say what they hold; units are in the name (``_S`` seconds) or the comment. Change a
default here and nowhere else.
"""

from __future__ import annotations

import re

__all__ = [
    "BALANCE_PATH",
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT_S",
    "DEFAULT_INITIAL_RETRY_DELAY_S",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER_S",
    "DEFAULT_MAX_RETRY_DELAY_S",
    "DEFAULT_POLL_BACKOFF",
    "DEFAULT_POLL_INTERVAL_S",
    "DEFAULT_POLL_MAX_INTERVAL_S",
    "DEFAULT_READ_TIMEOUT_S",
    "DEFAULT_REPORT_REFRESH_S",
    "DEFAULT_TOTAL_TIMEOUT_S",
    "DEFAULT_WAIT_TIMEOUT_S",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_LOG",
    "ENV_TIME_SCALE",
    "ERROR_BODY_PREVIEW_BYTES",
    "MESSAGES_PATH",
    "OPENAI_COMPAT_PATH",
    "OUT_TASK_ID_MAX_LENGTH",
    "OUT_TASK_ID_PATTERN",
    "QUERY_PATH",
    "REQUEST_ID_HEADERS",
    "RETRYABLE_STATUS_CODES",
    "SUBMIT_PATH",
]

# --- where the API lives -------------------------------------------------------------------
ENV_API_KEY = "AIREITER_API_KEY"
ENV_BASE_URL = "AIREITER_BASE_URL"
ENV_LOG = "AIREITER_LOG"  # "debug" or "info": log the aireiter logger to stderr, redacted
ENV_TIME_SCALE = "AIREITER_TIME_SCALE"  # tests: the SDK's time scale in a process they start
DEFAULT_BASE_URL = "https://aireiter.com"
SUBMIT_PATH = "/api/openapi/submit"
QUERY_PATH = "/api/openapi/query"
BALANCE_PATH = "/api/openapi/balance"
OPENAI_COMPAT_PATH = "/api/v1"  # chat completions, responses, models (OpenAI-compatible)
MESSAGES_PATH = "/api/v1/messages"  # Anthropic Messages format

# --- timeouts (seconds) --------------------------------------------------------------------
DEFAULT_TOTAL_TIMEOUT_S = 120.0  # one call: every attempt and the waits between; None disables
DEFAULT_CONNECT_TIMEOUT_S = 10.0  # TCP + TLS handshake, per attempt
DEFAULT_READ_TIMEOUT_S = 60.0  # one attempt's whole answer (streams: silence between chunks)

# --- retries ---------------------------------------------------------------------------------
DEFAULT_MAX_RETRIES = 2  # retries after the first attempt (so 3 attempts in all)
DEFAULT_INITIAL_RETRY_DELAY_S = 0.5  # backoff cap of the first retry; doubles each time
DEFAULT_MAX_RETRY_DELAY_S = 8.0  # the backoff cap never grows past this
DEFAULT_MAX_RETRY_AFTER_S = 60.0  # a server Retry-After above this is not honoured
RETRYABLE_STATUS_CODES = frozenset({408, 409, 429, 500, 502, 503, 504})  # plus any other 5xx

# --- answers -------------------------------------------------------------------------------
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # a JSON answer larger than this is an error

# --- connection pool -------------------------------------------------------------------------
DEFAULT_MAX_CONNECTIONS = 100  # aiohttp TCPConnector limit per client

# --- task polling (client.tasks.wait) -------------------------------------------------------
DEFAULT_WAIT_TIMEOUT_S = 600.0  # give up waiting for one task after this long
DEFAULT_POLL_INTERVAL_S = 5.0  # first wait before the first query, then between queries
DEFAULT_POLL_BACKOFF = 1.5  # each later interval is the previous times this
DEFAULT_POLL_MAX_INTERVAL_S = 20.0  # the interval never grows past this

# --- HTML report (aireiter.report) -----------------------------------------------------------
DEFAULT_REPORT_REFRESH_S = 5.0  # a live report is rewritten, and reloads itself, this often

# --- ids and errors --------------------------------------------------------------------------
OUT_TASK_ID_MAX_LENGTH = 64
OUT_TASK_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # matched with fullmatch
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-trace-id")
ERROR_BODY_PREVIEW_BYTES = 200  # how much of a non-JSON body an error shows
