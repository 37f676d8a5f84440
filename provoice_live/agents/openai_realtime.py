"""`--agent openai-realtime`: the OpenAI Realtime API (GA event names) through the `openai` SDK.

The session streams PCM16 at 24 kHz (`input_audio_buffer.append`) over the SDK's WebSocket
(`client.realtime.connect(model=...)`; the model is in the connection URL, and `session.update`
never carries it: the GA contract lets an update change anything but `model` and `voice`). Proactive
mode: the model never answers a turn by itself. A decision is asked for with `response.create`
carrying the decision instructions:

* `turns=engine` (default): at each poll of our engine (our VAD's endpoints). The session has no
  server turn detection (`turn_detection: null`); at each poll the adapter commits all the audio
  since its last commit (`input_audio_buffer.commit`, when there is at least the 100 ms the server
  takes, waiting up to `commit_wait_s` for `input_audio_buffer.committed`), so every decision hears
  everything, an alarm between two utterances included (a server VAD would leave non-speech out of
  the conversation, and the misses would be the harness's, not the model's).
* `turns=server`: the server's turn detection runs (`server_vad`, with `create_response` and
  `interrupt_response` off, so it only commits the user's turns and reports where speech started
  and stopped); a decision is asked at each of its `speech_stopped` events (no engine polls).

By default (`conversation=none`) decisions are out-of-band responses over the default conversation:
they read the user's committed audio but never write the model's replies (or its silences) back.

The model answers in the `native` format by default (prompts.py): it speaks (text or audio), calls
a tool, or stays silent by replying `<silent>` or calling the `no_action` tool, which becomes a
`SilenceDecision`, not an interjection. Stamps are at the first sign: a tool call at its
`response.output_item.added` (the name; the arguments follow). An audio reply (`output=audio`) is
held until its transcript shows it is not the silence token, then handed to the engine's listener
(`engine/voice.py`) with the stream time each delta arrived: its interjection is the onset of the
first voiced segment heard in it, and the transcript (`spoken` text) is its words. `reply=json` asks for the paper's JSON
answer instead (text output). Usage (`response.done`) and rate limits are logged; the server's
`speech_started`/`speech_stopped` positions (`audio_start_ms`/`audio_end_ms`) are logged as
`InfoEvent(kind="server_vad")` beside our own VAD records.

Faults end the session as an error with the reason: a refused or failed handshake (429/5xx are
retried with backoff), an `error` event while a decision is pending, `response.done` with status
`failed`, a dropped connection, a message that is not JSON or larger than `max_message_bytes`, a
decision that takes longer than `timeout_s`. The API key comes from the variable `api_key_env`.

Options: model=gpt-realtime-2 (any Realtime model: gpt-realtime-2.1, gpt-realtime-mini...), base_url, websocket_base_url, api_key_env=OPENAI_API_KEY,
output=text|audio, voice, reply=native|json, turns=engine|server, conversation=none|auto,
vad_threshold=0.5, silence_ms=500, prefix_padding_ms=300, transcribe_model (input transcription,
off by default), commit_wait_s=1.5, max_output_tokens=1024, timeout_s=60, max_retries=3,
retry_base_s=0.5, retry_max_s=8, max_message_bytes=16777216, on_parse_error=silence|fatal.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, PositiveFloat

from ..audio import AudioChunk
from ..errors import AgentError
from .base import AudioEvent, Capabilities, ContextChange, ErrorEvent, PollRequest, SessionContext, SessionIO, TranscriptEvent
from .common import AdapterOptions, Outbox, SessionFault, SpeakingAdapter, api_key, b64
from .decision import OnParseError, ReplyAssembler
from ..http_retry import Fault, RetryPolicy, call_with_retries
from .prompts import NO_ACTION_TOOL, ReplyFormat, api_tools, decision_prompt, system_prompt

RATE = 24000  # the Realtime API's PCM format is 24 kHz mono PCM16 little-endian
MIN_COMMIT_SAMPLES = RATE // 10  # the server refuses to commit less than 100 ms


class RealtimeOptions(AdapterOptions):
    model: str = "gpt-realtime-2"
    base_url: str | None = None
    websocket_base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    output: Literal["text", "audio"] = "text"
    voice: str | None = None
    reply: ReplyFormat = "native"
    turns: Literal["engine", "server"] = "engine"
    conversation: Literal["none", "auto"] = "none"
    vad_threshold: float = Field(default=0.5, ge=0, le=1)
    silence_ms: int = Field(default=500, ge=0)
    prefix_padding_ms: int = Field(default=300, ge=0)
    transcribe_model: str | None = None
    commit_wait_s: float = Field(default=1.5, ge=0)
    max_output_tokens: int | None = Field(default=1024, ge=1, le=4096)
    timeout_s: PositiveFloat = 60.0
    max_retries: int = Field(default=3, ge=0, le=20)
    retry_base_s: float = Field(default=0.5, ge=0)
    retry_max_s: float = Field(default=8.0, ge=0)
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    on_parse_error: OnParseError = "silence"


@dataclass
class _Decision:
    """One pending `response.create`: bound to the server's response id when it is created."""

    poll_id: int | None
    future: asyncio.Future
    sent_wall: float
    asm: ReplyAssembler | None = None
    response_id: str | None = None
    audio: list[AudioEvent] = field(default_factory=list)
    first_logged: bool = False
    first_audio_s: float | None = None  # stream time of the first audio delta
    named_s: dict[str, float] = field(default_factory=dict)  # call_id -> when the call's name arrived
    names: dict[str, str] = field(default_factory=dict)  # call_id -> name (older servers leave it out of .done)


class OpenAIRealtimeAgent(SpeakingAdapter):
    name = "openai-realtime"
    Options = RealtimeOptions
    opts: RealtimeOptions

    @classmethod
    def capabilities_for(cls, opts: RealtimeOptions) -> Capabilities:
        return Capabilities(input_sample_rate=RATE, has_own_vad=opts.turns == "server", needs_poll=opts.turns == "engine",
                            gives_transcripts=opts.transcribe_model is not None)

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.client = None
        self.conn = None
        self.outbox: Outbox | None = None
        self._reader_task: asyncio.Task | None = None
        self._decision: _Decision | None = None
        self._lock = asyncio.Lock()
        self._server_turns: list[asyncio.Task] = []
        self._in_speech = False
        self._turn_closed = asyncio.Event()
        self._turn_closed.set()
        self._handshake: dict[str, asyncio.Future] = {}
        self.fault = SessionFault()
        self._commit_ids: set[str] = set()
        self.appended_samples = 0
        self.committed_samples = 0  # appended audio up to the last commit the adapter asked for
        self.counts: dict[str, int] = {}
        self._ids = itertools.count(1)

    # -- the session config ----------------------------------------------------------------------
    def session_config(self) -> dict[str, Any]:
        o = self.opts
        turn_detection = None if o.turns == "engine" else {
            "type": "server_vad", "create_response": False, "interrupt_response": False,
            "threshold": o.vad_threshold, "silence_duration_ms": o.silence_ms, "prefix_padding_ms": o.prefix_padding_ms}
        audio_in: dict[str, Any] = {"format": {"type": "audio/pcm", "rate": RATE}, "turn_detection": turn_detection}
        if o.transcribe_model:
            audio_in["transcription"] = {"model": o.transcribe_model}
        audio: dict[str, Any] = {"input": audio_in}
        if o.output == "audio":
            audio["output"] = {"format": {"type": "audio/pcm", "rate": RATE}, **({"voice": o.voice} if o.voice else {})}
        session: dict[str, Any] = {
            "type": "realtime", "output_modalities": [o.output], "audio": audio,
            "instructions": system_prompt(self.ctx, o.reply),
            "tools": [t.flat_form() for t in api_tools(self.ctx, o.reply)], "tool_choice": "auto",
        }
        if o.max_output_tokens:
            session["max_output_tokens"] = o.max_output_tokens
        return session

    def response_config(self, upto_s: float, poll_id: int | None) -> dict[str, Any]:
        o = self.opts
        response: dict[str, Any] = {
            "conversation": o.conversation, "output_modalities": [o.output],
            "instructions": system_prompt(self.ctx, o.reply) + "\n\n" + decision_prompt(o.reply, upto_s=upto_s),
            "tools": [t.flat_form() for t in api_tools(self.ctx, o.reply)], "tool_choice": "auto",
            "metadata": {"poll_id": str(poll_id if poll_id is not None else "server")},
        }
        if o.max_output_tokens:
            response["max_output_tokens"] = o.max_output_tokens
        return response

    # -- start -----------------------------------------------------------------------------------
    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        from openai import AsyncOpenAI

        o = self.opts
        official = (o.base_url is None or "api.openai.com" in o.base_url) and o.websocket_base_url is None
        key = api_key(o.api_key_env, self.name, required=official)
        ws_url = o.websocket_base_url
        if ws_url is None and o.base_url and o.base_url.startswith("http://"):
            ws_url = "ws://" + o.base_url[len("http://"):]  # older SDKs always dial wss:// from base_url
        self.client = AsyncOpenAI(api_key=key, base_url=o.base_url, websocket_base_url=ws_url,
                                  max_retries=0, timeout=o.timeout_s)
        io.log("agent_settings", **self.settings()["options"])
        loop = asyncio.get_running_loop()
        self._handshake = {"session.created": loop.create_future(), "session.updated": loop.create_future()}

        async def connect():
            async with asyncio.timeout(o.timeout_s):
                return await self.client.realtime.connect(
                    model=o.model, websocket_connection_options={"max_size": o.max_message_bytes}).enter()

        def on_retry(k: int, fault: Fault, delay: float) -> None:
            io.log("retry", what="connect", attempt=k, reason=fault.reason, wait_s=round(delay, 3))

        policy = RetryPolicy(o.max_retries, o.retry_base_s, o.retry_max_s)
        self.conn = await call_with_retries(connect, policy, what=f"{self.name} connect", on_retry=on_retry)
        self.outbox = Outbox(self.conn.send, self._fail, "the realtime server")
        self.outbox.start()
        self._reader_task = asyncio.create_task(self._reader())
        await self._await_handshake("session.created")
        session = self.session_config()
        io.log("request", what="session.update", session={k: v for k, v in session.items() if k != "instructions"},
               instructions_chars=len(session["instructions"]))
        self._send({"type": "session.update", "session": session})
        await self._await_handshake("session.updated")

    @property
    def failure(self) -> str | None:
        return self.fault.reason

    async def _await_handshake(self, event: str) -> None:
        try:
            await self.fault.guard(self._handshake[event], self.opts.timeout_s)
        except TimeoutError:
            self._fail(f"no {event} from the server within {self.opts.timeout_s:g} s")
        self._check()

    # -- sending ---------------------------------------------------------------------------------
    def _send(self, event: dict[str, Any]) -> None:
        self.outbox.put(event)

    async def push_audio(self, chunk: AudioChunk) -> None:
        self._check()
        if chunk.sample_rate != RATE:
            raise AgentError(f"{self.name} takes {RATE} Hz audio, got a {chunk.sample_rate} Hz chunk")
        self.appended_samples += chunk.n_samples
        self._send({"type": "input_audio_buffer.append", "audio": b64(bytes(chunk.pcm))})

    async def drain(self) -> None:
        """Wait until everything pushed has gone out, and any server-turn decision is done."""
        await self.fault.guard(self.outbox.join())
        pending = [t for t in self._server_turns if not t.done()]
        if pending:
            await asyncio.gather(*pending)
        self._check()

    # -- decisions -------------------------------------------------------------------------------
    async def update_context(self, change: ContextChange) -> None:
        """The new state goes into the session's instructions (`session.update`), and every later
        response's instructions are built from it too (`response_config`)."""
        await super().update_context(change)
        self._check()
        instructions = system_prompt(self.ctx, self.opts.reply)
        self.io.log("request", what="session.update (context)", at_s=change.at_s, instructions_chars=len(instructions))
        self._send({"type": "session.update", "session": {"type": "realtime", "instructions": instructions}})

    async def respond(self, poll: PollRequest) -> None:
        await self._decide(poll.poll_id, poll.stream_s)

    async def _decide(self, poll_id: int | None, upto_s: float) -> None:
        async with self._lock:
            self._check()
            if self.opts.turns == "engine":
                await self._commit_new_audio(poll_id)
            elif self._in_speech:
                await self._commit_open_turn(poll_id)
            loop = asyncio.get_running_loop()
            d = _Decision(poll_id, loop.create_future(), time.perf_counter())
            self._decision = d
            response = self.response_config(upto_s, poll_id)
            self.io.log("request", what="response.create", poll_id=poll_id,
                        audio_s=round(self.appended_samples / RATE, 6), conversation=response["conversation"],
                        tools=[t["name"] for t in response["tools"]])
            self._send({"type": "response.create", "event_id": f"evt_response_{next(self._ids)}",
                        "response": response})
            try:
                await self.fault.guard(asyncio.shield(d.future), self.opts.timeout_s)
            except TimeoutError:
                self._fail(f"no response.done within {self.opts.timeout_s:g} s of response.create (poll {poll_id})")
            finally:
                self._decision = None
            self._check()

    async def _commit_new_audio(self, poll_id: int | None) -> None:
        """Commit all audio appended since the last commit, so the decision hears all of it.

        Less than the 100 ms the server takes stays in the buffer for the next commit.
        """
        if self.appended_samples - self.committed_samples < MIN_COMMIT_SAMPLES:
            return
        self.committed_samples = self.appended_samples
        self._turn_closed.clear()
        await self._commit_open_turn(poll_id)

    async def _commit_open_turn(self, poll_id: int | None) -> None:
        """The server's VAD still has a turn open: commit it so the decision hears all of it.

        (Under the lockstep clock no more audio arrives while we decide, so the server would never
        see the silence that closes the turn.)
        """
        event_id = f"evt_commit_{next(self._ids)}"
        self._commit_ids.add(event_id)
        self.io.log("request", what="input_audio_buffer.commit", poll_id=poll_id)
        self._send({"type": "input_audio_buffer.commit", "event_id": event_id})
        try:
            async with asyncio.timeout(self.opts.commit_wait_s):
                await self._turn_closed.wait()
        except TimeoutError:
            self.io.log("commit_wait_timeout", poll_id=poll_id, waited_s=self.opts.commit_wait_s)

    # -- receiving -------------------------------------------------------------------------------
    async def _reader(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                raw = await self.conn.recv_bytes()
                try:
                    event = json.loads(raw)
                    etype = event["type"]
                except (ValueError, KeyError, TypeError):
                    self._fail(f"the realtime server sent a malformed message: {bytes(raw[:200])!r}")
                    return
                self.counts[etype] = self.counts.get(etype, 0) + 1
                handler = self.HANDLERS.get(etype)
                if handler is not None:
                    handler(self, event)
        except asyncio.CancelledError:
            raise
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else (exc.sent.code if exc.sent else None)
            reason = "a message exceeded max_message_bytes" if code == 1009 else "the connection closed"
            self._fail(f"realtime server: {reason} (code {code})")
        except Exception as exc:  # the SDK wraps some closes; anything here ends the session
            self._fail(f"realtime connection failed: {type(exc).__name__}: {exc}")

    def _fail(self, reason: str) -> None:
        self.fault.report(self.io, reason)

    def _check(self) -> None:
        self.fault.check()

    def _on_handshake(self, event: dict[str, Any]) -> None:
        fut = self._handshake.get(event["type"])
        if fut is not None and not fut.done():
            fut.set_result(event)
        if event["type"] == "session.updated":
            self.io.log("session_updated", session=event.get("session"))

    def _on_speech_started(self, event: dict[str, Any]) -> None:
        self._in_speech = True
        self._turn_closed.clear()
        self.io.log("server_vad", event="speech_start", at_s=event.get("audio_start_ms", 0) / 1000.0,
                    item_id=event.get("item_id"))

    def _on_speech_stopped(self, event: dict[str, Any]) -> None:
        self.io.log("server_vad", event="speech_end", at_s=event.get("audio_end_ms", 0) / 1000.0,
                    item_id=event.get("item_id"))
        self._in_speech = False
        self._turn_closed.set()
        if self.opts.turns == "server":
            self._server_turns.append(asyncio.create_task(
                self._server_turn(event.get("audio_end_ms", 0) / 1000.0)))

    async def _server_turn(self, at_s: float) -> None:
        try:
            await self._decide(None, at_s)
        except AgentError:
            pass  # already reported through _fail

    def _on_committed(self, event: dict[str, Any]) -> None:
        self._in_speech = False
        self._turn_closed.set()
        self.io.log("server_commit", item_id=event.get("item_id"))

    def _on_response_created(self, event: dict[str, Any]) -> None:
        d = self._decision
        response = event.get("response") or {}
        if d is None or d.asm is not None:
            self.io.log("unexpected_response", response_id=response.get("id"))
            return
        d.response_id = response.get("id") or f"rt-{next(self._ids)}"
        d.asm = ReplyAssembler(self.io, reply=self.opts.reply, response_id=d.response_id, poll_id=d.poll_id,
                               on_parse_error=self.opts.on_parse_error,
                               known_tools={t.name for t in self.ctx.tools}, on_spoke=self._flush_audio,
                               spoken=self.opts.output == "audio")
        self.io.log("response_created", response_id=d.response_id, poll_id=d.poll_id,
                    wall_s=round(time.perf_counter() - d.sent_wall, 6))

    def _current(self, event: dict[str, Any]) -> _Decision | None:
        d = self._decision
        if d is None or d.asm is None or event.get("response_id") not in (None, d.response_id):
            return None
        return d

    def _on_text_delta(self, event: dict[str, Any]) -> None:
        d = self._current(event)
        if d is not None:
            self._first(d)
            d.asm.add_text(event.get("delta", ""))

    def _on_text_delta_of_audio(self, event: dict[str, Any]) -> None:
        """The transcript of an audio reply: it decides whether the audio is speech; the stamp is the audio's."""
        d = self._current(event)
        if d is not None:
            self._first(d)
            d.asm.add_text(event.get("delta", ""), began_s=d.first_audio_s)

    def _on_item_added(self, event: dict[str, Any]) -> None:
        """A function call's name arrives with its output item: the first sign of the call."""
        d = self._current(event)
        item = event.get("item") or {}
        if d is None or item.get("type") != "function_call":
            return
        self._first(d)
        call_id = item.get("call_id") or ""
        d.names[call_id] = item.get("name") or ""
        if item.get("name") != NO_ACTION_TOOL and call_id:
            d.named_s[call_id] = self.io.stream_time()

    def _on_audio_delta(self, event: dict[str, Any]) -> None:
        d = self._current(event)
        if d is None:
            return
        self._first(d)
        if d.first_audio_s is None:
            d.first_audio_s = self.io.stream_time()
        pcm = base64.b64decode(event.get("delta", ""))
        audio = AudioEvent(sample_rate=RATE, duration_s=len(pcm) / 2 / RATE, pcm=pcm, response_id=d.response_id,
                           arrived_s=self.io.stream_time())
        if d.asm.spoke:
            self.io.emit(audio)
        else:
            d.audio.append(audio)

    def _flush_audio(self) -> None:
        d = self._decision
        if d is not None:
            for audio in d.audio:
                self.io.emit(audio)
            d.audio.clear()

    def _first(self, d: _Decision) -> None:
        if not d.first_logged:
            d.first_logged = True
            self.io.log("first_token", response_id=d.response_id, wall_s=round(time.perf_counter() - d.sent_wall, 6))

    def _on_function_call(self, event: dict[str, Any]) -> None:
        d = self._current(event)
        if d is not None:
            self._first(d)
            call_id = event.get("call_id") or ""
            d.asm.add_tool_call(event.get("name") or d.names.get(call_id, ""), event.get("arguments", ""),
                                event.get("call_id"), began_s=d.named_s.get(call_id))

    def _on_response_done(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        d = self._decision
        if d is None or d.asm is None or response.get("id") not in (None, d.response_id):
            return
        status = response.get("status")
        self.io.log("response_done", response_id=d.response_id, status=status, usage=response.get("usage"),
                    wall_s=round(time.perf_counter() - d.sent_wall, 6))
        if status == "failed":
            details = response.get("status_details") or {}
            error = details.get("error") or {}
            err = error.get("message") or error.get("code") or details.get("reason") or "no reason given"
            self._fail(f"the realtime response {d.response_id} failed: {err}")
            return
        try:
            d.asm.finish(usage=response.get("usage"))
        except AgentError as exc:  # on_parse_error=fatal
            self._fail(str(exc))
            return
        if not d.future.done():
            d.future.set_result(status)

    def _on_error(self, event: dict[str, Any]) -> None:
        """An `error` event fails the pending handshake or a decision not yet created; else it is logged."""
        err = event.get("error") or {}
        message = f"{err.get('type', 'error')}: {err.get('message', 'no message')}"
        if err.get("code"):
            message += f" (code {err['code']})"
        d = self._decision
        ours = err.get("event_id") in self._commit_ids
        pending = (d is not None and d.asm is None) or any(not f.done() for f in self._handshake.values())
        if pending and not ours:
            self._fail(f"realtime server error: {message}")
        else:
            self.io.emit(ErrorEvent(message=f"realtime server error: {message}", fatal=False))

    def _on_transcript(self, event: dict[str, Any]) -> None:
        self.io.emit(TranscriptEvent(text=event.get("transcript", "")))

    def _on_rate_limits(self, event: dict[str, Any]) -> None:
        self.io.log("rate_limits", rate_limits=event.get("rate_limits"))

    HANDLERS = {
        "session.created": _on_handshake,
        "session.updated": _on_handshake,
        "input_audio_buffer.speech_started": _on_speech_started,
        "input_audio_buffer.speech_stopped": _on_speech_stopped,
        "input_audio_buffer.committed": _on_committed,
        "response.created": _on_response_created,
        "response.output_text.delta": _on_text_delta,
        "response.output_audio_transcript.delta": _on_text_delta_of_audio,
        "response.output_item.added": _on_item_added,
        "response.output_audio.delta": _on_audio_delta,
        "response.function_call_arguments.done": _on_function_call,
        "response.done": _on_response_done,
        "conversation.item.input_audio_transcription.completed": _on_transcript,
        "rate_limits.updated": _on_rate_limits,
        "error": _on_error,
    }

    # -- the end ---------------------------------------------------------------------------------
    async def end_of_stream(self) -> None:
        await self.drain()

    async def close(self) -> None:
        self.fault.closing = True
        for task in self._server_turns:
            task.cancel()
        if self.outbox is not None:
            await self.outbox.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, *self._server_turns, return_exceptions=True)
        if self.conn is not None:
            try:
                await self.conn.close()
            except Exception:
                pass
        if self.client is not None:
            await self.client.close()
        if self.io is not None and self.counts:
            self.io.log("server_events", counts=dict(sorted(self.counts.items())))
