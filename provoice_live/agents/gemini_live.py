"""`--agent gemini-live`: the Gemini Live API through the `google-genai` SDK (`client.aio.live.connect`).

The session streams PCM16 at 16 kHz (`send_realtime_input(audio=...)`) over the SDK's WebSocket, in
the same proactive mode as `openai-realtime`: the model never just answers a turn, it decides
whether to speak. The system instruction carries the decision rules, the user's instruction and the
digital context (prompts.py), and the tools are function declarations, with `no_action`.

* `turns=engine` (default): the server's activity detection is off
  (`automatic_activity_detection.disabled`); the adapter opens a user turn (`activity_start`), and at
  each poll of our engine (our VAD's endpoints) closes it (`activity_end`): the model then answers
  that turn, by speaking, calling a tool, or `<silent>`/`no_action` (a `SilenceDecision`). The next
  turn opens at once, so every decision hears everything.
* `turns=server`: the server's activity detection finds the turns, with proactive audio on
  (`proactivity.proactive_audio`: the model may let a turn pass without answering); a model turn
  that comes is a response of its own (no engine polls).

`output=audio` (default; the native-audio models speak): the audio (24 kHz PCM in `inline_data`
parts) is held until its transcript (`output_audio_transcription`) shows it is not the silence
token, then handed to the engine's listener (`engine/voice.py`) with the stream time each part
arrived: the interjection is the onset of the first voiced segment heard, and the transcript is its
words. `output=text` streams text parts (the first real word is the interjection). A tool call is
stamped when it arrives and answered with `{"result": "ok"}` so the model can go on. A mid-stream
change of the digital context goes in as user content that is not a turn (`update_context`).

The API key comes from the environment: `api_key_env` (default `GEMINI_API_KEY`, then
`GOOGLE_API_KEY`); it goes to the SDK only and is scrubbed from every text the harness writes.
`base_url` and `ca_file` point the SDK at another endpoint (a proxy, or the tests' fake).
Faults end the session as an error with the reason: a refused connection, an API error, a dropped
connection, a turn that takes longer than `timeout_s`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import PositiveFloat

from ..audio import AudioChunk
from ..errors import AgentError, ProvoiceError, require
from .base import AudioEvent, Capabilities, ContextChange, PollRequest, SessionContext, SessionIO, TranscriptEvent
from .common import AdapterOptions, Outbox, SessionFault, SpeakingAdapter, api_key
from .decision import OnParseError, ReplyAssembler
from .prompts import NO_ACTION_TOOL, ReplyFormat, api_tools, context_update_text, decision_prompt, system_prompt

RATE_IN = 16000  # Live API input: 16-bit PCM, 16 kHz, mono
RATE_OUT = 24000  # its audio output
DEFAULT_MODEL = "gemini-2.5-flash-native-audio-preview-09-2025"


class GeminiLiveOptions(AdapterOptions):
    model: str = DEFAULT_MODEL
    api_key_env: str | None = None  # None: GEMINI_API_KEY, then GOOGLE_API_KEY
    base_url: str | None = None
    api_version: str | None = None
    ca_file: str | None = None
    output: Literal["audio", "text"] = "audio"
    voice: str | None = None
    reply: ReplyFormat = "native"
    turns: Literal["engine", "server"] = "engine"
    timeout_s: PositiveFloat = 60.0
    on_parse_error: OnParseError = "silence"


@dataclass
class _Turn:
    """One model turn being received (a decision)."""

    poll_id: int | None
    asm: ReplyAssembler
    response_id: str
    sent_wall: float
    future: asyncio.Future | None = None
    audio: list[AudioEvent] = field(default_factory=list)


class GeminiLiveAgent(SpeakingAdapter):
    name = "gemini-live"
    Options = GeminiLiveOptions
    opts: GeminiLiveOptions

    @classmethod
    def capabilities_for(cls, opts: GeminiLiveOptions) -> Capabilities:
        return Capabilities(input_sample_rate=RATE_IN, has_own_vad=opts.turns == "server",
                            needs_poll=opts.turns == "engine")

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.client = None
        self._connect = None
        self.session = None
        self.outbox: Outbox | None = None
        self.fault = SessionFault()
        self._reader_task: asyncio.Task | None = None
        self._turn: _Turn | None = None
        self._lock = asyncio.Lock()
        self._n = 0
        self._context_waiting: Any = None  # a `LiveClientContent`-to-be held while a model turn is generated
        self.sent_samples = 0
        self.counts: dict[str, int] = {}

    # -- the session config ----------------------------------------------------------------------
    def connect_config(self):
        """The `LiveConnectConfig`: modality, instruction (with the digital context), tools, turns."""
        from google.genai import types

        o = self.opts
        instruction = system_prompt(self.ctx, o.reply) + "\n\n" + decision_prompt(o.reply)
        declarations = [types.FunctionDeclaration(name=t.name, description=t.description,
                                                  parameters_json_schema=t.parameters or None)
                        for t in api_tools(self.ctx, o.reply)]
        config: dict[str, Any] = {
            "response_modalities": [types.Modality.AUDIO if o.output == "audio" else types.Modality.TEXT],
            "system_instruction": types.Content(role="system", parts=[types.Part(text=instruction)]),
            "tools": [types.Tool(function_declarations=declarations)] if declarations else None,
            "realtime_input_config": types.RealtimeInputConfig(
                automatic_activity_detection=types.AutomaticActivityDetection(disabled=o.turns == "engine")),
        }
        if o.output == "audio":
            config["output_audio_transcription"] = types.AudioTranscriptionConfig()
            if o.voice:
                config["speech_config"] = types.SpeechConfig(voice_config=types.VoiceConfig(
                    prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=o.voice)))
        if o.turns == "server":
            config["proactivity"] = types.ProactivityConfig(proactive_audio=True)
        return types.LiveConnectConfig(**{k: v for k, v in config.items() if v is not None})

    # -- start -----------------------------------------------------------------------------------
    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        genai = require("google.genai", "gemini", "the gemini-live agent")
        from google.genai import types

        o = self.opts
        key = self._key()
        http: dict[str, Any] = {}
        if o.base_url:
            http["base_url"] = o.base_url
        if o.api_version:
            http["api_version"] = o.api_version
        if o.ca_file:
            import ssl

            http["async_client_args"] = {"ssl": ssl.create_default_context(cafile=o.ca_file)}
        self.client = genai.Client(api_key=key, http_options=types.HttpOptions(**http) if http else None)
        io.log("agent_settings", **self.settings()["options"])
        config = self.connect_config()
        io.log("request", what="connect", model=o.model, turns=o.turns, output=o.output,
               tools=[f.name for t in (config.tools or []) for f in t.function_declarations or []],
               instruction_chars=len(config.system_instruction.parts[0].text))
        self._connect = self.client.aio.live.connect(model=o.model, config=config)
        try:
            async with asyncio.timeout(o.timeout_s):
                self.session = await self._connect.__aenter__()
        except TimeoutError:
            raise AgentError(f"{self.name}: no connection within {o.timeout_s:g} s") from None
        except Exception as exc:  # the SDK's APIError, a refused handshake, a TLS failure
            raise AgentError(f"{self.name}: could not connect: {type(exc).__name__}: {exc}") from None
        self.outbox = Outbox(lambda send: send(), self._fail, "the Gemini Live server")
        self.outbox.start()
        self._reader_task = asyncio.create_task(self._reader())
        if o.turns == "engine":
            self._send(activity_start=types.ActivityStart())

    def _key(self) -> str:
        o = self.opts
        if o.api_key_env:
            return api_key(o.api_key_env, self.name, required=True)
        for env in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
            key = api_key(env, self.name, required=False)
            if key != "EMPTY":
                return key
        raise ProvoiceError(f"agent {self.name!r} needs an API key: set GEMINI_API_KEY (or GOOGLE_API_KEY, or name "
                            "another variable with api_key_env=NAME)")

    # -- sending ---------------------------------------------------------------------------------
    def _send(self, **realtime_input: Any) -> None:
        session = self.session
        self.outbox.put(lambda: session.send_realtime_input(**realtime_input))

    async def push_audio(self, chunk: AudioChunk) -> None:
        self.fault.check()
        from google.genai import types

        self.sent_samples += chunk.n_samples
        self._send(audio=types.Blob(data=bytes(chunk.pcm), mime_type=f"audio/pcm;rate={RATE_IN}"))

    async def drain(self) -> None:
        await self.fault.guard(self.outbox.join())
        self.fault.check()

    async def update_context(self, change: ContextChange) -> None:
        """The Live API fixes the system instruction at connect, so the new state goes into the
        conversation as user content with `turn_complete: false` (read, not answered). Client content
        interrupts a model turn being generated, so while one is, it waits for the turn's end; a later
        change replaces a waiting one (the text carries the whole state)."""
        from google.genai import types

        await super().update_context(change)
        self.fault.check()
        text = context_update_text(self.ctx, change.at_s)
        self.io.log("request", what="client_content (context)", at_s=change.at_s, chars=len(text),
                    held=self._turn is not None)
        self._context_waiting = types.Content(role="user", parts=[types.Part(text=text)])
        if self._turn is None:
            self._send_context()

    def _send_context(self) -> None:
        content, self._context_waiting = self._context_waiting, None
        if content is not None:
            session = self.session
            self.outbox.put(lambda: session.send_client_content(turns=content, turn_complete=False))

    # -- decisions -------------------------------------------------------------------------------
    async def respond(self, poll: PollRequest) -> None:
        """Close the user's turn: the model answers it (or stays silent); then open the next one."""
        from google.genai import types

        async with self._lock:
            self.fault.check()
            turn = self._open_turn(poll.poll_id)
            turn.future = asyncio.get_running_loop().create_future()
            self.io.log("request", what="activity_end", poll_id=poll.poll_id,
                        audio_s=round(self.sent_samples / RATE_IN, 6))
            self._send(activity_end=types.ActivityEnd())
            try:
                await self.fault.guard(asyncio.shield(turn.future), self.opts.timeout_s)
            except TimeoutError:
                self._fail(f"no turn_complete within {self.opts.timeout_s:g} s of activity_end (poll {poll.poll_id})")
            finally:
                self._turn = None
            self._send(activity_start=types.ActivityStart())
            self.fault.check()

    def _open_turn(self, poll_id: int | None) -> _Turn:
        self._n += 1
        rid = f"gemini-{self._n}"
        asm = ReplyAssembler(self.io, reply=self.opts.reply, response_id=rid, poll_id=poll_id,
                             on_parse_error=self.opts.on_parse_error, known_tools={t.name for t in self.ctx.tools},
                             on_spoke=self._flush_audio, spoken=self.opts.output == "audio")
        self._turn = _Turn(poll_id, asm, rid, time.perf_counter())
        return self._turn

    # -- receiving -------------------------------------------------------------------------------
    async def _reader(self) -> None:
        try:
            while True:
                async for message in self.session.receive():
                    self._handle(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the SDK raises APIError for closes and error payloads
            self._fail(f"gemini live connection failed: {type(exc).__name__}: {exc}")

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def _handle(self, message) -> None:
        if message.setup_complete is not None:
            self._count("setup_complete")
            return
        if message.usage_metadata is not None:
            self.io.log("usage", usage=message.usage_metadata.model_dump(mode="json", exclude_none=True))
        if message.go_away is not None:
            self.io.log("go_away", time_left=str(message.go_away.time_left))
        if message.tool_call is not None:
            self._count("tool_call")
            self._on_tool_call(message.tool_call)
        content = message.server_content
        if content is None:
            return
        self._count("server_content")
        if content.input_transcription is not None and content.input_transcription.text:
            self.io.emit(TranscriptEvent(text=content.input_transcription.text))
        turn = self._turn
        if turn is None and (content.model_turn is not None or content.output_transcription is not None):
            turn = self._open_turn(None)  # the model spoke on its own (turns=server)
        if turn is None:
            return
        if content.model_turn is not None:
            for part in content.model_turn.parts or []:
                if part.inline_data is not None and part.inline_data.data:
                    self._on_audio(turn, part.inline_data.data)
                elif part.text and not part.thought:
                    turn.asm.add_text(part.text)
        if content.output_transcription is not None and content.output_transcription.text:
            first = turn.audio[0].arrived_s if turn.audio else None
            turn.asm.add_text(content.output_transcription.text, began_s=first)
        if content.turn_complete:
            self._finish(turn, content)

    def _on_audio(self, turn: _Turn, pcm: bytes) -> None:
        audio = AudioEvent(sample_rate=RATE_OUT, duration_s=len(pcm) / 2 / RATE_OUT, pcm=pcm,
                           response_id=turn.response_id, arrived_s=self.io.stream_time())
        if turn.asm.spoke:
            self.io.emit(audio)
        else:
            turn.audio.append(audio)

    def _flush_audio(self) -> None:
        turn = self._turn
        if turn is not None:
            for audio in turn.audio:
                self.io.emit(audio)
            turn.audio.clear()

    def _on_tool_call(self, tool_call) -> None:
        from google.genai import types

        turn = self._turn or self._open_turn(None)
        responses = []
        for call in tool_call.function_calls or []:
            turn.asm.add_tool_call(call.name or "", json.dumps(call.args or {}), call.id,
                                   began_s=self.io.stream_time())
            if call.name != NO_ACTION_TOOL:
                responses.append(types.FunctionResponse(id=call.id, name=call.name, response={"result": "ok"}))
        if responses:
            session = self.session
            self.outbox.put(lambda: session.send_tool_response(function_responses=responses))

    def _finish(self, turn: _Turn, content) -> None:
        self.io.log("turn_complete", response_id=turn.response_id, poll_id=turn.poll_id,
                    wall_s=round(time.perf_counter() - turn.sent_wall, 6),
                    interrupted=bool(content.interrupted))
        try:
            turn.asm.finish()
        except AgentError as exc:  # on_parse_error=fatal
            self._fail(str(exc))
            return
        self._send_context()  # a context change held during the turn, before the next activity
        if turn.future is not None and not turn.future.done():
            turn.future.set_result(None)
        if self._turn is turn and turn.future is None:
            self._turn = None  # a turn of the model's own ends here

    # -- faults and the end ----------------------------------------------------------------------
    @property
    def failure(self) -> str | None:
        return self.fault.reason

    def _fail(self, reason: str) -> None:
        self.fault.report(self.io, reason)

    async def end_of_stream(self) -> None:
        await self.drain()

    async def close(self) -> None:
        self.fault.closing = True
        if self.outbox is not None:
            await self.outbox.close(timeout=0.5)
        if self._reader_task is not None:
            self._reader_task.cancel()
            await asyncio.gather(self._reader_task, return_exceptions=True)
        if self._connect is not None and self.session is not None:
            try:
                await asyncio.wait_for(self._connect.__aexit__(None, None, None), 2.0)
            except Exception:
                pass
        if self.io is not None and self.counts:
            self.io.log("server_messages", counts=dict(sorted(self.counts.items())))
