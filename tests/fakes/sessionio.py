"""A SessionIO for unit tests of adapters, and a driver that plays the engine's part.

`FakeIO` feeds every emitted event to the engine's real `SessionCore` (response ids, interjection
stamping) at a virtual stream time `t` set by the driver, and keeps the events for the tests' views.
`drive()` pushes audio in chunks like the lockstep engine (drain after each chunk, polls opened by
the core and awaited at given stream positions), then ends the stream (closing what the agent was
saying, with `recognise` giving words the agent did not send) and closes the adapter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from provoice_live.agents.base import (AgentAdapter, ErrorEvent, InfoEvent, SessionContext, SessionIO,
                                       SilenceDecision)
from provoice_live.audio import iter_chunks, to_pcm16
from provoice_live.engine.core import SessionCore
from provoice_live.engine.voice import recognise_words
from provoice_live.run.records import AgentRecord, InterjectionRecord, SessionRecord


class FakeIO(SessionIO):
    def __init__(self, recognise=recognise_words) -> None:
        self.t = 0.0
        self.recognise = recognise  # words for the agent's voice when it sent none
        self.events: list[tuple[float, Any]] = []
        self.records: list[SessionRecord] = []
        self.core = SessionCore("s1", lambda: self.t, self.records.append, lockstep=True)

    def emit(self, event, arrival=None) -> None:
        self.events.append((self.t, event))
        self.core.agent_event(event, arrival)

    def stream_time(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds

    def settle_voice(self) -> None:
        """The stream is over: close what the agent was saying and give the core its words."""
        self.core.voice_flush()
        for seg in self.core.take_word_requests():
            self.core.voice_words(seg, self.recognise(*self.core.voice.segment_samples(seg)))

    # -- views -----------------------------------------------------------------------------------
    def of(self, etype: str) -> list[Any]:
        return [e for _, e in self.events if getattr(e, "type", None) == etype]

    def infos(self, kind: str) -> list[dict]:
        return [e.data for _, e in self.events if isinstance(e, InfoEvent) and e.kind == kind]

    def interjections(self) -> list[tuple[float, str | None, Any]]:
        """(stream time, response id, first output event) per interjection the core stamped."""
        found, last = [], None
        for record in self.records:
            if isinstance(record, AgentRecord):
                last = record.event
            elif isinstance(record, InterjectionRecord):
                found.append((record.t, record.response_id, last))
        return found

    def silences(self) -> list[tuple[float, Any]]:
        return [(t, e) for t, e in self.events if isinstance(e, SilenceDecision)]

    def errors(self, fatal: bool | None = None) -> list[ErrorEvent]:
        return [e for _, e in self.events if isinstance(e, ErrorEvent) and (fatal is None or e.fatal == fatal)]


def context(**kw) -> SessionContext:
    base = dict(session_id="s1", protocol="blind", instruction=None, digital_context={"Calendar": {"events": []}},
                tools=[{"type": "function", "name": "set_reminder", "description": "Set a reminder",
                        "parameters": {"type": "object", "properties": {"what": {"type": "string"}}}}])
    base.update(kw)
    return SessionContext(**base)


async def drive(adapter: AgentAdapter, x: np.ndarray, rate: int, polls: list[float] = (), *, ctx=None,
                io: FakeIO | None = None, chunk_ms: float = 20.0, close: bool = True) -> FakeIO:
    """Play `x` through `adapter` in lockstep; poll at the chunk boundaries nearest to `polls`."""
    io = io or FakeIO()
    await adapter.start(ctx or context(), io)
    pending = sorted(polls)
    try:
        for chunk in iter_chunks(to_pcm16(x), rate, chunk_ms):
            io.t = chunk.end_s
            io.core.chunk_delivered(chunk.end_s)
            await adapter.push_audio(chunk)
            await adapter.drain()
            while pending and chunk.end_s + 1e-9 >= pending[0]:
                pending.pop(0)
                req = io.core.request_poll("endpoint", speech_end_s=io.t)
                await adapter.respond(req)
                io.core.poll_finished(req)
        await adapter.end_of_stream()
        await adapter.drain()
        io.settle_voice()
    finally:
        if close:
            await adapter.close()
    return io
