"""A fake OpenAI-compatible HTTP server (aiohttp, 127.0.0.1): chat completions and transcriptions.

It speaks the real wire format: `POST /v1/chat/completions` with `stream: true` answers Server-Sent
Events of `chat.completion.chunk` objects (content, `reasoning_content` and `tool_calls` deltas,
a usage chunk, `data: [DONE]`), or one `chat.completion` without streaming; `POST
/v1/audio/transcriptions` takes the multipart upload and answers `{"text": ...}`.

Replies are scripted per request (`script` for chat, `transcripts` for ASR); each request is
recorded (`requests`, `asr_requests`) with the decoded audio's rate and length, and the
Authorization header (so tests can check where the key went).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import wave
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    """A streamed chat reply: content in `chunk` sized deltas, optional reasoning and tool calls."""

    content: str = ""
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "arguments": dict|str}
    chunk: int = 7
    delay_s: float = 0.0  # before the first byte


@dataclass
class Status:
    """An HTTP error answer (429, 500...) with the OpenAI error body."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)


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
    def __init__(self) -> None:
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
    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.auth.append(request.headers.get("Authorization", ""))
        audio = []
        for msg in body.get("messages", []):
            if isinstance(msg.get("content"), list):
                for part in msg["content"]:
                    if part.get("type") == "input_audio":
                        audio.append(decode_wav(part["input_audio"]["data"]) + (part["input_audio"]["format"],))
        self.requests.append({"body": body, "audio": audio})
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
            for chunk in list(self._chunks(body, item.reply))[: item.n]:
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
        for chunk in self._chunks(body, reply):
            await resp.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        return resp

    @staticmethod
    def _chunk(body: dict, delta: dict, finish: str | None = None) -> dict:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", ""),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    def _chunks(self, body: dict, reply: Reply):
        yield self._chunk(body, {"role": "assistant", "content": ""})
        if reply.reasoning:
            for i in range(0, len(reply.reasoning), reply.chunk):
                yield self._chunk(body, {"reasoning_content": reply.reasoning[i:i + reply.chunk]})
        for i in range(0, len(reply.content), reply.chunk):
            yield self._chunk(body, {"content": reply.content[i:i + reply.chunk]})
        for k, call in enumerate(reply.tool_calls):
            args = call["arguments"] if isinstance(call["arguments"], str) else json.dumps(call["arguments"])
            yield self._chunk(body, {"tool_calls": [{"index": k, "id": f"call_{k}", "type": "function",
                                                     "function": {"name": call["name"], "arguments": ""}}]})
            for i in range(0, len(args), reply.chunk):
                yield self._chunk(body, {"tool_calls": [{"index": k, "function": {"arguments": args[i:i + reply.chunk]}}]})
        yield self._chunk(body, {}, "tool_calls" if reply.tool_calls else "stop")
        yield {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", ""),
               "choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}

    @staticmethod
    def _completion(body: dict, reply: Reply) -> dict:
        msg: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            msg["tool_calls"] = [{"id": f"call_{k}", "type": "function",
                                  "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                                 for k, c in enumerate(reply.tool_calls)]
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": body.get("model", ""),
                "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}

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
