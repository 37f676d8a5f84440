"""The OpenAI-compatible chat-completions side shared by the omni-chat and cascade adapters.

`ChatOptions` holds the options both adapters take; `ChatDecider.decide(messages)` sends one
streamed request (with the session's tools in chat form), feeds the stream into a
`ReplyAssembler`, and returns its outcome. It logs the request (audio replaced by its size), the
first token's wall latency, the raw reply, the reasoning and the usage, and retries transient faults
through `http_retry` (a reply that already spoke is never retried: what was said cannot be unsaid).

What the services take: the length cap goes as `max_completion_tokens` (OpenAI's reasoning models
refuse `max_tokens`; vLLM takes both), and `temperature` only when the user sets it (reasoning models
accept only their default).

vLLM specifics: `enable_thinking` is sent as `chat_template_kwargs` (Qwen3's switch); reasoning
arrives either inline (`<think>...</think>`, or only `</think>` when the template opened the block in
the prompt) or as `reasoning` (current vLLM) / `reasoning_content` (older) deltas when the server runs
a reasoning parser; both are stripped from the response and kept in the log. Unless
`enable_thinking=false`, native text is held back until it cannot be reasoning any more, and then
stamped where it arrived. Native tool calls need the server started with `--enable-auto-tool-choice
--tool-call-parser <parser>` (docs/AGENTS.md); `api_tools=false` leaves them out for servers without
it (the JSON answer still carries tool calls). Some served templates drop the API's `tools` field
(Qwen2.5-Omni's does), so `tools_in_prompt` also writes the tool schemas into the system prompt: on
by default for Qwen Omni model names.

Timing: a streamed tool call is stamped when its name arrives (its arguments come later), see
`decision.ReplyAssembler`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import AliasChoices, Field, PositiveFloat

from ..errors import AgentError
from .base import SessionContext, SessionIO
from .common import AdapterOptions, api_key
from .decision import OnParseError, Outcome, ReplyAssembler
from ..http_retry import Fault, RetryPolicy, call_with_retries
from .prompts import ReplyFormat, api_tools

OPENAI_URL = "https://api.openai.com/v1"


class ChatOptions(AdapterOptions):
    """Options of an OpenAI-compatible chat-completions endpoint (`--agent-opt key=value`)."""

    model: str = "Qwen/Qwen2.5-Omni-7B"
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key_env: str = "OPENAI_API_KEY"
    reply: ReplyFormat = "json"
    api_tools: bool = True
    tool_choice: Literal["auto", "required", "none"] = "auto"
    enable_thinking: bool | None = None  # None: do not send chat_template_kwargs at all
    tools_in_prompt: bool | None = None  # None: on for model names whose template may drop `tools`
    temperature: float | None = None  # None: the model's default (all that reasoning models accept)
    max_completion_tokens: int | None = Field(default=1024, ge=1,
                                              validation_alias=AliasChoices("max_completion_tokens", "max_tokens"))
    timeout_s: PositiveFloat = 60.0
    max_retries: int = Field(default=3, ge=0, le=20)
    retry_base_s: float = Field(default=0.5, ge=0)
    retry_max_s: float = Field(default=8.0, ge=0)
    on_parse_error: OnParseError = "silence"

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_retries, self.retry_base_s, self.retry_max_s)

    def key_required(self) -> bool:
        return self.base_url.rstrip("/") == OPENAI_URL

    def tools_in_text(self) -> bool:
        """Whether the system prompt carries the tool schemas beside the API's `tools` field."""
        if self.tools_in_prompt is not None:
            return self.tools_in_prompt
        return bool(TEMPLATE_MAY_DROP_TOOLS.search(self.model))


TEMPLATE_MAY_DROP_TOOLS = re.compile(r"qwen[\w.\-]*omni", re.I)  # QwenLM/Qwen2.5-Omni issue 33


def _redact_audio(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request as logged: each base64 audio part replaced by its size."""
    out = copy.deepcopy(messages)
    for msg in out:
        content = msg.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            audio = part.get("input_audio") if isinstance(part, dict) else None
            if isinstance(audio, dict) and isinstance(audio.get("data"), str):
                audio["data"] = f"<{len(audio['data']) * 3 // 4} bytes base64>"
    return out


def _delta_reasoning(delta: Any) -> str | None:
    for name in ("reasoning_content", "reasoning"):
        value = getattr(delta, name, None)
        if isinstance(value, str) and value:
            return value
    return None


class ChatDecider:
    """One client per session; `decide()` per poll."""

    def __init__(self, opts: ChatOptions, agent: str):
        self.opts = opts
        self.agent = agent
        self.client = None
        self.io: SessionIO | None = None
        self.ctx: SessionContext | None = None
        self._ids = itertools.count(1)

    def open(self, ctx: SessionContext, io: SessionIO) -> None:
        from openai import AsyncOpenAI

        self.ctx, self.io = ctx, io
        key = api_key(self.opts.api_key_env, self.agent, required=self.opts.key_required())
        self.client = AsyncOpenAI(api_key=key, base_url=self.opts.base_url, max_retries=0,
                                  timeout=self.opts.timeout_s)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    def _request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        o = self.opts
        req: dict[str, Any] = {"model": o.model, "messages": messages, "stream": True,
                               "stream_options": {"include_usage": True}}
        tools = api_tools(self.ctx, o.reply) if o.api_tools else []
        if tools:
            req["tools"] = [t.chat_form() for t in tools]
            req["tool_choice"] = o.tool_choice
        if o.temperature is not None:
            req["temperature"] = o.temperature
        if o.max_completion_tokens is not None:
            req["max_completion_tokens"] = o.max_completion_tokens
        if o.enable_thinking is not None:
            req["extra_body"] = {"chat_template_kwargs": {"enable_thinking": o.enable_thinking}}
        return req

    async def decide(self, messages: list[dict[str, Any]], *, poll_id: int | None, what: str) -> Outcome:
        """Ask the model; emit the decision's events; return "spoke", "silent" or "parse_error"."""
        n = next(self._ids)
        req = self._request(messages)
        logged = {k: v for k, v in req.items() if k != "messages"}
        self.io.log("request", poll_id=poll_id, what=what, n=n, messages=_redact_audio(messages), **logged)

        def on_retry(attempt: int, fault: Fault, delay: float) -> None:
            self.io.log("retry", poll_id=poll_id, attempt=attempt, reason=fault.reason, wait_s=round(delay, 3))

        async def attempt() -> Outcome:
            rid = f"{self.agent}-{n}"
            asm = ReplyAssembler(self.io, reply=self.opts.reply, response_id=rid, poll_id=poll_id,
                                 on_parse_error=self.opts.on_parse_error,
                                 thinking=self.opts.enable_thinking is not False,
                                 known_tools={t.name for t in self.ctx.tools})
            try:
                async with asyncio.timeout(self.opts.timeout_s):
                    usage = await self._stream(req, asm)
            except Exception as exc:
                if asm.spoke:  # part of the reply is out: retrying would say it twice
                    raise AgentError(f"{what}: the reply broke off after it began ({type(exc).__name__}: {exc})") from exc
                if isinstance(exc, TimeoutError):
                    raise TimeoutError(f"no complete reply within {self.opts.timeout_s:g} s") from exc
                raise
            return asm.finish(usage=usage)

        return await call_with_retries(attempt, self.opts.retry_policy(), what=what, on_retry=on_retry)

    async def _stream(self, req: dict[str, Any], asm: ReplyAssembler) -> dict[str, Any] | None:
        """Consume one streamed reply into `asm`; return the usage the server reported."""
        state = _StreamState(time.perf_counter())
        stream = await self.client.chat.completions.create(**req)
        async with stream:
            async for chunk in stream:
                self._feed(chunk, asm, state)
        for _, slot in sorted(state.calls.items()):
            asm.add_tool_call(slot["name"], slot["arguments"], slot["id"], began_s=slot["named_s"])
        self.io.log("reply_done", response_id=asm.rid, wall_s=round(time.perf_counter() - state.t0, 6),
                    usage=state.usage)
        return state.usage

    def _feed(self, chunk: Any, asm: ReplyAssembler, state: "_StreamState") -> None:
        """One `chat.completion.chunk`: content, reasoning and tool-call fragments, usage."""
        if getattr(chunk, "usage", None):
            state.usage = chunk.usage.model_dump(exclude_none=True)
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is None:
                continue
            reasoning = _delta_reasoning(delta)
            if not state.first_seen and (delta.content or reasoning or delta.tool_calls):
                state.first_seen = True
                self.io.log("first_token", response_id=asm.rid, wall_s=round(time.perf_counter() - state.t0, 6),
                            first="reasoning" if reasoning and not delta.content else "content")
            if reasoning:
                asm.add_reasoning(reasoning)
            if delta.content:
                asm.add_text(delta.content)
            for tc in delta.tool_calls or []:
                index = tc.index if tc.index is not None else len(state.calls)
                slot = state.calls.setdefault(index, {"id": None, "name": "", "arguments": "", "named_s": None})
                if tc.id:
                    slot["id"] = tc.id
                if tc.function is not None:
                    if tc.function.name and not slot["name"]:
                        slot["named_s"] = self.io.stream_time()  # the first sign of the call
                    slot["name"] += tc.function.name or ""
                    slot["arguments"] += tc.function.arguments or ""


@dataclass
class _StreamState:
    t0: float
    first_seen: bool = False
    usage: dict[str, Any] | None = None
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
