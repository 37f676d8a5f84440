"""Audio: the one place that knows sample formats.

Everything inside the harness is mono float32 in [-1, 1] at a known rate, or PCM16 little-endian
bytes on the wire to an agent. Files are read with soundfile (wav, flac, ogg...), downmixed to mono,
and resampled with scipy's polyphase filter to the rate the agent asks for.

A session's audio is streamed from disk (`stream_audio`): soundfile reads it in blocks and
`StreamResampler` resamples block by block with enough overlap that the samples are those of
`resample` on the whole signal, so memory per session stays flat whatever the file's length.
`probe_audio` (what `validate` runs) reads the header and scans the samples block by block.
`load_audio` still decodes a whole file, for the short clips the corpus builder works with.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import AudioError

PCM16_MAX = 32767.0


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A piece of the stream: PCM16 mono bytes and where they sit in it.

    `start_sample` counts samples at `sample_rate` from the start of the stream, so a chunk's
    position is exact (no float drift): `start_s`, `end_s`.
    """

    pcm: bytes | memoryview
    sample_rate: int
    start_sample: int
    index: int

    @property
    def n_samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def start_s(self) -> float:
        return self.start_sample / self.sample_rate

    @property
    def end_s(self) -> float:
        return (self.start_sample + len(self.pcm) // 2) / self.sample_rate

    @property
    def duration_s(self) -> float:
        return (len(self.pcm) // 2) / self.sample_rate

    def samples(self) -> np.ndarray:
        """The chunk as float32 in [-1, 1]."""
        return np.frombuffer(self.pcm, dtype="<i2").astype(np.float32) / PCM16_MAX


def _read(path: Path | io.BytesIO, sample_id: str | None) -> tuple[np.ndarray, int]:
    import soundfile as sf

    if isinstance(path, Path) and not path.is_file():
        raise AudioError(sample_id, "audio", f"file {str(path)!r} does not exist")
    try:
        data, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, TypeError...
        raise AudioError(sample_id, "audio", f"cannot read {str(path)!r} as audio ({exc})") from exc
    return data, int(rate)


BLOCK_FRAMES = 1 << 16  # frames per block read from disk (1.4 s at 48 kHz)


@dataclass(frozen=True)
class AudioFileInfo:
    """What a file's header says: its rate, channel count and length in frames."""

    path: Path
    rate: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate


def audio_info(path: str | Path, sample_id: str | None = None) -> AudioFileInfo:
    """The header of an audio file, without decoding it. AudioError for a missing or unreadable
    file, an invalid rate or no samples."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise AudioError(sample_id, "audio", f"file {str(path)!r} does not exist")
    try:
        info = sf.info(str(path))
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, TypeError...
        raise AudioError(sample_id, "audio", f"cannot read {str(path)!r} as audio ({exc})") from exc
    if info.samplerate <= 0:
        raise AudioError(sample_id, "audio", f"{str(path)!r} has an invalid sample rate {info.samplerate}")
    if info.frames <= 0:
        raise AudioError(sample_id, "audio", f"{str(path)!r} holds no samples")
    return AudioFileInfo(path, int(info.samplerate), int(info.channels), int(info.frames))


def read_blocks(info: AudioFileInfo, sample_id: str | None = None, block_frames: int | None = None):
    """The file's samples as mono float32 blocks at its own rate, read from disk one block at a
    time. AudioError (naming the sample) for NaN or infinite samples or a read that fails."""
    import soundfile as sf

    name = str(info.path)
    block_frames = block_frames or BLOCK_FRAMES
    try:
        with sf.SoundFile(name) as fh:
            while True:
                data = fh.read(block_frames, dtype="float32", always_2d=True)
                if not len(data):
                    return
                if not np.isfinite(data).all():
                    raise AudioError(sample_id, "audio", f"{name!r} holds NaN or infinite samples")
                yield data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0].copy()
    except AudioError:
        raise
    except Exception as exc:  # a file that breaks off mid-way
        raise AudioError(sample_id, "audio", f"cannot read {name!r} as audio ({exc})") from exc


def probe_audio(path: str | Path, sample_id: str | None = None) -> float:
    """Check that a file is usable audio and return its duration in seconds (block by block:
    memory stays flat whatever the file's length)."""
    info = audio_info(path, sample_id)
    for _ in read_blocks(info, sample_id):
        pass
    return info.duration_s


class StreamResampler:
    """Polyphase resampling (scipy.signal.resample_poly) of a signal that arrives in blocks.

    Each output stretch is computed from the input around it with `pad` samples of context on
    either side, more than the filter's half length, and the input is cut at multiples of the
    decimation factor so that the output grid is the whole signal's: the output equals
    `resample(whole_signal)` up to float rounding, while only a block and its context are held.
    """

    def __init__(self, rate_in: int, rate_out: int):
        ratio = Fraction(rate_out, rate_in)
        self.up, self.down = ratio.numerator, ratio.denominator
        half = math.ceil(10 * max(self.up, self.down) / self.up) + 2  # scipy's default filter: 10 per phase
        self.pad = math.ceil(half / self.down) * self.down  # input samples of context, a multiple of down
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # input index of _buf[0] (a multiple of down)
        self._done = 0  # input index up to which output was produced (a multiple of down)

    def output_length(self, n_in: int) -> int:
        """How many samples `n_in` input samples resample to (as resample_poly)."""
        return -(-n_in * self.up // self.down)

    def push(self, x: np.ndarray, final: bool = False) -> np.ndarray:
        """Feed the next input block; return the output that is now fully determined (all of it
        with `final`, which ends the stream)."""
        if self.up == self.down == 1:
            return x.astype(np.float32, copy=False)
        from scipy.signal import resample_poly

        self._buf = np.concatenate([self._buf, np.asarray(x, dtype=np.float32)])
        total = self._buf_start + len(self._buf)
        end = total if final else (total - self.pad) // self.down * self.down
        if end <= self._done:
            return np.zeros(0, dtype=np.float32)
        start = max(0, self._done - self.pad)
        seg = self._buf[start - self._buf_start: min(end + self.pad, total) - self._buf_start]
        y = resample_poly(seg, self.up, self.down)
        first = (self._done - start) * self.up // self.down
        last = self.output_length(total - start) if final else (end - start) * self.up // self.down
        out = y[first:last].astype(np.float32, copy=False)
        self._done = end
        keep = max(0, end - self.pad)
        self._buf = self._buf[keep - self._buf_start:]
        self._buf_start = keep
        return out


def stream_audio(path: str | Path, sample_id: str | None = None, target_rate: int | None = None,
                 block_frames: int | None = None):
    """A file as mono float32 blocks at `target_rate` (default: its own), streamed from disk."""
    info = audio_info(path, sample_id)
    rs = StreamResampler(info.rate, target_rate or info.rate)
    for block in read_blocks(info, sample_id, block_frames):
        y = rs.push(block)
        if len(y):
            yield y
    y = rs.push(np.zeros(0, dtype=np.float32), final=True)
    if len(y):
        yield y


def load_audio(path: str | Path | io.BytesIO, sample_id: str | None = None,
               target_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Read any rate and channel count, downmix to mono, optionally resample. Returns (x, rate).

    Raises AudioError naming the sample for a missing, unreadable or empty file, or one holding
    NaN or infinite samples.
    """
    if isinstance(path, str):
        path = Path(path)
    data, rate = _read(path, sample_id)
    if data.shape[0] == 0:
        raise AudioError(sample_id, "audio", f"{str(path)!r} holds no samples")
    if rate <= 0:
        raise AudioError(sample_id, "audio", f"{str(path)!r} has an invalid sample rate {rate}")
    if not np.isfinite(data).all():
        raise AudioError(sample_id, "audio", f"{str(path)!r} holds NaN or infinite samples")
    x = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    if target_rate is not None and target_rate != rate:
        x = resample(x, rate, target_rate)
        rate = target_rate
    return np.ascontiguousarray(x, dtype=np.float32), rate


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling (scipy.signal.resample_poly) by the exact rational ratio."""
    if rate_in == rate_out:
        return x.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    ratio = Fraction(rate_out, rate_in)
    y = resample_poly(x, ratio.numerator, ratio.denominator)
    return y.astype(np.float32, copy=False)


def to_pcm16(x: np.ndarray) -> bytes:
    """Float [-1, 1] to PCM16 little-endian bytes, clipping what is outside."""
    y = np.clip(np.asarray(x, dtype=np.float32), -1.0, 1.0) * PCM16_MAX
    return np.round(y).astype("<i2").tobytes()


def from_pcm16(pcm: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / PCM16_MAX


def chunk_samples(sample_rate: int, chunk_ms: float) -> int:
    n = sample_rate * chunk_ms / 1000.0
    if n < 1 or abs(n - round(n)) > 1e-9:
        raise ValueError(f"a {chunk_ms} ms chunk is not a whole number of samples at {sample_rate} Hz")
    return int(round(n))


def iter_chunks(pcm: bytes, sample_rate: int, chunk_ms: float = 20.0, start_sample: int = 0):
    """Split PCM16 bytes into AudioChunks (zero-copy memoryview slices); the last may be short."""
    n = chunk_samples(sample_rate, chunk_ms)
    view = memoryview(pcm)
    total = len(pcm) // 2
    for index, pos in enumerate(range(0, total, n)):
        yield AudioChunk(view[2 * pos: 2 * min(pos + n, total)], sample_rate, start_sample + pos, index)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def rms_dbfs(x: np.ndarray) -> float:
    """RMS level in dBFS, where a full-scale sine is -3 dBFS and a full-scale square 0 dBFS."""
    r = rms(x)
    return 20.0 * math.log10(r) if r > 0 else float("-inf")


def normalize_rms(x: np.ndarray, target_dbfs: float = -20.0) -> np.ndarray:
    """Scale to a target RMS level (the paper: every segment to -20 dBFS). Silence stays silent."""
    r = rms(x)
    if r == 0:
        return x.astype(np.float32, copy=True)
    return (x * (10.0 ** (target_dbfs / 20.0) / r)).astype(np.float32)


def db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def write_wav(path: str | Path, x: np.ndarray, rate: int) -> None:
    """Write mono PCM16 wav."""
    import soundfile as sf

    sf.write(str(path), np.clip(x, -1.0, 1.0), rate, subtype="PCM_16")
