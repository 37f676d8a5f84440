"""A benchmark file (or any array) as a paced chunk stream."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Iterable, Iterator

import numpy as np

from ..audio import AudioChunk, StreamResampler, audio_info, chunk_samples, stream_audio, to_pcm16
from .base import Source


class FileSource(Source):
    """Audio at the agent's rate, cut into PCM16 chunks lazily.

    `FileSource.from_path` streams a file from disk (soundfile block reads, streaming resampling:
    `audio.stream_audio`), so a session holds a block of audio, never the whole file, whatever its
    length; `FileSource(x, rate)` serves an array already in memory. Either way the chunks are the
    same bytes: `resample` of the whole signal, converted to PCM16, cut every `chunk_ms` (the last
    chunk may be short).

    Under a pacing clock a chunk is handed over when its last sample has "happened": chunk
    [a, b) at stream time b, from absolute deadlines, so the stream never drifts. Under lockstep
    the clock does not wait.
    """

    live = False

    def __init__(self, x: np.ndarray | None, sample_rate: int, chunk_ms: float = 20.0, sample_id: str | None = None,
                 path: str | Path | None = None, n_samples: int | None = None):
        self.sample_rate = sample_rate
        self.chunk_ms = chunk_ms
        self.sample_id = sample_id
        self.path = Path(path) if path is not None else None
        self.x = None if x is None else np.asarray(x, dtype=np.float32)
        n = len(self.x) if self.x is not None else n_samples
        self.duration_s = n / sample_rate

    @classmethod
    def from_path(cls, path, sample_rate: int, chunk_ms: float = 20.0, sample_id: str | None = None) -> "FileSource":
        """A file streamed from disk; its header is checked now (AudioError naming the sample),
        its samples as they are read."""
        info = audio_info(path, sample_id)
        n = StreamResampler(info.rate, sample_rate).output_length(info.frames)
        return cls(None, sample_rate, chunk_ms, sample_id, path=path, n_samples=n)

    def blocks(self) -> Iterator[np.ndarray]:
        """The audio as float32 blocks at `sample_rate`."""
        if self.x is not None:
            yield self.x
        else:
            yield from stream_audio(self.path, self.sample_id, self.sample_rate)

    async def chunks(self, clock) -> AsyncIterator[AudioChunk]:
        lockstep = clock.lockstep
        for chunk in pcm_chunks(self.blocks(), self.sample_rate, self.chunk_ms):
            if not lockstep:
                await clock.sleep_until(chunk.end_s)
            yield chunk


def pcm_chunks(blocks: Iterable[np.ndarray], sample_rate: int, chunk_ms: float) -> Iterator[AudioChunk]:
    """Float blocks of any sizes to PCM16 chunks of exactly `chunk_ms` (the last may be short)."""
    n = chunk_samples(sample_rate, chunk_ms)
    pending = b""
    start = index = 0
    for block in blocks:
        pcm = pending + to_pcm16(block)
        whole = len(pcm) // (2 * n) * (2 * n)
        view = memoryview(pcm)
        for pos in range(0, whole, 2 * n):
            yield AudioChunk(view[pos: pos + 2 * n], sample_rate, start, index)
            start += n
            index += 1
        pending = pcm[whole:]
    if pending:
        yield AudioChunk(pending, sample_rate, start, index)
