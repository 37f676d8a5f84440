"""A fake OpenAI-compatible HTTP server (aiohttp, 127.0.0.1): chat completions and transcriptions.

Strict, from the `openai` SDK's own types (see `sdk_types`):

* every chat request body is validated against the SDK's `completion_create_params`
  (`CompletionCreateParamsStreaming` / `NonStreaming`); a wrong type or an unknown key is answered
  with a 400 and the OpenAI error body. As `service="vllm"` (the default) the fake also takes
  vLLM's own extra fields (`chat_template_kwargs`, ...); as `service="openai"` it refuses them with
  OpenAI's "Unrecognized request argument supplied" 400.
* reasoning models (o-series and gpt-5 names, `REASONING_MODEL`) refuse `max_tokens` and any
  `temperature` but the default, with the real 400 bodies (`unsupported_parameter`,
  `unsupported_value`).
* every streamed chunk is built through the SDK's `ChatCompletionChunk` model; reasoning streams as
  the extra delta field vLLM's reasoning parsers send, `reasoning` (current vLLM) or
  `reasoning_content` (older vLLM, DeepSeek), chosen per reply.
* Qwen2.5-Omni's chat template ignores the API's `tools` field (QwenLM/Qwen2.5-Omni issue 33), so
  for those model names the tools the model can see (`requests[i]["seen_tools"]`) are only the
  ones named in the system prompt.

`POST /v1/chat/completions` answers Server-Sent Events of `chat.completion.chunk`s (content,
reasoning and `tool_calls` deltas, a usage chunk, `data: [DONE]`), or one `chat.completion` without
streaming; `POST /v1/audio/transcriptions` takes the multipart upload and answers `{"text": ...}`.

Replies are scripted per request (`script` for chat, `transcripts` for ASR); each request is
recorded (`requests`, `asr_requests`) with the decoded audio's rate and length, and the
Authorization header (so tests can check where the key went). A reply's `gap_s` pauses the stream
after its first sign (the first word, or a tool call's name) through `pause(seconds)`: a real sleep
by default, a virtual clock's advance in the tests (`first_sign_wall` records when each first sign
went out, for the benchmark).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import time
import wave
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Literal

from aiohttp import web
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.chat.completion_create_params import (CompletionCreateParamsNonStreaming,
                                                        CompletionCreateParamsStreaming)

from .sdk_types import check_params, sdk_event

REASONING_MODEL = re.compile(r"^(o\d|gpt-5)", re.I)  # OpenAI's reasoning models: no max_tokens, default temperature
TOOLS_DROPPED_BY_TEMPLATE = re.compile(r"qwen2\.5-omni", re.I)  # QwenLM/Qwen2.5-Omni issue 33
VLLM_EXTRA = ("chat_template_kwargs", "top_k", "min_p", "repetition_penalty", "skip_special_tokens",
              "mm_processor_kwargs")  # request fields vLLM takes beyond OpenAI's
REASONING_FIELDS = ("reasoning", "reasoning_content")  # extra delta fields of vLLM's reasoning parsers


@dataclass
class Reply:
    """A streamed chat reply: content in `chunk` sized deltas, optional reasoning and tool calls."""

    content: str = ""
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "arguments": dict|str}
    chunk: int = 7
    delay_s: float = 0.0  # before the first byte
    reasoning_field: Literal["reasoning", "reasoning_content"] = "reasoning"
    gap_s: float = 0.0  # pause after the first sign (first non-blank content, or a tool call's name)


@dataclass
class Status:
    """An HTTP error answer (429, 500...) with the OpenAI error body."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)


def openai_error(message: str, param: str | None, code: str | None,
                 etype: str = "invalid_request_error") -> dict[str, Any]:
    """The body of OpenAI's 4xx answers."""
    return {"error": {"message": message, "type": etype, "param": param, "code": code}}


@dataclass
class Hang:
    """Accept the request and never answer (for timeout tests)."""

    seconds: float = 3600.0


@dataclass
class DropAfter:
    """Stream `reply`'s first `n` chunks, then cut the connection."""

    reply: Reply
    n: int = 1


@dataclass
class Garbage:
    """A 200 SSE stream whose data is not JSON."""


def decode_wav(b64data: str) -> tuple[int, int]:
    with wave.open(io.BytesIO(base64.b64decode(b64data))) as w:
        return w.getframerate(), w.getnframes()


class FakeOpenAI:
    def __init__(self, service: Literal["vllm", "openai"] = "vllm") -> None:
        self.service = service
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.first_sign_wall: list[float] = []
        self.refused: list[dict[str, Any]] = []  # the 400 bodies sent
        self.script: deque = deque()
        self.default: Any = Reply('{"interaction_score": 0, "tool_calls": [], "agent_response": ""}')
        self.transcripts: deque = deque()
        self.requests: list[dict[str, Any]] = []
        self.asr_requests: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> "FakeOpenAI":
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_post("/v1/audio/transcriptions", self.transcriptions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)  # do not wait for hung handlers
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- chat ------------------------------------------------------------------------------------
    def refusal(self, body: Any) -> dict[str, Any] | None:
        """The 400 body the real service would answer `body` with, or None when it is accepted."""
        if not isinstance(body, dict):
            return openai_error("We could not parse the JSON body of your request.", None, None)
        tp = CompletionCreateParamsStreaming if body.get("stream") else CompletionCreateParamsNonStreaming
        extra = VLLM_EXTRA if self.service == "vllm" else ()
        if self.service == "openai":
            for key in VLLM_EXTRA:
                if key in body:
                    return openai_error(f"Unrecognized request argument supplied: {key}", None, None)
        problem = check_params(tp, body, allow_extra=extra)
        if problem:
            param, message = problem
            code = "unknown_parameter" if message.startswith("Unknown") else "invalid_value"
            return openai_error(message, param, code)
        if REASONING_MODEL.match(str(body.get("model", ""))):
            if "max_tokens" in body:
                return openai_error("Unsupported parameter: 'max_tokens' is not supported with this model. "
                                    "Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter")
            if "temperature" in body and body["temperature"] != 1:
                return openai_error(f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                                    "this model. Only the default (1) value is supported.", "temperature",
                                    "unsupported_value")
        return None

    @staticmethod
    def seen_tools(body: dict[str, Any]) -> list[str]:
        """The tools the model can see: the `tools` field, unless the served template drops it, in
        which case only those the system prompt names."""
        api = [t["function"]["name"] for t in body.get("tools") or []]
        if not TOOLS_DROPPED_BY_TEMPLATE.search(str(body.get("model", ""))):
            return api
        system = " ".join(m["content"] for m in body.get("messages", [])
                          if m.get("role") == "system" and isinstance(m.get("content"), str))
        return [name for name in api if f'"name":"{name}"' in system]

    async def chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.auth.append(request.headers.get("Authorization", ""))
        refused = self.refusal(body)
        if refused is not None:
            self.refused.append(refused)
            return web.json_response(refused, status=400)
        audio = []
        for msg in body.get("messages", []):
            if isinstance(msg.get("content"), list):
                for part in msg["content"]:
                    if part.get("type") == "input_audio":
                        audio.append(decode_wav(part["input_audio"]["data"]) + (part["input_audio"]["format"],))
        self.requests.append({"body": body, "audio": audio, "seen_tools": self.seen_tools(body)})
        item = self.script.popleft() if self.script else self.default
        if isinstance(item, Status):
            return web.json_response({"error": {"message": f"fake status {item.code}", "type": "fake",
                                                "code": str(item.code)}}, status=item.code, headers=item.headers)
        if isinstance(item, Hang):
            await asyncio.sleep(item.seconds)
            return web.json_response({})
        if isinstance(item, Garbage):
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            await resp.write(b"data: this is not json\n\n")
            await resp.write(b"data: [DONE]\n\n")
            return resp
        if isinstance(item, DropAfter):
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            for chunk, _ in list(self._chunks(body, item.reply))[: item.n]:
                await resp.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            request.transport.close()
            return resp
        reply: Reply = item
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if not body.get("stream"):
            return web.json_response(self._completion(body, reply))
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        signed = False
        for chunk, sign in self._chunks(body, reply):
            await resp.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            if sign and not signed:
                signed = True
                self.first_sign_wall.append(time.perf_counter())
                if reply.gap_s:
                    await self.pause(reply.gap_s)
        await resp.write(b"data: [DONE]\n\n")
        return resp

    @staticmethod
    def _chunk(body: dict, delta: dict, finish: str | None = None) -> dict:
        return sdk_event(ChatCompletionChunk, {
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", ""),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}, allow_extra=REASONING_FIELDS)

    def _chunks(self, body: dict, reply: Reply):
        """(chunk, is the first sign) pairs, in the order vLLM and OpenAI stream them."""
        yield self._chunk(body, {"role": "assistant", "content": ""}), False
        if reply.reasoning:
            for i in range(0, len(reply.reasoning), reply.chunk):
                yield self._chunk(body, {reply.reasoning_field: reply.reasoning[i:i + reply.chunk]}), False
        for i in range(0, len(reply.content), reply.chunk):
            piece = reply.content[i:i + reply.chunk]
            yield self._chunk(body, {"content": piece}), bool(piece.strip())
        for k, call in enumerate(reply.tool_calls):
            args = call["arguments"] if isinstance(call["arguments"], str) else json.dumps(call["arguments"])
            yield self._chunk(body, {"tool_calls": [{"index": k, "id": f"call_{k}", "type": "function",
                                                     "function": {"name": call["name"], "arguments": ""}}]}), True
            for i in range(0, len(args), reply.chunk):
                yield self._chunk(body, {"tool_calls": [{"index": k, "function": {"arguments": args[i:i + reply.chunk]}}]}), False
        yield self._chunk(body, {}, "tool_calls" if reply.tool_calls else "stop"), False
        yield sdk_event(ChatCompletionChunk, {
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", ""),
            "choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}), False

    @staticmethod
    def _completion(body: dict, reply: Reply) -> dict:
        msg: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            msg["tool_calls"] = [{"id": f"call_{k}", "type": "function",
                                  "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                                 for k, c in enumerate(reply.tool_calls)]
        return sdk_event(ChatCompletion, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": body.get("model", ""),
            "choices": [{"index": 0, "message": msg, "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}})

    # -- transcriptions --------------------------------------------------------------------------
    async def transcriptions(self, request: web.Request) -> web.Response:
        self.auth.append(request.headers.get("Authorization", ""))
        form = await request.post()
        upload = form["file"]
        data = upload.file.read()
        with wave.open(io.BytesIO(data)) as w:
            rate, n = w.getframerate(), w.getnframes()
        self.asr_requests.append({"model": form.get("model"), "language": form.get("language"), "rate": rate,
                                  "samples": n, "filename": upload.filename})
        item = self.transcripts.popleft() if self.transcripts else ""
        if isinstance(item, Status):
            return web.json_response({"error": {"message": f"fake status {item.code}"}}, status=item.code,
                                     headers=item.headers)
        return web.json_response({"text": item})
