"""Voice activity: webrtcvad frames turned into speech start and end events.

`VadTracker.process(chunk)` returns the events a chunk completes. A start is declared when
`start_frames` of the last `start_window` frames are voiced (its position is the first voiced
frame of that window); an end ("endpoint") when `hangover_ms` of unvoiced frames have followed the
last voiced one (its position is where the speech stopped; it is detected `hangover_ms` later).
webrtcvad takes 10/20/30 ms frames at 8, 16, 32 or 48 kHz; other rates are resampled per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .audio import AudioChunk

VAD_RATES = (8000, 16000, 32000, 48000)


@dataclass(frozen=True, slots=True)
class VadEvent:
    event: str  # "speech_start" | "speech_end"
    at_s: float  # where in the audio the speech started or stopped
    detected_s: float  # stream position when it was known


class VadTracker:
    def __init__(self, sample_rate: int, aggressiveness: int = 2, frame_ms: int = 20,
                 hangover_ms: int = 400, start_frames: int = 3, start_window: int = 5):
        import webrtcvad

        if frame_ms not in (10, 20, 30):
            raise ValueError("webrtcvad frames are 10, 20 or 30 ms")
        self.rate = sample_rate
        self.vad_rate = sample_rate if sample_rate in VAD_RATES else 16000
        self._ratio = Fraction(self.vad_rate, sample_rate)
        self._vad = webrtcvad.Vad(aggressiveness)
        self.frame_ms = frame_ms
        self._frame_bytes = 2 * self.vad_rate * frame_ms // 1000
        self._frame_s = frame_ms / 1000.0
        self.hangover_frames = max(1, hangover_ms // frame_ms)
        self.start_frames = start_frames
        self.start_window = start_window
        self._buf = bytearray()
        self._frames_done = 0
        self._recent: list[bool] = []
        self.in_speech = False
        self._silent_run = 0
        self._last_voiced_end = 0.0

    def _to_vad_rate(self, chunk: AudioChunk) -> bytes:
        if self.vad_rate == self.rate:
            return chunk.pcm
        from scipy.signal import resample_poly

        y = resample_poly(chunk.samples(), self._ratio.numerator, self._ratio.denominator)
        return (np.clip(y, -1, 1) * 32767).astype("<i2").tobytes()

    def process(self, chunk: AudioChunk) -> list[VadEvent]:
        pcm = self._to_vad_rate(chunk)
        fb = self._frame_bytes
        if not self._buf and len(pcm) == fb:  # the common case: one chunk is one frame
            frames = [pcm]
        else:
            self._buf += pcm
            n = len(self._buf) // fb
            frames = [bytes(self._buf[i * fb:(i + 1) * fb]) for i in range(n)]
            del self._buf[:n * fb]
        events: list[VadEvent] = []
        for frame in frames:
            voiced = self._vad.is_speech(frame, self.vad_rate)
            start = self._frames_done * self._frame_s
            self._frames_done += 1
            end = self._frames_done * self._frame_s
            ev = self._step(voiced, start, end)
            if ev is not None:
                events.append(ev)
        return events

    def _step(self, voiced: bool, start: float, end: float) -> VadEvent | None:
        if not self.in_speech:
            self._recent.append(voiced)
            if len(self._recent) > self.start_window:
                del self._recent[0]
            if sum(self._recent) >= self.start_frames:
                first = len(self._recent) - self._recent.index(True)
                self.in_speech = True
                self._silent_run = 0
                self._last_voiced_end = end
                self._recent.clear()
                return VadEvent("speech_start", round(end - first * self._frame_s, 6), round(end, 6))
            return None
        if voiced:
            self._silent_run = 0
            self._last_voiced_end = end
            return None
        self._silent_run += 1
        if self._silent_run >= self.hangover_frames:
            self.in_speech = False
            self._silent_run = 0
            return VadEvent("speech_end", round(self._last_voiced_end, 6), round(end, 6))
        return None

    def flush(self, now_s: float) -> list[VadEvent]:
        """At the end of the stream: close an utterance that is still open."""
        if self.in_speech:
            self.in_speech = False
            return [VadEvent("speech_end", round(self._last_voiced_end, 6), now_s)]
        return []
