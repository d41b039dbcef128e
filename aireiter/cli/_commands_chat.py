"""``aireiter chat``: talk to a text model, the answer streamed to the terminal.

``--api openai`` (default) goes through ``client.chat.completions`` (the official openai
client underneath); ``--api messages`` through ``client.messages`` (Claude's format). The
prompt is the argument, else stdin (``echo hi | aireiter chat``); with neither, on a terminal,
it is a conversation (``/exit`` or Ctrl-D ends it). With ``--json`` the answer is printed once,
at the end, as ``{"model": ..., "content": ..., "usage": ...}``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ._app import EXIT_OK, run_async
from ._common import make_client
from ._output import Output, UsageError
from ._parser import DEFAULT_CHAT_MODEL, DEFAULT_MESSAGES_MAX_TOKENS

if TYPE_CHECKING:
    from .._client import AsyncAIReiter

__all__ = ["DEFAULT_MESSAGES_MODEL", "run_chat"]

DEFAULT_MESSAGES_MODEL = "claude-sonnet-4-6"  # `aireiter chat --api messages` without --model
_EXIT_WORDS = frozenset({"/exit", "/quit", "exit", "quit"})
_PROMPT = "you> "

Turn = dict[str, Any]  # {"model", "content", "usage", "streamed"}


def _model(args: argparse.Namespace) -> str:
    if args.model:
        return str(args.model)
    return DEFAULT_MESSAGES_MODEL if args.api == "messages" else DEFAULT_CHAT_MODEL


async def _openai_turn(
    client: AsyncAIReiter,
    args: argparse.Namespace,
    out: Output,
    history: list[dict[str, str]],
    *,
    stream: bool,
) -> Turn:
    model = _model(args)
    messages = [{"role": "system", "content": args.system}] if args.system else []
    options: dict[str, Any] = {"model": model, "messages": [*messages, *history]}
    if args.max_tokens is not None:
        options["max_tokens"] = args.max_tokens
    if not stream:
        response = await client.chat.completions.create(**options)
        dump_usage = getattr(getattr(response, "usage", None), "model_dump", None)
        return {
            "model": _str(getattr(response, "model", None)) or model,
            "content": _first_choice_text(response, "message"),
            "usage": dump_usage() if callable(dump_usage) else None,
        }
    parts: list[str] = []
    # ``async with``: the connection is released even when the stream is left early.
    async with await client.chat.completions.create(**options, stream=True) as chunks:
        async for chunk in chunks:
            piece = _first_choice_text(chunk, "delta")
            if piece:
                parts.append(piece)
                out.write(piece)
    return {"model": model, "content": "".join(parts), "usage": None, "streamed": True}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _first_choice_text(answer: object, part: str) -> str:
    """The text of ``answer.choices[0].<part>.content``; ``""`` when the answer (parsed
    leniently by openai) lacks any piece of that path."""
    choices = getattr(answer, "choices", None)
    if not isinstance(choices, list) or not choices:
        return ""
    return _str(getattr(getattr(choices[0], part, None), "content", None))


async def _messages_turn(
    client: AsyncAIReiter,
    args: argparse.Namespace,
    out: Output,
    history: list[dict[str, str]],
    *,
    stream: bool,
) -> Turn:
    model = _model(args)
    options: dict[str, Any] = {
        "model": model,
        "max_tokens": args.max_tokens or DEFAULT_MESSAGES_MAX_TOKENS,
        "messages": list(history),
    }
    if args.system:
        options["system"] = args.system
    if not stream:
        message = await client.messages.create(**options)
        usage = {
            "input_tokens": message.usage.input_tokens,
            "output_tokens": message.usage.output_tokens,
        }
        return {"model": message.model or model, "content": message.text, "usage": usage}
    parts: list[str] = []
    async with await client.messages.create(**options, stream=True) as events:
        async for piece in events.text_stream:
            parts.append(piece)
            out.write(piece)
    return {"model": model, "content": "".join(parts), "usage": None, "streamed": True}


async def _turn(
    client: AsyncAIReiter,
    args: argparse.Namespace,
    out: Output,
    history: list[dict[str, str]],
    *,
    stream: bool,
) -> Turn:
    turn = _messages_turn if args.api == "messages" else _openai_turn
    return await turn(client, args, out, history, stream=stream)


def _read_line() -> str | None:
    """The next line typed (``None`` at end of input). Blocking on purpose: a REPL waits for
    its user, and Ctrl-C then interrupts at once."""
    try:
        return input(_PROMPT)
    except EOFError:
        return None


async def _conversation(args: argparse.Namespace, out: Output) -> int:
    out.info(f"chatting with {_model(args)} ({args.api} API); /exit or Ctrl-D to quit")
    history: list[dict[str, str]] = []
    async with make_client(args) as client:
        while True:
            line = _read_line()
            if line is None or line.strip() in _EXIT_WORDS:
                out.line()
                return EXIT_OK
            if not line.strip():
                continue
            history.append({"role": "user", "content": line})
            turn = await _turn(client, args, out, history, stream=not args.no_stream)
            if not turn.get("streamed"):
                out.write(str(turn["content"]))
            out.line()
            history.append({"role": "assistant", "content": str(turn["content"])})


async def _once(args: argparse.Namespace, out: Output, prompt: str) -> int:
    history = [{"role": "user", "content": prompt}]
    async with make_client(args) as client:
        turn = await _turn(client, args, out, history, stream=not (args.no_stream or out.json_mode))
    if out.json_mode:
        turn.pop("streamed", None)
        out.json(turn)
    elif turn.pop("streamed", False):
        out.write("\n")
    else:
        out.line(str(turn["content"]))
    return EXIT_OK


async def _chat(args: argparse.Namespace, out: Output) -> int:
    # Failures are aireiter errors (the client translates openai's): main() reports them.
    if args.prompt is not None:
        return await _once(args, out, str(args.prompt))
    if sys.stdin is not None and not sys.stdin.isatty():
        text = sys.stdin.read().strip()
        if not text:
            raise UsageError("the prompt read from stdin is empty")
        return await _once(args, out, text)
    if out.json_mode:
        raise UsageError("--json needs a prompt (argument or stdin)")
    return await _conversation(args, out)


def run_chat(args: argparse.Namespace, out: Output) -> int:
    """``aireiter chat [PROMPT] [--model M] [--system S] [--no-stream] [--api messages]``."""
    return run_async(_chat(args, out))
