"""A fake Gemini Live server (TLS WebSocket on 127.0.0.1), strict, from the `google-genai` SDK's types.

The adapter's real SDK code path runs against it: `genai.Client(http_options=HttpOptions(base_url=
"https://127.0.0.1:PORT", async_client_args={"ssl": <a context trusting the fake's certificate>}))`
makes `client.aio.live.connect` dial `wss://127.0.0.1:PORT/ws/google.ai.generativelanguage.
VERSION.GenerativeService.BidiGenerateContent` with the key in `x-goog-api-key`, as it dials Google.

* Every client message is validated as the SDK's `types.LiveClientMessage` (its pydantic model, which
  forbids unknown fields, from the wire JSON; `parse_client_message`): the first must be `setup` (answered with
  `setupComplete`), later ones `realtimeInput` (audio as `audio/pcm;rate=16000`, `activityStart`,
  `activityEnd`) or `toolResponse`. A message that does not validate closes the connection with 1007
  and the validation error, as the real service closes on an invalid argument. `activityEnd`
  without an open activity, or activity messages while automatic activity detection is on, are
  refused the same way.
* Every server message is built as the SDK's `types.LiveServerMessage` and sent as its JSON.

Turns: with automatic activity detection off, each `activityEnd` gets the next scripted reply; with
it on, an energy detector stands in for the server's (a turn ends after 500 ms of quiet) and each
turn gets one. Scripted replies (`script`): ("text", s) in 4-character parts; ("audio", words): the
words spoken by eSpeak (24 kHz, 100 ms parts) followed by their transcription; ("pass",) nothing but
`turnComplete` (the model let the turn pass); ("tool", name, args): a `toolCall`, then the turn ends
once the `toolResponse` came; ("close", code, reason).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import ssl
import tempfile
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from google.genai import types
from pydantic import ValidationError
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from .speech import speech_pcm

PATH = re.compile(r"^/ws/google\.ai\.generativelanguage\.(v1|v1beta|v1alpha)\.GenerativeService\.BidiGenerateContent$")
RATE_IN, RATE_OUT = 16000, 24000


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files), made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "fake-gemini.pem", directory / "fake-gemini.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def parse_client_message(raw: str | bytes) -> tuple[types.LiveClientMessage, types.RealtimeInputConfig | None]:
    """A client message as the SDK's `LiveClientMessage` (unknown fields refused at any depth).

    `setup.realtimeInputConfig` is validated apart, as the SDK's `RealtimeInputConfig`: the SDK's
    own converter writes it into `setup` (the service reads it there), but its `LiveClientSetup`
    model does not declare it.
    """
    obj = json.loads(raw)
    if not isinstance(obj, dict):
        raise ValueError("a message must be a JSON object")
    realtime = None
    if isinstance(obj.get("setup"), dict) and "realtimeInputConfig" in obj["setup"]:
        obj = {**obj, "setup": dict(obj["setup"])}
        realtime = types.RealtimeInputConfig.model_validate(obj["setup"].pop("realtimeInputConfig"))
    return types.LiveClientMessage.model_validate_json(json.dumps(obj)), realtime


def server_message(**fields: Any) -> str:
    """A server message built as the SDK's `LiveServerMessage`, as the wire JSON."""
    return json.dumps(types.LiveServerMessage(**fields).model_dump(mode="json", by_alias=True, exclude_none=True))


class FakeGeminiLive:
    def __init__(self) -> None:
        self.script: deque = deque()
        self.setups: list[types.LiveClientSetup] = []
        self.realtime_configs: list[types.RealtimeInputConfig | None] = []
        self.paths: list[str] = []
        self.keys: list[str] = []
        self.audio = bytearray()
        self.activity: list[tuple[str, float]] = []  # (activity_start | activity_end, seconds of audio then)
        self.tool_responses: list[types.LiveClientToolResponse] = []
        self.client_contents: list[tuple[float, types.LiveClientContent]] = []  # (seconds of audio then, content)
        self.refused: list[str] = []
        self._dir = tempfile.TemporaryDirectory()
        self.cert, self._key = self_signed(Path(self._dir.name))
        self._server = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def start(self) -> "FakeGeminiLive":
        await asyncio.to_thread(speech_pcm, "okay", RATE_OUT)  # eSpeak's start-up, before any timed reply
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self._key)
        self._server = await serve(self._handle, "127.0.0.1", 0, ssl=ctx, process_request=self._request)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()
        self._dir.cleanup()

    def _request(self, connection, request):
        self.paths.append(request.path)
        self.keys.append(request.headers.get("x-goog-api-key", ""))
        if not PATH.match(request.path):
            from http import HTTPStatus

            return connection.respond(HTTPStatus.NOT_FOUND, "not here\n")
        return None

    async def _refuse(self, ws, reason: str) -> None:
        self.refused.append(reason)
        await ws.close(1007, reason[:120])

    async def _handle(self, ws) -> None:
        state = {"setup": None, "open": False, "loud": False, "quiet": 0, "tool": None}
        try:
            async for raw in ws:
                try:
                    msg, realtime_config = parse_client_message(raw)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    return await self._refuse(ws, f"Invalid JSON payload: {'.'.join(map(str, err['loc']))}: {err['msg']}")
                except ValueError as exc:
                    return await self._refuse(ws, f"Invalid JSON payload: {exc}")
                if state["setup"] is None:
                    if msg.setup is None:
                        return await self._refuse(ws, "the first message must be setup")
                    state["setup"] = msg.setup
                    state["realtime_config"] = realtime_config
                    self.setups.append(msg.setup)
                    self.realtime_configs.append(realtime_config)
                    await ws.send(server_message(setup_complete=types.LiveServerSetupComplete(session_id="fake-1")))
                    continue
                if msg.setup is not None:
                    return await self._refuse(ws, "setup may only be sent once")
                if msg.tool_response is not None:
                    self.tool_responses.append(msg.tool_response)
                    if state["tool"]:
                        state["tool"] = None
                        await self._complete(ws)
                    continue
                if msg.client_content is not None:
                    self.client_contents.append((len(self.audio) / 2 / RATE_IN, msg.client_content))
                    if msg.client_content.turn_complete and not await self._reply(ws, state):
                        return
                    continue
                rt = msg.realtime_input
                if rt is None:
                    continue
                auto = not self._aad_disabled(state["realtime_config"])
                if (rt.activity_start or rt.activity_end) and auto:
                    return await self._refuse(ws, "explicit activity signals need automatic activity detection off")
                if rt.activity_start is not None:
                    state["open"] = True
                    self.activity.append(("activity_start", len(self.audio) / 2 / RATE_IN))
                if rt.audio is not None:
                    if rt.audio.mime_type != f"audio/pcm;rate={RATE_IN}":
                        return await self._refuse(ws, f"unsupported audio mime type {rt.audio.mime_type!r}")
                    self.audio.extend(rt.audio.data)
                    if auto and self._turn_ended(state, rt.audio.data):
                        if not await self._reply(ws, state):
                            return
                if rt.activity_end is not None:
                    if not state["open"]:
                        return await self._refuse(ws, "activityEnd without an open activity")
                    state["open"] = False
                    self.activity.append(("activity_end", len(self.audio) / 2 / RATE_IN))
                    if not await self._reply(ws, state):
                        return
        except ConnectionClosed:
            return

    @staticmethod
    def _aad_disabled(cfg: types.RealtimeInputConfig | None) -> bool:
        return bool(cfg and cfg.automatic_activity_detection and cfg.automatic_activity_detection.disabled)

    @staticmethod
    def _turn_ended(state: dict, pcm: bytes) -> bool:
        x = np.frombuffer(pcm, "<i2").astype(np.float32) / 32767.0
        if float(np.sqrt(np.mean(x * x))) > 0.02:
            state["loud"], state["quiet"] = True, 0
            return False
        state["quiet"] += len(x)
        if state["loud"] and state["quiet"] >= RATE_IN // 2:
            state["loud"] = False
            return True
        return False

    async def _reply(self, ws, state: dict) -> bool:
        spec = self.script.popleft() if self.script else ("pass",)
        kind = spec[0]
        send = ws.send
        if kind == "close":
            await ws.close(spec[1], spec[2])
            return False
        if kind == "text":
            for i in range(0, len(spec[1]), 4):
                await send(server_message(server_content=types.LiveServerContent(
                    model_turn=types.Content(role="model", parts=[types.Part(text=spec[1][i:i + 4])]))))
        elif kind == "audio":
            voice = await asyncio.to_thread(speech_pcm, spec[1], RATE_OUT)
            for i in range(0, len(voice), RATE_OUT // 5):
                await send(server_message(server_content=types.LiveServerContent(model_turn=types.Content(
                    role="model", parts=[types.Part(inline_data=types.Blob(
                        data=voice[i:i + RATE_OUT // 5], mime_type=f"audio/pcm;rate={RATE_OUT}"))]))))
            for i in range(0, len(spec[1]), 6):
                await send(server_message(server_content=types.LiveServerContent(
                    output_transcription=types.Transcription(text=spec[1][i:i + 6]))))
        elif kind == "tool":  # the turn goes on once the tool's response came
            state["tool"] = True
            await send(server_message(tool_call=types.LiveServerToolCall(function_calls=[
                types.FunctionCall(id="call-1", name=spec[1], args=spec[2])])))
            return True
        elif kind != "pass":
            raise ValueError(f"unknown scripted reply {spec!r}")
        await self._complete(ws)
        return True

    @staticmethod
    async def _complete(ws) -> None:
        send = ws.send
        await send(server_message(server_content=types.LiveServerContent(generation_complete=True)))
        await send(server_message(server_content=types.LiveServerContent(turn_complete=True),
                                  usage_metadata=types.UsageMetadata(prompt_token_count=100, response_token_count=20,
                                                                     total_token_count=120)))
