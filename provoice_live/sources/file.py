"""A benchmark file (or any array) as a paced chunk stream."""

from __future__ import annotations

from typing import AsyncIterator

import numpy as np

from ..audio import AudioChunk, iter_chunks, load_audio, to_pcm16
from .base import Source


class FileSource(Source):
    """Audio already at the agent's rate, converted to PCM16 once, cut into chunks lazily.

    Under a pacing clock a chunk is handed over when its last sample has "happened": chunk
    [a, b) at stream time b, from absolute deadlines, so the stream never drifts. Under lockstep
    the clock does not wait.
    """

    live = False

    def __init__(self, x: np.ndarray, sample_rate: int, chunk_ms: float = 20.0, sample_id: str | None = None):
        self.sample_rate = sample_rate
        self.chunk_ms = chunk_ms
        self.sample_id = sample_id
        self.pcm = to_pcm16(x)
        self.duration_s = len(x) / sample_rate

    @classmethod
    def from_path(cls, path, sample_rate: int, chunk_ms: float = 20.0, sample_id: str | None = None) -> "FileSource":
        x, rate = load_audio(path, sample_id, target_rate=sample_rate)
        return cls(x, rate, chunk_ms, sample_id)

    async def chunks(self, clock) -> AsyncIterator[AudioChunk]:
        lockstep = clock.lockstep
        for chunk in iter_chunks(self.pcm, self.sample_rate, self.chunk_ms):
            if not lockstep:
                await clock.sleep_until(chunk.end_s)
            yield chunk
