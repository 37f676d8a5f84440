"""Sound event detection and classification: the builder's synthesised classes and our own
variants (other pitches, counts and rhythms), each against the others as distractors."""

import numpy as np
import pytest

from provoice_live.agents.offline.sounds import CLASS_RULES, SoundDetector, detect_events

RATE = 16000
CORE = ("alarm_clock", "smoke_alarm", "doorbell", "phone_ring", "kettle_whistle", "door_knock", "microwave_beep",
        "dog_bark", "siren")


def scene(clip: np.ndarray, seed: int = 0, noise_db: float = -50.0, level_db: float = -20.0) -> np.ndarray:
    """The clip at a level, between two seconds of room noise on each side."""
    rng = np.random.default_rng(seed)
    clip = clip.astype(np.float32)
    clip *= 10 ** (level_db / 20) / (np.sqrt(np.mean(clip ** 2)) + 1e-9)
    pad = np.zeros(2 * RATE, np.float32)
    x = np.concatenate([pad, clip, pad])
    return x + 10 ** (noise_db / 20) * rng.standard_normal(len(x)).astype(np.float32)


def labels(x: np.ndarray) -> list[str]:
    return [e.label for e in detect_events(x)]


# ---- our own variants (not the builder's numbers) ------------------------------------------------

def _t(seconds):
    return np.arange(int(seconds * RATE)) / RATE


def _gate(on_off, tone_fn):
    parts = []
    for on, off in on_off:
        parts.append(tone_fn(on))
        parts.append(np.zeros(int(off * RATE)))
    return np.concatenate(parts)


def _tone(f, seconds, harmonics=(1.0,)):
    t = _t(seconds)
    y = sum(a * np.sin(2 * np.pi * f * (k + 1) * t) for k, a in enumerate(harmonics))
    ramp = np.minimum(1, np.minimum(np.arange(len(t)), np.arange(len(t))[::-1]) / (0.004 * RATE))
    return y * ramp


def my_alarm_clock(rng):  # a continuous fast beep at 3.4-4 kHz
    f = rng.uniform(3400, 4000)
    return _gate([(0.1, 0.1)] * 14, lambda s: _tone(f, s))


def my_smoke_alarm(rng):  # T3 at a higher piezo pitch
    f = rng.uniform(3300, 3900)
    return _gate([(0.5, 0.5), (0.5, 0.5), (0.5, 1.5)], lambda s: _tone(f, s, (1, 0.3)))


def my_doorbell(rng):  # a three-note chime ringing out
    f0 = rng.uniform(500, 900)
    out = np.zeros(int(3.2 * RATE))
    for i, ratio in enumerate((1.0, 0.8, 0.67)):
        n = _t(1.6)
        note = np.sin(2 * np.pi * f0 * ratio * n) * np.exp(-n / 0.45)
        start = int(i * 0.7 * RATE)
        out[start:start + len(note)] += note
    return out


def my_phone_ring(rng):  # the North American ring: 440 + 480 Hz, 2 s on, 4 s off
    t = _t(2.0)
    ring = (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t)) * 0.5
    return np.concatenate([ring, np.zeros(int(1.0 * RATE))])


def my_kettle(rng):  # a whistle gliding 2.0 -> 2.5 kHz with breath noise, 4 s
    t = _t(4.0)
    f = 2000 + 500 * np.minimum(1, t / 2.5)
    y = np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.minimum(1, t / 0.8)
    return y + 0.05 * rng.standard_normal(len(t))


def my_knock(rng):  # four low thuds of filtered noise
    from scipy.signal import butter, lfilter

    b, a = butter(2, [80 / (RATE / 2), 700 / (RATE / 2)], "band")
    thud = lfilter(b, a, rng.standard_normal(int(0.08 * RATE))) * np.exp(-_t(0.08) / 0.015)
    return _gate([(0.08, 0.22)] * 4, lambda s: thud)


def my_microwave(rng):  # three 0.3 s beeps at 2.1 kHz
    return _gate([(0.3, 0.3)] * 3, lambda s: _tone(rng.uniform(1900, 2300), s, (1, 0.1)))


def my_dog(rng):  # three barks: a falling harmonic pitch with noise
    def bark(_s):
        t = _t(0.18)
        f = 520 - 250 * t / 0.18
        ph = 2 * np.pi * np.cumsum(f) / RATE
        y = sum(np.sin(k * ph) / k for k in range(1, 6)) + 0.2 * rng.standard_normal(len(t))
        return y * np.sin(np.pi * t / 0.18)
    return _gate([(0.18, 0.45)] * 3, bark)


def my_siren(rng):  # a yelp: 700 -> 1500 Hz sweeps, 5 a second, for 4 s
    t = _t(4.0)
    f = 700 + 800 * (t * 5 % 1)
    return np.sin(2 * np.pi * np.cumsum(f) / RATE)


MINE = {"alarm_clock": my_alarm_clock, "smoke_alarm": my_smoke_alarm, "doorbell": my_doorbell,
        "phone_ring": my_phone_ring, "kettle_whistle": my_kettle, "door_knock": my_knock,
        "microwave_beep": my_microwave, "dog_bark": my_dog, "siren": my_siren}


def _builder_classes():
    from provoice_live.corpus.builder.sounds import SYNTH_CLASSES

    return SYNTH_CLASSES


@pytest.mark.parametrize("cls", CORE)
def test_builder_sounds_are_recognised(cls):
    fn = _builder_classes()[cls]
    hits = sum(cls in labels(scene(fn(RATE, np.random.default_rng(seed)), seed)) for seed in range(3))
    assert hits >= 2, f"{cls}: recognised in {hits}/3"


@pytest.mark.parametrize("cls", CORE)
def test_our_own_variants_are_recognised(cls):
    hits = sum(cls in labels(scene(MINE[cls](np.random.default_rng(seed)), seed)) for seed in range(3))
    assert hits >= 2, f"{cls}: recognised in {hits}/3"


def test_a_different_sound_is_not_taken_for_the_watched_one():
    """Confusions among the core classes, over builder and own variants: rare."""
    wrong = total = 0
    synth = _builder_classes()
    for cls in CORE:
        for seed in range(2):
            for clip in (synth[cls](RATE, np.random.default_rng(seed)), MINE[cls](np.random.default_rng(seed))):
                for label in set(labels(scene(clip, seed))):
                    total += 1
                    wrong += label in CORE and label != cls
    assert wrong / total <= 0.08, f"{wrong} of {total} labels name another core class"


def test_speech_like_noise_and_silence_make_no_core_event():
    rng = np.random.default_rng(7)
    quiet = 10 ** (-50 / 20) * rng.standard_normal(5 * RATE).astype(np.float32)
    assert detect_events(quiet) == []
    # steady broadband noise (a fan, rain): never one of the tonal alarm classes
    hum = scene(rng.standard_normal(4 * RATE), 1)
    assert not set(labels(hum)) & {"alarm_clock", "smoke_alarm", "microwave_beep", "doorbell", "siren", "kettle_whistle"}


def test_streaming_in_chunks_matches_the_whole_clip():
    x = scene(my_smoke_alarm(np.random.default_rng(1)))
    det = SoundDetector()
    events = []
    for i in range(0, len(x), 320):
        events += det.push(x[i:i + 320], i / RATE)
    events += det.flush()
    final = [e for e in events if e.final]
    assert [e.label for e in final] == labels(x)
    assert abs(final[0].start_s - 2.0) < 0.1  # placed where the sound starts


def test_a_long_sound_is_reported_before_it_ends():
    x = scene(my_siren(np.random.default_rng(0)))
    det = SoundDetector()
    early = []
    for i in range(0, len(x), 320):
        early += [e for e in det.push(x[i:i + 320], i / RATE) if not e.final]
    assert early and min(e.end_s for e in early) < 2.0 + 4.0  # before the siren stopped


def test_every_rule_feature_is_measured():
    from provoice_live.agents.offline.sounds import event_features, analyse_frames

    feats = event_features(analyse_frames(scene(my_doorbell(np.random.default_rng(0)))[2 * RATE:5 * RATE]), -70.0)
    for rule in CLASS_RULES.values():
        assert set(rule) <= set(feats)


# ---- the pairs the confusion bench found, and the classes added since ----------------------------

ADDED = ("crickets", "cow", "insects", "vacuum_cleaner")


@pytest.mark.parametrize("cls", ADDED + ("crying_baby", "church_bells", "water_running", "glass_breaking"))
def test_more_builder_classes_are_recognised(cls):
    fn = _builder_classes()[cls]
    hits = sum(cls in labels(scene(fn(RATE, np.random.default_rng(seed)), seed)) for seed in range(3))
    assert hits >= 2, f"{cls}: recognised in {hits}/3"


@pytest.mark.parametrize("sound,never", [("crying_baby", "phone_ring"), ("church_bells", "doorbell"),
                                         ("doorbell", "church_bells"), ("crow", "phone_ring"),
                                         ("breathing", "phone_ring")])
def test_the_worst_confusions_are_gone(sound, never):
    fn = _builder_classes()[sound]
    got = [labels(scene(fn(RATE, np.random.default_rng(seed)), seed)) for seed in range(4)]
    assert not any(never in g for g in got), got


def test_noise_textures_are_not_taken_for_glass_or_running_water():
    """Rain, a fire, brushing teeth, birdsong and a vacuum cleaner are broadband and bright or steady:
    the glass rule wants one short crash, the water rule a bubbling level."""
    wrong = []
    for cls in ("rain", "crackling_fire", "brushing_teeth", "chirping_birds", "vacuum_cleaner"):
        for seed in range(2):
            got = labels(scene(_builder_classes()[cls](RATE, np.random.default_rng(seed)), seed))
            wrong += [(cls, g) for g in got if g in ("glass_breaking", "water_running")]
    assert len(wrong) <= 1, wrong


# ---- thunder, fireworks, rain, snoring (issue 18, item 5) and a car horn's two notes --------------

WEATHER = ("thunderstorm", "fireworks", "rain", "snoring")


@pytest.mark.parametrize("cls", WEATHER + ("car_horn",))
def test_thunder_fireworks_rain_snoring_and_horns_are_recognised(cls):
    fn = _builder_classes()[cls]
    got = [labels(scene(fn(RATE, np.random.default_rng(seed)), seed)) for seed in range(3)]
    hits = sum(cls in g for g in got)
    assert hits >= 2, f"{cls}: recognised in {hits}/3: {got}"


@pytest.mark.parametrize("sound,never", [("fireworks", "thunderstorm"), ("rain", "thunderstorm"),
                                         ("thunderstorm", "fireworks"), ("fireworks", "door_knock"),
                                         ("thunderstorm", "door_knock"), ("snoring", "phone_ring"),
                                         ("car_horn", "phone_ring"), ("car_horn", "crying_baby"),
                                         ("rain", "water_running"), ("vacuum_cleaner", "rain"),
                                         ("crackling_fire", "rain"), ("chirping_birds", "rain"),
                                         ("wind", "thunderstorm"), ("coughing", "snoring"),
                                         ("church_bells", "thunderstorm")])
def test_the_confusable_pairs_are_told_apart(sound, never):
    fn = _builder_classes()[sound]
    got = [labels(scene(fn(RATE, np.random.default_rng(seed)), seed)) for seed in range(3)]
    assert not any(never in g for g in got), got


def test_a_thunder_watch_is_not_met_by_fireworks_or_rain():
    """The Mind takes a clear "unknown" event as a watched sound without a rule; thunder has one now,
    so fireworks and rain (called what they are, or unknown) no longer meet a thunder watch."""
    from provoice_live.agents.offline.understanding.mind import DETECTABLE

    assert set(WEATHER) <= DETECTABLE
    for cls in ("fireworks", "rain"):
        for seed in range(3):
            got = labels(scene(_builder_classes()[cls](RATE, np.random.default_rng(seed)), seed))
            assert "thunderstorm" not in got, (cls, seed, got)


def my_thunder(rng):  # a distant roll: low noise under 150 Hz swelling and fading twice over 5 s
    from scipy.signal import butter, sosfilt

    t = _t(5.0)
    rumble = sosfilt(butter(4, 150, fs=RATE, output="sos"), rng.standard_normal(len(t)))
    return rumble * (np.sin(np.pi * t / 5.0) ** 2 + 0.6 * np.sin(np.pi * t / 2.5) ** 4)


def my_firecrackers(rng):  # four bangs at irregular times, each a struck low boom with a crack
    from scipy.signal import butter, sosfilt

    out = np.zeros(int(4.5 * RATE))
    for at in (0.0, 0.9, 2.3, 2.9):
        n = _t(0.8)
        boom = sosfilt(butter(2, 300, fs=RATE, output="sos"), rng.standard_normal(len(n))) * np.exp(-n / 0.15)
        crack = rng.standard_normal(len(n)) * np.exp(-n / 0.01) * 0.3
        i = int(at * RATE)
        out[i:i + len(n)] += 3 * boom + crack
    return out


def my_rain(rng):  # a soft hiss above 800 Hz under hundreds of audible drops a second, of all sizes
    from scipy.signal import butter, sosfilt

    n = int(5.0 * RATE)
    hiss = sosfilt(butter(2, 800, "highpass", fs=RATE, output="sos"), rng.standard_normal(n)) * 0.1
    drops = np.zeros(n)
    idx = rng.integers(0, n, 2500)
    drops[idx] = rng.lognormal(0.0, 0.8, len(idx)) * rng.choice([-1, 1], len(idx))
    kernel = np.diff(rng.standard_normal(65)) * np.exp(-np.arange(64) / 10.0)  # a tick, bright and brief
    return hiss + np.convolve(drops, kernel)[:n]


def my_snore(rng):  # one snore: a 40 Hz rattle through a 400 Hz resonance, swelling over 1.2 s
    from scipy.signal import butter, sosfilt

    t = _t(1.2)
    pulses = (np.sin(2 * np.pi * 40 * t) > 0.95).astype(float) + 0.05 * rng.standard_normal(len(t))
    rattle = sosfilt(butter(2, [250, 900], "bandpass", fs=RATE, output="sos"), pulses)
    return rattle * np.sin(np.pi * t / 1.2) ** 1.5 * np.minimum(1, t / 0.5)


@pytest.mark.parametrize("cls,fn", [("thunderstorm", my_thunder), ("fireworks", my_firecrackers), ("rain", my_rain),
                                    ("snoring", my_snore)])
def test_our_own_weather_variants_are_recognised(cls, fn):
    got = [labels(scene(fn(np.random.default_rng(seed)), seed)) for seed in range(3)]
    assert sum(cls in g for g in got) >= 2, got
