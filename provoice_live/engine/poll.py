"""The poll policy: when the engine asks an agent that needs it whether to speak now."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PollPolicy:
    """At VAD endpoints (default), optionally every `every_s` seconds of stream, and at the end.

    Interval polls are skipped while the user is speaking (`skip_in_speech`), since an agent
    that interrupts mid-sentence is rarely what a proactive agent wants.
    """

    at_endpoints: bool = True
    every_s: float | None = None
    at_end_of_stream: bool = True
    skip_in_speech: bool = True
    _next_interval: float | None = None

    def reset(self) -> None:
        self._next_interval = self.every_s

    def interval_due(self, stream_s: float, in_speech: bool) -> bool:
        if not self.every_s:
            return False
        if self._next_interval is None:
            self._next_interval = self.every_s
        if stream_s + 1e-9 < self._next_interval:
            return False
        while self._next_interval <= stream_s + 1e-9:
            self._next_interval += self.every_s
        return not (self.skip_in_speech and in_speech)
