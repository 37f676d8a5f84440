"""Assembly, exactly as the paper (section 2.2, stage 5): segments joined by clipped Gaussian gaps.

Contract:
- A gap is `np.clip(rng.normal(mu, sigma), t_min, t_max)`: a Gaussian draw clipped (not truncated,
  so the bounds carry probability mass) to [t_min, t_max]. Talk: (0.75, 0.35, -1.5, 2.5) s; the gap
  before an ESS sound event: (10.0, 1.66, 2.5, 20.0) s.
- Placement, in samples: the first segment starts after `lead_in_s`. Each next one starts at
  `frontier + gap`, where the frontier is the latest nominal end placed so far (when the last
  speaker stopped), and never before the previous segment's start (nor before 0). A negative gap
  overlaps the segments; the overlap is mixed additively. Two consecutive lines of the same speaker
  never overlap (a person cannot talk over themselves): their gap is raised to 0 unless
  `self_overlap` is set. Nobody talks over an instruction to the assistant (role "instruction"):
  the segment after it starts after it ends, so what follows is heard once monitoring has started.
- A speech piece carries its words (`WordTiming`, relative to its first sample); `Placed.words_at`
  gives them in absolute seconds, as the segment records hold them.
- A segment's nominal span is [start, start + length): `length` is the dry sound's, while its audio
  may run longer (a far-field reverb tail), mixed in full but not counted in the timing truth.
- The whole ends `tail_s` after the last nominal end (or where the last audio ends, if later).
- Ambient noise is added over the whole length at a given SNR relative to the speech level
  (`add_ambient`); the clipping guard (`guard_clipping`) scales the whole mix down if its peak
  exceeds 0.99 and reports the gain, so every segment's level stays known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...audio import db_to_gain, rms
from ..sample import WordTiming


@dataclass(frozen=True)
class GapParams:
    mu: float
    sigma: float
    t_min: float
    t_max: float

    def __post_init__(self) -> None:
        if self.sigma < 0 or self.t_min > self.t_max:
            raise ValueError(f"gap parameters need sigma >= 0 and t_min <= t_max, not {self}")

    def draw(self, rng: np.random.Generator, size: int | None = None):
        """Gap(s) in seconds: a clipped Gaussian draw."""
        return np.clip(rng.normal(self.mu, self.sigma, size), self.t_min, self.t_max)


TALK_GAP = GapParams(0.75, 0.35, -1.5, 2.5)
SOUND_GAP = GapParams(10.0, 1.66, 2.5, 20.0)


@dataclass(frozen=True)
class AssemblyParams:
    talk_gap: GapParams = TALK_GAP
    sound_gap: GapParams = SOUND_GAP
    lead_in_s: float = 0.5   # before the first segment (noise only)
    tail_s: float = 1.5      # after the last one, so a VAD can find the last endpoint
    self_overlap: bool = False


PAPER_ASSEMBLY = AssemblyParams()


@dataclass
class Piece:
    """One segment to place: its audio and what the timeline records about it."""

    kind: str                 # "user1" | "user2" | "sound"
    audio: np.ndarray         # float32 mono at the assembly's rate
    length: int | None = None  # nominal length in samples (defaults to len(audio))
    text: str | None = None
    label: str | None = None
    role: str = "talk"
    words: tuple[WordTiming, ...] = ()  # speech: its words, times relative to the piece's start

    @property
    def nominal(self) -> int:
        return len(self.audio) if self.length is None else self.length


@dataclass
class Placed:
    piece: Piece
    start: int    # sample index
    gap_s: float  # the gap drawn before it (0 for the first)

    @property
    def end(self) -> int:
        return self.start + self.piece.nominal

    def words_at(self, rate: int) -> list[WordTiming]:
        """The piece's words in absolute seconds of the assembly (kept inside its nominal span)."""
        t0, t1 = self.start / rate, self.end / rate
        inside = lambda t: min(max(round(t0 + t, 4), t0), t1)  # noqa: E731 - 0.1 ms, within the span
        return [WordTiming(text=w.text, start_s=inside(w.start_s), end_s=inside(w.end_s)) for w in self.piece.words]


@dataclass
class Assembly:
    audio: np.ndarray
    rate: int
    placed: list[Placed] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.rate


def gap_for(piece: Piece, previous: Piece, params: AssemblyParams, rng: np.random.Generator) -> float:
    gap = float((params.sound_gap if piece.kind == "sound" else params.talk_gap).draw(rng))
    if (not params.self_overlap and piece.kind == previous.kind) or previous.role == "instruction":
        gap = max(gap, 0.0)
    return gap


def place(pieces: list[Piece], rate: int, rng: np.random.Generator,
          params: AssemblyParams = PAPER_ASSEMBLY) -> list[Placed]:
    """Start times for every piece, by the rule in the module docstring."""
    placed: list[Placed] = []
    frontier = 0
    for piece in pieces:
        if not placed:
            start, gap = int(round(params.lead_in_s * rate)), 0.0
        else:
            gap = gap_for(piece, placed[-1].piece, params, rng)
            start = max(frontier + int(round(gap * rate)), placed[-1].start, 0)
        placed.append(Placed(piece, start, gap))
        frontier = max(frontier, placed[-1].end)
    return placed


def mix(placed: list[Placed], total: int) -> np.ndarray:
    """Sum every piece's full audio at its start (overlaps add)."""
    out = np.zeros(total, dtype=np.float32)
    for p in placed:
        audio = p.piece.audio[: max(0, total - p.start)]
        out[p.start: p.start + len(audio)] += audio
    return out


def assemble(pieces: list[Piece], rate: int, rng: np.random.Generator,
             params: AssemblyParams = PAPER_ASSEMBLY) -> Assembly:
    placed = place(pieces, rate, rng, params)
    last_end = max((p.end for p in placed), default=0)
    audio_end = max((p.start + len(p.piece.audio) for p in placed), default=0)
    total = max(last_end + int(round(params.tail_s * rate)), audio_end, int(round(params.lead_in_s * rate)))
    return Assembly(mix(placed, total), rate, placed)


def add_ambient(x: np.ndarray, noise: np.ndarray, snr_db: float, speech_dbfs: float = -20.0) -> np.ndarray:
    """Add `noise` (tiled or cut to len(x)) scaled to an RMS of `speech_dbfs - snr_db` dBFS.

    The reference is the segments' nominal level (-20 dBFS, the paper's normalisation), not the
    mix's RMS, so the SNR does not depend on how much of the recording is silence."""
    if len(noise) == 0:
        raise ValueError("ambient noise is empty")
    noise = np.resize(np.asarray(noise, dtype=np.float32), len(x))
    level = rms(noise)
    if level == 0:
        return x.astype(np.float32, copy=True)
    return (x + noise * (db_to_gain(speech_dbfs - snr_db) / level)).astype(np.float32)


def set_sound_levels(bed: np.ndarray, sounds: list[Placed], snr_db: float) -> np.ndarray:
    """`bed` plus each placed sound scaled to `snr_db` dB above the bed's RMS over its nominal span.

    The level is the RMS ratio over the span [start, start + nominal length): the sound's own RMS
    there against the bed's (speech, tails, ambient). `-inf` adds nothing. A span where the bed is
    silent has no SNR: a ProvoiceError (give the scene an ambient bed)."""
    from ...errors import ProvoiceError

    out = bed.astype(np.float32, copy=True)
    if snr_db == -math.inf:
        return out
    for p in sounds:
        n = min(p.piece.nominal, len(out) - p.start)
        ref, own = rms(bed[p.start: p.start + n]), rms(p.piece.audio[:n])
        if ref <= 0 or own <= 0:
            raise ProvoiceError(f"a sound level of {snr_db:g} dB needs a bed under the sound "
                                f"(the span at {p.start} samples is silent): add ambient noise")
        audio = p.piece.audio[: len(out) - p.start] * (ref * db_to_gain(snr_db) / own)
        out[p.start: p.start + len(audio)] += audio.astype(np.float32)
    return out


def guard_clipping(x: np.ndarray, peak: float = 0.99) -> tuple[np.ndarray, float]:
    """Scale the whole mix so that its peak is at most `peak`. Returns (audio, gain in dB <= 0)."""
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    if top <= peak:
        return x, 0.0
    gain = peak / top
    return (x * gain).astype(np.float32), 20.0 * math.log10(gain)
