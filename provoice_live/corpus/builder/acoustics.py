"""Acoustic simulation, exactly as the paper (section 2.2, stage 4), with scipy.signal.

Contract:
- Every segment (speech or sound) is normalised to an RMS of -20 dBFS (`near_field`).
- User2 is made far-field (`far_field`), in this order, after the normalisation:
  1. a treble shelf: the RBJ audio-EQ-cookbook high-shelf biquad, gain -3 dB, f0 = 4 kHz, slope
     S = 1, applied with `scipy.signal.sosfilt`. Its gain is 0 dB far below f0, -1.5 dB (half the
     shelf gain) at f0, and tends to -3 dB towards Nyquist (exactly -3 dB at Nyquist);
  2. reverberation: the signal convolved (`scipy.signal.fftconvolve`) with a stochastic room impulse
     response h[n] = g[n] * exp(-3 ln(10) n / (fs * RT60)), g white Gaussian, so the energy envelope
     falls 60 dB in RT60 seconds; the RIR is RT60 long and has unit energy; RT60 is drawn uniformly
     from `rt60_range_s`. Wet/dry 0.3 means `out = 0.7 * dry + 0.3 * wet`, where wet (the full
     convolution, including its decaying tail) is scaled to the same energy as the dry signal;
     the output is longer than the input by the tail (len(rir) - 1 samples);
  3. 4 dB of attenuation (a gain of 10^(-4/20)).
  So a far-field segment's direct part is not at -20 dBFS any more: that is the point.
- Sound events are normalised to -20 dBFS too (`sound_event`), except that an impulsive sound whose
  peak would then exceed `sound_peak_max` (0.5, -6 dBFS: a ticking clock, breaking glass) is scaled
  down to that peak, so it cannot force the whole mix down; its level is then below -20 dBFS.
All parameters live in one frozen dataclass, `AcousticParams`; `PAPER_ACOUSTICS` is the paper's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...audio import db_to_gain, normalize_rms


@dataclass(frozen=True)
class AcousticParams:
    target_dbfs: float = -20.0         # every segment's RMS
    shelf_freq_hz: float = 4000.0      # the treble shelf's midpoint frequency f0
    shelf_gain_db: float = -3.0        # its gain well above f0
    shelf_slope: float = 1.0           # RBJ shelf slope S (1 = the steepest without overshoot)
    attenuation_db: float = 4.0        # off-axis energy loss of User2
    wet: float = 0.3                   # out = (1 - wet) * dry + wet * (energy-matched) reverb
    rt60_range_s: tuple[float, float] = (0.3, 0.8)  # a living room to a large kitchen
    sound_peak_max: float = 0.5        # the highest peak a normalised sound event may keep

    def draw_rt60(self, rng: np.random.Generator) -> float:
        lo, hi = self.rt60_range_s
        return float(rng.uniform(lo, hi))


PAPER_ACOUSTICS = AcousticParams()


def near_field(x: np.ndarray, params: AcousticParams = PAPER_ACOUSTICS) -> np.ndarray:
    """The paper's loudness normalisation: RMS to `target_dbfs` (silence stays silent)."""
    return normalize_rms(x, params.target_dbfs)


def sound_event(x: np.ndarray, params: AcousticParams = PAPER_ACOUSTICS) -> np.ndarray:
    """A sound event at `target_dbfs` RMS, or quieter if its peak would exceed `sound_peak_max`."""
    y = normalize_rms(x, params.target_dbfs)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    return (y * (params.sound_peak_max / peak)).astype(np.float32) if peak > params.sound_peak_max else y


def high_shelf_sos(rate: int, freq_hz: float, gain_db: float, slope: float = 1.0) -> np.ndarray:
    """The RBJ cookbook high-shelf biquad as one second-order section, shape (1, 6), a0 = 1."""
    if not 0 < freq_hz < rate / 2:
        raise ValueError(f"shelf frequency {freq_hz} Hz must be inside (0, {rate / 2}) Hz at {rate} Hz")
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * freq_hz / rate
    cos_w0 = math.cos(w0)
    alpha = math.sin(w0) / 2.0 * math.sqrt((a + 1.0 / a) * (1.0 / slope - 1.0) + 2.0)
    two_sqrt_a_alpha = 2.0 * math.sqrt(a) * alpha
    b0 = a * ((a + 1) + (a - 1) * cos_w0 + two_sqrt_a_alpha)
    b1 = -2.0 * a * ((a - 1) + (a + 1) * cos_w0)
    b2 = a * ((a + 1) + (a - 1) * cos_w0 - two_sqrt_a_alpha)
    a0 = (a + 1) - (a - 1) * cos_w0 + two_sqrt_a_alpha
    a1 = 2.0 * ((a - 1) - (a + 1) * cos_w0)
    a2 = (a + 1) - (a - 1) * cos_w0 - two_sqrt_a_alpha
    return np.array([[b0 / a0, b1 / a0, b2 / a0, 1.0, a1 / a0, a2 / a0]])


def treble_shelf(x: np.ndarray, rate: int, params: AcousticParams = PAPER_ACOUSTICS) -> np.ndarray:
    from scipy.signal import sosfilt

    sos = high_shelf_sos(rate, params.shelf_freq_hz, params.shelf_gain_db, params.shelf_slope)
    return sosfilt(sos, x).astype(np.float32)


def stochastic_rir(rate: int, rt60_s: float, rng: np.random.Generator, length_s: float | None = None) -> np.ndarray:
    """Gaussian noise under an exponential envelope whose energy falls 60 dB in `rt60_s`; unit energy.

    The length defaults to RT60 (where the tail is 60 dB down)."""
    if rt60_s <= 0:
        raise ValueError(f"RT60 must be positive, not {rt60_s}")
    n = max(1, int(round((length_s if length_s is not None else rt60_s) * rate)))
    t = np.arange(n) / rate
    h = rng.standard_normal(n) * np.exp(-3.0 * math.log(10.0) * t / rt60_s)
    return (h / math.sqrt(float(np.sum(h * h)))).astype(np.float32)


def reverberate(x: np.ndarray, rir: np.ndarray, wet: float) -> np.ndarray:
    """`(1 - wet) * dry + wet * reverb`, the reverb energy-matched to the dry; len(x) + len(rir) - 1."""
    from scipy.signal import fftconvolve

    x = np.asarray(x, dtype=np.float32)
    reverb = fftconvolve(x, rir, mode="full")
    dry_energy = float(np.sum(np.square(x, dtype=np.float64)))
    reverb_energy = float(np.sum(np.square(reverb, dtype=np.float64)))
    if reverb_energy > 0:
        reverb *= math.sqrt(dry_energy / reverb_energy)
    out = wet * reverb
    out[: len(x)] += (1.0 - wet) * x
    return out.astype(np.float32)


def far_field_with(x: np.ndarray, rate: int, rir: np.ndarray,
                   params: AcousticParams = PAPER_ACOUSTICS) -> np.ndarray:
    """Shelf, then reverberation with the given RIR, then attenuation (see the module docstring)."""
    y = treble_shelf(x, rate, params)
    y = reverberate(y, rir, params.wet)
    return (y * db_to_gain(-params.attenuation_db)).astype(np.float32)


def far_field(x: np.ndarray, rate: int, rng: np.random.Generator,
              params: AcousticParams = PAPER_ACOUSTICS) -> tuple[np.ndarray, float]:
    """The paper's User2 processing with a freshly drawn room. Returns (audio, rt60_s)."""
    rt60 = params.draw_rt60(rng)
    return far_field_with(x, rate, stochastic_rir(rate, rt60, rng), params), rt60
