"""The agent adapter interface: one small typed contract for every agent.

An adapter declares its `Capabilities`, is started with a `SessionContext` (what the agent may know)
and a `SessionIO` (how it talks back to the engine), receives `AudioChunk`s, may be asked to
`respond` at an endpoint, and emits `AgentEvent`s: one pydantic union discriminated on `type`.

Contract with the engine (the httpx-transport idea: small, and the scripted agent is the mock):

* `push_audio` must return quickly. Heavy work (speech recognition, a network round trip) runs in
  background tasks, and `drain()` waits for it. The lockstep clock awaits `drain()` after every
  chunk, so the stream does not advance while the agent is busy; the other clocks never call it.
* `respond(poll)` is called only when `capabilities.needs_poll` (read after `start`, which may
  narrow them) and `takes_poll(reason)`; it returns when that decision is finished (a response done, a silence decision or an error). Under the real-time clocks the engine
  runs it as a task and keeps streaming; under lockstep it awaits it.
* Events are stamped by the engine when `io.emit` is called: the stream time then is the
  interjection time. An adapter that knows when an event's bytes reached the machine (the kernel's
  receive stamp, `agents/arrival.py`) passes that `Arrival` to `io.emit`; under a wall clock the
  engine stamps the event there, with the arrival's own uncertainty, so a loop busy with other
  sessions adds nothing to the latency (lockstep and virtual clocks ignore arrivals). The first text, audio or tool call of a response is its interjection. An
  adapter that held output back while it decided whether it was output at all (audio until its
  transcript shows it is not the silence token, a tool call until its arguments are complete) sets
  `began_s`, the stream time its first sign arrived; the engine stamps the interjection there
  (never later than the emit).
* `update_context(update)` is called when the digital context changes mid-stream (the manifest's
  `context_updates`), before the first chunk at or after its `at_s`, under every clock. The default
  puts the new state in `self.ctx.digital_context`, which every decision built from `self.ctx`
  then sees; adapters with a remote session also tell it (a `context.update` message, a session
  update). It must return quickly, like `push_audio`.
* Never raise for the agent's own misbehaviour inside a session without a reason: emit an
  `ErrorEvent(fatal=True)` or raise `AgentError`; either ends the session as an error.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from ..corpus.sample import Sample, ToolCall, ToolSchema

if TYPE_CHECKING:  # pragma: no cover
    from ..audio import AudioChunk

PromptProtocol = Literal["paper", "blind"]
"""What the agent is told: the task's decision rules (`paper`, as the official code) or one prompt for all (`blind`)."""


class Capabilities(BaseModel):
    """What an adapter needs from the engine."""

    model_config = ConfigDict(frozen=True)
    input_sample_rate: int = 16000
    has_own_vad: bool = False  # the agent finds turns itself (e.g. a realtime server's VAD)
    needs_poll: bool = False  # the engine must ask "speak now?" at endpoints (see PollPolicy)
    gives_transcripts: bool = False


class SessionContext(BaseModel):
    """What the agent may know about the session, and nothing more.

    Built only by `SessionContext.for_sample`, which never copies the label, the cue, the semantic
    cue, the ground truth or the segments. `task` is set only under the `paper` protocol.
    """

    model_config = ConfigDict(frozen=True)
    session_id: str
    protocol: PromptProtocol = "blind"
    task: str | None = None
    instruction: str | None = None
    digital_context: dict[str, Any] | None = None
    tools: list[ToolSchema] = Field(default_factory=list)
    audio_duration_s: float | None = None  # known for files, None for live sources

    @classmethod
    def for_sample(cls, sample: Sample, protocol: PromptProtocol = "blind", digital_context: bool = True,
                   pass_instruction: bool = True, audio_duration_s: float | None = None) -> "SessionContext":
        return cls(
            session_id=sample.id,
            protocol=protocol,
            task=sample.task if protocol == "paper" else None,
            instruction=sample.instruction if pass_instruction else None,
            digital_context=sample.digital_context if digital_context else None,
            tools=list(sample.tools),
            audio_duration_s=audio_duration_s,
        )


class ContextChange(BaseModel):
    """The digital context changed at stream time `at_s`: the merge patch and the state after it."""

    model_config = ConfigDict(frozen=True)
    at_s: float
    patch: dict[str, Any]
    digital_context: dict[str, Any] | None


class PollRequest(BaseModel):
    """The engine asks the agent whether to speak now."""

    model_config = ConfigDict(frozen=True)
    reason: Literal["endpoint", "interval", "end_of_stream", "manual"]
    stream_s: float  # stream time when the poll is made
    speech_end_s: float | None = None  # where the speech that ended stopped (VAD), for endpoints
    poll_id: int = 0


@dataclass(frozen=True)
class Arrival:
    """When an agent event's bytes reached this machine.

    `wall`: a `time.perf_counter()` reading; the bytes arrived at it or at most `uncertainty`
    seconds before it (an upper bound on how late `wall` is; never negative)."""

    wall: float
    uncertainty: float


# ---- events -------------------------------------------------------------------------------------

class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    response_id: str | None = None
    began_s: float | None = None  # stream time the output's first sign arrived, when held back (see above)


class TextEvent(_Event):
    """A piece (delta) of the agent's reply. `spoken`: the transcript of audio the agent sends (its
    words, judged, but never an interjection by itself: the interjection is heard in the audio)."""

    type: Literal["text"] = "text"
    text: str
    spoken: bool | None = None


class AudioEvent(_Event):
    """A piece of the agent's voice: PCM16 mono at `sample_rate` (`engine/voice.py` listens to it).

    `start_sample`: its position in the agent's own output stream, when the agent gives one (a jump
    forward is silence left on purpose); `arrived_s`: the stream time it arrived, when the adapter
    emits it later than that (audio held back). The bytes never go to the log. An `AudioEvent`
    without bytes (an adapter that only reports durations) is an interjection by itself.
    """

    type: Literal["audio"] = "audio"
    sample_rate: int = 24000
    duration_s: float
    pcm: bytes = Field(default=b"", exclude=True, repr=False)
    transcript: str | None = None
    start_sample: int | None = None
    arrived_s: float | None = None


class ToolCallEvent(_Event):
    type: Literal["tool_call"] = "tool_call"
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str | None = None

    def call(self) -> ToolCall:
        return ToolCall(name=self.name, arguments=self.arguments)


class ResponseDone(_Event):
    """A response ended. `text` is its full text when the agent gives it."""

    type: Literal["response_done"] = "response_done"
    text: str | None = None
    usage: dict[str, Any] | None = None


class SilenceDecision(_Event):
    """The agent decided not to speak. Not an interjection."""

    type: Literal["silence"] = "silence"
    reason: str | None = None


class ErrorEvent(_Event):
    """Something went wrong. `fatal` ends the session as an error."""

    type: Literal["error"] = "error"
    message: str
    fatal: bool = True


class TranscriptEvent(_Event):
    """What the agent heard (for the live views and the log); not an interjection."""

    type: Literal["transcript"] = "transcript"
    text: str
    start_s: float | None = None
    end_s: float | None = None


class InfoEvent(_Event):
    """Anything worth keeping in the log: raw replies, reasoning, server VAD positions, usage."""

    type: Literal["info"] = "info"
    kind: str
    data: dict[str, Any] = Field(default_factory=dict)


AgentEvent = Annotated[
    Union[TextEvent, AudioEvent, ToolCallEvent, ResponseDone, SilenceDecision, ErrorEvent, TranscriptEvent, InfoEvent],
    Field(discriminator="type"),
]
OUTPUT_TYPES = frozenset({"text", "audio", "tool_call"})  # the events that make an interjection


def is_output(event: AgentEvent) -> bool:
    """True for the events whose first occurrence in a response is an interjection."""
    if getattr(event, "type", None) not in OUTPUT_TYPES:
        return False
    if isinstance(event, TextEvent):
        return bool(event.text.strip()) and not event.spoken
    if isinstance(event, AudioEvent):
        return not event.pcm  # audio with its bytes is listened to (engine/voice.py)
    return True


# ---- the adapter --------------------------------------------------------------------------------

class SessionIO(abc.ABC):
    """What the engine gives an adapter: a way to emit events, the stream time, and a sleep."""

    @abc.abstractmethod
    def emit(self, event: AgentEvent, arrival: Arrival | None = None) -> None:
        """Hand an event to the engine; it is stamped with the stream time now, or, under a wall
        clock, with the stream time of its `arrival` when the adapter knows it."""

    @abc.abstractmethod
    def stream_time(self) -> float:
        """Seconds of the stream that have happened so far."""

    @abc.abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Wait in stream time (real, scaled or virtual; a no-op under lockstep)."""

    def log(self, kind: str, **data: Any) -> None:
        """Write an adapter record to the session log (requests sent, raw replies...)."""
        self.emit(InfoEvent(kind=kind, data=data))


class AgentAdapter(abc.ABC):
    """Base class of every agent: one instance is one session (LiveKit's RealtimeSession).

    Subclasses set `name`, and either a fixed `capabilities` or `capabilities_for(opts)` when the
    options decide them. Three class-level hooks describe the configured agent without opening a
    session (`AgentModel` calls them once per run): `parse_options` validates the options (a bad
    one fails before anything is written), `capabilities_for` and `settings_for` read the result.
    """

    name: ClassVar[str] = "agent"
    capabilities: Capabilities = Capabilities()

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.opts = self.parse_options(options)
        self.capabilities = self.capabilities_for(self.opts)
        self.ctx: SessionContext | None = None
        self.io: SessionIO | None = None

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> Any:
        """The validated options (`--agent-opt key=value` strings); raise `ProvoiceError` for a bad one."""
        return dict(options)

    @classmethod
    def capabilities_for(cls, opts: Any) -> Capabilities:
        """What an agent with these options needs from the engine (by default the class's)."""
        return cls.capabilities

    @classmethod
    def settings_for(cls, opts: Any, capabilities: Capabilities) -> dict[str, Any]:
        """What an agent with these options runs with, for the run's config (never secrets)."""
        options = opts.model_dump() if isinstance(opts, BaseModel) else dict(opts)
        return {"name": cls.name, "capabilities": capabilities.model_dump(), "options": options}

    def settings(self) -> dict[str, Any]:
        """This session's settings (the same as its model's)."""
        return self.settings_for(self.opts, self.capabilities)

    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        """Open the session (connect, send the context). Called once, before any audio."""
        self.ctx, self.io = ctx, io

    @abc.abstractmethod
    async def push_audio(self, chunk: "AudioChunk") -> None:
        """Receive the next chunk at `capabilities.input_sample_rate`. Must return quickly."""

    def takes_poll(self, reason: str) -> bool:
        """Whether `respond` would put a poll of this `reason` to the agent now. The engine opens (logs,
        counts, times) only the polls an adapter takes; by default every poll of an agent that needs them."""
        return self.capabilities.needs_poll

    async def update_context(self, change: ContextChange) -> None:
        """The digital context changed (see the module docstring): by default `self.ctx` carries it."""
        self.ctx = self.ctx.model_copy(update={"digital_context": change.digital_context})

    async def respond(self, poll: PollRequest) -> None:
        """Decide whether to speak now (only called when `capabilities.needs_poll` and `takes_poll`)."""

    async def drain(self) -> None:
        """Wait until the work caused by the audio pushed so far is done (lockstep only)."""

    async def end_of_stream(self) -> None:
        """No more audio will come; finish pending work (emit what is left)."""

    async def close(self) -> None:
        """Release connections. Called once, also after errors."""


class AgentModel:
    """A configured agent: what the registry gives (LiveKit's RealtimeModel beside its sessions).

    Made once per run from an adapter class and the options: `capabilities` and `settings()` are
    known without opening anything, and `session()` makes a fresh `AgentAdapter` for one sample.
    """

    def __init__(self, adapter_class: type[AgentAdapter], options: dict[str, Any]):
        self.adapter_class = adapter_class
        self.name = adapter_class.name
        self.options = dict(options)
        self.opts = adapter_class.parse_options(self.options)
        self.capabilities = adapter_class.capabilities_for(self.opts)

    def settings(self) -> dict[str, Any]:
        """What the agent runs with, for the run's config (never secrets)."""
        return self.adapter_class.settings_for(self.opts, self.capabilities)

    def session(self) -> AgentAdapter:
        """A new adapter for one session."""
        return self.adapter_class(**self.options)
