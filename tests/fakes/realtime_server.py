"""A fake OpenAI Realtime server (websockets, 127.0.0.1) speaking the GA event protocol.

The SDK connects to `ws://127.0.0.1:PORT/v1/realtime?model=...` with `Authorization: Bearer ...`.
The server answers `session.created`, applies `session.update` (-> `session.updated`), takes
`input_audio_buffer.append` audio, runs an energy VAD on it that emits
`input_audio_buffer.speech_started`/`speech_stopped` (`audio_start_ms`/`audio_end_ms`) and
`input_audio_buffer.committed`, honours `input_audio_buffer.commit`, and answers each
`response.create` with the next scripted reply, as the real server streams it:
`response.created`, `response.output_item.added`, `response.output_text.delta` (or
`response.output_audio.delta` + `response.output_audio_transcript.delta`, or
`response.function_call_arguments.delta`/`.done`), `response.output_item.done`, `response.done` with
usage.

Scripted replies (`server.script`, one per response.create): ("text", s), ("silent",), ("no_action",),
("tool", name, args), ("audio", transcript), ("error", message), ("failed", message), ("hang",),
("close",), ("garbage",), ("huge", nbytes). `reject` holds HTTP statuses for the next handshakes.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections import deque
from http import HTTPStatus
from typing import Any

import numpy as np
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

RATE = 24000
FRAME = 480  # 20 ms


class FakeRealtime:
    def __init__(self, vad_rms: float = 0.02) -> None:
        self.script: deque = deque()
        self.reject: deque = deque()
        self.vad_rms = vad_rms
        self.connections = 0
        self.paths: list[str] = []
        self.auth: list[str] = []
        self.received: list[dict[str, Any]] = []  # every client event, audio replaced by its byte count
        self.audio = bytearray()
        self.responses: list[dict[str, Any]] = []  # the `response` of each response.create
        self.session: dict[str, Any] = {}
        self._server = None
        self._ids = itertools.count(1)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> "FakeRealtime":
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._process_request,
                                   max_size=None)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, connection, request):
        self.paths.append(request.path)
        self.auth.append(request.headers.get("Authorization", ""))
        if self.reject:
            code = self.reject.popleft()
            return connection.respond(HTTPStatus(code), f"fake refusal {code}\n")
        if not request.path.startswith("/v1/realtime?"):
            return connection.respond(HTTPStatus.NOT_FOUND, "not here\n")
        return None

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}"

    async def _handle(self, ws) -> None:
        self.connections += 1
        state = {"pos": 0, "in_speech": False, "voiced_end": 0, "silence": 0, "uncommitted": 0}
        await ws.send(json.dumps({"type": "session.created", "event_id": self._id("event"),
                                  "session": {"id": self._id("sess"), "type": "realtime", "object": "realtime.session"}}))
        try:
            async for message in ws:
                event = json.loads(message)
                etype = event.get("type")
                if etype == "input_audio_buffer.append":
                    pcm = base64.b64decode(event["audio"])
                    self.received.append({"type": etype, "bytes": len(pcm)})
                    self.audio.extend(pcm)
                    for out in self._vad(state, pcm):
                        await ws.send(json.dumps(out))
                    continue
                self.received.append(event)
                if etype == "session.update":
                    self.session = event["session"]
                    await ws.send(json.dumps({"type": "session.updated", "event_id": self._id("event"),
                                              "session": {**event["session"], "id": "sess_fake"}}))
                elif etype == "input_audio_buffer.commit":
                    await self._commit(ws, state, event)
                elif etype == "response.create":
                    self.responses.append(event.get("response", {}))
                    if not await self._respond(ws, event):
                        return
        except ConnectionClosed:
            return

    # -- VAD -------------------------------------------------------------------------------------
    def _silence_ms(self) -> int:
        td = ((self.session.get("audio") or {}).get("input") or {}).get("turn_detection") or {}
        return int(td.get("silence_duration_ms", 500))

    def _vad(self, state: dict, pcm: bytes) -> list[dict]:
        out = []
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0
        for i in range(0, len(x) - FRAME + 1, FRAME):
            frame = x[i:i + FRAME]
            start_ms = state["pos"] * 1000 // RATE
            state["pos"] += FRAME
            state["uncommitted"] += FRAME
            end_ms = state["pos"] * 1000 // RATE
            voiced = float(np.sqrt(np.mean(frame ** 2))) > self.vad_rms
            if voiced:
                state["voiced_end"] = end_ms
                state["silence"] = 0
                if not state["in_speech"]:
                    state["in_speech"] = True
                    state["item"] = self._id("item")
                    out.append({"type": "input_audio_buffer.speech_started", "event_id": self._id("event"),
                                "audio_start_ms": max(0, start_ms - 300), "item_id": state["item"]})
            elif state["in_speech"]:
                state["silence"] += end_ms - start_ms
                if state["silence"] >= self._silence_ms():
                    state["in_speech"] = False
                    out.append({"type": "input_audio_buffer.speech_stopped", "event_id": self._id("event"),
                                "audio_end_ms": end_ms, "item_id": state["item"]})
                    out.extend(self._committed(state, state["item"]))
        return out

    def _committed(self, state: dict, item_id: str) -> list[dict]:
        state["uncommitted"] = 0
        return [{"type": "input_audio_buffer.committed", "event_id": self._id("event"), "previous_item_id": None,
                 "item_id": item_id},
                {"type": "conversation.item.added", "event_id": self._id("event"),
                 "item": {"id": item_id, "type": "message", "role": "user", "content": [{"type": "input_audio"}]}}]

    async def _commit(self, ws, state: dict, event: dict) -> None:
        if state["uncommitted"] < RATE // 10:
            await ws.send(json.dumps({"type": "error", "event_id": self._id("event"), "error": {
                "type": "invalid_request_error", "code": "input_audio_buffer_commit_empty",
                "message": "buffer too small", "param": None, "event_id": event.get("event_id")}}))
            return
        state["in_speech"] = False
        for out in self._committed(state, state.get("item") or self._id("item")):
            await ws.send(json.dumps(out))

    # -- responses -------------------------------------------------------------------------------
    async def _respond(self, ws, event: dict) -> bool:
        spec = self.script.popleft() if self.script else ("silent",)
        kind = spec[0]
        send = lambda obj: ws.send(json.dumps(obj))  # noqa: E731
        if kind == "error":
            await send({"type": "error", "event_id": self._id("event"), "error": {
                "type": "invalid_request_error", "code": "fake", "message": spec[1], "event_id": event.get("event_id")}})
            return True
        if kind == "hang":
            return True
        if kind == "close":
            await ws.close(1011, "fake server went away")
            return False
        if kind == "garbage":
            await ws.send("this is not json {")
            return True
        if kind == "huge":
            await send({"type": "response.output_text.delta", "delta": "x" * spec[1]})
            return True
        rid = self._id("resp")
        meta = (event.get("response") or {}).get("metadata")
        modality = ((event.get("response") or {}).get("output_modalities") or ["text"])[0]
        await send({"type": "response.created", "event_id": self._id("event"), "response": {
            "id": rid, "object": "realtime.response", "status": "in_progress", "output": [], "metadata": meta,
            "conversation_id": None, "output_modalities": [modality]}})
        item_id = self._id("item")
        output: list[dict] = []
        base = {"response_id": rid, "item_id": item_id, "output_index": 0}
        if kind == "failed":
            await send({"type": "response.done", "event_id": self._id("event"), "response": {
                "id": rid, "object": "realtime.response", "status": "failed", "output": [],
                "status_details": {"type": "failed", "error": {"type": "server_error", "message": spec[1]}}}})
            return True
        if kind in ("text", "silent", "audio"):
            text = {"text": spec[1] if len(spec) > 1 else "", "silent": "<silent>", "audio": spec[1] if len(spec) > 1 else ""}[kind]
            await send({"type": "response.output_item.added", "event_id": self._id("event"), "response_id": rid,
                        "output_index": 0, "item": {"id": item_id, "type": "message", "role": "assistant", "content": []}})
            pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
            for piece in pieces:
                if kind == "audio":
                    tone = (0.1 * np.sin(np.arange(RATE // 10) / RATE * 2 * np.pi * 220) * 32767).astype("<i2")
                    await send({"type": "response.output_audio.delta", "event_id": self._id("event"), **base,
                                "content_index": 0, "delta": base64.b64encode(tone.tobytes()).decode()})
                    await send({"type": "response.output_audio_transcript.delta", "event_id": self._id("event"),
                                **base, "content_index": 0, "delta": piece})
                else:
                    await send({"type": "response.output_text.delta", "event_id": self._id("event"), **base,
                                "content_index": 0, "delta": piece})
            done_type = "response.output_audio_transcript.done" if kind == "audio" else "response.output_text.done"
            await send({"type": done_type, "event_id": self._id("event"), **base, "content_index": 0,
                        ("transcript" if kind == "audio" else "text"): text})
            output.append({"id": item_id, "type": "message", "role": "assistant",
                           "content": [{"type": "output_text", "text": text}]})
        elif kind in ("tool", "no_action"):
            name, args = (spec[1], spec[2]) if kind == "tool" else ("no_action", {"reason": "nothing to say"})
            call_id = self._id("call")
            arguments = args if isinstance(args, str) else json.dumps(args)
            await send({"type": "response.output_item.added", "event_id": self._id("event"), "response_id": rid,
                        "output_index": 0, "item": {"id": item_id, "type": "function_call", "name": name,
                                                    "call_id": call_id, "arguments": ""}})
            for i in range(0, len(arguments), 5):
                await send({"type": "response.function_call_arguments.delta", "event_id": self._id("event"), **base,
                            "call_id": call_id, "delta": arguments[i:i + 5]})
            await send({"type": "response.function_call_arguments.done", "event_id": self._id("event"), **base,
                        "call_id": call_id, "name": name, "arguments": arguments})
            output.append({"id": item_id, "type": "function_call", "name": name, "call_id": call_id,
                           "arguments": arguments})
        await send({"type": "response.output_item.done", "event_id": self._id("event"), "response_id": rid,
                    "output_index": 0, "item": output[0] if output else {}})
        await send({"type": "response.done", "event_id": self._id("event"), "response": {
            "id": rid, "object": "realtime.response", "status": "completed", "output": output, "metadata": meta,
            "usage": {"total_tokens": 120, "input_tokens": 100, "output_tokens": 20,
                      "input_token_details": {"audio_tokens": 80, "text_tokens": 20, "cached_tokens": 0}}}})
        return True

    def audio_seconds(self) -> float:
        return len(self.audio) / 2 / RATE
