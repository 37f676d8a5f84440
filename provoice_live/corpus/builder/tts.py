"""Speech for the builder: text to mono float32 audio, with distinct gender-matched voices.

Contract:
- A `TTS` has `rate` (the rate of what `synth` returns), `voice_pool` (gender -> the voices it can
  speak with) and `synth(text, voice) -> float32 np.ndarray`: the utterance with its leading and
  trailing silence trimmed, so that a segment's start and end are the speech's.
- `pick_voices(speakers, rng, pool)` gives each script speaker a voice of their gender; User1 and
  User2 always get different voices (different eSpeak variants), deterministic for an rng state.
- `EspeakTTS`: eSpeak NG through `espeakng-loader` and ctypes, offline. The library is global state,
  so it is initialised once per process and every synthesis holds one process-wide lock.
  eSpeak NG keeps some state across calls (its pitch-flutter phase), so synthesising the same line
  twice can differ by a few milliseconds; the timing truth always comes from the audio actually made.
- `OpenAISpeechTTS`: any OpenAI-compatible `POST /audio/speech` endpoint through the `openai` SDK,
  key from the environment (never stored on the object's repr or in logs).
"""

from __future__ import annotations

import ctypes
import io
import os
import threading
from dataclasses import dataclass, replace
from typing import Literal, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from ...audio import PCM16_MAX, load_audio, resample
from ...errors import MissingDependency, ProvoiceError
from ...redact import secret_from_env

Gender = Literal["male", "female"]


@dataclass(frozen=True)
class Voice:
    """One voice. For eSpeak `name` is a voice with a variant (`en-us+m3`); for an API, its voice name.

    `rate_wpm`, `pitch` and `range` are eSpeak's parameters (words a minute, 0-100, 0-100); an API
    TTS ignores pitch and range and maps the rate to its `speed`.
    """

    name: str
    gender: Gender
    rate_wpm: int = 170
    pitch: int = 50
    range: int = 50

    @property
    def variant(self) -> str:
        """The timbre identity: the eSpeak variant (`m3`) or the whole API voice name."""
        return self.name.split("+", 1)[1] if "+" in self.name else self.name


@runtime_checkable
class TTS(Protocol):
    rate: int
    voice_pool: Mapping[str, Sequence[Voice]]

    def synth(self, text: str, voice: Voice) -> np.ndarray: ...


# ----------------------------------------------------------------------------------------------
# Voices
# ----------------------------------------------------------------------------------------------

# Variants checked in espeak-ng-data/voices/!v: each declares this gender and a pitch in its range.
ESPEAK_VARIANTS: dict[str, tuple[str, ...]] = {
    "male": ("m1", "m2", "m3", "m4", "m6", "m7", "m8"),
    "female": ("f1", "f2", "f3", "f4", "f5"),
}
ESPEAK_LANGUAGES = ("en-us", "en")  # American and British English
ESPEAK_VOICES: dict[str, tuple[Voice, ...]] = {
    gender: tuple(Voice(f"{lang}+{var}", gender) for var in variants for lang in ESPEAK_LANGUAGES)
    for gender, variants in ESPEAK_VARIANTS.items()
}

# Prosody drawn per speaker, uniformly in these ranges (eSpeak units).
RATE_WPM_RANGE = (150, 185)
PITCH_RANGE = (38, 62)
INTONATION_RANGE = (40, 70)


def pick_voices(speakers, rng: np.random.Generator,
                pool: Mapping[str, Sequence[Voice]] = ESPEAK_VOICES) -> dict[str, Voice]:
    """A voice for every speaker (`Speaker`s or anything with `.id` and `.gender`), by speaker id.

    Each speaker draws from the voices of their gender, never one whose variant another speaker
    already has; the rate, pitch and range are drawn too, so two samples rarely sound alike.
    """
    chosen: dict[str, Voice] = {}
    for speaker in speakers:
        used = {v.variant for v in chosen.values()}
        options = [v for v in pool.get(speaker.gender, ()) if v.variant not in used]
        if not options:
            raise ProvoiceError(
                f"no unused {speaker.gender} voice left for speaker {speaker.id!r} "
                f"(the TTS offers {len(pool.get(speaker.gender, ()))})")
        base = options[int(rng.integers(len(options)))]
        chosen[speaker.id] = replace(
            base,
            rate_wpm=int(rng.integers(RATE_WPM_RANGE[0], RATE_WPM_RANGE[1] + 1)),
            pitch=int(rng.integers(PITCH_RANGE[0], PITCH_RANGE[1] + 1)),
            range=int(rng.integers(INTONATION_RANGE[0], INTONATION_RANGE[1] + 1)),
        )
    return chosen


# ----------------------------------------------------------------------------------------------
# Silence trimming
# ----------------------------------------------------------------------------------------------

TRIM_FRAME_S = 0.005
TRIM_BELOW_PEAK_DB = 40.0  # a frame is silence when its RMS is this far below the loudest frame's
TRIM_MARGIN_S = 0.005


def trim_silence(x: np.ndarray, rate: int, below_peak_db: float = TRIM_BELOW_PEAK_DB) -> np.ndarray:
    """Cut leading and trailing silence: keep from the first to the last 5 ms frame whose RMS is
    within `below_peak_db` of the loudest frame's, plus a 5 ms margin. All-silent input gives []."""
    x = np.asarray(x, dtype=np.float32)
    frame = max(1, int(rate * TRIM_FRAME_S))
    n = len(x) // frame
    if n == 0:
        return x[:0] if not np.any(x) else x
    energy = np.mean(np.square(x[: n * frame].reshape(n, frame), dtype=np.float64), axis=1)
    peak = energy.max()
    if peak <= 0:
        return x[:0]
    loud = np.nonzero(energy >= peak * 10.0 ** (-below_peak_db / 10.0))[0]
    margin = int(rate * TRIM_MARGIN_S)
    start = max(0, loud[0] * frame - margin)
    end = min(len(x), (loud[-1] + 1) * frame + margin)
    return x[start:end]


# ----------------------------------------------------------------------------------------------
# eSpeak NG through ctypes
# ----------------------------------------------------------------------------------------------

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE, ESPEAK_VOLUME, ESPEAK_PITCH, ESPEAK_RANGE = 1, 2, 3, 4

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """The process's one eSpeak NG instance (the C library is global state)."""

    _instance: "_Espeak | None" = None
    _instance_pid: int | None = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise MissingDependency(f"eSpeak NG speech needs the package 'espeakng-loader' ({exc})") from exc
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate <= 0:
            raise ProvoiceError(f"eSpeak NG failed to initialise (status {rate})")
        self.lib = lib
        self.rate = int(rate)
        self.lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> "_Espeak":
        with cls._guard:
            if cls._instance is None or cls._instance_pid != os.getpid():
                if cls._instance is not None:  # a forked child: the library state came along, the lock must not
                    cls._instance.lock = threading.Lock()
                else:
                    cls._instance = cls()
                cls._instance_pid = os.getpid()
            return cls._instance

    def _collect(self, wav, n, _events) -> int:
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def synth(self, text: str, voice: Voice) -> np.ndarray:
        data = text.encode("utf-8") + b"\0"
        with self.lock:
            status = self.lib.espeak_SetVoiceByName(voice.name.encode())
            if status != 0:
                raise ProvoiceError(f"eSpeak NG has no voice {voice.name!r} (status {status})")
            for param, value in ((ESPEAK_RATE, voice.rate_wpm), (ESPEAK_PITCH, voice.pitch),
                                 (ESPEAK_RANGE, voice.range), (ESPEAK_VOLUME, 100)):
                self.lib.espeak_SetParameter(param, int(value), 0)
            self._chunks = []
            status = self.lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
            chunks, self._chunks = self._chunks, []
        if status != 0:
            raise ProvoiceError(f"eSpeak NG could not speak {text[:40]!r} (status {status})")
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32) / PCM16_MAX


class EspeakTTS:
    """Offline speech with eSpeak NG (22050 Hz), trimmed of silence."""

    voice_pool: Mapping[str, Sequence[Voice]] = ESPEAK_VOICES

    def __init__(self) -> None:
        self._engine = _Espeak.get()
        self.rate = self._engine.rate

    def __reduce__(self):
        return (EspeakTTS, ())  # a worker process binds its own eSpeak instance

    def synth(self, text: str, voice: Voice) -> np.ndarray:
        if not text.strip():
            raise ProvoiceError("cannot speak an empty line")
        return trim_silence(self._engine.synth(text, voice), self.rate)


# ----------------------------------------------------------------------------------------------
# Any OpenAI-compatible /audio/speech endpoint
# ----------------------------------------------------------------------------------------------

OPENAI_VOICES: dict[str, tuple[str, ...]] = {
    "male": ("onyx", "echo", "ash", "fable"),
    "female": ("nova", "shimmer", "coral", "alloy"),
}
DEFAULT_WPM = 170  # the Voice rate that maps to speed 1.0


class OpenAISpeechTTS:
    """Speech from an OpenAI-compatible `/audio/speech` endpoint (`client.audio.speech.create`).

    `voices` maps a gender to the endpoint's voice names (default: OpenAI's). `response_format`
    "wav" is decoded from its header; "pcm" is raw PCM16 little-endian mono at `pcm_rate` (OpenAI's is
    24 kHz). Either way the output is resampled to `rate`. The API key is read from the environment
    variable `api_key_env` on construction and only handed to the SDK client.
    """

    def __init__(self, model: str, base_url: str | None = None, *,
                 voices: Mapping[str, Sequence[str]] | None = None,
                 api_key_env: str = "OPENAI_API_KEY", response_format: Literal["wav", "pcm"] = "wav",
                 rate: int = 24000, pcm_rate: int = 24000, timeout_s: float = 60.0, max_retries: int = 2):
        try:
            import openai
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise MissingDependency(f"API speech needs the package 'openai' ({exc})") from exc
        key = secret_from_env(api_key_env)
        if not key:
            raise ProvoiceError(f"API speech needs an API key in the environment variable {api_key_env}")
        if response_format not in ("wav", "pcm"):
            raise ProvoiceError(f"response_format must be 'wav' or 'pcm', not {response_format!r}")
        self._args = dict(model=model, base_url=base_url, voices=voices, api_key_env=api_key_env,
                          response_format=response_format, rate=rate, pcm_rate=pcm_rate, timeout_s=timeout_s,
                          max_retries=max_retries)  # no key: a worker process reads it from its environment
        self.model = model
        self.rate = rate
        self.pcm_rate = pcm_rate
        self.response_format = response_format
        names = voices or OPENAI_VOICES
        self.voice_pool = {g: tuple(Voice(n, g) for n in names.get(g, ())) for g in ("male", "female")}
        self._client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout_s, max_retries=max_retries)

    def __reduce__(self):
        return (_rebuild_openai_tts, (self._args,))

    def __repr__(self) -> str:
        return f"OpenAISpeechTTS(model={self.model!r}, base_url={str(self._client.base_url)!r})"

    def synth(self, text: str, voice: Voice) -> np.ndarray:
        import openai

        if not text.strip():
            raise ProvoiceError("cannot speak an empty line")
        speed = float(np.clip(voice.rate_wpm / DEFAULT_WPM, 0.25, 4.0))
        try:
            response = self._client.audio.speech.create(
                model=self.model, voice=voice.name, input=text,
                response_format=self.response_format, speed=speed)
            payload = response.read()
        except openai.OpenAIError as exc:
            raise ProvoiceError(f"the speech endpoint failed for voice {voice.name!r}: {exc}") from exc
        x, got_rate = self._decode(payload)
        return trim_silence(resample(x, got_rate, self.rate), self.rate)

    def _decode(self, payload: bytes) -> tuple[np.ndarray, int]:
        if self.response_format == "pcm":
            usable = len(payload) - len(payload) % 2
            return np.frombuffer(payload[:usable], dtype="<i2").astype(np.float32) / PCM16_MAX, self.pcm_rate
        try:
            return load_audio(io.BytesIO(payload))
        except ProvoiceError as exc:
            streamed = _streamed_wav(payload)  # a streamed wav may declare a data size of 0
            if streamed is None:
                raise ProvoiceError(f"the speech endpoint returned audio that is not a wav file: {exc}") from exc
            return streamed


def _streamed_wav(payload: bytes) -> tuple[np.ndarray, int] | None:
    """PCM16 wav whose header sizes are unknown (0): the samples are everything after `data`."""
    import struct

    if payload[:4] != b"RIFF" or payload[8:12] != b"WAVE":
        return None
    pos, rate, channels, bits = 12, None, 1, 16
    while pos + 8 <= len(payload):
        chunk, size = payload[pos: pos + 4], struct.unpack("<I", payload[pos + 4: pos + 8])[0]
        if chunk == b"fmt ":
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", payload[pos + 8: pos + 24])
            if fmt != 1 or bits != 16:
                return None
        elif chunk == b"data":
            if rate is None:
                return None
            body = payload[pos + 8:]
            body = body[: len(body) - len(body) % (2 * channels)]
            x = np.frombuffer(body, dtype="<i2").astype(np.float32).reshape(-1, channels).mean(axis=1)
            return x / PCM16_MAX, int(rate)
        pos += 8 + size + (size & 1)
    return None


def _rebuild_openai_tts(args: dict) -> OpenAISpeechTTS:
    args = dict(args)
    return OpenAISpeechTTS(args.pop("model"), args.pop("base_url"), **args)
