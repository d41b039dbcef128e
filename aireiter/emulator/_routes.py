"""The task API: ``POST /api/openapi/submit``, ``POST /api/openapi/query``,
``GET /api/openapi/balance``.

Submit checks, in order (each failure is HTTP 200 with the envelope shown):

1. the bearer key (HTTP 401 ``{"statusCode":401,"message":"invalid api key"}``);
2. the body is a JSON object (``statusCode`` 400);
3. the top-level fields: ``model`` a non-empty string, ``params`` an object, ``out_task_id``
   matching ``out_task_id_pattern`` (default ``[A-Za-z0-9_-]{1,64}``), ``callback_url`` an
   http(s) URL, ``metadata`` an object (400, the message starts with the field's name);
4. ``out_task_id`` not used before; a reused one gets what ``duplicate_id`` says: 409
   ``out_task_id already exists`` and nothing created (``"conflict"``), the existing task's
   submit data (``"return_existing"``), or a second task under the id (``"accept"``);
5. the model is in the emulator's catalogue, with any channel suffix (400
   ``model not found: <name>``);
6. the params pass the catalogue's checks, when ``validate_params`` (400 naming model,
   fields and allowed values; see :mod:`._catalog`);
7. the estimated credits fit in the balance left after unfinished tasks (433
   ``not enough credits`` with ``"ok": true``).

A ``slow_record`` fault holds the submit first and runs these checks (and records the task)
only afterwards, in a task of its own that the client going away does not cancel.

The answer is the documented envelope, or the variant the model's page shows
(``gpt_image_2_official``: ``{"code": 200, "data": [{"status": "submitted", "task_id":
...}]}``); ``submit_omits_task_id`` leaves ``task_id`` out.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from yarl import URL

from ._auth import check_bearer
from ._catalog import params_problem, resolve_model
from ._config import BALANCE_PATH, QUERY_PATH, SUBMIT_PATH
from ._middleware import HOLD_KEY
from ._state import STATE_KEY, EmulatorState
from ._task import EmulatedTask
from ._wire import (
    INSUFFICIENT_CREDITS,
    TASK_NOT_FOUND,
    error_envelope,
    json_response,
    ok_envelope,
    unauthorized_response,
)

__all__ = ["add_task_routes", "balance", "query", "submit"]


class _BadRequest(Exception):
    """A request the API answers with statusCode 400 and this message."""


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise _BadRequest("request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise _BadRequest("request body must be a JSON object")
    return body


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


@functools.lru_cache(maxsize=8)
def _id_rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check_fields(body: Mapping[str, Any], id_pattern: str | None) -> None:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _BadRequest("model is required and must be a non-empty string")
    if not isinstance(body.get("params"), dict):
        raise _BadRequest("params is required and must be an object")
    out_task_id = body.get("out_task_id")
    if out_task_id is None:
        raise _BadRequest("out_task_id is required")
    if not isinstance(out_task_id, str) or not out_task_id:
        raise _BadRequest("out_task_id must be a non-empty string")
    if id_pattern is not None and not _id_rule(id_pattern).fullmatch(out_task_id):
        raise _BadRequest(f"out_task_id must match {id_pattern}")
    callback_url = body.get("callback_url")
    if callback_url is not None and not _is_http_url(callback_url):
        raise _BadRequest("callback_url must be an http(s) URL")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _BadRequest("metadata must be an object")


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        url = URL(value)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


def _submit_answer(task: EmulatedTask, state: EmulatorState, status: str) -> web.Response:
    data = task.submit_data(status, with_task_id=not state.config.submit_omits_task_id)
    if task.submit_answer == "code_list":
        return json_response({"code": 200, "data": data})
    return ok_envelope(data)


def _create(state: EmulatorState, body: Mapping[str, Any]) -> web.Response:
    config = state.config
    _check_fields(body, config.out_task_id_pattern)
    model: str = body["model"]
    params: dict[str, Any] = body["params"]
    out_task_id: str = body["out_task_id"]
    existing = state.tasks.get(out_task_id)
    if existing is not None and config.duplicate_id != "accept":
        if config.duplicate_id == "return_existing":
            return _submit_answer(existing, state, str(state.task_status(out_task_id)))
        return error_envelope(409, "out_task_id already exists")
    info = resolve_model(model, accept_unknown=config.accept_unknown_models)
    if info is None:
        return error_envelope(400, f"model not found: {model}")
    if config.validate_params:
        problem = params_problem(info, params)
        if problem is not None:
            return error_envelope(400, problem)
    credits, outputs = state.estimate(info, params)
    now = state.clock()
    if credits > state.available_credits(now):
        return error_envelope(433, INSUFFICIENT_CREDITS)
    task = state.create_task(
        info,
        out_task_id=out_task_id,
        params=params,
        callback_url=body.get("callback_url"),
        metadata=body.get("metadata"),
        estimated_credits=credits,
        outputs=outputs,
        now=now,
    )
    return _submit_answer(task, state, "pending")


def _answer(state: EmulatorState, body: Mapping[str, Any]) -> web.Response:
    try:
        return _create(state, body)
    except _BadRequest as error:
        return error_envelope(400, str(error))


async def _held(state: EmulatorState, body: Mapping[str, Any], hold_s: float) -> web.Response:
    await asyncio.sleep(hold_s)
    return _answer(state, body)


async def submit(request: web.Request) -> web.Response:
    """``POST /api/openapi/submit``: create a task (see the module docstring)."""
    if not check_bearer(request):
        return unauthorized_response()
    state = request.app[STATE_KEY]
    try:
        body = await _json_object(request)
    except _BadRequest as error:
        return error_envelope(400, str(error))
    out_task_id = body.get("out_task_id")
    if isinstance(out_task_id, str):
        state.submit_requests[out_task_id] += 1
    hold_s = request.get(HOLD_KEY)
    if hold_s is not None:
        return await state.shielded(_held(state, body, hold_s))
    return _answer(state, body)


async def query(request: web.Request) -> web.Response:
    """``POST /api/openapi/query``: a task's current state by ``out_task_id`` or ``task_id``."""
    if not check_bearer(request):
        return unauthorized_response()
    state = request.app[STATE_KEY]
    try:
        body = await _json_object(request)
    except _BadRequest as error:
        return error_envelope(400, str(error))
    out_task_id = body.get("out_task_id")
    task_id = body.get("task_id")
    if not isinstance(out_task_id, str):
        out_task_id = None
    if not isinstance(task_id, str):
        task_id = None
    if out_task_id is None and task_id is None:
        return error_envelope(400, "out_task_id or task_id is required")
    task = state.find(out_task_id, task_id)
    counted = task.out_task_id if task is not None else (out_task_id or task_id or "")
    state.query_counts[counted] += 1
    if task is None:
        return error_envelope(400, TASK_NOT_FOUND)
    now = state.settle()
    return ok_envelope(state.task_data(task, now, _base_url(request)))


async def balance(request: web.Request) -> web.Response:
    """``GET /api/openapi/balance``: the points balance and the free quota left per model
    (the overview's two promises). ``credits`` and ``balance`` are what clients read;
    ``points`` is the overview's word; all three carry the same number. Field names beyond
    ``credits``/``balance`` are the emulator's assumption: the page is not in the docs."""
    if not check_bearer(request):
        return unauthorized_response()
    state = request.app[STATE_KEY]
    credits = state.balance
    return ok_envelope(
        {
            "credits": credits,
            "balance": credits,
            "points": credits,
            "free_quota": dict(state.config.free_quota),
        }
    )


def add_task_routes(app: web.Application) -> None:
    """Mount the three task API routes on ``app``."""
    app.router.add_post(SUBMIT_PATH, submit)
    app.router.add_post(QUERY_PATH, query)
    app.router.add_get(BALANCE_PATH, balance, allow_head=False)
