"""Ambient noise beds: synthesised scenes (no download) and a CochlScene folder loader.

Contract:
- A `NoiseBank` lists its `scenes()` and draws `draw(scene, n, rate, rng) -> (float32 audio of
  exactly n samples, scene label)`, at any level (the assembly scales it to the wanted SNR with
  `assembly.add_ambient`). `scene=None` picks a scene at random; an unknown scene raises a
  `ProvoiceError` listing what the bank has. Names match case-insensitively and through
  `SCENE_ALIASES` ("home" finds CochlScene's Kitchen, "cafe" its Cafe or Restaurant...).
- `SynthNoiseBank`: `street` (low-passed brown-noise traffic rumble, passing-car swells, the odd horn),
  `cafe` (babble of several overlapping eSpeak voices, low-passed, with cup clinks), `home`
  (50 or 60 Hz mains hum and harmonics, a fan), `office` (ventilation, distant babble, keyboard
  clicks). The babble streams are synthesised once per process and rate (fixed texts and voices) and
  each draw mixes them at random offsets and gains.
- `CochlSceneBank(folder)`: any tree of `<Class>/*.wav` (CochlScene is `<split>/<Class>/*.wav`);
  the splits of one class are pooled. A draw is a random excerpt of a random file of the class,
  looped when the file is shorter than needed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ...audio import load_audio, normalize_rms
from ...errors import ProvoiceError

DEFAULT_SNR_DB = 15.0  # ambient noise RMS 15 dB under the speech segments' -20 dBFS

SCENE_ALIASES: dict[str, tuple[str, ...]] = {
    "street": ("street", "residentialarea", "residential area"),
    "cafe": ("cafe", "restaurant", "crowdedindoor"),
    "home": ("home", "kitchen", "livingroom", "living room"),
    "office": ("office", "crowdedindoor"),
    "transport": ("bus", "subway", "car", "subwaystation"),
}


@runtime_checkable
class NoiseBank(Protocol):
    def scenes(self) -> list[str]: ...

    def draw(self, scene: str | None, n: int, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]: ...


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")


def match_scene(requested: str | None, available: list[str], rng: np.random.Generator) -> str:
    """The available scene for a request: exact (case-insensitive), then by alias; None -> random."""
    if not available:
        raise ProvoiceError("the noise bank has no scenes")
    if requested is None:
        return available[int(rng.integers(len(available)))]
    by_key = {_key(s): s for s in available}
    if _key(requested) in by_key:
        return by_key[_key(requested)]
    for alias in SCENE_ALIASES.get(requested.strip().lower(), ()):
        if _key(alias) in by_key:
            return by_key[_key(alias)]
    raise ProvoiceError(f"no ambient scene {requested!r}; this noise bank has {sorted(available)}")


# ----------------------------------------------------------------------------------------------
# Synthesised scenes
# ----------------------------------------------------------------------------------------------

def _sos(kind: str, cutoff, rate: int, order: int = 2):
    from scipy.signal import butter

    return butter(order, cutoff, btype=kind, fs=rate, output="sos")


def _filter(x: np.ndarray, sos) -> np.ndarray:
    from scipy.signal import sosfilt

    return sosfilt(sos, x)


def _brown(n: int, rng: np.random.Generator, leak: float = 0.999) -> np.ndarray:
    """Leaky-integrated white noise (-6 dB/octave), zero mean."""
    from scipy.signal import lfilter

    y = lfilter([1.0], [1.0, -leak], rng.standard_normal(n))
    return y - y.mean()


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """Approximately 1/f noise: white noise through Paul Kellet's three-pole pinking filter
    (within about 1 dB of -3 dB/octave over the audio band)."""
    from scipy.signal import lfilter

    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    return lfilter(b, a, rng.standard_normal(n))


def _unit(x: np.ndarray) -> np.ndarray:
    return normalize_rms(np.asarray(x, dtype=np.float32), 0.0)


def _bumps(n: int, rate: int, rng: np.random.Generator, per_s: float, width_s: tuple[float, float]) -> np.ndarray:
    """A sum of Gaussian swells at Poisson times (passing cars, footsteps of a crowd...)."""
    t = np.arange(n) / rate
    env = np.zeros(n)
    for _k in range(rng.poisson(per_s * n / rate) + 1):
        centre, width = rng.uniform(-2, n / rate + 2), rng.uniform(*width_s)
        lo, hi = max(0, int((centre - 4 * width) * rate)), min(n, int((centre + 4 * width) * rate))
        if hi > lo:
            env[lo:hi] += rng.uniform(0.5, 1.0) * np.exp(-0.5 * ((t[lo:hi] - centre) / width) ** 2)
    return env


def _blips(n: int, rate: int, rng: np.random.Generator, per_s: float, make) -> np.ndarray:
    """Short events (clinks, clicks, horns) at Poisson times."""
    out = np.zeros(n)
    for _k in range(rng.poisson(per_s * n / rate)):
        event = make()
        at = int(rng.integers(0, max(1, n - len(event))))
        out[at: at + len(event)] += event[: n - at]
    return out


def street(n: int, rate: int, rng: np.random.Generator, _bank: "SynthNoiseBank") -> np.ndarray:
    rumble = _unit(_filter(_brown(n, rng), _sos("lowpass", 250, rate)))
    cars = _unit(_filter(rng.standard_normal(n), _sos("bandpass", [80, 1500], rate))) * _bumps(n, rate, rng, 0.15, (1.0, 2.5))
    hiss = 0.15 * _unit(_filter(_pink(n, rng), _sos("highpass", 1000, rate)))

    def horn() -> np.ndarray:
        t = np.arange(int(rate * rng.uniform(0.2, 0.6))) / rate
        f = rng.uniform(350, 450)
        return 0.6 * (np.sign(np.sin(2 * np.pi * f * t)) + np.sign(np.sin(2 * np.pi * 1.25 * f * t))) * np.hanning(len(t))

    horns = _filter(_blips(n, rate, rng, 0.03, horn), _sos("lowpass", 2500, rate))
    return rumble + 1.2 * cars + hiss + horns


def cafe(n: int, rate: int, rng: np.random.Generator, bank: "SynthNoiseBank") -> np.ndarray:
    streams = bank.babble_streams(rate)
    chosen = rng.choice(len(streams), size=min(len(streams), int(rng.integers(4, 7))), replace=False)
    babble = np.zeros(n)
    for i in chosen:
        s = streams[i]
        babble += rng.uniform(0.5, 1.0) * np.resize(np.roll(s, -int(rng.integers(len(s)))), n)
    babble = _unit(_filter(babble, _sos("lowpass", 2500, rate)))

    def clink() -> np.ndarray:
        t = np.arange(int(0.15 * rate)) / rate
        return sum(np.exp(-t / 0.03) * np.sin(2 * np.pi * f * t) for f in rng.uniform(2500, 6000, 3) if f < 0.45 * rate)

    clinks = 0.5 * _blips(n, rate, rng, 0.4, clink)
    room = 0.2 * _unit(_filter(_pink(n, rng), _sos("lowpass", 800, rate)))
    return babble + clinks + room


def home(n: int, rate: int, rng: np.random.Generator, _bank: "SynthNoiseBank") -> np.ndarray:
    t = np.arange(n) / rate
    mains = 50.0 if rng.random() < 0.5 else 60.0
    second = t[: min(n, rate)]  # one second holds whole mains periods: make it once, then repeat it
    hum = np.resize(sum(a * np.sin(2 * np.pi * k * mains * second + rng.uniform(0, 2 * np.pi))
                        for k, a in ((1, 1.0), (2, 0.6), (3, 0.35), (4, 0.2), (5, 0.1))), n)
    blade = rng.uniform(8, 20)
    fan = _unit(_filter(_pink(n, rng), _sos("lowpass", 1200, rate))) * (1 + 0.2 * np.sin(2 * np.pi * blade * t))
    return 0.5 * _unit(hum) + fan


def office(n: int, rate: int, rng: np.random.Generator, bank: "SynthNoiseBank") -> np.ndarray:
    hvac = _unit(_filter(_pink(n, rng), _sos("lowpass", 600, rate)))
    distant = 0.5 * _unit(_filter(cafe(n, rate, rng, bank), _sos("lowpass", 1200, rate)))

    def click() -> np.ndarray:
        m = int(0.012 * rate)
        return rng.standard_normal(m) * np.exp(-np.arange(m) / (0.002 * rate))

    typing = 0.4 * _filter(_blips(n, rate, rng, 4.0, click), _sos("highpass", 1500, rate))
    return hvac + distant + typing


SYNTH_SCENES = {fn.__name__: fn for fn in (street, cafe, home, office)}

# Babble material: neutral sentences any cafe could hear, read by fixed voices.
BABBLE_LINES = (
    "So I told him we would think about it and call back next week.",
    "The coffee here is much better than the place on the corner.",
    "Did you see the game last night? It went to extra time.",
    "She is moving to a new flat at the end of the month.",
    "I can never remember which bus goes past the library.",
    "We should really book the tickets before they sell out.",
    "My sister says the new bakery opens early on Saturdays.",
    "Honestly the meeting could have been an email.",
    "They painted the whole kitchen yellow, can you believe it.",
    "I am thinking of taking a few days off in the spring.",
    "The traffic was terrible this morning because of the roadworks.",
    "He keeps saying he will fix the bike but he never does.",
)
BABBLE_STREAMS = 6


class SynthNoiseBank:
    """Ambient scenes made here: street, cafe, home, office. `tts` speaks the babble (default eSpeak)."""

    def __init__(self, tts=None):
        self._tts = tts
        self._babble: dict[int, list[np.ndarray]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "SynthNoiseBank()"

    def __getstate__(self) -> dict:  # picklable for worker processes: no lock, no cache
        return {"_tts": self._tts}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["_tts"])

    def scenes(self) -> list[str]:
        return list(SYNTH_SCENES)

    def babble_streams(self, rate: int) -> list[np.ndarray]:
        """Six speech streams (each every babble line once, in its own order and voice), cached."""
        from ...audio import resample
        from .tts import ESPEAK_VOICES, EspeakTTS

        with self._lock:
            if rate not in self._babble:
                tts = self._tts or EspeakTTS()
                pool = getattr(tts, "voice_pool", ESPEAK_VOICES)
                voices = [v for pair in zip(pool["male"], pool["female"]) for v in pair]
                streams = []
                for k in range(BABBLE_STREAMS):
                    voice = voices[(3 * k) % len(voices)]
                    order = np.random.default_rng(k).permutation(len(BABBLE_LINES))
                    pause = np.zeros(int(0.25 * tts.rate), dtype=np.float32)
                    parts = [p for i in order for p in (tts.synth(BABBLE_LINES[i], voice), pause)]
                    streams.append(_unit(resample(np.concatenate(parts), tts.rate, rate)))
                self._babble[rate] = streams
            return self._babble[rate]

    def draw(self, scene: str | None, n: int, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        name = match_scene(scene, self.scenes(), rng)
        return _unit(SYNTH_SCENES[name](n, rate, rng, self)), name


# ----------------------------------------------------------------------------------------------
# CochlScene (or any <Class>/*.wav tree)
# ----------------------------------------------------------------------------------------------

class CochlSceneBank:
    """Ambient recordings from a folder of `<Class>/*.wav` (at any depth; splits pooled)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ProvoiceError(f"the ambient noise folder {str(self.folder)!r} does not exist")
        files: dict[str, list[Path]] = {}
        for wav in sorted(self.folder.rglob("*")):
            if wav.is_file() and wav.suffix.lower() in (".wav", ".flac"):
                files.setdefault(wav.parent.name, []).append(wav)
        if not files:
            raise ProvoiceError(f"{str(self.folder)!r} holds no <Class>/*.wav files")
        self.files = {name: tuple(paths) for name, paths in files.items()}

    def __repr__(self) -> str:
        return f"CochlSceneBank({str(self.folder)!r})"

    def scenes(self) -> list[str]:
        return sorted(self.files)

    def draw(self, scene: str | None, n: int, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        name = match_scene(scene, self.scenes(), rng)
        paths = self.files[name]
        x, _ = load_audio(paths[int(rng.integers(len(paths)))], target_rate=rate)
        return excerpt(x, n, rng), name


def excerpt(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n samples from a random offset of x, wrapping around (looping) when x is short."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise ProvoiceError("cannot take an excerpt of empty audio")
    start = int(rng.integers(len(x)))
    if n <= len(x) - start:
        return x[start: start + n].copy()
    return np.resize(np.roll(x, -start), n).astype(np.float32)
