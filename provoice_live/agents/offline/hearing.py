"""Hearing: find utterances in the incoming chunks (webrtcvad) and transcribe each as it ends.

`Hearing.push(chunk)` is fast: it runs the VAD (`provoice_live.vad.VadTracker`) on the chunk and
keeps the recent audio. When an utterance ends (an endpoint after `hangover_ms` of silence, or a
forced cut after `max_utterance_s` of talk without a pause), its audio is queued; one background
worker transcribes the queue in order with faster-whisper (`provoice_live.asr.transcribe`, tiny.en,
one model per process) through `asyncio.to_thread`, and calls `on_utterance(Heard)` with the text.
`drain()` waits until every queued utterance is transcribed and handled.

Whisper invents words over non-speech (a knock heard as "I love you", sixty times over). Three guards:
- `SpeechGate`: Silero VAD (the ONNX model inside faster-whisper's assets) must find at least
  `GATE_MIN_SPEECH_S` of speech in an utterance before Whisper is asked at all (webrtcvad, which cuts
  the utterances, takes many alarms and knocks for speech); the gated audio is logged as heard
  nothing. This also spares the recogniser's time on sounds.
- `RepeatFilter`: a line said again and again is a hallucination loop: within one utterance, a
  segment repeating the previous one is dropped; across utterances, the same line heard
  `REPEAT_MAX` times within `REPEAT_WINDOW_S` is dropped from then on.
- `is_confident`: the usual inventions ("Thank you.", "you") and unsure passes are dropped.
The bracketed sound notes Whisper writes ("[BELL RINGS]") are kept apart in `Heard.notes`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...audio import AudioChunk
from ...vad import VadTracker
from .own_voice import speech_levels_db
from .understanding.text import clean, sound_notes

log = logging.getLogger(__name__)

RATE = 16000
KEEP_S = 40.0  # audio kept for utterances still open
PRE_ROLL_S = 0.15  # audio kept before the VAD's speech start (soft onsets)
POST_ROLL_S = 0.1
MIN_UTTERANCE_S = 0.25
HALLUCINATIONS = frozenset({"you", "thank you", "thanks for watching", "thank you for watching", "bye", "okay",
                            "so", "the end", "thanks", "oh", "uh", "um", "hmm", "i'm sorry", "music"})
MIN_LOGPROB = -1.0  # whisper's mean token log-probability below this: an unsure pass
MAX_NO_SPEECH = 0.6
GATE_THRESHOLD = 0.5  # Silero's speech probability per 32 ms window
GATE_MIN_SPEECH_S = 0.15  # this much speech (windows above the threshold) lets an utterance through
REPEAT_MAX = 2  # the same line heard this many times within the window: later ones are dropped
REPEAT_WINDOW_S = 60.0


class SpeechGate:
    """Silero VAD over one utterance: is there speech in it at all? (one model per process, thread-safe
    enough for the single recognition worker that calls it)."""

    _model = None

    def __init__(self, threshold: float = GATE_THRESHOLD, min_speech_s: float = GATE_MIN_SPEECH_S):
        self.threshold = threshold
        self.min_speech_s = min_speech_s

    @classmethod
    def model(cls):
        if cls._model is None:
            from faster_whisper.vad import get_vad_model

            cls._model = get_vad_model()
        return cls._model

    def speech_seconds(self, audio: np.ndarray) -> float:
        n = 512  # Silero's window at 16 kHz
        if len(audio) < n:
            return 0.0
        x = np.pad(np.asarray(audio, np.float32), (0, (-len(audio)) % n))
        probs = np.asarray(self.model()(x)).reshape(-1)
        return float((probs >= self.threshold).sum()) * n / RATE

    def has_speech(self, audio: np.ndarray) -> bool:
        return self.speech_seconds(audio) >= self.min_speech_s


def _line_key(text: str) -> str:
    return " ".join(clean(text).lower().strip(" .!?,").split())


class RepeatFilter:
    """Drops hallucination loops: a segment repeating the one before it, and a line heard too often."""

    def __init__(self, max_repeats: int = REPEAT_MAX, window_s: float = REPEAT_WINDOW_S):
        self.max_repeats = max_repeats
        self.window_s = window_s
        self._heard: deque[tuple[float, str]] = deque()

    def keep(self, texts: list[str], at_s: float) -> list[bool]:
        """For each segment text of one utterance (heard at `at_s`): keep it?"""
        while self._heard and at_s - self._heard[0][0] > self.window_s:
            self._heard.popleft()
        out, prev = [], None
        for text in texts:
            key = _line_key(text)
            if not key:
                out.append(False)
                continue
            seen = sum(1 for _t, k in self._heard if k == key)
            out.append(key != prev and seen < self.max_repeats)
            self._heard.append((at_s, key))
            prev = key
        return out


@dataclass
class Heard:
    """One transcribed utterance."""

    text: str
    start_s: float
    end_s: float
    detected_s: float  # stream time of the endpoint that closed it
    confident: bool = True
    raw: str = ""  # everything Whisper wrote, unsure passes included
    logprob: float = 0.0  # the best mean token log-probability of its passes
    first_word_s: float | None = None  # where the first recognised word starts (stream seconds)
    notes: list[str] = field(default_factory=list)
    asr_s: float = 0.0  # wall seconds the recognition took
    levels_db: list[float] = field(default_factory=list)  # speech levels of the kept segments' windows (`own_voice`)


def is_confident(text: str, avg_logprob: float, no_speech_prob: float) -> bool:
    words = clean(text).lower().strip(" .!?,")
    if not words or words in HALLUCINATIONS:
        return False
    return avg_logprob >= MIN_LOGPROB and no_speech_prob <= MAX_NO_SPEECH or avg_logprob >= -0.5


def _segment_levels(utts: list, audio: np.ndarray, audio_start: float) -> list[float]:
    """The speech levels of each recognised segment's 1.5 s windows, over its words' span (the segment's own
    times without words)."""
    levels = []
    for u in utts:
        words = [w for w in u.words if w.text.strip(" .,!?")]
        a, b = (words[0].start_s, words[-1].end_s) if words else (u.start_s, u.end_s)
        i, j = max(0, int((a - audio_start) * RATE)), min(len(audio), int((b - audio_start) * RATE))
        levels += [round(level, 2) for level in speech_levels_db(audio[i:j], RATE)]
    return levels


class Hearing:
    def __init__(self, on_utterance: Callable[[Heard], None], *, aggressiveness: int = 2, hangover_ms: int = 300,
                 max_utterance_s: float = 12.0, prompt: str | None = None,
                 transcribe: Callable | None = None, recogniser: str = "tiny.en", beam_size: int = 1,
                 gate: SpeechGate | None = None):
        self.on_utterance = on_utterance
        self.vad = VadTracker(RATE, aggressiveness, frame_ms=20, hangover_ms=hangover_ms)
        self.max_utterance_s = max_utterance_s
        self.prompt = prompt
        self._transcribe = transcribe
        self.recogniser = recogniser
        self.beam_size = beam_size
        self.gate = gate  # None: every utterance goes to the recogniser
        self.repeats = RepeatFilter()
        self.gated = 0  # utterances the gate kept from the recogniser
        self.utterances = 0  # utterances queued for recognition (all of the session)
        self._chunks: deque[tuple[int, np.ndarray]] = deque()
        self._stream_start: int | None = None
        self._utt_start: float | None = None
        self._queue: asyncio.Queue | None = None
        self._worker: asyncio.Task | None = None
        self.segments: list[tuple[float, float]] = []  # every utterance queued (start, end)
        self.results: list[Heard] = []
        self.asr_seconds = 0.0
        self.audio_seconds = 0.0

    # ---- the fast path ----------------------------------------------------------------------------

    @property
    def in_speech(self) -> bool:
        return self.vad.in_speech

    @property
    def open_since(self) -> float | None:
        """Where the utterance still being spoken started (None between utterances)."""
        return self._utt_start

    def push(self, chunk: AudioChunk) -> None:
        if chunk.sample_rate != RATE:
            raise ValueError(f"hearing takes {RATE} Hz chunks, not {chunk.sample_rate}")
        x = chunk.samples()
        if self._stream_start is None:
            self._stream_start = chunk.start_sample
        self._chunks.append((chunk.start_sample, x))
        self.audio_seconds += len(x) / RATE
        while self._chunks and (chunk.start_sample - self._chunks[0][0]) / RATE > KEEP_S:
            self._chunks.popleft()
        offset = self._stream_start / RATE
        for ev in self.vad.process(chunk):
            if ev.event == "speech_start":
                self._utt_start = ev.at_s + offset
            elif self._utt_start is not None:
                self._queue_utterance(self._utt_start, ev.at_s + offset, ev.detected_s + offset)
                self._utt_start = None
        if self._utt_start is not None and chunk.end_s - self._utt_start >= self.max_utterance_s:
            cut = self._quietest_point(chunk.end_s - 2.0, chunk.end_s)
            self._queue_utterance(self._utt_start, cut, chunk.end_s)
            self._utt_start = cut

    def flush(self, now_s: float) -> None:
        """The stream ended: close an utterance still open."""
        offset = (self._stream_start or 0) / RATE
        for ev in self.vad.flush(now_s - offset):
            if ev.event == "speech_end" and self._utt_start is not None:
                self._queue_utterance(self._utt_start, ev.at_s + offset, now_s)
        self._utt_start = None

    def _audio(self, start_s: float, end_s: float) -> np.ndarray:
        parts = []
        for s0, x in self._chunks:
            a, b = s0 / RATE, s0 / RATE + len(x) / RATE
            if b <= start_s or a >= end_s:
                continue
            i, j = max(0, int(round((start_s - a) * RATE))), min(len(x), int(round((end_s - a) * RATE)))
            parts.append(x[i:j])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _quietest_point(self, lo: float, hi: float) -> float:
        """Where to cut a long utterance: the quietest 100 ms of the last seconds."""
        x = self._audio(lo, hi)
        n = int(0.1 * RATE)
        if len(x) < 2 * n:
            return hi
        energy = np.convolve(x ** 2, np.ones(n) / n, mode="valid")
        return lo + (int(np.argmin(energy)) + n // 2) / RATE

    def _queue_utterance(self, start_s: float, end_s: float, detected_s: float) -> None:
        if end_s - start_s < MIN_UTTERANCE_S:
            return
        a = max(0.0, start_s - PRE_ROLL_S)
        audio = self._audio(a, end_s + POST_ROLL_S)
        self.segments.append((start_s, end_s))
        self.utterances += 1
        # a live session runs for hours: keep only what overlapping sounds may still ask about
        self.segments = [seg for seg in self.segments if end_s - seg[1] <= KEEP_S]
        self.results = [r for r in self.results if end_s - r.end_s <= KEEP_S]
        self._ensure_worker()
        self._queue.put_nowait((a, start_s, end_s, detected_s, audio))  # type: ignore[union-attr]

    # ---- the background worker --------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            item = await self._queue.get()
            try:
                heard = await asyncio.to_thread(self._recognise, *item)
                self.results.append(heard)
                self.on_utterance(heard)
            except Exception:  # one bad utterance must not stop the hearing
                log.exception("transcription failed")
            finally:
                self._queue.task_done()

    def _recognise(self, audio_start: float, start_s: float, end_s: float, detected_s: float,
                   audio: np.ndarray) -> Heard:
        t0 = time.perf_counter()
        if self.gate is not None and not self.gate.has_speech(audio):
            self.gated += 1
            took = time.perf_counter() - t0
            self.asr_seconds += took
            return Heard("", start_s, end_s, detected_s, confident=False, raw="", logprob=-10.0, asr_s=took)
        transcribe = self._transcribe
        kwargs = {}
        if transcribe is None:
            from ...asr import transcribe

            kwargs["recogniser"] = self.recogniser
            kwargs["beam_size"] = self.beam_size
        utts = transcribe(audio, RATE, offset_s=audio_start, initial_prompt=self.prompt, temperature=0.0,
                          word_timestamps=True, **kwargs)
        took = time.perf_counter() - t0
        self.asr_seconds += took
        raw = " ".join(u.text for u in utts).strip()
        kept = self.repeats.keep([u.text for u in utts], end_s)
        good = [u for u, k in zip(utts, kept) if k and is_confident(u.text, u.avg_logprob, u.no_speech_prob)]
        text = clean(" ".join(u.text for u in good))
        logprob = max((u.avg_logprob for u in utts), default=-10.0)
        first = next((w.start_s for u in utts for w in u.words if w.text.strip(" .,!?")), None)
        return Heard(text, start_s, end_s, detected_s, confident=bool(text), raw=clean(raw), logprob=logprob,
                     first_word_s=first, notes=sound_notes(raw), asr_s=took,
                     levels_db=_segment_levels(good, audio, audio_start))

    async def drain(self) -> None:
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
            self._worker = None
