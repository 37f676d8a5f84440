"""Speech for the fakes of speaking agents: eSpeak NG (the builder's `EspeakTTS`), trimmed of
silence, so the first sample is where the voice starts. Cached per (text, rate)."""

from __future__ import annotations

import functools

import numpy as np

from provoice_live.audio import resample, to_pcm16
from provoice_live.corpus.builder.tts import EspeakTTS, Voice

AGENT_VOICE = Voice("en-us+f3", "female", rate_wpm=175)


@functools.lru_cache(maxsize=64)
def _speech(text: str, rate: int) -> bytes:
    tts = EspeakTTS()
    x = resample(tts.synth(text, AGENT_VOICE), tts.rate, rate)
    return to_pcm16(0.5 * x / max(1e-6, float(np.abs(x).max())))


def speech(text: str, rate: int) -> np.ndarray:
    """`text` spoken at `rate`, float32 peaking at 0.5, starting with the voice."""
    return np.frombuffer(_speech(text, rate), "<i2").astype(np.float32) / 32767.0


def speech_pcm(text: str, rate: int) -> bytes:
    return _speech(text, rate)
