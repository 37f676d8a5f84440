"""What a live view shows, derived from the session's log records as they are written.

The terminal view (`live/mic.py`) and the browser page (`live/server.py` -> `web/app.js`) show the
same things, so both go through `LiveFeed`: it turns the engine's log records (`on_record`, typed
`SessionRecord`s, joined by a `SessionTrace`) into a small stream of view events, plain JSON-able
dicts with a `type`:

    {"type": "speech", "state": "start"|"end", "t": stream s, "at_s": audio s}
    {"type": "transcript", "t", "text", "start_s", "end_s"}
    {"type": "interjection", "t", "text", "tool_calls": [...], "latency_s": float|None, "response_id"}
    {"type": "response", "t", "text", "tool_calls", "response_id"}   the full reply once it is done
    {"type": "error", "t", "message"}
    {"type": "end", "t", "status", "reason", "interjections"}

An interjection's latency is measured from the end of the user's last speech: the engine's
`parts.speech_end_s` when it has one, else the last VAD speech end at or before the interjection.
Everything else in the log (polls, info, compute, audio summaries) is not shown.
"""

from __future__ import annotations

from typing import Any

from ..agents.base import TranscriptEvent
from ..run.records import AgentRecord, ErrorRecord, InterjectionRecord, ResponseRecord, SessionEnd, SessionRecord, VadRecord
from ..run.trace import SessionTrace


class LiveFeed:
    """A pure projection of log records to view events, over the session's `SessionTrace`."""

    def __init__(self) -> None:
        self.trace = SessionTrace()

    @property
    def in_speech(self) -> bool:
        return self.trace.open_speech_s is not None

    @property
    def last_speech_end_s(self) -> float | None:
        return self.trace.last_speech_end_s

    def __call__(self, record: SessionRecord) -> dict[str, Any] | None:
        self.trace.add(record)
        r = record
        if isinstance(r, VadRecord):
            state = "start" if r.event == "speech_start" else "end"
            return {"type": "speech", "state": state, "t": r.t, "at_s": r.at_s}
        if isinstance(r, AgentRecord):
            if isinstance(r.event, TranscriptEvent) and r.event.text.strip():
                return {"type": "transcript", "t": r.t, "text": r.event.text.strip(),
                        "start_s": r.event.start_s, "end_s": r.event.end_s}
            return None
        if isinstance(r, InterjectionRecord):
            t = r.t
            speech_end = (r.parts or {}).get("speech_end_s", self.trace.last_speech_end_s)
            latency = round(t - speech_end, 3) if t is not None and speech_end is not None and t >= speech_end else None
            return {"type": "interjection", "t": r.t, "text": r.text,
                    "tool_calls": [c.model_dump() for c in r.tool_calls],
                    "latency_s": latency, "response_id": r.response_id, "scored": r.scored}
        if isinstance(r, ResponseRecord):
            return {"type": "response", "t": r.t, "text": r.text,
                    "tool_calls": [c.model_dump() for c in r.tool_calls], "response_id": r.response_id}
        if isinstance(r, ErrorRecord):
            return {"type": "error", "t": r.t, "message": r.message or ""}
        if isinstance(r, SessionEnd):
            return {"type": "end", "t": r.t, "status": r.status, "reason": r.reason,
                    "interjections": r.interjections}
        return None
