"""`SessionTrace`: a session's records joined into what every reader needs.

The one place that reads session records. It pairs each interjection with the `response` record
that completes it (`Reply`: the full text and every tool call once the response is done), collects
the speech the harness's VAD found, the polls, the agent's transcripts, the voiced segments heard in
the agent's audio (`voice`, with `agent_audio` naming its wav) and the session's start and end. It is built incrementally (`add`, for the live views fed record by record) or at once
(`from_records`, `read`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..agents.base import TranscriptEvent
from ..corpus.sample import ToolCall
from .records import (AgentAudioRecord, AgentRecord, ErrorRecord, InterjectionRecord, PollRecord, ResponseRecord,
                      SessionEnd, SessionRecord, SessionStart, VadRecord, VoiceRecord, read_records)


@dataclass
class Reply:
    """One interjection joined with its response: `done` once the `response` record arrived."""

    interjection: InterjectionRecord
    response: ResponseRecord | None = None

    @property
    def t(self) -> float:
        """When the agent interjected (stream seconds): the first output of the response."""
        return float(self.interjection.t or 0.0)

    @property
    def response_id(self) -> str | None:
        return self.interjection.response_id

    @property
    def scored(self) -> bool:
        return self.interjection.scored

    @property
    def done(self) -> bool:
        return self.response is not None

    @property
    def text(self) -> str:
        """The full text once the response is done, else the text at the interjection."""
        if self.response is not None and self.response.text:
            return self.response.text
        return self.interjection.text or ""

    @property
    def tool_calls(self) -> list[ToolCall]:
        if self.response is not None and self.response.tool_calls:
            return self.response.tool_calls
        return self.interjection.tool_calls


@dataclass
class Transcript:
    t: float | None
    event: TranscriptEvent


@dataclass
class SessionTrace:
    """The records of one session, joined (see the module docstring)."""

    start: SessionStart | None = None
    end: SessionEnd | None = None
    speech: list[tuple[float, float]] = field(default_factory=list)  # VAD speech (start, end), audio seconds
    open_speech_s: float | None = None  # speech that started and has not ended
    last_speech_end_s: float | None = None
    polls: list[PollRecord] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    voice: list[VoiceRecord] = field(default_factory=list)  # voiced segments of the agent's audio
    agent_audio: AgentAudioRecord | None = None
    last_t: float = 0.0  # the latest stream time of any record
    _open: dict[str, Reply] = field(default_factory=dict, repr=False)  # replies by response id

    @classmethod
    def from_records(cls, records: Iterable[SessionRecord]) -> "SessionTrace":
        trace = cls()
        for record in records:
            trace.add(record)
        return trace

    @classmethod
    def read(cls, path: str | Path) -> "SessionTrace":
        return cls.from_records(read_records(path))

    def add(self, record: SessionRecord) -> Reply | None:
        """Take one record; returns the reply it starts or completes, if any."""
        if isinstance(record.t, (int, float)):
            self.last_t = max(self.last_t, float(record.t))
        if isinstance(record, SessionStart):
            self.start = record
        elif isinstance(record, VadRecord):
            if record.event == "speech_start":
                self.open_speech_s = record.at_s
            else:
                self.last_speech_end_s = record.at_s
                if self.open_speech_s is not None:
                    self.speech.append((self.open_speech_s, record.at_s))
                    self.open_speech_s = None
        elif isinstance(record, PollRecord):
            self.polls.append(record)
        elif isinstance(record, AgentRecord):
            if isinstance(record.event, TranscriptEvent):
                self.transcripts.append(Transcript(record.t, record.event))
        elif isinstance(record, InterjectionRecord):
            reply = Reply(record)
            self.replies.append(reply)
            self._open[self._key(record.response_id)] = reply
            return reply
        elif isinstance(record, ResponseRecord):
            reply = self._open.pop(self._key(record.response_id), None)
            if reply is not None:
                reply.response = record
            return reply
        elif isinstance(record, VoiceRecord):
            self.voice.append(record)
        elif isinstance(record, AgentAudioRecord):
            self.agent_audio = record
        elif isinstance(record, ErrorRecord):
            self.errors.append(record)
        elif isinstance(record, SessionEnd):
            self.end = record
        return None

    def _key(self, response_id: str | None) -> str:
        # every interjection the engine logs has a response id; an old or hand-made one may not
        return response_id if response_id is not None else f"#{len(self.replies)}"

    @property
    def unfinished(self) -> list[Reply]:
        """Replies whose response never finished (the session ended first)."""
        return [r for r in self.replies if not r.done]

    @property
    def end_s(self) -> float:
        """The stream time the session ended at (0 when it has no end record)."""
        return float(self.end.t or 0.0) if self.end is not None else 0.0
