"""A source that records what it passes on: the audio a live agent received, as a wav."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

from ..audio import AudioChunk
from .base import Source


class RecordingSource(Source):
    """Passes another source's chunks through unchanged and writes them to a wav as they go.

    `received_s` is the audio handed to the agent so far (what the tests and the log check).
    """

    def __init__(self, inner: Source, wav_path: Path):
        self.inner = inner
        self.sample_rate = inner.sample_rate
        self.duration_s = inner.duration_s
        self.live = inner.live
        self.wav_path = Path(wav_path)
        self.received_samples = 0

    @property
    def received_s(self) -> float:
        return self.received_samples / self.sample_rate

    async def chunks(self, clock) -> AsyncIterator[AudioChunk]:
        import soundfile as sf

        self.wav_path.parent.mkdir(parents=True, exist_ok=True)
        with sf.SoundFile(str(self.wav_path), "w", samplerate=self.sample_rate, channels=1, subtype="PCM_16") as wav:
            async for chunk in self.inner.chunks(clock):
                wav.buffer_write(bytes(chunk.pcm), dtype="int16")
                self.received_samples += chunk.n_samples
                yield chunk
