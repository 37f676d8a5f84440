"""A custom agent in a dozen lines: run it with

    provoice-live run --corpus corpora/demo --agent examples.custom_agent:LoudnessAgent --out runs/loud

(from the repository root, so `examples` is importable). It needs polls, so the engine asks it at
every VAD endpoint whether to speak; it speaks when the utterance that just ended was loud.
Everything an adapter can do is in `provoice_live/agents/base.py`.
"""

from __future__ import annotations

import numpy as np

from provoice_live.agents.base import AgentAdapter, Capabilities, PollRequest, SilenceDecision, TextEvent, ResponseDone


class LoudnessAgent(AgentAdapter):
    name = "loudness"
    capabilities = Capabilities(input_sample_rate=16000, needs_poll=True)

    def __init__(self, threshold_dbfs: str = "-18", **options):
        super().__init__(threshold_dbfs=threshold_dbfs, **options)
        self.threshold = float(threshold_dbfs)
        self.recent: list[float] = []  # RMS of the last second of 20 ms chunks

    async def push_audio(self, chunk) -> None:
        x = chunk.samples()
        self.recent = (self.recent + [float(np.sqrt(np.mean(x * x)) + 1e-9)])[-50:]

    async def respond(self, poll: PollRequest) -> None:
        level = 20 * np.log10(max(self.recent or [1e-9]))
        if level > self.threshold:
            self.io.emit(TextEvent(text=f"That was loud ({level:.0f} dBFS)."))
            self.io.emit(ResponseDone())
        else:
            self.io.emit(SilenceDecision(reason=f"peak {level:.0f} dBFS"))
