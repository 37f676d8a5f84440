"""What a live view shows, derived from the session's log records as they are written.

The terminal view (`live/mic.py`) and the browser page (`live/server.py` -> `web/app.js`) show the
same things, so both go through `LiveFeed`: it turns the engine's log records (`on_record`) into a
small stream of view events, plain JSON-able dicts with a `type`:

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

from typing import Any, Callable


class LiveFeed:
    """A pure projection of log records to view events; keeps what latency needs."""

    def __init__(self) -> None:
        self.last_speech_end_s: float | None = None
        self.in_speech = False

    def __call__(self, record: dict[str, Any]) -> dict[str, Any] | None:
        handler = self._HANDLERS.get(record.get("kind"))
        return handler(self, record) if handler else None

    # -- one small function per record kind ------------------------------------------------------
    def _vad(self, r: dict[str, Any]) -> dict[str, Any]:
        state = "start" if r.get("event") == "speech_start" else "end"
        self.in_speech = state == "start"
        if state == "end":
            self.last_speech_end_s = r.get("at_s")
        return {"type": "speech", "state": state, "t": r.get("t"), "at_s": r.get("at_s")}

    def _agent(self, r: dict[str, Any]) -> dict[str, Any] | None:
        event = r.get("event") or {}
        if event.get("type") == "transcript" and str(event.get("text", "")).strip():
            return {"type": "transcript", "t": r.get("t"), "text": event["text"].strip(),
                    "start_s": event.get("start_s"), "end_s": event.get("end_s")}
        return None

    def _interjection(self, r: dict[str, Any]) -> dict[str, Any]:
        t = r.get("t")
        parts = r.get("parts") or {}
        speech_end = parts.get("speech_end_s", self.last_speech_end_s)
        latency = round(t - speech_end, 3) if t is not None and speech_end is not None and t >= speech_end else None
        return {"type": "interjection", "t": t, "text": r.get("text", ""), "tool_calls": r.get("tool_calls", []),
                "latency_s": latency, "response_id": r.get("response_id"), "scored": r.get("scored", True)}

    def _response(self, r: dict[str, Any]) -> dict[str, Any]:
        return {"type": "response", "t": r.get("t"), "text": r.get("text", ""),
                "tool_calls": r.get("tool_calls", []), "response_id": r.get("response_id")}

    def _error(self, r: dict[str, Any]) -> dict[str, Any]:
        return {"type": "error", "t": r.get("t"), "message": r.get("message", "")}

    def _end(self, r: dict[str, Any]) -> dict[str, Any]:
        return {"type": "end", "t": r.get("t"), "status": r.get("status"), "reason": r.get("reason"),
                "interjections": r.get("interjections", 0)}

    _HANDLERS: dict[str, Callable[["LiveFeed", dict[str, Any]], dict[str, Any] | None]] = {
        "vad": _vad,
        "agent": _agent,
        "interjection": _interjection,
        "response": _response,
        "error": _error,
        "session_end": _end,
    }
