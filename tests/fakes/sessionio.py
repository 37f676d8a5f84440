"""A tiny SessionIO for unit tests of adapters, and a driver that plays the engine's part.

`FakeIO` records every emitted event with the stream time it was emitted at (set by the driver).
`drive()` pushes audio in chunks like the lockstep engine (drain after each chunk, polls awaited
at given stream positions), then ends the stream and closes the adapter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from provoice_live.agents.base import (AgentAdapter, ErrorEvent, InfoEvent, PollRequest, SessionContext, SessionIO,
                                       SilenceDecision, is_output)
from provoice_live.audio import iter_chunks, to_pcm16


class FakeIO(SessionIO):
    def __init__(self) -> None:
        self.t = 0.0
        self.events: list[tuple[float, Any]] = []

    def emit(self, event) -> None:
        self.events.append((self.t, event))

    def stream_time(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds

    # -- views -----------------------------------------------------------------------------------
    def of(self, etype: str) -> list[Any]:
        return [e for _, e in self.events if getattr(e, "type", None) == etype]

    def infos(self, kind: str) -> list[dict]:
        return [e.data for _, e in self.events if isinstance(e, InfoEvent) and e.kind == kind]

    def interjections(self) -> list[tuple[float, str | None, Any]]:
        """(stream time, response id, first output event) per response, like the engine records
        (at the output's `began_s` when it was held back)."""
        seen: dict[str | None, tuple[float, str | None, Any]] = {}
        for t, e in self.events:
            if is_output(e) and e.response_id not in seen:
                began = getattr(e, "began_s", None)
                seen[e.response_id] = (t if began is None else min(t, began), e.response_id, e)
        return sorted(seen.values(), key=lambda x: x[0])

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
    n = 0
    try:
        for chunk in iter_chunks(to_pcm16(x), rate, chunk_ms):
            io.t = chunk.end_s
            await adapter.push_audio(chunk)
            await adapter.drain()
            while pending and chunk.end_s + 1e-9 >= pending[0]:
                pending.pop(0)
                n += 1
                await adapter.respond(PollRequest(reason="endpoint", stream_s=io.t, speech_end_s=io.t, poll_id=n))
        await adapter.end_of_stream()
        await adapter.drain()
    finally:
        if close:
            await adapter.close()
    return io
