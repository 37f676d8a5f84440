"""Procedural synthesis of environmental sounds: one generator per class of the sound table.

Contract: `SYNTH_CLASSES` maps a class id of `provoice_live.sound_classes` (exactly the rows marked
`synthesised`) to a generator `(rate, rng) -> float32 mono`, 0.3-8 s long, peak 0.5, with
randomised variation (pitch, timing, count) drawn only from `rng`: the same seed gives the same
samples. Each generator models how the sound is made (a struck resonator, a pulse train through
formants, gated tones, shaped noise) so that it carries the measurable signature a listener goes
by: its periodicity, spectral shape and envelope, stated in its docstring and checked by
`tests/test_sound_bank.py`. Classes that cannot be made convincing this way (a laugh, a pig's
grunt, a hen's clucking, a sneeze, sipping) are not here: the bank reports them as unusable and
`build-corpus --esc50 DIR` renders them from the real recordings.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

# ----------------------------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------------------------

def _t(n: int, rate: int) -> np.ndarray:
    return np.arange(n) / rate


def _samples(seconds: float, rate: int) -> int:
    return max(1, int(round(seconds * rate)))


def _ramp(x: np.ndarray, rate: int, attack_s: float = 0.005, release_s: float = 0.005) -> np.ndarray:
    """Fade in and out (no clicks at gated edges)."""
    n = len(x)
    a, r = min(n, _samples(attack_s, rate)), min(n, _samples(release_s, rate))
    env = np.ones(n)
    env[:a] = np.linspace(0, 1, a)
    env[n - r:] = np.minimum(env[n - r:], np.linspace(1, 0, r))
    return x * env


def _tone(freq: float, seconds: float, rate: int, harmonics: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """A steady tone with the given harmonic amplitudes (harmonics above Nyquist dropped)."""
    t = _t(_samples(seconds, rate), rate)
    out = np.zeros(len(t))
    for k, amp in enumerate(harmonics, start=1):
        if k * freq < 0.45 * rate:
            out += amp * np.sin(2 * np.pi * k * freq * t)
    return out


def _sweep(freq: np.ndarray, rate: int, harmonics: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """A tone following an instantaneous-frequency track (one value per sample)."""
    phase = 2 * np.pi * np.cumsum(freq) / rate
    out = np.zeros(len(freq))
    for k, amp in enumerate(harmonics, start=1):
        out += amp * np.sin(k * phase) * (k * freq < 0.45 * rate)
    return out


def _decaying_partials(f0: float, ratios, decays_s, amps, seconds: float, rate: int,
                       rng: np.random.Generator) -> np.ndarray:
    """A struck resonator (bell, glass): inharmonic partials each decaying exponentially."""
    t = _t(_samples(seconds, rate), rate)
    out = np.zeros(len(t))
    for ratio, decay, amp in zip(ratios, decays_s, amps):
        f = f0 * ratio
        if f < 0.45 * rate:
            out += amp * np.exp(-t / decay) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return out


def _bandpass(x: np.ndarray, rate: int, lo: float, hi: float, order: int = 2) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    hi = min(hi, 0.45 * rate)
    sos = butter(order, [lo, hi], btype="bandpass", fs=rate, output="sos")
    return sosfilt(sos, x)


def _place(total_s: float, rate: int, events: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Lay events (start_s, audio) on a silent track of `total_s` (extended if an event runs over)."""
    n = _samples(total_s, rate)
    n = max([n] + [int(round(s * rate)) + len(a) for s, a in events])
    out = np.zeros(n)
    for start, audio in events:
        i = int(round(start * rate))
        out[i: i + len(audio)] += audio
    return out


def _finish(x: np.ndarray, peak: float = 0.5) -> np.ndarray:
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    return (x * (peak / top) if top > 0 else x).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# The classes
# ----------------------------------------------------------------------------------------------

def alarm_clock(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Digital alarm clock: groups of four fast beeps (about 8 a second) at 2.2-2.8 kHz, a pause
    between groups, for about 4 s."""
    f = rng.uniform(2200, 2800)
    beep_s, step_s = rng.uniform(0.06, 0.08), rng.uniform(0.12, 0.14)
    group_s = 4 * step_s + rng.uniform(0.4, 0.55)
    beep = _ramp(_tone(f, beep_s, rate, (1.0, 0.0, 0.33, 0.0, 0.2)), rate, 0.003, 0.003)
    events = [(g * group_s + k * step_s, beep) for g in range(int(rng.integers(3, 5))) for k in range(4)]
    return _finish(_place(0, rate, events))


def smoke_alarm(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Smoke alarm, the NFPA 72 temporal-three (T3) pattern: three 0.5 s beeps 0.5 s apart, then
    1.5 s of silence; a harsh piezo tone at 3.0-3.25 kHz; one or two cycles."""
    f = rng.uniform(3000, 3250)
    beep = _ramp(_tone(f, 0.5, rate, (1.0, 0.25, 0.1)), rate, 0.004, 0.004)
    beep += 0.01 * rng.standard_normal(len(beep)) * (np.abs(beep) > 0)
    cycles = int(rng.integers(1, 3))
    events = [(c * 4.0 + k * 1.0, beep) for c in range(cycles) for k in range(3)]
    return _finish(_place(cycles * 4.0 - 1.0, rate, events))


def doorbell(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Ding-dong: a bell tone at 620-700 Hz, then one a major third lower, each ringing out for
    about a second; sometimes pressed twice."""
    f_ding = rng.uniform(620, 700)
    f_dong = f_ding * 2 ** (-4 / 12)
    ratios, decays, amps = (1.0, 2.0, 3.0, 4.16), (0.9, 0.45, 0.25, 0.12), (1.0, 0.4, 0.2, 0.08)
    gap = rng.uniform(0.5, 0.7)
    chime = _place(0, rate, [(0.0, _decaying_partials(f_ding, ratios, decays, amps, 1.6, rate, rng)),
                             (gap, _decaying_partials(f_dong, ratios, decays, amps, 1.8, rate, rng))])
    presses = int(rng.integers(1, 3))
    return _finish(_place(0, rate, [(p * (gap + 1.9), chime) for p in range(presses)]))


def phone_ring(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Telephone ring: two tones (400+450 Hz or 440+480 Hz) warbled at 20-25 Hz, in the double-ring
    cadence 0.4 s on, 0.2 s off, 0.4 s on, then a 1.5-2 s pause; two cycles."""
    f1, f2 = (400.0, 450.0) if rng.random() < 0.5 else (440.0, 480.0)
    warble = rng.uniform(20, 25)
    burst_t = _t(_samples(0.4, rate), rate)
    burst = (np.sin(2 * np.pi * f1 * burst_t) + np.sin(2 * np.pi * f2 * burst_t))
    burst = _ramp(burst * (0.6 + 0.4 * np.sign(np.sin(2 * np.pi * warble * burst_t))), rate, 0.01, 0.01)
    cycle = 1.0 + rng.uniform(1.5, 2.0)
    events = [(c * cycle + off, burst) for c in range(2) for off in (0.0, 0.6)]
    return _finish(_place(0, rate, events))


def kettle_whistle(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Kettle whistle: one continuous, breathy whistle that swells in and glides up from 1.5-1.9 kHz
    by about a quarter over its first second, then holds with a slight warble; 3-4 s."""
    seconds = rng.uniform(3.0, 4.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    f0 = rng.uniform(1500, 1900)
    freq = f0 * (1 + 0.25 * np.minimum(t / 1.0, 1.0)) * (1 + 0.008 * np.sin(2 * np.pi * 5.5 * t))
    tone = _sweep(freq, rate, (1.0, 0.15))
    breath = _bandpass(rng.standard_normal(n), rate, f0 * 0.9, f0 * 1.4) * 0.6
    swell = np.minimum(t / rng.uniform(0.6, 1.0), 1.0) ** 2
    return _finish(_ramp((tone + breath) * swell, rate, 0.01, 0.08))


def door_knock(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Knocking on a wooden door: three to five dull knocks (wood resonances at 150-250 Hz and
    about 0.8-1.2 kHz, 30-60 ms decay) 0.15-0.25 s apart, sometimes a second group."""
    f_low, f_mid = rng.uniform(150, 250), rng.uniform(800, 1200)
    n = _samples(0.12, rate)
    t = _t(n, rate)

    def knock() -> np.ndarray:
        decay = rng.uniform(0.03, 0.06)
        body = np.exp(-t / decay) * (np.sin(2 * np.pi * f_low * t) + 0.5 * np.sin(2 * np.pi * f_mid * t))
        click = _bandpass(rng.standard_normal(n), rate, 500, 4000) * np.exp(-t / 0.004) * 0.6
        return (body + click) * rng.uniform(0.8, 1.0)

    events, at = [], 0.0
    for _group in range(int(rng.integers(1, 3))):
        for _k in range(int(rng.integers(3, 6))):
            events.append((at, knock()))
            at += rng.uniform(0.15, 0.25)
        at += rng.uniform(0.6, 0.9)
    return _finish(_place(at - 0.4, rate, events))


def microwave_beep(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Microwave finished: three long, plain beeps (0.35-0.5 s) at 1.5-1.8 kHz, 0.25-0.35 s apart,
    once."""
    f = rng.uniform(1500, 1800)
    beep_s, pause_s = rng.uniform(0.35, 0.5), rng.uniform(0.25, 0.35)
    beep = _ramp(_tone(f, beep_s, rate, (1.0, 0.0, 0.15)), rate, 0.005, 0.005)
    return _finish(_place(0, rate, [(k * (beep_s + pause_s), beep) for k in range(3)]))


def dog_bark(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A dog barking: two to four short (0.12-0.25 s) harmonic, noisy barks with a fast rise-and-fall
    pitch around 350-600 Hz and formants near 0.8 and 1.6 kHz, 0.3-0.6 s apart."""
    from scipy.signal import lfilter

    f_base = rng.uniform(350, 600)

    def bark() -> np.ndarray:
        seconds = rng.uniform(0.12, 0.25)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        freq = f_base * (1 + 0.35 * np.sin(np.pi * u ** 0.6)) * rng.uniform(0.9, 1.1)
        voiced = _sweep(freq, rate, tuple(1.0 / k for k in range(1, 9)))
        noisy = 0.5 * rng.standard_normal(n)
        src = (voiced + noisy) * np.exp(-u * 3) * np.minimum(u / 0.05, 1)
        out = np.zeros(n)
        for formant, bw in ((800.0, 200.0), (1600.0, 300.0)):
            r = math.exp(-math.pi * bw / rate)
            a = [1, -2 * r * math.cos(2 * math.pi * formant / rate), r * r]
            out += lfilter([1 - r], a, src)
        return out

    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 5))):
        events.append((at, bark()))
        at += rng.uniform(0.3, 0.6)
    return _finish(_place(at, rate, events))


def siren(rate: int, rng: np.random.Generator) -> np.ndarray:
    """An emergency siren: a wail (a tone sweeping 0.6-1.4 kHz up and down every 2.5-4 s) or a yelp
    (the same sweep 3-4 times a second); 4-6 s, continuous."""
    seconds = rng.uniform(4.0, 6.0)
    t = _t(_samples(seconds, rate), rate)
    centre, depth = rng.uniform(950, 1100), rng.uniform(300, 400)
    period = rng.uniform(2.5, 4.0) if rng.random() < 0.6 else rng.uniform(0.25, 0.33)
    freq = centre - depth * np.cos(2 * np.pi * t / period)
    return _finish(_ramp(_sweep(freq, rate, (1.0, 0.3, 0.15)), rate, 0.1, 0.2))


def crying_baby(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A baby crying: two or three wails (0.8-1.3 s) with an arched pitch around 380-520 Hz and a
    6-8 Hz tremble, bright harmonics (formants near 1.1 and 3 kHz), short inhalation gaps."""
    from scipy.signal import lfilter

    f_base = rng.uniform(380, 520)
    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 4))):
        seconds = rng.uniform(0.8, 1.3)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        t = u * seconds
        freq = f_base * (1 + 0.25 * np.sin(np.pi * u)) * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(6, 8) * t))
        src = _sweep(freq, rate, tuple(1.0 / k for k in range(1, 12))) + 0.1 * rng.standard_normal(n)
        out = np.zeros(n)
        for formant, bw in ((1100.0, 250.0), (3000.0, 400.0)):
            r = math.exp(-math.pi * bw / rate)
            out += lfilter([1 - r], [1, -2 * r * math.cos(2 * math.pi * formant / rate), r * r], src)
        events.append((at, _ramp(out * np.sin(np.pi * u) ** 0.5, rate, 0.03, 0.05)))
        at += seconds + rng.uniform(0.3, 0.5)
    return _finish(_place(at, rate, events))


def glass_breaking(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Glass breaking: a sharp crash of many bright inharmonic partials (2.5-7 kHz) with a noise
    burst, then a few tinkling fragments landing over the next 1-1.5 s."""
    crash_n = _samples(0.8, rate)
    t = _t(crash_n, rate)
    crash = _bandpass(rng.standard_normal(crash_n), rate, 2000, 7500) * np.exp(-t / 0.06)
    for _k in range(25):
        f = rng.uniform(2500, 7000)
        if f < 0.45 * rate:
            crash += rng.uniform(0.1, 0.4) * np.exp(-t / rng.uniform(0.05, 0.3)) * np.sin(2 * np.pi * f * t)
    events = [(0.0, crash)]
    for _k in range(int(rng.integers(4, 9))):
        tinkle = _decaying_partials(rng.uniform(2500, 5000), (1.0, 1.7, 2.6), (0.05, 0.03, 0.02),
                                    (1.0, 0.5, 0.3), 0.2, rate, rng)
        events.append((rng.uniform(0.3, 1.5), tinkle * rng.uniform(0.1, 0.3)))
    return _finish(_place(1.8, rate, events))


def clock_tick(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A mechanical clock: one sharp click a second, alternating tick (about 3.5 kHz) and tock
    (about 2.5 kHz); 4-6 s."""
    seconds = int(rng.integers(4, 7))
    n = _samples(0.03, rate)
    t = _t(n, rate)
    period = rng.uniform(0.98, 1.02)

    def click(f: float) -> np.ndarray:
        return np.exp(-t / 0.004) * (np.sin(2 * np.pi * f * t) + 0.5 * _bandpass(rng.standard_normal(n), rate, 1500, 6000))

    tick, tock = rng.uniform(3300, 3700), rng.uniform(2300, 2700)
    events = [(k * period, click(tick if k % 2 == 0 else tock)) for k in range(seconds)]
    return _finish(_place(seconds * period, rate, events))


def church_bells(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Church bells: three or four strikes 1.2-1.8 s apart of a deep bell (strike note 250-450 Hz,
    hum, tierce, quint and nominal partials) that rings for seconds."""
    f0 = rng.uniform(250, 450)
    ratios = (0.5, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
    decays = (3.0, 2.0, 1.5, 1.2, 1.0, 0.6, 0.4)
    amps = (0.5, 1.0, 0.6, 0.4, 0.5, 0.2, 0.15)
    period = rng.uniform(1.2, 1.8)
    events = [(k * period, _decaying_partials(f0, ratios, decays, amps, 3.0, rate, rng))
              for k in range(int(rng.integers(3, 5)))]
    return _finish(_place(0, rate, events))


def car_horn(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A car horn: one or two blasts (0.4-1.2 s) of a brassy two-note chord (about 400 and 500 Hz,
    many harmonics)."""
    f1 = rng.uniform(380, 440)
    f2 = f1 * rng.uniform(1.2, 1.27)
    harmonics = tuple(1.0 / k for k in range(1, 15))
    events, at = [], 0.0
    for _k in range(int(rng.integers(1, 3))):
        seconds = rng.uniform(0.4, 1.2)
        blast = _ramp(_tone(f1, seconds, rate, harmonics) + _tone(f2, seconds, rate, harmonics), rate, 0.02, 0.03)
        events.append((at, blast))
        at += seconds + rng.uniform(0.2, 0.4)
    return _finish(_place(at, rate, events))


def water_running(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Running water from a tap: continuous broadband hiss (0.4-4 kHz) with fast random bubbling
    modulation; 3-5 s."""
    from scipy.signal import butter, sosfilt

    seconds = rng.uniform(3.0, 5.0)
    n = _samples(seconds, rate)
    hiss = _bandpass(rng.standard_normal(n), rate, 400, 4000)
    lowpass = butter(2, 30, fs=rate, output="sos")
    bubbling = 1 + 0.6 * sosfilt(lowpass, rng.standard_normal(n)) * 8
    return _finish(_ramp(hiss * np.clip(bubbling, 0.2, None), rate, 0.2, 0.3))



# ----------------------------------------------------------------------------------------------
# More building blocks (the ESC-50 classes beyond the first fifteen)
# ----------------------------------------------------------------------------------------------

def _filter(x: np.ndarray, rate: int, kind: str, cutoff, order: int = 2) -> np.ndarray:
    """Butterworth low-, high- or band-pass (cutoffs kept below Nyquist)."""
    from scipy.signal import butter, sosfilt

    top = 0.45 * rate
    cutoff = [min(c, top) for c in cutoff] if isinstance(cutoff, (list, tuple)) else min(cutoff, top)
    return sosfilt(butter(order, cutoff, btype=kind, fs=rate, output="sos"), x)


def _resonate(x: np.ndarray, rate: int, formants) -> np.ndarray:
    """Sum of two-pole resonators, one per (centre Hz, bandwidth Hz) formant."""
    from scipy.signal import lfilter

    out = np.zeros(len(x))
    for f, bw in formants:
        if f < 0.45 * rate:
            r = math.exp(-math.pi * bw / rate)
            out += lfilter([1 - r], [1, -2 * r * math.cos(2 * math.pi * f / rate), r * r], x)
    return out


def _slow_noise(n: int, rate: int, rng: np.random.Generator, cutoff_hz: float) -> np.ndarray:
    """A smooth random curve (low-passed noise), unit standard deviation."""
    y = _filter(rng.standard_normal(n), rate, "lowpass", cutoff_hz)
    return y / (np.std(y) + 1e-12)


def _pulses(freq: np.ndarray, rate: int) -> np.ndarray:
    """A unit impulse each time the phase of `freq` (Hz per sample) completes a cycle."""
    phase = np.cumsum(freq) / rate
    out = np.zeros(len(freq))
    out[np.flatnonzero(np.diff(np.floor(phase), prepend=0.0) > 0)] = 1.0
    return out


def _voice(freq: np.ndarray, rate: int, rng: np.random.Generator, formants, harmonics: int = 12,
           noise: float = 0.1) -> np.ndarray:
    """A voiced call: a harmonic source following `freq` (plus breath noise) through formants."""
    src = _sweep(freq, rate, tuple(1.0 / k for k in range(1, harmonics + 1)))
    src = src + noise * rng.standard_normal(len(freq))
    return _resonate(src, rate, formants)


def _arch(n: int, attack: float = 0.1, release: float = 0.2) -> np.ndarray:
    """An envelope rising over the first `attack` share and falling over the last `release` share."""
    u = np.linspace(0, 1, n)
    return np.minimum(1, np.minimum(u / max(attack, 1e-6), (1 - u) / max(release, 1e-6))).clip(0, 1)


def _impact(rate: int, rng: np.random.Generator, band: tuple[float, float], decay_s: float,
            seconds: float = 0.1) -> np.ndarray:
    """One short knock/click: band-passed noise with an exponential decay."""
    n = _samples(seconds, rate)
    return _bandpass(rng.standard_normal(n), rate, *band) * np.exp(-_t(n, rate) / decay_s)


# ----------------------------------------------------------------------------------------------
# ESC-50 animals
# ----------------------------------------------------------------------------------------------

def rooster(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A rooster's crow, "cock-a-doodle-doo": three short syllables then a long fourth (0.7-1 s)
    that rises and falls, a harsh voice at 450-650 Hz (formants near 1.2 and 2.6 kHz), syllables
    about 60 ms apart."""
    f0 = rng.uniform(450, 650)
    lengths = [rng.uniform(0.12, 0.16), rng.uniform(0.09, 0.12), rng.uniform(0.16, 0.22), rng.uniform(0.7, 1.0)]
    shapes = [1.0, 0.95, 1.1, 1.2]
    events, at = [], 0.0
    for seconds, level in zip(lengths, shapes):
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        arch = np.sin(np.pi * u) if seconds > 0.5 else np.ones(n)
        freq = f0 * level * (1 + 0.12 * arch) * (1 + 0.02 * np.sin(2 * np.pi * 30 * u * seconds))
        call = _voice(freq, rate, rng, ((1200.0, 300.0), (2600.0, 500.0)), harmonics=14, noise=0.3)
        events.append((at, _ramp(call * (0.8 + 0.2 * arch), rate, 0.01, 0.03)))
        at += seconds + rng.uniform(0.05, 0.07)
    return _finish(_place(at, rate, events))


def cow(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A cow's moo: one or two long (1.2-2 s) low calls, a harmonic voice at 110-160 Hz whose
    first formant opens from about 300 to 700 Hz ("mmm-ooo"), slow swell and fade."""
    events, at = [], 0.0
    for _k in range(int(rng.integers(1, 3))):
        seconds = rng.uniform(1.2, 2.0)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        freq = rng.uniform(110, 160) * (1 + 0.1 * np.sin(np.pi * u) - 0.08 * u)
        src = _sweep(freq, rate, tuple(1.0 / k ** 0.8 for k in range(1, 30))) + 0.05 * rng.standard_normal(n)
        f1 = 300 + 400 * np.minimum(u / 0.4, 1.0)
        # the opening first formant: crossfade between a closed and an open resonance
        closed = _resonate(src, rate, ((300.0, 120.0), (900.0, 200.0)))
        opened = _resonate(src, rate, ((700.0, 150.0), (1100.0, 200.0)))
        mix = (f1 - 300) / 400
        events.append((at, (closed * (1 - mix) + opened * mix) * _arch(n, 0.15, 0.3)))
        at += seconds + rng.uniform(0.5, 1.0)
    return _finish(_place(at, rate, events))


def frog(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Frogs croaking: three to six croaks (0.15-0.35 s) 0.4-0.7 s apart, each a rapid train of
    pulses (40-70 a second) ringing a resonance at 500-1000 Hz: a "rrribbit" rattle."""
    f_res, pulse_hz = rng.uniform(500, 1000), rng.uniform(40, 70)
    events, at = [], 0.0
    for _k in range(int(rng.integers(3, 7))):
        seconds = rng.uniform(0.15, 0.35)
        n = _samples(seconds, rate)
        src = _pulses(np.full(n, pulse_hz * rng.uniform(0.95, 1.05)), rate)
        croak = _resonate(src, rate, ((f_res, 60.0), (2.1 * f_res, 120.0))) * _arch(n, 0.1, 0.3)
        events.append((at, croak))
        at += rng.uniform(0.4, 0.7)
    return _finish(_place(at, rate, events))


def cat(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A cat's meow: one or two calls (0.5-1 s) at 500-800 Hz whose pitch arches up and down while
    the mouth opens and closes ("mi-aa-ow": formants 0.9-2 kHz moving)."""
    events, at = [], 0.0
    for _k in range(int(rng.integers(1, 3))):
        seconds = rng.uniform(0.5, 1.0)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        freq = rng.uniform(500, 800) * (1 + 0.35 * np.sin(np.pi * u ** 0.8))
        src = _sweep(freq, rate, tuple(1.0 / k for k in range(1, 10))) + 0.05 * rng.standard_normal(n)
        front = _resonate(src, rate, ((1000.0, 200.0), (2200.0, 300.0)))
        back = _resonate(src, rate, ((900.0, 200.0), (1300.0, 250.0)))
        mix = np.sin(np.pi * u)
        events.append((at, (front * (1 - mix) + back * mix) * _arch(n, 0.12, 0.35)))
        at += seconds + rng.uniform(0.4, 0.8)
    return _finish(_place(at, rate, events))


def insects(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A buzzing fly or mosquito: a continuous buzzy tone (fly 170-250 Hz, mosquito 400-600 Hz,
    a sawtooth's many harmonics) wandering a few per cent in pitch and swelling as it flies about;
    3-5 s."""
    seconds = rng.uniform(3.0, 5.0)
    n = _samples(seconds, rate)
    f0 = rng.uniform(170, 250) if rng.random() < 0.6 else rng.uniform(400, 600)
    freq = f0 * (1 + 0.04 * _slow_noise(n, rate, rng, 1.5))
    buzz = _sweep(freq, rate, tuple(1.0 / k for k in range(1, 25)))
    level = 10 ** (0.3 * _slow_noise(n, rate, rng, 0.8))
    return _finish(_ramp(buzz * level, rate, 0.15, 0.2))


def sheep(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A sheep's bleat, "baa": one to three calls (0.6-1 s) at 250-400 Hz with a strong 6-9 Hz
    tremble of pitch and level, open-vowel formants near 0.8 and 1.5 kHz."""
    events, at = [], 0.0
    for _k in range(int(rng.integers(1, 4))):
        seconds = rng.uniform(0.6, 1.0)
        n = _samples(seconds, rate)
        t = _t(n, rate)
        wobble = np.sin(2 * np.pi * rng.uniform(6, 9) * t)
        freq = rng.uniform(250, 400) * (1 + 0.04 * wobble) * (1 - 0.08 * t / seconds)
        call = _voice(freq, rate, rng, ((800.0, 150.0), (1500.0, 250.0), (2600.0, 400.0)), noise=0.15)
        events.append((at, call * (0.6 + 0.4 * wobble) * _arch(n, 0.1, 0.3)))
        at += seconds + rng.uniform(0.4, 0.8)
    return _finish(_place(at, rate, events))


def crow(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Crows cawing: two to four harsh caws (0.25-0.45 s) 0.45-0.7 s apart, a noisy voice at
    400-650 Hz falling at the end, formants near 1.3 and 2 kHz."""
    f0 = rng.uniform(400, 650)
    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 5))):
        seconds = rng.uniform(0.25, 0.45)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        freq = f0 * (1 + 0.05 * np.sin(np.pi * u) - 0.2 * u ** 3) * rng.uniform(0.95, 1.05)
        call = _voice(freq, rate, rng, ((1300.0, 300.0), (2000.0, 400.0)), harmonics=16, noise=1.2)
        events.append((at, call * _arch(n, 0.08, 0.3)))
        at += seconds + rng.uniform(0.2, 0.3)
    return _finish(_place(at, rate, events))


# ----------------------------------------------------------------------------------------------
# ESC-50 natural soundscapes and water
# ----------------------------------------------------------------------------------------------

def rain(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Rain: a steady hiss (high-passed above 1 kHz) full of small drop impacts, a few hundred a
    second at random, some louder; 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    hiss = _filter(rng.standard_normal(n), rate, "highpass", 1000.0) * 0.25
    drops = np.zeros(n)
    count = int(rng.uniform(200, 400) * seconds)
    drops[rng.integers(0, n, count)] = rng.pareto(2.0, count) + 0.2
    drop_kernel = _impact(rate, rng, (1500.0, 7000.0), 0.003, 0.015)
    return _finish(_ramp(hiss + np.convolve(drops, drop_kernel)[:n], rate, 0.3, 0.3))


def sea_waves(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Waves on a shore: one or two swells of surf noise, each rising over 1.5-2.5 s, breaking
    (brighter) and washing back over 2-3 s, under a low wash; 5-7 s."""
    seconds = rng.uniform(5.0, 7.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    level = np.full(n, 0.08)
    bright = np.zeros(n)
    waves = int(rng.integers(1, 3))
    for k in range(waves):
        peak = (k + 0.5) * seconds / waves + rng.uniform(-0.3, 0.3)
        rise, fall = rng.uniform(1.5, 2.5), rng.uniform(2.0, 3.0)
        shape = np.where(t < peak, np.exp(-((t - peak) / (rise / 2)) ** 2), np.exp(-(t - peak) / (fall / 2.5)))
        level += shape
        bright += shape * (t >= peak - 0.2)
    noise = rng.standard_normal(n)
    low = _filter(noise, rate, "lowpass", 700.0)
    high = _filter(noise, rate, "bandpass", (700.0, 5000.0))
    return _finish(_ramp(level * low + 0.6 * bright * high, rate, 0.3, 0.5))


def crackling_fire(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A crackling fire: a soft low roar with sharp crackles and pops at random (8-20 a second,
    some much louder than others); 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    roar = _filter(rng.standard_normal(n), rate, "lowpass", 400.0) * 0.15 * (1 + 0.3 * _slow_noise(n, rate, rng, 1.0))
    events = [(0.0, roar)]
    for _k in range(int(rng.uniform(8, 20) * seconds)):
        pop = _impact(rate, rng, (rng.uniform(800, 2000), rng.uniform(4000, 7000)), rng.uniform(0.002, 0.008), 0.04)
        events.append((rng.uniform(0, seconds - 0.05), pop * min(rng.pareto(1.5) + 0.3, 3.0)))
    return _finish(_place(seconds, rate, events))


def crickets(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Crickets: chirps of three to five pulses (15-20 ms, 30-40 ms apart) of a pure 3.8-5 kHz
    tone, the chirps repeating very regularly 1.5-3 times a second; 4-5 s."""
    f = rng.uniform(3800, 5000)
    pulse_s, period_s = rng.uniform(0.015, 0.02), rng.uniform(0.03, 0.04)
    pulses = int(rng.integers(3, 6))
    pulse = _ramp(_tone(f, pulse_s, rate), rate, 0.003, 0.005)
    chirp = _place(0, rate, [(k * period_s, pulse) for k in range(pulses)])
    every = 1.0 / rng.uniform(1.5, 3.0)
    seconds = rng.uniform(4.0, 5.0)
    return _finish(_place(seconds, rate, [(k * every, chirp) for k in range(int(seconds / every))]))


def chirping_birds(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Birds chirping: phrases of quick tweets, each a 40-120 ms whistle sweeping fast between
    2 and 7 kHz, from two or three birds at random times; 3-5 s."""
    seconds = rng.uniform(3.0, 5.0)
    events = []
    for _bird in range(int(rng.integers(2, 4))):
        base = rng.uniform(2500, 5000)
        at = rng.uniform(0, 0.8)
        while at < seconds - 0.5:
            for _tweet in range(int(rng.integers(2, 6))):
                dur = rng.uniform(0.04, 0.12)
                n = _samples(dur, rate)
                u = np.linspace(0, 1, n)
                lo, hi = base * rng.uniform(0.7, 0.9), min(base * rng.uniform(1.2, 1.5), 7000.0)
                freq = lo + (hi - lo) * (u if rng.random() < 0.5 else 1 - u)
                events.append((at, _sweep(freq, rate, (1.0, 0.1)) * np.sin(np.pi * u) * rng.uniform(0.5, 1.0)))
                at += dur + rng.uniform(0.03, 0.08)
            at += rng.uniform(0.4, 1.2)
    return _finish(_place(seconds, rate, events))


def water_drops(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Water dripping: one drop every 0.4-1 s, fairly regular, each a "plink": a bubble ringing at
    0.8-2 kHz whose pitch rises quickly as it decays (30-60 ms); 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    every = rng.uniform(0.4, 1.0)
    events, at = [], rng.uniform(0, 0.2)
    while at < seconds - 0.1:
        n = _samples(0.1, rate)
        t = _t(n, rate)
        f0 = rng.uniform(800, 2000)
        freq = f0 * (1 + 1.2 * t / 0.1)
        plink = np.sin(2 * np.pi * np.cumsum(freq) / rate) * np.exp(-t / rng.uniform(0.03, 0.06))
        events.append((at, plink + 0.3 * _impact(rate, rng, (2000.0, 6000.0), 0.002, 0.1)))
        at += every * rng.uniform(0.9, 1.1)
    return _finish(_place(seconds, rate, events))


def wind(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Wind: a low rushing noise (most power under 1 kHz) rising and falling in gusts every few
    seconds, its pitch of rush moving with the strength; 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    gust = _slow_noise(n, rate, rng, 0.4)
    noise = rng.standard_normal(n)
    low = _filter(noise, rate, "lowpass", 400.0)
    mid = _filter(noise, rate, "bandpass", (400.0, 1200.0))
    strength = 10 ** (0.4 * gust)
    return _finish(_ramp(strength * (low + 0.4 * mid * np.clip(gust + 0.5, 0, None)), rate, 0.5, 0.5))


def toilet_flush(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A toilet flushing: a sudden loud rush of water (broadband, gurgling at 4-10 Hz) that drains
    away over 2-3 s, then the quieter, higher hiss of the tank refilling for 1-2 s."""
    rush_s, refill_s = rng.uniform(2.0, 3.0), rng.uniform(1.0, 2.0)
    n = _samples(rush_s, rate)
    t = _t(n, rate)
    gurgle = 1 + 0.5 * _filter(rng.standard_normal(n), rate, "bandpass", (4.0, 10.0)) * 20
    rush = _filter(rng.standard_normal(n), rate, "bandpass", (150.0, 4000.0)) * np.clip(gurgle, 0.2, None)
    rush *= np.minimum(t / 0.08, 1) * np.exp(-t / (rush_s / 2.5))
    m = _samples(refill_s, rate)
    refill = _filter(rng.standard_normal(m), rate, "bandpass", (1500.0, 5000.0)) * 0.12 * _arch(m, 0.2, 0.3)
    return _finish(_place(0, rate, [(0.0, rush), (rush_s * 0.8, refill)]))


def thunderstorm(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Thunder: a sharp crack, then a deep rolling rumble (most power under 300 Hz) swelling and
    fading in rolls over 3-5 s, with rain hissing underneath."""
    seconds = rng.uniform(3.5, 5.5)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    rolls = np.abs(_slow_noise(n, rate, rng, 2.0)) + 0.3
    rumble = _filter(rng.standard_normal(n), rate, "lowpass", 200.0, order=4) * rolls * np.exp(-t / (seconds / 2.5))
    rumble *= np.minimum(t / 0.05, 1.0)
    crack = _impact(rate, rng, (300.0, 6000.0), rng.uniform(0.03, 0.08), 0.4)
    rain_bed = _filter(rng.standard_normal(n), rate, "highpass", 1500.0) * 0.02
    rumble = rumble / (np.max(np.abs(rumble)) + 1e-12)
    crack = crack / (np.max(np.abs(crack)) + 1e-12) * 0.6
    return _finish(_place(seconds, rate, [(0.0, rumble), (0.0, crack), (0.0, rain_bed)]))


# ----------------------------------------------------------------------------------------------
# ESC-50 human, non-speech
# ----------------------------------------------------------------------------------------------

def clapping(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Someone clapping: 8-16 sharp claps (5-15 ms bursts of noise ringing at 1-2.5 kHz, the
    hollow of the hands) at a steady 2.5-5 a second."""
    every = 1.0 / rng.uniform(2.5, 5.0)
    centre = rng.uniform(1000, 2500)
    events = []
    for k in range(int(rng.integers(8, 17))):
        clap = _impact(rate, rng, (centre * 0.5, centre * 2.5), rng.uniform(0.004, 0.01), 0.06)
        events.append((k * every * rng.uniform(0.97, 1.03), clap * rng.uniform(0.8, 1.0)))
    return _finish(_place(0, rate, events))


def breathing(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Heavy breathing: two cycles of an inhale (0.8-1.3 s of airy noise, brighter,
    1-3 kHz) and an exhale (1-1.5 s, duller, 0.3-1.5 kHz), a short pause between."""
    events, at = [], 0.0
    for _k in range(2):
        inhale_s, exhale_s = rng.uniform(0.8, 1.3), rng.uniform(1.0, 1.5)
        a, b = _samples(inhale_s, rate), _samples(exhale_s, rate)
        inhale = _filter(rng.standard_normal(a), rate, "bandpass", (1000.0, 3000.0)) * _arch(a, 0.5, 0.2) * 0.6
        exhale = _filter(rng.standard_normal(b), rate, "bandpass", (300.0, 1500.0)) * _arch(b, 0.2, 0.6)
        events += [(at, inhale), (at + inhale_s + 0.1, exhale)]
        at += inhale_s + exhale_s + rng.uniform(0.3, 0.6)
    return _finish(_place(at, rate, events))


def coughing(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Coughing: a bout of two or three coughs 0.35-0.6 s apart, each an explosive onset (a few
    ms) of broadband noise with a short voiced part (150-250 Hz), decaying over 0.2-0.35 s."""
    f0 = rng.uniform(150, 250)
    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 4))):
        seconds = rng.uniform(0.2, 0.35)
        n = _samples(seconds, rate)
        t = _t(n, rate)
        burst = _filter(rng.standard_normal(n), rate, "bandpass", (300.0, 4000.0))
        voiced = _voice(np.full(n, f0) * (1 - 0.2 * t / seconds), rate, rng, ((600.0, 200.0), (1400.0, 300.0)),
                        noise=0.5)
        voiced = voiced / (np.std(voiced) + 1e-12) * np.std(burst) * 0.8
        env = np.minimum(t / 0.004, 1) * np.exp(-t / (seconds / 3))
        events.append((at, (burst + voiced * (t < 0.12)) * env))
        at += rng.uniform(0.35, 0.6)
    return _finish(_place(at, rate, events))


def footsteps(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Footsteps: 6-10 steps at a walking pace (1.6-2.2 a second), each a dull heel thud (80-300 Hz)
    and, 40-80 ms later, a softer toe scuff (1-4 kHz)."""
    every = 1.0 / rng.uniform(1.6, 2.2)
    events = []
    for k in range(int(rng.integers(6, 11))):
        at = k * every * rng.uniform(0.97, 1.03)
        level = rng.uniform(0.8, 1.0) * (1.0 if k % 2 == 0 else rng.uniform(0.75, 0.95))
        heel = _impact(rate, rng, (80.0, 300.0), rng.uniform(0.015, 0.03), 0.12) * 3.0
        toe = _impact(rate, rng, (1000.0, 4000.0), 0.01, 0.05) * 0.4
        events += [(at, heel * level), (at + rng.uniform(0.04, 0.08), toe * level)]
    return _finish(_place(0, rate, events))


def brushing_teeth(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Brushing teeth: the scrubbing hiss of bristles (2-7 kHz) swelling with every stroke, back
    and forth 3-5 times a second; 3-4 s."""
    seconds = rng.uniform(3.0, 4.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    strokes = np.abs(np.sin(np.pi * rng.uniform(3.0, 5.0) * t)) ** 1.5
    bristles = _filter(rng.standard_normal(n), rate, "bandpass", (2000.0, 7000.0))
    return _finish(_ramp(bristles * (0.1 + strokes), rate, 0.1, 0.1))


def snoring(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Snoring: two breaths, each a 1-1.6 s inhaled snore, the soft palate flapping 30-70 times a
    second (a low rattle through throat resonances near 500 Hz and 1.2 kHz), then 1.5-2 s of a
    quiet exhale."""
    flap = rng.uniform(30, 70)
    events, at = [], 0.0
    for _k in range(2):
        seconds = rng.uniform(1.0, 1.6)
        n = _samples(seconds, rate)
        src = _pulses(np.full(n, flap) * (1 + 0.05 * _slow_noise(n, rate, rng, 2.0)), rate)
        src = src + 0.02 * rng.standard_normal(n)
        snore = _resonate(src, rate, ((500.0, 150.0), (1200.0, 250.0))) * _arch(n, 0.35, 0.25)
        out_s = rng.uniform(1.5, 2.0)
        m = _samples(out_s, rate)
        exhale = _filter(rng.standard_normal(m), rate, "bandpass", (300.0, 1500.0)) * _arch(m, 0.2, 0.5) * 0.01
        events += [(at, snore), (at + seconds + 0.1, exhale)]
        at += seconds + out_s + 0.2
    return _finish(_place(at, rate, events))


# ----------------------------------------------------------------------------------------------
# ESC-50 interior / domestic
# ----------------------------------------------------------------------------------------------

def mouse_click(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Mouse clicks: two to five clicks 0.4-1.2 s apart, each a press and, 60-100 ms later, a
    release: tiny (2-3 ms) bright ticks of plastic ringing at 3-6 kHz."""
    ring = rng.uniform(3000, 6000)
    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 6))):
        press = _impact(rate, rng, (ring * 0.7, ring * 1.3), 0.0015, 0.015)
        release = _impact(rate, rng, (ring * 0.8, ring * 1.4), 0.0012, 0.015) * 0.6
        events += [(at, press), (at + rng.uniform(0.06, 0.1), release)]
        at += rng.uniform(0.4, 1.2)
    return _finish(_place(at, rate, events))


def keyboard_typing(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Typing on a keyboard: 20-40 keystrokes in bursts of typing, 80-250 ms apart at random, each
    a short clack (a 300-600 Hz thock under a 1.5-4 kHz click), the odd louder space bar."""
    thock_f, click_f = rng.uniform(300, 600), rng.uniform(1500, 4000)
    events, at = [], 0.0
    for k in range(int(rng.integers(20, 41))):
        key = (_impact(rate, rng, (thock_f * 0.7, thock_f * 1.5), 0.008, 0.04)
               + 0.7 * _impact(rate, rng, (click_f * 0.7, click_f * 1.4), 0.003, 0.04))
        space = rng.random() < 0.15
        events.append((at, key * (1.4 if space else rng.uniform(0.6, 1.0))))
        at += rng.uniform(0.08, 0.25) + (rng.uniform(0.3, 0.6) if rng.random() < 0.08 else 0.0)
    return _finish(_place(at, rate, events))


def door_wood_creaks(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A wooden door creaking: one or two slow creaks (0.8-1.8 s), stick-slip pulses whose rate
    glides 30 -> 150 -> 60 a second (the creak's rising and falling pitch) through wood
    resonances at 0.4-1.5 kHz."""
    events, at = [], 0.0
    for _k in range(int(rng.integers(1, 3))):
        seconds = rng.uniform(0.8, 1.8)
        n = _samples(seconds, rate)
        u = np.linspace(0, 1, n)
        lo, hi, end = rng.uniform(25, 40), rng.uniform(120, 180), rng.uniform(50, 80)
        rate_track = np.where(u < 0.6, lo + (hi - lo) * np.sin(np.pi / 2 * u / 0.6), hi + (end - hi) * (u - 0.6) / 0.4)
        src = _pulses(rate_track * (1 + 0.03 * _slow_noise(n, rate, rng, 8.0)), rate)
        creak = _resonate(src, rate, ((rng.uniform(400, 600), 60.0), (rng.uniform(900, 1500), 100.0)))
        events.append((at, creak * _arch(n, 0.1, 0.15)))
        at += seconds + rng.uniform(0.4, 0.8)
    return _finish(_place(at, rate, events))


def can_opening(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A can opening: the sharp click-pop of the tab (a few ms, 1-5 kHz), then the fizz of gas
    escaping (a 2-8 kHz hiss fading over 0.3-0.8 s), sometimes the tab clicking back."""
    pop = _impact(rate, rng, (1000.0, 5000.0), 0.003, 0.03)
    fizz_s = rng.uniform(0.3, 0.8)
    n = _samples(fizz_s, rate)
    fizz = _filter(rng.standard_normal(n), rate, "bandpass", (2000.0, 8000.0)) * np.exp(-_t(n, rate) / (fizz_s / 3))
    fizz *= 0.35 * np.minimum(_t(n, rate) / 0.01, 1)
    events = [(0.0, pop), (0.004, fizz)]
    if rng.random() < 0.5:
        events.append((fizz_s + rng.uniform(0.2, 0.4), 0.4 * _impact(rate, rng, (1500.0, 5000.0), 0.002, 0.02)))
    return _finish(_place(0, rate, events))


def washing_machine(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A washing machine: the motor's hum (50-100 Hz and harmonics) under water and laundry
    sloshing in the drum, swelling once per turn (0.7-1.5 turns a second); 5-6 s."""
    seconds = rng.uniform(5.0, 6.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    hum = _tone(rng.uniform(50, 100), seconds, rate, (1.0, 0.5, 0.3, 0.2))[:n] * 0.3
    turn = rng.uniform(0.7, 1.5)
    slosh_env = (0.5 + 0.5 * np.sin(2 * np.pi * turn * t)) ** 3
    slosh = _filter(rng.standard_normal(n), rate, "bandpass", (100.0, 1200.0)) * slosh_env
    return _finish(_ramp(hum + slosh, rate, 0.3, 0.3))


def vacuum_cleaner(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A vacuum cleaner: a loud steady roar of air (broadband noise, 0.2-6 kHz) with the motor's
    whine (a tone at 600-1200 Hz and harmonics) spinning up over the first half second; 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    spin = np.minimum(t / 0.5, 1.0)
    whine = _sweep(rng.uniform(600, 1200) * (0.6 + 0.4 * spin) * (1 + 0.005 * _slow_noise(n, rate, rng, 1.0)),
                   rate, (1.0, 0.4, 0.2)) * 0.15
    roar = _filter(rng.standard_normal(n), rate, "bandpass", (200.0, 6000.0))
    roar = roar / (np.std(roar) + 1e-12) * 0.3
    return _finish(_ramp((roar + whine) * (0.3 + 0.7 * spin), rate, 0.05, 0.2))


# ----------------------------------------------------------------------------------------------
# ESC-50 exterior / urban
# ----------------------------------------------------------------------------------------------

def helicopter(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A helicopter: the rotor's blade slap, 15-25 thumps a second (low-passed noise bursts), over
    a turbine roar, drawing near and away; 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    blade = rng.uniform(15, 25)
    slap = (0.5 + 0.5 * np.cos(2 * np.pi * blade * t)) ** 8
    body = _filter(rng.standard_normal(n), rate, "lowpass", 600.0) * slap
    turbine = _filter(rng.standard_normal(n), rate, "bandpass", (1500.0, 4000.0)) * 0.05
    near = np.exp(-((t - rng.uniform(0.4, 0.6) * seconds) / (seconds * 0.6)) ** 2)
    return _finish(_ramp((body + turbine) * near, rate, 0.2, 0.3))


def chainsaw(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A chainsaw: a two-stroke engine's buzz (a raw pulse train through the exhaust's resonance)
    revving from idle (40-60 firings a second) up to cutting speed (120-180) and back; 3-5 s."""
    seconds = rng.uniform(3.0, 5.0)
    n = _samples(seconds, rate)
    u = np.linspace(0, 1, n)
    idle, full = rng.uniform(40, 60), rng.uniform(120, 180)
    up, down = rng.uniform(0.15, 0.3), rng.uniform(0.7, 0.85)
    rev = np.clip(np.minimum((u - 0.05) / (up - 0.05), (1 - u) / (1 - down)), 0, 1)
    freq = (idle + (full - idle) * rev) * (1 + 0.02 * _slow_noise(n, rate, rng, 6.0))
    buzz = _sweep(freq, rate, tuple(1.0 / k ** 0.7 for k in range(1, 40)))
    buzz = _resonate(buzz, rate, ((800.0, 400.0), (2000.0, 800.0))) + 0.3 * buzz
    noise = _filter(rng.standard_normal(n), rate, "bandpass", (1000.0, 5000.0)) * 0.2 * rev
    return _finish(_ramp((buzz / (np.std(buzz) + 1e-12) + noise) * (0.5 + 0.5 * rev), rate, 0.05, 0.2))


def engine(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A car engine idling: a low throb of firings (25-40 a second, four cylinders at idle)
    through the exhaust (under 400 Hz), with one short rev; 4-6 s."""
    seconds = rng.uniform(4.0, 6.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    idle = rng.uniform(25, 40)
    rev_at = rng.uniform(0.3, 0.6) * seconds
    rev = np.exp(-((t - rev_at) / 0.4) ** 2)
    freq = idle * (1 + 1.2 * rev) * (1 + 0.02 * _slow_noise(n, rate, rng, 3.0))
    firing = _pulses(freq, rate) * (1 + 0.2 * rng.standard_normal(n))
    exhaust = _resonate(firing, rate, ((90.0, 40.0), (220.0, 80.0))) + 0.3 * _filter(firing, rate, "lowpass", 400.0)
    rumble = _filter(rng.standard_normal(n), rate, "lowpass", 300.0) * 0.02
    return _finish(_ramp(exhaust * (1 + 0.5 * rev) + rumble, rate, 0.2, 0.3))


def train(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A train passing: the clickety-clack of wheels over rail joints (pairs of impacts 0.1-0.2 s
    apart, a pair every 0.5-0.9 s) over a rumbling roar that swells and fades; 5-7 s."""
    seconds = rng.uniform(5.0, 7.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    near = np.exp(-((t - seconds / 2) / (seconds * 0.45)) ** 2)
    roar = _filter(rng.standard_normal(n), rate, "bandpass", (60.0, 2000.0)) * 0.15 * near
    events = [(0.0, roar)]
    every, pair = rng.uniform(0.5, 0.9), rng.uniform(0.1, 0.2)
    at = rng.uniform(0, 0.2)
    while at < seconds - 0.3:
        g = float(near[min(n - 1, int(at * rate))])
        for off in (0.0, pair):
            events.append((at + off, _impact(rate, rng, (150.0, 2500.0), 0.02, 0.1) * g * 1.5))
        at += every
    return _finish(_place(seconds, rate, events))


def airplane(rate: int, rng: np.random.Generator) -> np.ndarray:
    """A plane flying over: a broad jet roar (mostly under 2 kHz) swelling to its loudest as it
    passes and fading away, its pitch sliding down a little (Doppler); 5-7 s."""
    seconds = rng.uniform(5.0, 7.0)
    n = _samples(seconds, rate)
    t = _t(n, rate)
    mid = rng.uniform(0.4, 0.6) * seconds
    near = 1.0 / (1.0 + ((t - mid) / (seconds * 0.18)) ** 2)
    noise = rng.standard_normal(n)
    roar = _filter(noise, rate, "lowpass", 1500.0, order=3)
    whine = _sweep(rng.uniform(400, 800) * (1 - 0.06 * np.tanh((t - mid) / 0.8)), rate, (1.0, 0.3)) * 0.02
    return _finish(_ramp((roar / (np.std(roar) + 1e-12) * 0.3 + whine) * near, rate, 0.3, 0.3))


def fireworks(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Fireworks: two or three bursts, each often a rising launch whistle (1 -> 3 kHz, 0.4-0.8 s),
    then a bang (a sharp broadband crack with a long low boom, 0.5-1.2 s) and a spray of crackles."""
    events, at = [], 0.0
    for _k in range(int(rng.integers(2, 4))):
        if rng.random() < 0.6:
            whistle_s = rng.uniform(0.4, 0.8)
            m = _samples(whistle_s, rate)
            u = np.linspace(0, 1, m)
            events.append((at, _sweep(1000 + 2000 * u, rate) * 0.08 * u))
            at += whistle_s
        boom_s = rng.uniform(0.5, 1.2)
        n = _samples(boom_s, rate)
        t = _t(n, rate)
        boom = _filter(rng.standard_normal(n), rate, "lowpass", 250.0) * np.exp(-t / (boom_s / 3)) * 3
        crack = _impact(rate, rng, (500.0, 7000.0), 0.01, 0.1)
        events += [(at, boom), (at, crack)]
        for _c in range(int(rng.integers(5, 15))):
            events.append((at + rng.uniform(0.2, boom_s + 0.3), 0.2 * _impact(rate, rng, (2000.0, 7000.0), 0.003, 0.02)))
        at += boom_s + rng.uniform(0.3, 0.9)
    return _finish(_place(at, rate, events))


def hand_saw(rate: int, rng: np.random.Generator) -> np.ndarray:
    """Sawing wood by hand: 4-8 strokes back and forth (1.5-2.5 a second), each 0.25-0.45 s of
    rasping noise (1-6 kHz) chopped by the teeth catching 80-200 times a second; the push
    strokes louder."""
    every = 1.0 / rng.uniform(1.5, 2.5)
    teeth = rng.uniform(80, 200)
    events = []
    for k in range(int(rng.integers(4, 9))):
        seconds = min(rng.uniform(0.25, 0.45), every * 0.85)
        n = _samples(seconds, rate)
        t = _t(n, rate)
        rasp = _filter(rng.standard_normal(n), rate, "bandpass", (1000.0, 6000.0))
        rasp *= (0.5 + 0.5 * np.cos(2 * np.pi * teeth * t)) ** 4 * _arch(n, 0.2, 0.2)
        events.append((k * every, rasp * (1.0 if k % 2 == 0 else 0.6)))
    return _finish(_place(0, rate, events))


SoundFn = Callable[[int, np.random.Generator], np.ndarray]
SYNTH_CLASSES: dict[str, SoundFn] = {
    fn.__name__: fn
    for fn in (alarm_clock, smoke_alarm, doorbell, phone_ring, kettle_whistle, door_knock, microwave_beep,
               dog_bark, siren, crying_baby, glass_breaking, clock_tick, church_bells, car_horn, water_running,
               rooster, cow, frog, cat, insects, sheep, crow,
               rain, sea_waves, crackling_fire, crickets, chirping_birds, water_drops, wind, toilet_flush, thunderstorm,
               clapping, breathing, coughing, footsteps, brushing_teeth, snoring,
               mouse_click, keyboard_typing, door_wood_creaks, can_opening, washing_machine, vacuum_cleaner,
               helicopter, chainsaw, engine, train, airplane, fireworks, hand_saw)
}

