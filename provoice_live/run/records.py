"""The session log's records: one pydantic union, written and read only through it.

A session log (`RUN/sessions/<id>.jsonl`) is one JSON object per line. Every record has `kind`
(which record it is), `t` (stream seconds when it happened; None when there is no stream time) and
`wall` (Unix seconds when it was written). The kinds, in the order a session writes them:

    session_start   what ran: the agent, the clock, the source, what the agent was told
    vad             the harness's VAD found speech start or end (`event`), `at_s` into the audio
    poll            the engine asked the agent "speak now?" (`poll_id`, `reason`, `speech_end_s`)
    poll_deferred   a poll asked for while one was running, coalesced into one pending poll
    context_update  the digital context changed (`patch`, a JSON merge patch) and was given to the agent
    agent           an agent event (`event`: the `AgentEvent` union, with its `response_id`)
    interjection    the first output of a response: when, what, and the latency parts
    voice           a voiced segment heard in the agent's audio (`engine/voice.py`): where it starts
                    (`t`) and ends, its verdict (reply, backchannel, blip) and its words
    response        a response that interjected has finished: its full text and tool calls
    compute         agent time under the lockstep clock (never counted as latency)
    audio           a summary of the chunks handed to the agent
    agent_audio     a summary of the agent's voice (pieces, seconds, rate) and the wav that keeps it
    error           why the session failed, or a fault while closing it
    session_end     status ("ok" or "error"), reason, wall time, counts

`EventLog` appends records; `read_records` reads them back (a torn last line, from a crash
mid-write, is skipped). Readers never look at the raw JSON: `SessionTrace` (`run/trace.py`) joins
the records of a session into what the views need.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_serializer

from ..agents.base import AgentEvent
from ..corpus.sample import ToolCall
from ..errors import ProvoiceError
from ..jsontext import dumps
from ..redact import scrub_value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    t: float | None = None
    wall: float | None = None


class SessionStart(_Record):
    kind: Literal["session_start"] = "session_start"
    session_id: str = ""
    agent: str = ""
    clock: str | None = None
    source: dict[str, Any] | None = None  # rate, duration_s, live
    capabilities: dict[str, Any] | None = None
    protocol: str | None = None
    task_given: str | None = None  # the task as told to the agent (paper protocol only)
    instruction_given: bool | None = None
    digital_context_given: bool | None = None
    tools: list[str] | None = None
    monitor_from_s: float | None = None
    cue: dict[str, Any] | None = None  # a CueWindow
    chunk_ms: float | None = None
    # benchmark sessions only: the sample's audio, task and label (for the report)
    audio: dict[str, Any] | None = None  # path, rate, duration_s
    task: str | None = None
    label: bool | None = None


class VadRecord(_Record):
    kind: Literal["vad"] = "vad"
    event: Literal["speech_start", "speech_end"]
    at_s: float


class PollRecord(_Record):
    kind: Literal["poll"] = "poll"
    poll_id: int = 0
    reason: str = ""
    speech_end_s: float | None = None


class PollDeferredRecord(_Record):
    kind: Literal["poll_deferred"] = "poll_deferred"
    reason: str = ""


class ContextUpdateRecord(_Record):
    kind: Literal["context_update"] = "context_update"
    at_s: float = 0.0  # when the manifest says it happens
    patch: dict[str, Any] = Field(default_factory=dict)


class AgentRecord(_Record):
    kind: Literal["agent"] = "agent"
    event: AgentEvent

    @field_serializer("event")
    def _event_json(self, event: BaseModel) -> dict[str, Any]:
        return event.model_dump(mode="json", exclude_none=True)


class InterjectionRecord(_Record):
    kind: Literal["interjection"] = "interjection"
    response_id: str | None = None
    scored: bool = True
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    kind_of_output: str | None = None  # text | audio | tool_call
    parts: dict[str, float | None] | None = None  # speech_end_s, endpoint_detected_s, request_sent_s, first_output_s (null: not finite)


class ResponseRecord(_Record):
    kind: Literal["response"] = "response"
    response_id: str | None = None
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)


class ComputeRecord(_Record):
    kind: Literal["compute"] = "compute"
    what: str
    poll_id: int | None = None
    seconds: float


class AudioRecord(_Record):
    kind: Literal["audio"] = "audio"
    chunks: int
    seconds: float
    rate: int


class VoiceRecord(_Record):
    """A voiced segment of the agent's audio; `t` is its onset (stream seconds)."""

    kind: Literal["voice"] = "voice"
    end_s: float
    verdict: Literal["reply", "backchannel", "blip"]
    response_id: str | None = None
    words: str | None = None
    words_from: Literal["agent", "asr"] | None = None


class AgentAudioRecord(_Record):
    kind: Literal["agent_audio"] = "agent_audio"
    pieces: int
    seconds: float  # audio received
    rate: int
    track_s: float  # the agent's track, from the session's start to its last sample
    wav: str | None = None  # the file beside the log that keeps it


class ErrorRecord(_Record):
    kind: Literal["error"] = "error"
    message: str | None = ""


class SessionEnd(_Record):
    kind: Literal["session_end"] = "session_end"
    status: Literal["ok", "error"] = "ok"
    reason: str | None = None
    wall_s: float | None = None
    interjections: int = 0
    agent_errors: int = 0


SessionRecord = Annotated[
    Union[SessionStart, VadRecord, PollRecord, PollDeferredRecord, ContextUpdateRecord, AgentRecord, InterjectionRecord,
          ResponseRecord, VoiceRecord, ComputeRecord, AudioRecord, AgentAudioRecord, ErrorRecord, SessionEnd],
    Field(discriminator="kind"),
]
_RECORD = TypeAdapter(SessionRecord)

RecordSink = Callable[[SessionRecord], None]
"""Where the session core hands each record (the log writer, then the live views)."""


def parse_record(data: dict[str, Any] | str) -> SessionRecord:
    """One record from its JSON object (or text); raises pydantic's ValidationError."""
    return _RECORD.validate_json(data) if isinstance(data, str) else _RECORD.validate_python(data)


def record_data(record: SessionRecord) -> dict[str, Any]:
    """A record as its log line's JSON object: `kind`, `t`, `wall`, then the fields that were set."""
    head = {"kind": record.kind, "t": record.t, "wall": record.wall}
    return {**head, **record.model_dump(mode="json", exclude_unset=True, exclude={"kind", "t", "wall"})}


class EventLog:
    """Append-only JSONL writer of session records, each line flushed as it is written.

    `write` stamps `wall` (Unix seconds), rounds `t` to the microsecond, and scrubs secrets (an
    error text may quote a key a server echoed): it returns the record as written.
    """

    def __init__(self, path: Path, wall: Callable[[], float] = time.time):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w", encoding="utf-8")
        self._wall = wall

    def write(self, record: SessionRecord) -> SessionRecord:
        if record.t is not None:
            record.t = round(record.t, 6)
        record.wall = round(self._wall(), 6)
        data = record_data(record)
        clean = scrub_value(data)
        if clean != data:
            record = parse_record(clean)
        self._fh.write(dumps(clean, ensure_ascii=False) + "\n")
        self._fh.flush()
        return record

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()


def read_records(path: str | Path) -> list[SessionRecord]:
    """A session log's records. A torn last line (a crash mid-write) is skipped; a record that is
    not one of the kinds above is an error naming the file and line."""
    records: list[SessionRecord] = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            try:
                records.append(parse_record(data))
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"])
                raise ProvoiceError(f"{path}, line {lineno}: not a session record ({where}: {err['msg']})") from None
    return records
