"""`--agent websocket`: anyone's own agent server, over the versioned protocol of docs/PROTOCOL.md.

This module is the protocol's one definition in code: the message models (`parse_server_message`),
the audio frame header (`encode_frame`/`decode_frame`), the `session.start` message, and the
adapter. The conformance checker (`conformance.py`) and the tests use the same definitions.

The adapter sends `session.start`, waits for `hello`, then sends each chunk as a binary frame
(8-byte little-endian start_sample + PCM16) through a writer task (so `push_audio` never waits on
the network), polls when the server wants them (never after `end_of_stream`: that message is the
server's last chance to speak, so the engine's end-of-stream poll is not sent), `sync` under
lockstep when the server offers it, and `end_of_stream`. A reader task turns the server's events
into agent events, each with its message's `Arrival` (the kernel's receive stamp, agents/arrival.py:
the connection runs on a `StampedSocket` for plain `ws://` without a proxy), so under a wall clock
a reply is stamped when it reached the machine, not when the busy loop got to it. Any protocol fault (malformed, unknown or oversized message, anything after
`end`, a disconnect, an unanswered poll or sync) ends the session as an error with a reason; see
"What ends a session as an error" in docs/PROTOCOL.md. After `hello`, `capabilities.needs_poll`
says whether this session is polled (the server may decline).

Version 1.1 (`MINOR`): a server whose `hello` says `audio_out` sends its voice as binary frames
(same header, its own sample positions, only forward); each becomes an `AudioEvent` that the
engine's listener hears (`engine/voice.py`), tagged with the response whose `text` came last and is
not done, and `text` is then the voice's transcript (`TextEvent(spoken=True)`), not an interjection.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import struct
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, TypeAdapter, ValidationError, model_validator

from ..audio import AudioChunk
from ..errors import AgentError, ProvoiceError
from .base import (Arrival, AudioEvent, Capabilities, ContextChange, ErrorEvent, InfoEvent, PollRequest, ResponseDone,
                   SessionContext, SessionIO,
                   SilenceDecision, TextEvent, ToolCallEvent)
from .arrival import StampedClientConnection, open_stamped_socket
from .common import AdapterOptions, OptionsAdapter, Outbox, SessionFault
from ..http_retry import Fault, RetryPolicy, call_with_retries
from ..jsontext import dumps
from ..redact import secret_from_env

PROTOCOL = "provoice-ws"
VERSION = 1
MINOR = 1  # 1.1: the agent may answer in audio (`audio_out` in hello, binary frames from the server)
HEADER = struct.Struct("<Q")  # start_sample, uint64 little-endian
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # the largest message the harness sends, and by default accepts

# ---- the server's messages ----------------------------------------------------------------------


class _Msg(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Hello(_Msg):
    """Only `version` is required; the defaults below are what an omitted field means."""

    type: Literal["hello"]
    version: int
    agent: str = ""
    wants_polls: bool = True
    sync: bool = False
    audio_out: bool = False  # 1.1: the server sends its voice as binary frames
    audio_out_rate: int | None = Field(default=None, ge=8000, le=48000)

    @model_validator(mode="after")
    def _rate_with_audio(self) -> "Hello":
        if self.audio_out and self.audio_out_rate is None:
            raise ValueError("audio_out needs audio_out_rate (the sample rate of the frames the server sends)")
        return self


class TextMsg(_Msg):
    type: Literal["text"]
    response_id: str
    text: str
    poll_id: int | None = None


class ToolCallMsg(_Msg):
    type: Literal["tool_call"]
    response_id: str
    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str | None = None
    poll_id: int | None = None


class DoneMsg(_Msg):
    type: Literal["done"]
    response_id: str
    poll_id: int | None = None
    text: str | None = None


class SilenceMsg(_Msg):
    type: Literal["silence"]
    poll_id: int
    response_id: str | None = None
    reason: str | None = None


class ErrorMsg(_Msg):
    type: Literal["error"]
    message: str
    fatal: bool = True
    response_id: str | None = None


class InfoMsg(_Msg):
    type: Literal["info"]
    kind: str
    data: dict[str, Any] = Field(default_factory=dict)


class SyncMsg(_Msg):
    type: Literal["sync"]
    seq: int


class EndMsg(_Msg):
    type: Literal["end"]


ServerMessage = Annotated[Union[Hello, TextMsg, ToolCallMsg, DoneMsg, SilenceMsg, ErrorMsg, InfoMsg, SyncMsg, EndMsg],
                          Field(discriminator="type")]
_SERVER = TypeAdapter(ServerMessage)
SERVER_TYPES = ("hello", "text", "tool_call", "done", "silence", "error", "info", "sync", "end")


class ProtocolError(AgentError):
    """The server broke docs/PROTOCOL.md."""


def parse_server_message(raw: str | bytes) -> ServerMessage:
    """One server message, validated; `ProtocolError` says what is wrong with it."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raise ProtocolError(f"the server sent a binary message ({len(raw)} bytes); only JSON text is allowed")
    try:
        obj = json.loads(raw)
    except ValueError:
        raise ProtocolError(f"the server sent a message that is not JSON: {raw[:120]!r}") from None
    if not isinstance(obj, dict):
        raise ProtocolError(f"the server sent JSON that is not an object: {raw[:120]!r}")
    if obj.get("type") not in SERVER_TYPES:
        raise ProtocolError(f"the server sent an unknown message type {obj.get('type')!r} "
                            f"(version {VERSION} has: {', '.join(SERVER_TYPES)})")
    try:
        return _SERVER.validate_python(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"][1:]) or "message"
        raise ProtocolError(f"the server sent a bad {obj['type']!r} message: {where}: {err['msg']}") from None


# ---- the harness's messages ---------------------------------------------------------------------

def encode_frame(start_sample: int, pcm: bytes | memoryview) -> bytes:
    return HEADER.pack(start_sample) + bytes(pcm)


def decode_frame(data: bytes) -> tuple[int, bytes]:
    """(start_sample, pcm) of a binary audio frame; `ValueError` for a malformed one."""
    if len(data) < HEADER.size + 2 or (len(data) - HEADER.size) % 2:
        raise ValueError(f"an audio frame must be {HEADER.size} header bytes plus an even, non-zero number of "
                         f"PCM16 bytes; got {len(data)} bytes")
    return HEADER.unpack_from(data)[0], data[HEADER.size:]


def session_start(ctx: SessionContext, sample_rate: int, polls: bool, max_message_bytes: int) -> dict[str, Any]:
    """The `session.start` message: the context an agent may see, and nothing more."""
    return {
        "type": "session.start", "protocol": PROTOCOL, "version": VERSION, "minor": MINOR, "session_id": ctx.session_id,
        "audio": {"encoding": "pcm_s16le", "sample_rate": sample_rate, "channels": 1, "header_bytes": HEADER.size},
        "context": {"protocol": ctx.protocol, "task": ctx.task, "instruction": ctx.instruction,
                    "digital_context": ctx.digital_context, "tools": [t.flat_form() for t in ctx.tools]},
        "audio_duration_s": ctx.audio_duration_s, "polls": polls, "max_message_bytes": max_message_bytes,
    }


# ---- the adapter --------------------------------------------------------------------------------

class WebSocketOptions(AdapterOptions):
    url: str = Field(pattern=r"^wss?://")
    sample_rate: int = Field(default=16000, ge=8000, le=48000)
    polls: bool = True
    timeout_s: PositiveFloat = 30.0
    open_timeout_s: PositiveFloat = 10.0
    max_message_bytes: int = Field(default=MAX_MESSAGE_BYTES, ge=1024)
    max_retries: int = Field(default=3, ge=0, le=20)
    retry_base_s: float = Field(default=0.5, ge=0)
    retry_max_s: float = Field(default=8.0, ge=0)
    api_key_env: str | None = None


class WebSocketAgent(OptionsAdapter):
    name = "websocket"
    Options = WebSocketOptions
    opts: WebSocketOptions

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.ws = None
        self.hello: Hello | None = None
        self.fault = SessionFault()
        self.outbox: Outbox | None = None
        self._reader_task: asyncio.Task | None = None
        self._hello_fut: asyncio.Future | None = None
        self._end = asyncio.Event()
        self._polls: dict[int, asyncio.Future] = {}
        self._syncs: dict[int, asyncio.Future] = {}
        self._seq = itertools.count(1)
        self._response_poll: dict[str, int] = {}
        self._spoke: set[str] = set()
        self._texts: dict[str, list[str]] = {}
        self._done: set[str] = set()
        self.frames_sent = 0
        self.frames_received = 0  # 1.1: frames of the agent's voice
        self._out_end = 0  # the end of the server's last audio frame, in its own samples
        self._speaking: str | None = None  # the response whose text came last and is not done
        self._eos_sent = False
        self._arrival: Arrival | None = None  # when the message being handled reached the machine

    def _emit(self, event) -> None:
        """Hand an event of the message being handled to the engine, with that message's arrival."""
        self.io.emit(event, self._arrival)

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> WebSocketOptions:
        if "url" not in options:
            raise ProvoiceError("agent 'websocket' needs the server's address: --agent-opt url=ws://HOST:PORT/PATH")
        return super().parse_options(options)

    @classmethod
    def capabilities_for(cls, opts: WebSocketOptions) -> Capabilities:
        return Capabilities(input_sample_rate=opts.sample_rate, needs_poll=opts.polls)

    @classmethod
    def settings_for(cls, opts: WebSocketOptions, capabilities: Capabilities) -> dict[str, Any]:
        return super().settings_for(opts, capabilities) | {"protocol": PROTOCOL, "version": VERSION}

    # -- start -----------------------------------------------------------------------------------
    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        from websockets.asyncio.client import connect
        from websockets.uri import get_proxy, parse_uri

        from ..engine.health import earliest_arrival

        o = self.opts
        headers = {}
        if o.api_key_env:
            key = secret_from_env(o.api_key_env)
            if not key:
                raise ProvoiceError(f"agent 'websocket': the environment variable {o.api_key_env} is not set")
            headers["Authorization"] = f"Bearer {key}"

        async def attempt():
            stamped = {}
            uri = parse_uri(o.url)
            if not uri.secure and get_proxy(uri) is None:  # our own socket: each message gets its kernel arrival stamp
                sock = await asyncio.wait_for(open_stamped_socket(uri.host, uri.port, earliest_arrival()),
                                              o.open_timeout_s)
                stamped = {"sock": sock, "create_connection": StampedClientConnection}
            try:
                return await connect(o.url, max_size=o.max_message_bytes, open_timeout=o.open_timeout_s,
                                     additional_headers=headers or None, compression=None, **stamped)
            except BaseException:
                if stamped:
                    stamped["sock"].close()
                raise

        def on_retry(k: int, fault: Fault, delay: float) -> None:
            io.log("retry", what="connect", attempt=k, reason=fault.reason, wait_s=round(delay, 3))

        policy = RetryPolicy(o.max_retries, o.retry_base_s, o.retry_max_s)
        self.ws = await call_with_retries(attempt, policy, what=f"websocket agent at {o.url}", on_retry=on_retry)
        self._hello_fut = asyncio.get_running_loop().create_future()
        self.outbox = Outbox(self.ws.send, self._fail, "the agent server")
        self.outbox.start()
        self._reader_task = asyncio.create_task(self._reader())
        start = dumps(session_start(ctx, o.sample_rate, o.polls, o.max_message_bytes))
        if len(start.encode()) > MAX_MESSAGE_BYTES:
            raise ProvoiceError(f"session {ctx.session_id}: session.start would be {len(start.encode())} bytes, over the "
                                f"protocol's limit of {MAX_MESSAGE_BYTES} bytes (the digital context is too large)")
        io.log("request", what="session.start", version=VERSION, sample_rate=o.sample_rate, polls=o.polls,
               bytes=len(start.encode()))
        self._send(start)
        self.hello = await self._wait(self._hello_fut, "hello")
        if self.hello.version != VERSION:
            self._fail(f"the server speaks protocol version {self.hello.version}; this harness speaks {VERSION}")
        io.log("hello", **self.hello.model_dump())
        self._check()
        if not self.hello.wants_polls:  # the server finds its own moments: this session is not polled
            self.capabilities = self.capabilities.model_copy(update={"needs_poll": False, "has_own_vad": True})

    # -- sending ---------------------------------------------------------------------------------
    def _send(self, message: bytes | str) -> None:
        self.outbox.put(message)

    async def push_audio(self, chunk: AudioChunk) -> None:
        self._check()
        self.frames_sent += 1
        self._send(encode_frame(chunk.start_sample, chunk.pcm))

    async def drain(self) -> None:
        """Everything pushed is sent; a server that offers `sync` has handled it (lockstep)."""
        await self._wait(asyncio.ensure_future(self.outbox.join()), "sending")
        if self.hello is not None and self.hello.sync and not self._eos_sent:  # after `end`, all is settled
            seq = next(self._seq)
            fut = self._syncs[seq] = asyncio.get_running_loop().create_future()
            self._send(dumps({"type": "sync", "seq": seq}))
            await self._wait(fut, f"the answer to sync {seq}")

    def takes_poll(self, reason: str) -> bool:
        """Not when the server declined polls in hello, and never at or after the end of the stream
        (`end_of_stream` asks the server for its last word): such polls are not sent, so not counted."""
        if self.hello is not None and not self.hello.wants_polls:
            return False
        return self.capabilities.needs_poll and reason != "end_of_stream" and not self._eos_sent

    async def update_context(self, change: ContextChange) -> None:
        """Tell the server: a `context.update` message (docs/PROTOCOL.md) with the patch and the new state."""
        await super().update_context(change)
        self._check()
        self._send(json.dumps({"type": "context.update", "at_s": change.at_s,
                               "stream_s": round(self.io.stream_time(), 6), "patch": change.patch,
                               "digital_context": change.digital_context}))

    async def respond(self, poll: PollRequest) -> None:
        self._check()
        if not self.takes_poll(poll.reason):
            return  # the engine does not open such polls (see takes_poll); a direct caller gets nothing sent
        fut = self._polls[poll.poll_id] = asyncio.get_running_loop().create_future()
        self.io.log("request", what="poll", poll_id=poll.poll_id, reason=poll.reason)
        self._send(dumps({"type": "poll", "poll_id": poll.poll_id, "reason": poll.reason,
                               "stream_s": poll.stream_s, "speech_end_s": poll.speech_end_s}))
        try:
            await self._wait(fut, f"the answer to poll {poll.poll_id}")
        finally:
            self._polls.pop(poll.poll_id, None)

    async def end_of_stream(self) -> None:
        self._check()
        self._eos_sent = True
        self._send(dumps({"type": "end_of_stream", "stream_s": round(self.io.stream_time(), 6)}))
        await self._wait(asyncio.ensure_future(self._end.wait()), "end (the answer to end_of_stream)")

    async def _wait(self, aw: asyncio.Future, what: str):
        """Await `aw` within timeout_s; stop at once if the session has failed."""
        try:
            return await self.fault.guard(aw, self.opts.timeout_s)
        except TimeoutError:
            self._fail(f"the agent server did not send {what} within {self.opts.timeout_s:g} s")
            self._check()

    # -- receiving -------------------------------------------------------------------------------
    async def _reader(self) -> None:
        from websockets.exceptions import ConnectionClosed

        arrivals = getattr(self.ws, "arrivals", None)  # one per message, when the socket is stamped
        try:
            async for raw in self.ws:
                self._arrival = arrivals.popleft() if arrivals else None
                if isinstance(raw, bytes) and self.hello is not None and self.hello.audio_out:
                    self._on_audio(raw)
                else:
                    self._handle(parse_server_message(raw))
            if not self._end.is_set():
                self._fail("the agent server closed the connection before end")
        except asyncio.CancelledError:
            raise
        except ConnectionClosed as exc:
            if self._end.is_set():
                return
            code = exc.rcvd.code if exc.rcvd else (exc.sent.code if exc.sent else None)
            server_closed_first = exc.rcvd is not None and (exc.sent is None or exc.rcvd_then_sent)
            if code == 1009 and server_closed_first:
                self._fail(f"the agent server refused a message as too big (code 1009): servers must accept "
                           f"messages up to {MAX_MESSAGE_BYTES} bytes (docs/PROTOCOL.md)")
            elif code == 1009 or (exc.sent is not None and exc.sent.code == 1009):
                self._fail(f"the agent server sent a message larger than max_message_bytes "
                           f"({self.opts.max_message_bytes} bytes)")
            else:
                reason = exc.rcvd.reason if exc.rcvd and exc.rcvd.reason else "no reason given"
                self._fail(f"the agent server closed the connection (code {code}: {reason})")
        except AgentError as exc:
            self._fail(str(exc))
        except Exception as exc:
            self._fail(f"the connection to the agent server failed: {type(exc).__name__}: {exc}")

    def _handle(self, msg: ServerMessage) -> None:
        if self._end.is_set():
            raise ProtocolError(f"the server sent {msg.type!r} after end")
        if isinstance(msg, Hello):
            if self._hello_fut is not None and not self._hello_fut.done():
                self.hello = msg  # at once: what it announces (audio_out) governs the very next message
                self._hello_fut.set_result(msg)
                return
            raise ProtocolError("the server sent a second hello")
        if self.hello is None and not isinstance(msg, (ErrorMsg, InfoMsg)):
            raise ProtocolError(f"the server sent {msg.type!r} before hello")
        getattr(self, f"_on_{msg.type}")(msg)

    def _on_text(self, msg: TextMsg) -> None:
        self._response(msg.response_id, msg.poll_id)
        self._texts.setdefault(msg.response_id, []).append(msg.text)
        spoken = self.hello.audio_out or None  # 1.1: with audio out, text is the transcript of the voice
        if spoken:
            self._speaking = msg.response_id
        self._emit(TextEvent(text=msg.text, response_id=msg.response_id, spoken=spoken))

    def _on_audio(self, data: bytes) -> None:
        """A frame of the agent's voice (1.1): its position in the server's own output stream."""
        if self._end.is_set():
            raise ProtocolError("the server sent audio after end")
        try:
            start, pcm = decode_frame(data)
        except ValueError as exc:
            raise ProtocolError(f"the server sent a bad audio frame: {exc}") from None
        if start < self._out_end:
            raise ProtocolError(f"the server's audio frame starts at sample {start}, before the end of the "
                                f"previous one ({self._out_end}): positions only move forward")
        self._out_end = start + len(pcm) // 2
        rate = self.hello.audio_out_rate
        self.frames_received += 1
        self._emit(AudioEvent(sample_rate=rate, duration_s=len(pcm) / 2 / rate, pcm=pcm, start_sample=start,
                                response_id=self._speaking))

    def _on_tool_call(self, msg: ToolCallMsg) -> None:
        self._response(msg.response_id, msg.poll_id)
        self._emit(ToolCallEvent(name=msg.name, arguments=msg.arguments, call_id=msg.call_id,
                                   response_id=msg.response_id))

    def _response(self, rid: str, poll_id: int | None) -> None:
        if rid in self._done:
            raise ProtocolError(f"the server sent more of response {rid!r} after its done")
        if poll_id is not None:
            self._response_poll.setdefault(rid, poll_id)

    def _on_done(self, msg: DoneMsg) -> None:
        self._response(msg.response_id, msg.poll_id)
        self._done.add(msg.response_id)
        if self._speaking == msg.response_id:
            self._speaking = None
        text = msg.text if msg.text is not None else "".join(self._texts.pop(msg.response_id, []))
        self._emit(ResponseDone(text=text, response_id=msg.response_id))
        self._answer(self._response_poll.get(msg.response_id), f"done of {msg.response_id!r}")

    def _on_silence(self, msg: SilenceMsg) -> None:
        self._emit(SilenceDecision(reason=msg.reason, response_id=msg.response_id or f"silence-{msg.poll_id}"))
        self._answer(msg.poll_id, "silence")

    def _answer(self, poll_id: int | None, what: str) -> None:
        if poll_id is None:
            return
        fut = self._polls.get(poll_id)
        if fut is None:
            raise ProtocolError(f"the server answered poll {poll_id} ({what}), which is not open")
        if not fut.done():
            fut.set_result(None)

    def _on_error(self, msg: ErrorMsg) -> None:
        if msg.fatal:
            self._fail(f"the agent server reported: {msg.message}")
        else:
            self._emit(ErrorEvent(message=msg.message, fatal=False, response_id=msg.response_id))

    def _on_info(self, msg: InfoMsg) -> None:
        self._emit(InfoEvent(kind=f"server_{msg.kind}", data=msg.data))

    def _on_sync(self, msg: SyncMsg) -> None:
        fut = self._syncs.pop(msg.seq, None)
        if fut is None:
            raise ProtocolError(f"the server answered sync {msg.seq}, which was not sent or was answered already")
        fut.set_result(None)

    def _on_end(self, msg: EndMsg) -> None:
        self._end.set()

    # -- faults and the end ----------------------------------------------------------------------
    @property
    def failure(self) -> str | None:
        return self.fault.reason

    def _fail(self, reason: str) -> None:
        self.fault.report(self.io, reason)

    def _check(self) -> None:
        self.fault.check()

    async def close(self) -> None:
        self.fault.closing = True
        if self.outbox is not None:
            await self.outbox.close(timeout=0.5)
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, return_exceptions=True)
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 2.0)
            except Exception:
                pass
