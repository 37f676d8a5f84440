"""Voice activity: speech start and end events from a stream of audio chunks.

Two detectors give the same streaming interface (`process(chunk) -> list[VadEvent]`, `flush(now_s)`,
`in_speech`), chosen by name with `make_vad`:

- `silero` (the default of `run` and `demo`, `--vad`): Silero VAD v6, a small neural network (`provoice_live.silero`),
  one decision per 32 ms window. It holds up in the builder's noise beds (chatter, street, cafe),
  where webrtcvad hears one long utterance. About 1-2 ms of one core per window.
- `webrtc`: webrtcvad (`VadTracker`), one decision per 10/20/30 ms frame; ~50x cheaper, and fine in
  quiet audio. The embedded offline agent hears with it, and `SessionConfig` defaults to it.

Both turn per-frame decisions into events with one state machine (`Endpointer`): a start is
declared when `start_frames` of the last `start_window` frames are voiced (its position is the first
voiced frame of that window); an end ("endpoint") when at least `hangover_ms` of unvoiced audio has
followed the last voiced frame (its position is where the speech stopped; it is detected then,
`hangover_ms` later rounded up to a whole frame). `VadEvent.detected_s` is the end of the frame that
decided it, so it never lies past the chunk that completed that frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

import numpy as np

from .audio import AudioChunk
from .errors import ProvoiceError

VAD_RATES = (8000, 16000, 32000, 48000)
VAD_KINDS = ("silero", "webrtc")
DEFAULT_VAD = "silero"


@dataclass(frozen=True, slots=True)
class VadEvent:
    event: str  # "speech_start" | "speech_end"
    at_s: float  # where in the audio the speech started or stopped
    detected_s: float  # stream position when it was known


class SpeechDetector(Protocol):
    """What the engine needs of a voice activity detector (both kinds implement it)."""

    kind: str
    in_speech: bool

    def process(self, chunk: AudioChunk) -> list[VadEvent]:
        """The events the frames completed by `chunk` decide, in order."""

    def flush(self, now_s: float) -> list[VadEvent]:
        """At the end of the stream: close an utterance that is still open (detected at `now_s`)."""


class Endpointer:
    """Per-frame voiced/unvoiced decisions turned into speech start and end events."""

    def __init__(self, frame_s: float, hangover_frames: int, start_frames: int, start_window: int):
        if not 1 <= start_frames <= start_window:
            raise ValueError("start_frames must be between 1 and start_window")
        self.frame_s = frame_s
        self.hangover_frames = max(1, hangover_frames)
        self.start_frames = start_frames
        self.start_window = start_window
        self._recent: list[bool] = []
        self.in_speech = False
        self._silent_run = 0
        self._last_voiced_end = 0.0

    def step(self, voiced: bool, end: float) -> VadEvent | None:
        """One frame ending at stream position `end` (seconds)."""
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
                return VadEvent("speech_start", round(end - first * self.frame_s, 6), round(end, 6))
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

    @property
    def last_voiced_end(self) -> float | None:
        """Where the open utterance's last voiced frame ends (None outside speech)."""
        return self._last_voiced_end if self.in_speech else None

    def flush(self, now_s: float) -> list[VadEvent]:
        if self.in_speech:
            self.in_speech = False
            return [VadEvent("speech_end", round(self._last_voiced_end, 6), now_s)]
        return []


class VadTracker:
    """webrtcvad: 10/20/30 ms frames at 8, 16, 32 or 48 kHz; other rates are resampled per chunk."""

    kind = "webrtc"

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
        self.turns = Endpointer(self._frame_s, hangover_ms // frame_ms, start_frames, start_window)
        self._buf = bytearray()
        self._frames_done = 0

    @property
    def in_speech(self) -> bool:
        return self.turns.in_speech

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
            self._frames_done += 1
            ev = self.turns.step(voiced, self._frames_done * self._frame_s)
            if ev is not None:
                events.append(ev)
        return events

    def flush(self, now_s: float) -> list[VadEvent]:
        """At the end of the stream: close an utterance that is still open."""
        return self.turns.flush(now_s)


def make_vad(kind: str, sample_rate: int, *, aggressiveness: int = 2, hangover_ms: int = 400) -> SpeechDetector:
    """The engine's detector by name (`VAD_KINDS`); `aggressiveness` is webrtcvad's only."""
    if kind == "webrtc":
        return VadTracker(sample_rate, aggressiveness, hangover_ms=hangover_ms)
    if kind == "silero":
        from .silero import SileroVad

        return SileroVad(sample_rate, hangover_ms=hangover_ms)
    raise ProvoiceError(f"unknown VAD {kind!r}: choose one of {', '.join(VAD_KINDS)}")


def hangover_frames(hangover_ms: float, frame_ms: float) -> int:
    """Whole frames of silence that cover at least `hangover_ms`."""
    return max(1, math.ceil(hangover_ms / frame_ms - 1e-9))
