"""Sound events: find non-speech sounds in the stream and say what they are.

`SoundDetector.push(x, start_s)` takes mono float audio at 16 kHz as it arrives and returns the
`SoundEvent`s that ended in it. Three stages, each small:

1. frames (32 ms Hann window, 10 ms hop): level, the dominant frequency and the second peak,
   tonality (the share of the power in the three strongest spectral peaks), the spectral centroid
   and band shares;
2. events: a stretch louder than the running noise floor (`FLOOR_PERCENTILE` of the last few
   seconds) by `ON_DB`, closed after `GAP_S` below it (so a train of beeps is one event), cut at
   `MAX_EVENT_S`; within it, bursts (the on/off pattern) are measured. The pitch is followed with a
   chord's notes held (`_pitch_track`: a car horn's two notes are no warble);
3. classification: `CLASS_RULES` is a table of soft ranges, one row per class, over event features
   (pitch region, tonality, burst length and count, burst rate and regularity, pitch sweep and
   warble, level decay within bursts, how soon a burst is at its loudest...). Each feature in range scores 1, outside it decays with
   the distance in log units; a class scores the geometric mean of its features; the best class
   wins if it scores at least `MIN_SCORE`, else the event is "unknown". Speech-like events (VAD
   says speech) are labelled "speech".

The rows describe how the sounds are in the world (a smoke alarm's T3 beeps near 3 kHz, a knock's
short dull thuds), with generous ranges, not any one synthesiser's numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

RATE = 16000
HOP = 160  # 10 ms
WIN = 512  # 32 ms
FLOOR_WINDOW_S = 4.0
FLOOR_PERCENTILE = 20
ON_DB = 10.0  # above the floor: sounding
MIN_LEVEL_DB = -62.0  # never "on" below this (digital silence)
GAP_S = 1.0  # a silence longer than this ends an event (a clock ticks once a second: one event)
MAX_EVENT_S = 8.0
MIN_EVENT_S = 0.04
MIN_SCORE = 0.55
EARLY_AFTER_S = 1.5  # report a still-sounding event after this long...
EARLY_EVERY_S = 0.5  # ...at most this often
BAND_EDGES = (0, 500, 1000, 2000, 4000, 8000)

_FREQS = np.fft.rfftfreq(WIN, 1 / RATE)
_WINDOW = np.hanning(WIN).astype(np.float32)
_USE = (_FREQS >= 80) & (_FREQS <= 7800)


@dataclass
class Frame:
    t: float
    db: float
    freq: float
    tonal: float
    centroid: float
    bands: np.ndarray
    freq2: float = 0.0  # the second strongest peak (a chord's other note), 0 when none


def analyse_frames(x: np.ndarray, start_s: float = 0.0) -> list[Frame]:
    """Frame features of a stretch of audio (whole frames only)."""
    n = (len(x) - WIN) // HOP + 1
    if n <= 0:
        return []
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    frames = x[idx] * _WINDOW
    spec = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    power = spec[:, _USE]
    freqs = _FREQS[_USE]
    total = power.sum(axis=1) + 1e-12
    db = 10 * np.log10(np.mean(frames ** 2, axis=1) * (1 / np.mean(_WINDOW ** 2)) + 1e-12)
    peak = power.argmax(axis=1)
    centroid = (power * freqs).sum(axis=1) / total
    tonal = _tonality(power, total)
    second = _second_peak(power)
    bands = np.stack([spec[:, (_FREQS >= lo) & (_FREQS < hi)].sum(axis=1) for lo, hi in zip(BAND_EDGES, BAND_EDGES[1:])], 1)
    bands = bands / (bands.sum(axis=1, keepdims=True) + 1e-12)
    out = []
    for i in range(n):
        p = peak[i]
        f = freqs[p]
        if 0 < p < len(freqs) - 1:  # parabolic interpolation of the peak
            a, b, c = np.log(power[i, p - 1] + 1e-12), np.log(power[i, p] + 1e-12), np.log(power[i, p + 1] + 1e-12)
            denom = a - 2 * b + c
            if denom < 0:
                f += 0.5 * (a - c) / denom * (freqs[1] - freqs[0])
        out.append(Frame(start_s + (i * HOP + WIN / 2) / RATE, float(db[i]), float(f), float(tonal[i]),
                         float(centroid[i]), bands[i], float(freqs[second[i]]) if second[i] >= 0 else 0.0))
    return out


def _second_peak(power: np.ndarray, within_db: float = 6.0) -> np.ndarray:
    """Bin of each frame's strongest local peak outside the main peak's lobe (two bins either side),
    when it is within `within_db` of the main peak; -1 otherwise."""
    padded = np.pad(power, ((0, 0), (1, 1)))
    is_peak = (power >= padded[:, :-2]) & (power >= padded[:, 2:])
    main = power.argmax(axis=1)
    bins = np.arange(power.shape[1])[None, :]
    away = np.abs(bins - main[:, None]) > 2
    cand = np.where(is_peak & away, power, 0.0)
    second = cand.argmax(axis=1)
    strong = cand[np.arange(len(power)), second] >= power[np.arange(len(power)), main] * 10 ** (-within_db / 10)
    return np.where(strong, second, -1)


def _tonality(power: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Share of the power within one bin of the three strongest local peaks."""
    padded = np.pad(power, ((0, 0), (1, 1)))
    is_peak = (power >= padded[:, :-2]) & (power >= padded[:, 2:])
    lobe = power + padded[:, :-2] + padded[:, 2:]
    scores = np.where(is_peak, lobe, 0.0)
    top = np.sort(scores, axis=1)[:, -3:].sum(axis=1)
    return np.minimum(1.0, top / total)


# ---- events -------------------------------------------------------------------------------------

@dataclass
class SoundEvent:
    start_s: float
    end_s: float
    label: str  # a class of CLASS_RULES, "speech" or "unknown"
    score: float
    features: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    final: bool = True  # False: reported while still sounding (see SoundDetector)
    frames: list = field(default_factory=list, repr=False)  # what it was judged on (for `truncated`)
    floor_db: float = -70.0

    def truncated(self, until_s: float) -> "SoundEvent | None":
        """The same event judged only on what came before `until_s` (talk that followed it cut off)."""
        kept = [f for f in self.frames if f.t + WIN / 2 / RATE <= until_s]
        while len(kept) > 1 and kept[-1].db <= self.floor_db + ON_DB:
            kept.pop()
        if not kept or kept[-1].t - kept[0].t < MIN_EVENT_S:
            return None
        feats = event_features(kept, self.floor_db)
        label, score, scores = classify(feats)
        return SoundEvent(kept[0].t - WIN / 2 / RATE, kept[-1].t + WIN / 2 / RATE, label, score, feats, scores,
                          True, kept, self.floor_db)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _bursts(on: np.ndarray, min_frames: int = 2, bridge: int = 3) -> list[tuple[int, int]]:
    """(start, end) frame runs of `on`, bridging gaps up to `bridge` frames, dropping runs shorter
    than `min_frames`."""
    runs: list[list[int]] = []
    for i, v in enumerate(on):
        if not v:
            continue
        if runs and i - runs[-1][1] <= bridge + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b + 1) for a, b in runs if b + 1 - a >= min_frames]


ONSET_DB = 8.0  # a rise this sharp over the median of the last ONSET_LOOKBACK frames starts a burst
ONSET_LOOKBACK = 6
PITCH_STEP = 1.5  # semitones: a steady pitch moving to another steady pitch starts a burst (ding-dong)
STEADY = 5  # frames a pitch must hold on each side of the step


def _split_at_onsets(bursts: list[tuple[int, int]], db: np.ndarray, semis: np.ndarray) -> list[tuple[int, int]]:
    """Cut runs where the level jumps up again or a steady pitch steps to another, so strikes that
    ring into each other count apart; a gliding pitch (a siren, a cry) is not cut."""
    out = []
    for a, b in bursts:
        cuts = [a]
        for i in range(a + ONSET_LOOKBACK, b):
            if i - cuts[-1] < 8:
                continue
            rise = db[i] - np.median(db[i - ONSET_LOOKBACK:i]) >= ONSET_DB
            step = False
            if STEADY <= i - a and i + STEADY <= b:
                before, after = semis[i - STEADY:i], semis[i:i + STEADY]
                step = (np.ptp(before) < 0.5 and np.ptp(after) < 0.5
                        and abs(np.median(after) - np.median(before)) >= PITCH_STEP)
            if rise or step:
                cuts.append(i)
        cuts.append(b)
        out.extend((s, e) for s, e in zip(cuts, cuts[1:]) if e - s >= 2)
    return out


def _semitones(f: np.ndarray) -> np.ndarray:
    return 12 * np.log2(np.maximum(f, 1.0) / 440.0)


CHORD_SEMIS = 0.7  # how near a peak must be to a note of the frame before to be that note...
CHORD_BINS = 1.5  # ...or, low down where a bin is more than a semitone, how many bins near
CHORD_RISE_DB = 1.5  # a hop while the level rises this much over 30 ms is a note struck, not a chord


def _near(a: float, b: float) -> bool:
    """Two peak frequencies (Hz) are the same note (nan or 0: no peak)."""
    if not (a > 0 and b > 0):
        return False
    return abs(a - b) <= max(CHORD_BINS * RATE / WIN, min(a, b) * (2 ** (CHORD_SEMIS / 12) - 1))


def _pitch_track(frames: list[Frame]) -> np.ndarray:
    """Each frame's pitch in semitones, a chord's notes held: when two notes sound together (a car
    horn's pair, a chord) the loudest peak hops between them from frame to frame; a hop to a note that
    was sounding in the frame before while the followed note still sounds (as the second peak, where it now is)
    and the level holds is no change of pitch."""
    held = [frames[0].freq] if frames else []
    for i in range(1, len(frames)):
        prev, f = frames[i - 1], frames[i]
        was_there = _near(f.freq, prev.freq) or _near(f.freq, prev.freq2)
        still_there = _near(f.freq2, held[-1])
        struck = f.db - frames[max(0, i - 3)].db >= CHORD_RISE_DB  # a new strike (ding-dong) is a change
        held.append(f.freq2 if not _near(f.freq, held[-1]) and was_there and still_there and not struck else f.freq)
    return _semitones(np.array(held))


def event_features(frames: list[Frame], floor_db: float) -> dict[str, float]:
    """What the classification table reads, from the frames of one event."""
    db = np.array([f.db for f in frames])
    on = db > max(floor_db + ON_DB, np.percentile(db, 99) - 25.0, MIN_LEVEL_DB)  # one crack does not silence the rest
    all_semis = _pitch_track(frames)
    bursts = _split_at_onsets(_bursts(on, min_frames=2, bridge=2), db, all_semis) or [(int(np.argmax(db)), int(np.argmax(db)) + 1)]
    active = np.zeros(len(frames), bool)
    for a, b in bursts:
        active[a:b] = True
    act = [f for f, a in zip(frames, active) if a]
    freq = 440.0 * 2 ** (all_semis[active] / 12)  # the held pitch (a chord's hops are no change)
    tonal = np.array([f.tonal for f in act])
    loud = db[active] >= np.percentile(db[active], 30)
    semis = all_semis[active][loud] if loud.any() else all_semis[active]
    lens = np.array([(b - a) * HOP / RATE for a, b in bursts])
    onsets = np.array([a * HOP / RATE for a, _ in bursts])
    iois = np.diff(onsets)
    jumps = np.abs(np.diff(semis)) if len(semis) > 1 else np.zeros(1)
    decays = [_slope(db[a:b - 4]) for a, b in bursts if b - a >= 16]
    glides = [_range(all_semis[a:b]) for a, b in bursts if b - a >= 5]
    flutters = [float(np.median(np.abs(np.diff(db[a:b])))) for a, b in bursts if b - a >= 8]
    attacks = [int(np.argmax(db[a:b])) * HOP / RATE for a, b in bursts if b - a >= 5]
    bands = np.mean([f.bands for f in act], axis=0)
    sweep = float(np.percentile(semis, 95) - np.percentile(semis, 5)) if len(semis) > 3 else 0.0
    return {
        "duration": (frames[-1].t - frames[0].t) + HOP / RATE,
        "n_bursts": float(len(bursts)),
        "burst_s": float(np.median(lens)),
        "max_burst_s": float(lens.max()),
        "rate_hz": float(1.0 / np.median(iois)) if len(iois) else 0.0,
        "regularity": float(np.std(iois) / np.mean(iois)) if len(iois) >= 2 else 1.0,
        "on_ratio": float(active.mean()),
        "freq": float(np.median(freq[loud] if loud.any() else freq)),
        "tonal": float(np.median(tonal)),
        "sweep": sweep,
        "jumpiness": float(np.mean(jumps > 0.7)),
        "glide": float(np.median(glides)) if glides else 0.0,
        "flutter": float(np.median(flutters)) if flutters else 0.0,
        "decay_db_s": float(np.median(decays)) if decays else 0.0,
        "attack_s": float(np.median(attacks)) if attacks else 0.0,
        "centroid": float(np.median([f.centroid for f in act])),
        "low_share": float(bands[0] + bands[1]),
        "high_share": float(bands[3] + bands[4]),
        "level_db": float(np.percentile(db, 95)),
    }


def _range(semis: np.ndarray) -> float:
    return float(np.percentile(semis, 90) - np.percentile(semis, 10)) if len(semis) >= 3 else 0.0


def _slope(db: np.ndarray) -> float:
    """Level change in dB/s over a burst, from its loudest frame on (how it rings out)."""
    start = int(np.argmax(db))
    seg = db[start:]
    if len(seg) < 4:
        return 0.0
    t = np.arange(len(seg)) * HOP / RATE
    return float(np.polyfit(t, seg, 1)[0])


# ---- the classification table -------------------------------------------------------------------
# class -> {feature: (low, high)}; a feature outside its range is penalised by its distance
INF = float("inf")
CLASS_RULES: dict[str, dict[str, tuple[float, float]]] = {
    # beeping devices: tonal, steady pitch, a regular train of bursts
    "alarm_clock": {"tonal": (0.55, 1), "freq": (1200, 5000), "burst_s": (0.03, 0.25), "n_bursts": (4, INF),
                    "rate_hz": (3, 16), "sweep": (0, 2), "glide": (0, 1)},
    "smoke_alarm": {"flutter": (0, 1.5), "tonal": (0.5, 1), "freq": (2600, 4500), "burst_s": (0.3, 1.0), "n_bursts": (2, INF),
                    "sweep": (0, 2), "glide": (0, 1), "decay_db_s": (-40, INF)},
    "microwave_beep": {"flutter": (0, 1.5), "tonal": (0.55, 1), "freq": (600, 2600), "burst_s": (0.12, 1.5), "n_bursts": (1, 6),
                       "sweep": (0, 2), "glide": (0, 1), "decay_db_s": (-40, INF), "jumpiness": (0, 0.15)},
    # a telephone: low tones warbling fast (the pitch jumps) or two tones beating (the level flutters),
    # in rings of a fraction of a second to two seconds; "class/variant" rows share the label
    "phone_ring/warble": {"freq": (300, 1500), "burst_s": (0.1, 2.5), "jumpiness": (0.2, 1), "n_bursts": (1, INF),
                          "decay_db_s": (-40, INF), "tonal": (0.6, 1), "glide": (0, 4)},  # pure tones that jump, never glide
    "phone_ring/beating": {"freq": (300, 1500), "burst_s": (0.3, 2.5), "flutter": (1.5, INF), "n_bursts": (1, INF),
                           "tonal": (0.3, 1), "high_share": (0, 0.2), "glide": (0, 1.5)},
    # long continuous tones
    "kettle_whistle": {"flutter": (0, 1.5), "tonal": (0.5, 1), "freq": (900, 4500), "max_burst_s": (1.5, INF), "n_bursts": (1, 2),
                       "sweep": (0, 6.5), "on_ratio": (0.8, 1), "jumpiness": (0, 0.2)},
    "siren": {"tonal": (0.5, 1), "freq": (400, 2200), "max_burst_s": (1.5, INF), "n_bursts": (1, 1.5),
              "sweep": (5, 24), "on_ratio": (0.9, 1)},
    # a car horn: blasts holding their level, two notes a third apart (the pitch read may sit on either)
    "car_horn": {"freq": (250, 1200), "burst_s": (0.2, 2.0), "n_bursts": (1, 4), "sweep": (0, 5),
                 "decay_db_s": (-3, INF), "tonal": (0.25, 1), "jumpiness": (0, 0.15), "glide": (0, 1.5),
                 "low_share": (0.3, 0.92)},  # brassy: strong partials above 1 kHz, unlike a bell's
    # struck bells: tonal strikes that ring out
    # a chime dies within a second or two (about -10 dB/s); a church bell hums on for seconds (-2 to -8)
    "doorbell": {"flutter": (0, 1.5), "tonal": (0.5, 1), "freq": (300, 1600), "n_bursts": (1, 4), "decay_db_s": (-70, -6), "glide": (0, 1.5),
                 "burst_s": (0.3, 2.5), "duration": (0.4, 6)},
    "church_bells": {"flutter": (0, 1.5), "tonal": (0.4, 1), "freq": (150, 1300), "n_bursts": (2, INF), "decay_db_s": (-8, -1), "glide": (0, 1.5),
                     "duration": (3, INF), "rate_hz": (0.2, 2.5)},  # tolled every 1-5 s, rung faster
    # impacts
    "door_knock": {"burst_s": (0.01, 0.14), "n_bursts": (2, 14), "rate_hz": (3, 10), "centroid": (80, 1600),
                   "high_share": (0, 0.25), "max_burst_s": (0.01, 0.3), "on_ratio": (0, 0.75)},  # thuds apart, none long
    "clock_tick": {"burst_s": (0.01, 0.08), "n_bursts": (3, INF), "rate_hz": (0.5, 4), "regularity": (0, 0.2),
                   "centroid": (1200, 7000)},
    # one crash and its fragments, over in a second or two (rain, fire, brushing: many bursts, long)
    "glass_breaking": {"centroid": (2200, 7000), "high_share": (0.45, 1), "decay_db_s": (-INF, -8),
                       "tonal": (0, 0.5), "max_burst_s": (0.05, 1.5), "duration": (0.1, 2.5), "n_bursts": (1, 10)},
    # voices of animals and babies: harmonic, pitched bursts
    "dog_bark": {"freq": (250, 1600), "burst_s": (0.07, 0.4), "n_bursts": (1, 10), "tonal": (0.15, 1),
                 "rate_hz": (0.8, 5), "high_share": (0, 0.35), "glide": (1, 15)},
    "crying_baby": {"freq": (300, 1600), "burst_s": (0.5, 2.5), "n_bursts": (1, 8), "tonal": (0.2, 1),
                    "glide": (1.5, 14), "jumpiness": (0, 0.35)},
    # noise
    "water_running": {"tonal": (0, 0.25), "max_burst_s": (1.5, INF), "on_ratio": (0.8, 1), "n_bursts": (1, 2),
                      "flutter": (0.8, INF)},  # bubbling: the level never holds
    "vacuum_cleaner": {"tonal": (0.1, 0.4), "max_burst_s": (1.5, INF), "on_ratio": (0.9, 1), "n_bursts": (1, 2),
                       "flutter": (0, 0.7), "centroid": (1500, 4500)},  # a steady roar with a motor whine
    # animals and insects
    "crickets": {"freq": (3500, 5500), "tonal": (0.55, 1), "burst_s": (0.05, 0.25), "rate_hz": (1.2, 3.5),
                 "n_bursts": (3, INF), "flutter": (1.5, INF), "glide": (0, 1.5)},  # chirps of pulses near 4-5 kHz
    "cow": {"freq": (80, 220), "tonal": (0.5, 1), "burst_s": (0.8, 2.5), "n_bursts": (1, 3), "centroid": (150, 800),
            "high_share": (0, 0.05), "jumpiness": (0, 0.3)},  # a long low moo, its pitch held (wind's wanders)
    "insects": {"freq": (140, 700), "tonal": (0.6, 1), "max_burst_s": (2, INF), "on_ratio": (0.85, 1),
                "n_bursts": (1, 3), "glide": (0, 3)},  # a continuous buzz
    # weather and bangs: noise without a pitch (the loudest peak wanders), told apart by the envelope
    # thunder rolls on for seconds, low (most power under 300 Hz), its rolls swelling rather than struck
    "thunderstorm": {"freq": (20, 300), "low_share": (0.6, 1), "jumpiness": (0.3, 1), "sweep": (6, 26),
                     "duration": (2.5, INF), "max_burst_s": (1.0, INF), "attack_s": (0.06, INF)},
    # fireworks: bangs, each struck (loudest at once), a low boom with a crack, dying within a second or so,
    # a few a second at most and never in a steady beat (a helicopter's blades are)
    "fireworks": {"freq": (20, 600), "low_share": (0.5, 1), "high_share": (0, 0.35), "jumpiness": (0.3, 1),
                  "sweep": (6, INF), "attack_s": (0, 0.045), "max_burst_s": (0.2, 1.2), "decay_db_s": (-INF, -12),
                  "rate_hz": (0, 6), "regularity": (0.3, INF)},
    # rain: a steady bright hiss, sounding throughout, full of tiny impacts at random (onsets, a level
    # flickering more than a brush's strokes, never leaping like a fire's crackles)
    "rain": {"tonal": (0, 0.25), "centroid": (1500, 8000), "high_share": (0.55, 1), "duration": (2.5, INF),
             "on_ratio": (0.7, 1), "n_bursts": (3, INF), "flutter": (2.0, 5.0), "regularity": (0.25, 1.3)},
    # snoring: a low noisy rattle swelling over half a second to two (one breath in), energy under 2 kHz
    "snoring": {"freq": (150, 1000), "tonal": (0.15, 0.7), "jumpiness": (0.3, 1), "sweep": (2, 28),
                "max_burst_s": (0.4, 2.5), "low_share": (0.5, 1), "high_share": (0, 0.15), "attack_s": (0.1, INF)},
}
# how far outside a range a feature may drift before its score halves (log units for positive scales)
TOLERANCE: dict[str, float] = {"tonal": 0.12, "freq": 0.25, "burst_s": 0.35, "max_burst_s": 0.35, "n_bursts": 0.5,
                               "rate_hz": 0.35, "sweep": 1.0, "decay_db_s": 6.0, "jumpiness": 0.06,
                               "regularity": 0.1, "on_ratio": 0.1, "centroid": 0.25, "high_share": 0.08,
                               "duration": 0.3, "low_share": 0.08, "glide": 0.8, "flutter": 0.5, "attack_s": 0.025}
LOG_FEATURES = frozenset({"freq", "burst_s", "max_burst_s", "n_bursts", "rate_hz", "centroid", "duration"})


def _membership(name: str, value: float, lo: float, hi: float) -> float:
    if lo <= value <= hi:
        return 1.0
    tol = TOLERANCE.get(name, 0.2)
    if name in LOG_FEATURES:
        v = math.log(max(value, 1e-6))
        d = (math.log(max(lo, 1e-6)) - v) if value < lo else (v - math.log(hi))
    else:
        d = (lo - value) if value < lo else (value - hi)
    return 0.5 ** (d / tol)


def classify(features: dict[str, float]) -> tuple[str, float, dict[str, float]]:
    """(best class or "unknown", its score, every class's score) for one event's features."""
    scores = {}
    for cls, rule in CLASS_RULES.items():
        logs = [math.log(max(_membership(k, features[k], lo, hi), 1e-9)) for k, (lo, hi) in rule.items()]
        scores[cls] = math.exp(sum(logs))  # the product: every feature out of range costs
    by_label: dict[str, float] = {}
    for row, score in scores.items():
        label = row.split("/")[0]
        by_label[label] = max(by_label.get(label, 0.0), score)
    best = max(by_label, key=by_label.get)
    return (best if by_label[best] >= MIN_SCORE else "unknown"), by_label[best], by_label


# ---- streaming ----------------------------------------------------------------------------------

class SoundDetector:
    """Streams audio in, events out.

    An event is reported when it closes (`final=True`), and while it is still sounding, at the end
    of each burst once it has lasted `EARLY_AFTER_S`, as a provisional event (`final=False`), so a
    long alarm is known before it stops. `speech_now()` (optional, e.g. the VAD's state) closes an
    event when speech starts, so a sound followed by talk is not judged with the talk.
    """

    def __init__(self, rate: int = RATE, speech_now=None):
        if rate != RATE:
            raise ValueError(f"the sound detector works at {RATE} Hz, not {rate}")
        self._tail = np.zeros(0, np.float32)
        self._tail_start = 0.0
        self._levels: list[float] = []
        self.floor_db = -70.0
        self._open: list[Frame] = []
        self._open_floor = self.floor_db
        self._quiet = 0
        self._last_early = 0.0
        self._frames_seen = 0
        self.speech_now = speech_now
        self.events: list[SoundEvent] = []

    def push(self, x: np.ndarray, start_s: float) -> list[SoundEvent]:
        if len(self._tail) == 0:
            self._tail_start = start_s
        buf = np.concatenate([self._tail, np.asarray(x, np.float32)])
        frames = analyse_frames(buf, self._tail_start)
        used = len(frames) * HOP
        self._tail = buf[used:]
        self._tail_start += used / RATE
        out = []
        for f in frames:
            ev = self._step(f)
            if ev:
                out.append(ev)
        return out

    def flush(self) -> list[SoundEvent]:
        ev = self._close()
        return [ev] if ev else []

    def _update_floor(self, db: float) -> None:
        self._levels.append(db)
        keep = int(FLOOR_WINDOW_S * RATE / HOP)
        if len(self._levels) > keep:
            del self._levels[: len(self._levels) - keep]
        self._frames_seen += 1
        if self._frames_seen % 10 == 0 or self._frames_seen < 20:
            self.floor_db = float(np.percentile(self._levels, FLOOR_PERCENTILE))

    def _step(self, f: Frame) -> SoundEvent | None:
        on = f.db > max(self.floor_db + ON_DB, MIN_LEVEL_DB)
        if not self._open:
            self._update_floor(f.db)  # the floor learns only outside events
            if on and not (self.speech_now and self.speech_now()):
                self._open, self._quiet, self._open_floor, self._last_early = [f], 0, self.floor_db, f.t
            return None
        self._open.append(f)
        was_on = self._quiet == 0
        self._quiet = 0 if on else self._quiet + 1
        if (self._quiet * HOP / RATE >= GAP_S or (f.t - self._open[0].t) >= MAX_EVENT_S
                or (self.speech_now and self.speech_now())):
            return self._close()
        if f.t - self._open[0].t >= EARLY_AFTER_S and f.t - self._last_early >= EARLY_EVERY_S and (was_on or on):
            self._last_early = f.t
            return self._event(list(self._open), final=False)
        return None

    def _close(self) -> SoundEvent | None:
        frames = self._open
        self._open = []
        if not frames:
            return None
        while len(frames) > 1 and frames[-1].db <= self._open_floor + ON_DB:
            frames.pop()
        return self._event(frames, final=True)

    def _event(self, frames: list[Frame], final: bool) -> SoundEvent | None:
        while len(frames) > 1 and frames[-1].db <= self._open_floor + ON_DB:
            frames = frames[:-1]
        if frames[-1].t - frames[0].t < MIN_EVENT_S:
            return None
        feats = event_features(frames, self._open_floor)
        label, score, scores = classify(feats)
        start, end = frames[0].t - WIN / 2 / RATE, frames[-1].t + WIN / 2 / RATE
        ev = SoundEvent(start, end, label, score, feats, scores, final, frames, self._open_floor)
        self.events = self.events[-200:] + [ev]  # recent history (tests, views); bounded for live use
        return ev


def detect_events(x: np.ndarray, rate: int = RATE) -> list[SoundEvent]:
    """All events of a whole clip (tests, offline analysis)."""
    det = SoundDetector(rate)
    out = det.push(x, 0.0) + det.flush()
    return [e for e in out if e.final]
