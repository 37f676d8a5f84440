"""Environmental sound events for ESS: synthesised classes, names, and an ESC-50 folder loader.

Contract:
- `SYNTH_CLASSES`: our class name -> a generator `(rate, rng) -> float32 mono` a few seconds long,
  with randomised variation (pitch, timing, count), peak about 0.5. Each is built to be told apart
  by a listener: its own frequency region and its own temporal pattern (see each docstring).
- Which classes exist, their ESC-50 categories and the names people use for them come from the
  one table `provoice_live.sound_classes`; `SYNTH_CLASSES` holds exactly the rows marked
  `synthesised`. `ESC50_TO_CLASS` maps every ESC-50 category to our synthesised class, or None.
  `synth_class(name)` resolves a class id, an ESC-50 category or a plain name to a synthesised
  class (or None).
- A `SoundBank` resolves a requested name to the label it will use (`resolve`, None when it cannot
  render it) and draws a clip (`draw`), raising `UnusableSound` naming the sound otherwise.
  `SynthSoundBank` synthesises; `Esc50SoundBank(folder, fallback=...)` reads an ESC-50 folder
  (`meta/esc50.csv`, `audio/*.wav`) and draws a clip of the category, silence trimmed, falling back
  to another bank (normally the synthesised one) for names with no ESC-50 category.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from ...audio import load_audio
from ...errors import ProvoiceError
from ...sound_classes import BY_ESC50, SOUND_CLASSES, sound_class
from .tts import trim_silence


class UnusableSound(ProvoiceError):
    """A script asks for a sound that the sound bank cannot render."""

    def __init__(self, sounds: list[str], bank: str):
        self.sounds = list(sounds)
        super().__init__(f"{bank} cannot render the sound(s) {', '.join(map(repr, self.sounds))}")


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


SoundFn = Callable[[int, np.random.Generator], np.ndarray]
SYNTH_CLASSES: dict[str, SoundFn] = {
    fn.__name__: fn
    for fn in (alarm_clock, smoke_alarm, doorbell, phone_ring, kettle_whistle, door_knock, microwave_beep,
               dog_bark, siren, crying_baby, glass_breaking, clock_tick, church_bells, car_horn, water_running)
}

# ----------------------------------------------------------------------------------------------
# Names (all from the one table, `provoice_live.sound_classes`)
# ----------------------------------------------------------------------------------------------

# every ESC-50 category -> our synthesised class for it, None where the bank has none
ESC50_TO_CLASS: dict[str, str | None] = {
    esc: (c.name if c.name in SYNTH_CLASSES else None) for esc, c in sorted(BY_ESC50.items())}
CLASS_TO_ESC50: dict[str, str] = {c.name: c.esc50 for c in SOUND_CLASSES if c.esc50}


def synth_class(name: str | None) -> str | None:
    """Our synthesised class for a class id, an ESC-50 category or a name people use ("smoke
    alarm"); None if the name denotes no class or one the bank does not synthesise."""
    found = sound_class(name)
    return found.name if found is not None and found.name in SYNTH_CLASSES else None


def esc50_category(name: str | None) -> str | None:
    """The ESC-50 category for an ESC-50 name, one of our classes or a plain name; None if none."""
    found = sound_class(name)
    return found.esc50 if found is not None else None


# ----------------------------------------------------------------------------------------------
# Banks
# ----------------------------------------------------------------------------------------------

@runtime_checkable
class SoundBank(Protocol):
    def resolve(self, name: str) -> str | None:
        """The label a draw of `name` would carry, or None when this bank cannot render it."""

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        """A clip (float32 mono at `rate`, silence trimmed) and its label; UnusableSound if none."""


class SynthSoundBank:
    """Our synthesised classes; resolves class, ESC-50 and plain names."""

    def __repr__(self) -> str:
        return "SynthSoundBank()"

    def resolve(self, name: str) -> str | None:
        return synth_class(name)

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        label = synth_class(name)
        if label is None:
            raise UnusableSound([name], "the synthesised sound bank")
        return trim_silence(SYNTH_CLASSES[label](rate, rng), rate, below_peak_db=50.0), label


ESC50_COLUMNS = ("filename", "fold", "target", "category", "esc10", "src_file", "take")


@lru_cache(maxsize=8)
def _read_esc50_meta(folder: str) -> dict[str, tuple[str, ...]]:
    meta = Path(folder) / "meta" / "esc50.csv"
    if not meta.is_file():
        raise ProvoiceError(f"{folder!r} is not an ESC-50 folder: {str(meta)!r} does not exist")
    with meta.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("filename", "category") if c not in (reader.fieldnames or ())]
        if missing:
            raise ProvoiceError(f"{str(meta)!r} lacks the column(s) {missing}; ESC-50 has {list(ESC50_COLUMNS)}")
        by_category: dict[str, list[str]] = {}
        for row in reader:
            by_category.setdefault(row["category"].strip().lower(), []).append(row["filename"].strip())
    return {cat: tuple(sorted(files)) for cat, files in by_category.items()}


class Esc50SoundBank:
    """Clips from an ESC-50 folder (`meta/esc50.csv`, `audio/<filename>`), by category.

    A name resolves to an ESC-50 category directly, or through our class table; names with no
    category present in the folder go to `fallback` (e.g. `SynthSoundBank()`) when one is given."""

    def __init__(self, folder: str | Path, fallback: SoundBank | None = None):
        self.folder = Path(folder)
        self.fallback = fallback
        self.clips = _read_esc50_meta(str(self.folder))

    def __repr__(self) -> str:
        return f"Esc50SoundBank({str(self.folder)!r}, fallback={self.fallback!r})"

    def _category(self, name: str) -> str | None:
        category = esc50_category(name)
        return category if category in self.clips else None

    def resolve(self, name: str) -> str | None:
        category = self._category(name)
        if category is not None:
            return category
        return self.fallback.resolve(name) if self.fallback is not None else None

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        category = self._category(name)
        if category is None:
            if self.fallback is None:
                raise UnusableSound([name], f"the ESC-50 folder {str(self.folder)!r}")
            return self.fallback.draw(name, rate, rng)
        files = self.clips[category]
        filename = files[int(rng.integers(len(files)))]
        x, _ = load_audio(self.folder / "audio" / filename, target_rate=rate)
        x = trim_silence(x, rate, below_peak_db=50.0)
        if len(x) == 0:
            raise UnusableSound([f"{name} ({filename} is silent)"], f"the ESC-50 folder {str(self.folder)!r}")
        return x, category
