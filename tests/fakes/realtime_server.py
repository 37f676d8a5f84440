"""A fake OpenAI Realtime server (websockets, 127.0.0.1) speaking the GA event protocol, strictly.

Strict, from the `openai` SDK's own types (see `sdk_types`):

* every client event is validated against its `openai.types.realtime` params type (the member of
  `RealtimeClientEventParam` its `type` names); a wrong type, a missing field or an unknown key is
  answered with an `error` event (`invalid_request_error`, the param, the client's `event_id`) and
  the event is not applied, as the real server does. The GA contract's rules that the types cannot
  express are enforced too: `session.update` may change anything but `model` (set by the URL) and
  `voice` (once audio went out); `input_audio_buffer.commit` needs 100 ms of uncommitted audio
  (`input_audio_buffer_commit_empty`).
* every server event is built through the SDK's event models (`RealtimeServerEvent`), with no field
  the models do not declare; responses stream what the real server streams: `response.created`,
  `rate_limits.updated`, `response.output_item.added`, `response.content_part.added`, text or
  audio deltas (audio as an `audio` part, its transcript lagging), `.done` events,
  `response.output_item.done`, `response.done` with usage. Audio replies are the words spoken by
eSpeak (`speech.py`), in 100 ms deltas, then the transcript in 4-character pieces (after `gap_s`).

Input audio: `input_audio_buffer.append` PCM16 at 24 kHz. With server turn detection
(`server_vad`, the default) a frame VAD stands in for the server's speech detector: a frame is
speech when it is loud and its zero-crossing rate is speech-like (an alarm's high beeps are not
speech, as they are not to the real VAD); it emits `speech_started`/`speech_stopped` and commits each
turn, and audio outside turns (beyond `prefix_padding_ms`) never reaches the conversation. With
`turn_detection: null` only the client's commits do. `heard` lists the stream ranges (seconds)
committed to the conversation: what any later response can hear.

Scripted replies (`server.script`, one per response.create): ("text", s), ("silent",), ("no_action",),
("tool", name, args), ("audio", transcript), ("error", message), ("failed", message), ("hang",),
("close",), ("garbage",), ("huge", nbytes). `gap_s` pauses each reply after its first sign (a tool
call's name, the first text delta, an audio reply's audio) through `pause(seconds)`: a real sleep by default, a
virtual clock's advance in tests; `first_sign_wall` records when each first sign went out.
`reject` holds HTTP statuses for the next handshakes.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections import deque
from http import HTTPStatus
from typing import Any, Awaitable, Callable, get_args, get_type_hints

import numpy as np
from openai.types.realtime import (RealtimeClientEventParam, RealtimeServerEvent,
                                   ResponseFunctionCallArgumentsDoneEvent)
from openai.types.realtime.realtime_response_status import Error as ResponseStatusError
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from .sdk_types import check_params, sdk_event
from .speech import speech_pcm

RATE = 24000
FRAME = 480  # 20 ms
MIN_COMMIT = RATE // 10  # 100 ms: the least audio a commit takes
CLIENT_EVENTS: dict[str, Any] = {get_args(get_type_hints(t)["type"])[0]: t
                                 for t in get_args(RealtimeClientEventParam)}  # event type -> params type
DEFAULT_TURN_DETECTION = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                          "silence_duration_ms": 500, "create_response": True, "interrupt_response": True}


class FakeRealtime:
    def __init__(self, vad_rms: float = 0.02, speech_zcr_hz: float = 2500.0) -> None:
        self.script: deque = deque()
        self.reject: deque = deque()
        self.vad_rms = vad_rms
        self.speech_zcr_hz = speech_zcr_hz
        self.gap_s = 0.0
        self.enforce_update_rules = True  # False only to benchmark adapters that predate them
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.first_sign_wall: list[float] = []
        self.connections = 0
        self.paths: list[str] = []
        self.auth: list[str] = []
        self.received: list[dict[str, Any]] = []  # every client event, audio replaced by its byte count
        self.errors: list[dict[str, Any]] = []  # the `error` of each error event sent
        self.audio = bytearray()
        self.responses: list[dict[str, Any]] = []  # the `response` of each accepted response.create
        self.heard: list[tuple[float, float]] = []  # stream ranges committed to the conversation
        self.heard_at_response: list[list[tuple[float, float]]] = []  # `heard` when each response began
        self.session: dict[str, Any] = {}
        self._server = None
        self._ids = itertools.count(1)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> "FakeRealtime":
        await asyncio.to_thread(speech_pcm, "okay", RATE)  # eSpeak's start-up, before any timed reply
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
        if not request.path.startswith("/v1/realtime?model="):
            return connection.respond(HTTPStatus.NOT_FOUND, "not here\n")
        return None

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}"

    def event(self, data: dict[str, Any]) -> str:
        """A server event, built through the SDK's models (so its names and fields are the SDK's)."""
        return json.dumps(sdk_event(RealtimeServerEvent, {"event_id": self._id("event"), **data}))

    async def _error(self, ws, code: str, message: str, param: str | None, event_id: str | None) -> None:
        err = {"type": "invalid_request_error", "code": code, "message": message, "param": param,
               "event_id": event_id}
        self.errors.append(err)
        await ws.send(self.event({"type": "error", "error": err}))

    # -- the connection --------------------------------------------------------------------------
    async def _handle(self, ws) -> None:
        self.connections += 1
        model = ws.request.path.split("model=", 1)[1].split("&", 1)[0]
        self.session = {"type": "realtime", "model": model, "output_modalities": ["audio"],
                        "audio": {"input": {"format": {"type": "audio/pcm", "rate": RATE},
                                            "turn_detection": dict(DEFAULT_TURN_DETECTION)}}}
        state = {"pos": 0, "in_speech": False, "silence": 0, "buf_start": 0, "speech_start": 0, "audio_out": False}
        await ws.send(self.event({"type": "session.created", "session": self.session}))
        try:
            async for message in ws:
                try:
                    event = json.loads(message)
                except ValueError:
                    await self._error(ws, "invalid_json", "The server could not parse the event as JSON.", None, None)
                    continue
                etype = event.get("type") if isinstance(event, dict) else None
                if etype == "input_audio_buffer.append":
                    self.received.append({"type": etype, "bytes": len(str(event.get("audio", ""))) * 3 // 4})
                else:
                    self.received.append(event)
                if not await self._valid(ws, event):
                    continue
                if etype == "input_audio_buffer.append":
                    pcm = base64.b64decode(event["audio"])
                    self.audio.extend(pcm)
                    for out in self._vad(state, pcm):
                        await ws.send(out)
                elif etype == "session.update":
                    await self._update(ws, state, event)
                elif etype == "input_audio_buffer.commit":
                    await self._commit(ws, state, event)
                elif etype == "response.create":
                    self.responses.append(event.get("response", {}))
                    self.heard_at_response.append(list(self.heard))
                    if not await self._respond(ws, state, event):
                        return
        except ConnectionClosed:
            return

    async def _valid(self, ws, event: Any) -> bool:
        etype = event.get("type") if isinstance(event, dict) else None
        tp = CLIENT_EVENTS.get(etype)
        event_id = event.get("event_id") if isinstance(event, dict) else None
        if tp is None:
            await self._error(ws, "invalid_value", f"Invalid value: '{etype}'. Supported values are: "
                              + ", ".join(f"'{t}'" for t in CLIENT_EVENTS) + ".", "type", event_id)
            return False
        problem = check_params(tp, event)
        if problem:
            param, message = problem
            code = "unknown_parameter" if message.startswith("Unknown") else "invalid_value"
            await self._error(ws, code, message, param, event_id)
            return False
        return True

    # -- session ---------------------------------------------------------------------------------
    async def _update(self, ws, state: dict, event: dict) -> None:
        session = event["session"]
        if session.get("type") != "realtime":
            await self._error(ws, "invalid_value", "This is a realtime session; session.type must be 'realtime'.",
                              "session.type", event.get("event_id"))
            return
        if "model" in session and self.enforce_update_rules:  # the SDK's contract: anything but `voice` and `model`
            await self._error(ws, "invalid_value", "The session's model cannot be changed with session.update; "
                              "it is set when the connection opens.", "session.model", event.get("event_id"))
            return
        voice = ((session.get("audio") or {}).get("output") or {}).get("voice")
        if voice is not None and state["audio_out"]:
            await self._error(ws, "invalid_value", "Cannot update a session's voice after audio was produced.",
                              "session.audio.output.voice", event.get("event_id"))
            return
        merged = dict(self.session)
        for key, value in session.items():
            if key == "audio":
                audio = {k: dict(v) for k, v in (merged.get("audio") or {}).items()}
                for part, fields in value.items():
                    audio[part] = {**audio.get(part, {}), **fields}
                merged["audio"] = audio
            else:
                merged[key] = value
        self.session = merged
        await ws.send(self.event({"type": "session.updated", "session": self.session}))

    def _turn_detection(self) -> dict | None:
        return ((self.session.get("audio") or {}).get("input") or {}).get("turn_detection")

    # -- input audio -----------------------------------------------------------------------------
    def _is_speech(self, frame: np.ndarray) -> bool:
        loud = float(np.sqrt(np.mean(frame ** 2))) > self.vad_rms
        crossings = np.count_nonzero(np.diff(np.signbit(frame)))
        return loud and crossings / 2 / (len(frame) / RATE) < self.speech_zcr_hz

    def _vad(self, state: dict, pcm: bytes) -> list[str]:
        out: list[str] = []
        td = self._turn_detection()
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0
        for i in range(0, len(x) - FRAME + 1, FRAME):
            start = state["pos"]
            state["pos"] += FRAME
            if td is None:
                continue
            pad = int(td.get("prefix_padding_ms", 300)) * RATE // 1000
            if self._is_speech(x[i:i + FRAME]):
                state["silence"] = 0
                if not state["in_speech"]:
                    state["in_speech"] = True
                    state["item"] = self._id("item")
                    state["buf_start"] = state["speech_start"] = max(state["buf_start"], start - pad)
                    out.append(self.event({"type": "input_audio_buffer.speech_started", "item_id": state["item"],
                                           "audio_start_ms": state["speech_start"] * 1000 // RATE}))
            elif state["in_speech"]:
                state["silence"] += FRAME
                if state["silence"] * 1000 // RATE >= int(td.get("silence_duration_ms", 500)):
                    state["in_speech"] = False
                    out.append(self.event({"type": "input_audio_buffer.speech_stopped", "item_id": state["item"],
                                           "audio_end_ms": state["pos"] * 1000 // RATE}))
                    out.extend(self._committed(state, state["item"]))
            else:  # no turn open: the server VAD keeps only the padding before the next turn
                state["buf_start"] = max(state["buf_start"], state["pos"] - pad)
        return out

    def _committed(self, state: dict, item_id: str) -> list[str]:
        self.heard.append((state["buf_start"] / RATE, state["pos"] / RATE))
        state["buf_start"] = state["pos"]
        return [self.event({"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": item_id}),
                self.event({"type": "conversation.item.added", "previous_item_id": None, "item": {
                    "id": item_id, "type": "message", "role": "user", "object": "realtime.item",
                    "status": "completed", "content": [{"type": "input_audio", "transcript": None}]}})]

    async def _commit(self, ws, state: dict, event: dict) -> None:
        have = state["pos"] - state["buf_start"]
        if have < MIN_COMMIT:
            await self._error(ws, "input_audio_buffer_commit_empty",
                              "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
                              f"audio, but buffer only has {have * 1000 / RATE:.2f}ms of audio.", None,
                              event.get("event_id"))
            return
        state["in_speech"] = False
        for out in self._committed(state, state.get("item") or self._id("item")):
            await ws.send(out)
        state.pop("item", None)

    # -- responses -------------------------------------------------------------------------------
    async def _sign(self) -> None:
        self.first_sign_wall.append(time.perf_counter())
        if self.gap_s:
            await self.pause(self.gap_s)

    async def _respond(self, ws, state: dict, event: dict) -> bool:
        spec = self.script.popleft() if self.script else ("silent",)
        kind = spec[0]

        async def send(data: dict) -> None:
            await ws.send(self.event(data))

        if kind == "error":
            await self._error(ws, "fake", spec[1], None, event.get("event_id"))
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
            await ws.send(json.dumps({"type": "response.output_text.delta", "delta": "x" * spec[1]}))
            return True
        request = event.get("response") or {}
        rid = self._id("resp")
        meta = request.get("metadata")
        modality = (request.get("output_modalities") or self.session.get("output_modalities") or ["audio"])[0]
        await send({"type": "response.created", "response": {
            "id": rid, "object": "realtime.response", "status": "in_progress", "output": [], "metadata": meta,
            "conversation_id": None, "output_modalities": [modality]}})
        await send({"type": "rate_limits.updated", "rate_limits": [
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 0.06},
            {"name": "tokens", "limit": 40000, "remaining": 39000, "reset_seconds": 1.5}]})
        item_id = self._id("item")
        base = {"response_id": rid, "item_id": item_id, "output_index": 0}
        if kind == "failed":
            error = {"type": "server_error", "code": "server_error"}
            if "message" in ResponseStatusError.model_fields:  # SDKs before 2.x do not declare it
                error["message"] = spec[1]
            await send({"type": "response.done", "response": {
                "id": rid, "object": "realtime.response", "status": "failed", "output": [],
                "status_details": {"type": "failed", "error": error}}})
            return True
        output: dict[str, Any]
        if kind in ("text", "silent", "audio"):
            text = {"text": spec[1] if len(spec) > 1 else "", "silent": "<silent>",
                    "audio": spec[1] if len(spec) > 1 else ""}[kind]
            audio = kind == "audio" or modality == "audio"
            await send({"type": "response.output_item.added", "response_id": rid, "output_index": 0, "item": {
                "id": item_id, "type": "message", "role": "assistant", "object": "realtime.item",
                "status": "in_progress", "content": []}})
            part = {"type": "audio", "transcript": ""} if audio else {"type": "text", "text": ""}
            await send({"type": "response.content_part.added", **base, "content_index": 0, "part": part})
            pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
            if audio:
                state["audio_out"] = True
                voice = await asyncio.to_thread(speech_pcm, text.strip("<>") or "okay", RATE)  # spoken (eSpeak)
                deltas = [voice[i:i + RATE // 5] for i in range(0, len(voice), RATE // 5)]  # 100 ms each
                for delta in deltas:  # the audio is generated faster than it plays; its transcript lags
                    await send({"type": "response.output_audio.delta", **base, "content_index": 0,
                                "delta": base64.b64encode(delta).decode()})
                await self._sign()
                for piece in pieces:
                    await send({"type": "response.output_audio_transcript.delta", **base, "content_index": 0,
                                "delta": piece})
                await send({"type": "response.output_audio.done", **base, "content_index": 0})
                await send({"type": "response.output_audio_transcript.done", **base, "content_index": 0,
                            "transcript": text})
                done_part = {"type": "audio", "transcript": text}
                content = [{"type": "output_audio", "transcript": text}]
            else:
                for k, piece in enumerate(pieces):
                    await send({"type": "response.output_text.delta", **base, "content_index": 0, "delta": piece})
                    if k == 0:
                        await self._sign()
                await send({"type": "response.output_text.done", **base, "content_index": 0, "text": text})
                done_part = {"type": "text", "text": text}
                content = [{"type": "output_text", "text": text}]
            await send({"type": "response.content_part.done", **base, "content_index": 0, "part": done_part})
            output = {"id": item_id, "type": "message", "role": "assistant", "object": "realtime.item",
                      "status": "completed", "content": content}
        elif kind in ("tool", "no_action"):
            name, args = (spec[1], spec[2]) if kind == "tool" else ("no_action", {"reason": "nothing to say"})
            call_id = self._id("call")
            arguments = args if isinstance(args, str) else json.dumps(args)
            await send({"type": "response.output_item.added", "response_id": rid, "output_index": 0, "item": {
                "id": item_id, "type": "function_call", "object": "realtime.item", "status": "in_progress",
                "name": name, "call_id": call_id, "arguments": ""}})
            await self._sign()
            for i in range(0, len(arguments), 5):
                await send({"type": "response.function_call_arguments.delta", **base, "call_id": call_id,
                            "delta": arguments[i:i + 5]})
            done = {"type": "response.function_call_arguments.done", **base, "call_id": call_id,
                    "arguments": arguments}
            if "name" in ResponseFunctionCallArgumentsDoneEvent.model_fields:  # SDKs before 2.x leave it out
                done["name"] = name
            await send(done)
            output = {"id": item_id, "type": "function_call", "object": "realtime.item", "status": "completed",
                      "name": name, "call_id": call_id, "arguments": arguments}
        else:
            raise ValueError(f"unknown scripted reply {spec!r}")
        await send({"type": "response.output_item.done", "response_id": rid, "output_index": 0, "item": output})
        await send({"type": "response.done", "response": {
            "id": rid, "object": "realtime.response", "status": "completed", "output": [output], "metadata": meta,
            "conversation_id": None, "output_modalities": [modality],
            "usage": {"total_tokens": 120, "input_tokens": 100, "output_tokens": 20,
                      "input_token_details": {"audio_tokens": 80, "text_tokens": 20, "cached_tokens": 0}}}})
        return True

    def audio_seconds(self) -> float:
        return len(self.audio) / 2 / RATE
