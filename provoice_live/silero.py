"""Silero VAD v6 in streaming form: one speech probability per 32 ms window, events per chunk.

The model is the ONNX file that faster-whisper (a dependency) ships in `faster_whisper/assets/`
(MIT licence, from snakers4/silero-vad), run directly with onnxruntime: faster-whisper's own
`get_speech_timestamps` wants the whole file at once, while the engine needs a decision as each
20 ms chunk arrives. Each window is 512 samples at 16 kHz, fed with the last 64 samples of the one
before (the model's context) and the LSTM state it returned; this gives exactly the probabilities
faster-whisper's batch call gives for the same audio (tests/engine/test_vad_cli.py checks it).

Decisions use Silero's own hysteresis: a window is voiced at `threshold` (0.5) or more outside
speech, and stays voiced down to `neg_threshold` (threshold - 0.15) inside it; then a `LevelGate`
vetoes windows that are loud like the background rather than like the foreground speech: Silero
rightly hears a cafe's babble as speech (probabilities 0.6-0.95 in the builder's cafe bed, 15 dB
under the talker), and without the gate the talker's turn never ends there. `vad.Endpointer` turns
the decisions into start/end events (start: 2 of the last 3 windows voiced; end: the hangover).
bench/bench_vad_endpoints.py measures the result (bench/RESULTS.md).
One `onnxruntime.InferenceSession` per process is shared by every stream (its `run` is
thread-safe); each stream keeps its own state. Sources at other rates are resampled per chunk.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections import deque
from fractions import Fraction
from pathlib import Path

import numpy as np

from .audio import AudioChunk
from .errors import ProvoiceError
from .vad import Endpointer, VadEvent, hangover_frames

RATE = 16000
WINDOW = 512  # samples per decision at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window fed with each one
STATE = (1, 1, 128)


def model_path() -> Path:
    """The Silero VAD ONNX file inside faster-whisper's package data."""
    from faster_whisper.utils import get_assets_path

    path = Path(get_assets_path()) / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ProvoiceError(f"the Silero VAD model is not at {path}: faster-whisper 1.2.1 or later ships it "
                            "(pip install -U faster-whisper), or run with --vad webrtc")
    return path


@functools.lru_cache(maxsize=1)
def _session():
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1  # one window is tiny: threads cost more than they give,
    opts.intra_op_num_threads = 1  # and the engine's other sessions need the cores
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 4
    sess = onnxruntime.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"], sess_options=opts)
    names = sorted(i.name for i in sess.get_inputs())
    if names != ["c", "h", "input"]:
        raise ProvoiceError(f"{model_path()} has inputs {names}, not the Silero v6 layout (input, h, c)")
    return sess


class SileroProbabilities:
    """The model's speech probability for each successive 512-sample window of a 16 kHz stream."""

    def __init__(self) -> None:
        self._sess = _session()
        self._h = np.zeros(STATE, np.float32)
        self._c = np.zeros(STATE, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._buf = np.zeros(0, np.float32)

    def push(self, x: np.ndarray) -> list[tuple[float, np.ndarray]]:
        """Take float32 samples at 16 kHz; return (probability, samples) of each window they complete."""
        buf = np.concatenate([self._buf, x]) if len(self._buf) else x
        out = []
        n = len(buf) // WINDOW
        for i in range(n):
            window = buf[i * WINDOW:(i + 1) * WINDOW]
            inp = np.concatenate([self._context, window])[None, :]
            prob, self._h, self._c = self._sess.run(None, {"input": inp, "h": self._h, "c": self._c})
            out.append((float(prob.reshape(-1)[0]), window))
            self._context = window[-CONTEXT:]
        self._buf = np.array(buf[n * WINDOW:], np.float32)
        return out


class LevelGate:
    """Foreground or background, by loudness: the midpoint between the recent floor and peak.

    Over the last `history` windows (3 s), the floor is the 10th percentile of window levels (dBFS)
    and the peak the 90th. A window passes when the loudest of the last `smooth` windows (96 ms,
    bridging the dips of stop consonants) reaches `split` of the way from floor to peak. When floor
    and peak are less than `min_contrast_db` apart (only noise, only speech, or silence) every
    window passes, and Silero alone decides.
    """

    def __init__(self, history: int = 94, smooth: int = 3, split: float = 0.5, min_contrast_db: float = 6.0):
        self.levels: deque[float] = deque(maxlen=history)
        self._sorted: list[float] = []  # the same levels, kept sorted (the percentiles read it)
        self.smooth = smooth
        self.split = split
        self.min_contrast_db = min_contrast_db

    def push(self, window: np.ndarray) -> bool:
        """Take one window's samples; True when it is loud enough to be the foreground."""
        power = float(np.mean(window.astype(np.float64) ** 2))
        level = float(10 * np.log10(power + 1e-12))
        if len(self.levels) == self.levels.maxlen:
            del self._sorted[bisect.bisect_left(self._sorted, self.levels[0])]
        self.levels.append(level)
        bisect.insort(self._sorted, level)
        floor, peak = percentile_of_sorted(self._sorted, 0.1), percentile_of_sorted(self._sorted, 0.9)
        if peak - floor < self.min_contrast_db:
            return True
        return max(itertools.islice(reversed(self.levels), self.smooth)) >= floor + self.split * (peak - floor)


class NumpyLevelGate(LevelGate):
    """`LevelGate` by its definition: numpy's percentiles of the whole history at every window (the
    earlier implementation, 10x the CPU). The reference the sorted-history gate is checked and
    measured against (tests/audio/test_silero_gate.py, bench/bench_silero_cost.py)."""

    def push(self, window: np.ndarray) -> bool:
        power = float(np.mean(window.astype(np.float64) ** 2))
        self.levels.append(10 * np.log10(power + 1e-12))
        levels = np.fromiter(self.levels, np.float64, len(self.levels))
        floor, peak = np.percentile(levels, (10, 90))
        if peak - floor < self.min_contrast_db:
            return True
        return levels[-self.smooth:].max() >= floor + self.split * (peak - floor)


def percentile_of_sorted(values: list[float], q: float) -> float:
    """`numpy.percentile(values, 100 * q)` (its default, linear method) of a sorted list, to the last
    bit: the same index, weight and interpolation (numpy's `_lerp`), without numpy's per-call cost
    (about 150 us of the gate's 200 us per window, on a 2-core machine)."""
    n = len(values)
    v = (n - 1) * q
    lo = math.floor(v)
    a, b = values[lo], values[min(lo + 1, n - 1)]
    t = v - lo
    d = b - a
    return b - d * (1 - t) if t >= 0.5 else a + d * t


class SileroVad:
    """The streaming detector (see `vad.SpeechDetector`): events from 20 ms chunks at any rate."""

    kind = "silero"

    def __init__(self, sample_rate: int, hangover_ms: int = 400, threshold: float = 0.5,
                 neg_threshold: float | None = None, start_frames: int = 2, start_window: int = 3):
        if not 0 < threshold < 1:
            raise ValueError("threshold is a probability between 0 and 1")
        self.rate = sample_rate
        self._ratio = Fraction(RATE, sample_rate)
        self.threshold = threshold
        self.neg_threshold = max(0.01, threshold - 0.15) if neg_threshold is None else neg_threshold
        self.frame_s = WINDOW / RATE
        self.turns = Endpointer(self.frame_s, hangover_frames(hangover_ms, 1000 * self.frame_s),
                                start_frames, start_window)
        self.probs = SileroProbabilities()
        self.gate = LevelGate()
        self.windows = 0

    @property
    def in_speech(self) -> bool:
        return self.turns.in_speech

    def _to_16k(self, chunk: AudioChunk) -> np.ndarray:
        x = chunk.samples()
        if self.rate == RATE:
            return x.astype(np.float32, copy=False)
        from scipy.signal import resample_poly

        return resample_poly(x, self._ratio.numerator, self._ratio.denominator).astype(np.float32)

    def process(self, chunk: AudioChunk) -> list[VadEvent]:
        events: list[VadEvent] = []
        for p, window in self.probs.push(self._to_16k(chunk)):
            self.windows += 1
            foreground = self.gate.push(window)
            voiced = foreground and p >= (self.neg_threshold if self.turns.in_speech else self.threshold)
            ev = self.turns.step(voiced, self.windows * self.frame_s)
            if ev is not None:
                events.append(ev)
        return events

    def flush(self, now_s: float) -> list[VadEvent]:
        return self.turns.flush(now_s)
