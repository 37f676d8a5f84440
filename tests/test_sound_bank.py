"""The synthesised sound bank: every class carries the measurable signature its generator's
docstring states (periodicity, spectral shape, envelope), draws are reproducible, and the ESC-50
folder loader reads an ESC-50-shaped folder.

The signatures are stated from how the sounds are in the world (a cricket's 4 kHz pulses 30 ms
apart, a cow's 110-160 Hz moo, a helicopter's 15-25 blade slaps a second) and measured on the
clip with the plain tools below, on several seeds."""

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import welch

from provoice_live.corpus.builder.sounds import (
    ESC50_TO_CLASS, SYNTH_CLASSES, Esc50SoundBank, SynthSoundBank, UnusableSound, synth_class)
from provoice_live.sound_classes import SOUND_CLASSES, synthesised_classes

RATE = 16000
SEEDS = range(4)


# ---- measures -------------------------------------------------------------------------------------

def _spectrum(x):
    f, p = welch(x, RATE, nperseg=2048)
    return f, p + 1e-20


def _frames_db(x, hop_s):
    hop = max(1, int(hop_s * RATE))
    n = len(x) // hop
    e = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1)) + 1e-9
    return 20 * np.log10(e / e.max())


def _mod_peak(x, lo, hi):
    """The strongest modulation frequency of the 1 ms amplitude envelope between lo and hi Hz."""
    env = 10 ** (_frames_db(x, 0.001) / 20)
    mod = np.abs(np.fft.rfft(env - env.mean())) ** 2
    f = np.fft.rfftfreq(len(env), 0.001)
    band = (f >= lo) & (f <= hi)
    return float(f[band][np.argmax(mod[band])]) if band.any() else 0.0


def _bursts(x, below_db=20.0, bridge_s=0.03):
    """(onset s, length s) of the runs within `below_db` of the loudest 5 ms frame."""
    on = _frames_db(x, 0.005) > -below_db
    runs = []
    for i, v in enumerate(on):
        if v:
            if runs and (i - runs[-1][1]) * 0.005 <= bridge_s:
                runs[-1][1] = i
            else:
                runs.append([i, i])
    return [(a * 0.005, (b + 1 - a) * 0.005) for a, b in runs]


def _f0(x):
    """Pitch of the loudest 100 ms by autocorrelation (40-1000 Hz); 0 when it is not periodic."""
    n = int(0.1 * RATE)
    e = np.convolve(x.astype(np.float64) ** 2, np.ones(n), "valid")
    i = int(np.argmax(e))
    seg = x[i: i + n] - np.mean(x[i: i + n])
    ac = np.correlate(seg, seg, "full")[n - 1:]
    lo, hi = RATE // 1000, RATE // 40
    lag = lo + int(np.argmax(ac[lo:hi]))
    return float(RATE / lag) if ac[lag] > 0.4 * ac[0] else 0.0


def _ioi(x):
    return np.diff([s for s, _ in _bursts(x)])


def _share(x, lo, hi):
    f, p = _spectrum(x)
    return float(p[(f >= lo) & (f < hi)].sum() / p.sum())


def _part_db(x, a, b):
    """Level of the share [a, b) of the clip, dB relative to the whole clip's loudest 50 ms."""
    db = _frames_db(x, 0.05)
    part = db[int(a * len(db)): max(int(a * len(db)) + 1, int(b * len(db)))]
    return float(10 * np.log10(np.mean(10 ** (part / 10))))


MEASURES = {
    "peak_hz": lambda x: float(_spectrum(x)[0][np.argmax(_spectrum(x)[1])]),
    "centroid": lambda x: (lambda f, p: float(np.sum(f * p) / np.sum(p)))(*_spectrum(x)),
    "flatness": lambda x: (lambda f, p: float(np.exp(np.mean(np.log(p))) / np.mean(p)))(*_spectrum(x)),
    "below_300": lambda x: _share(x, 0, 300),
    "above_3k": lambda x: _share(x, 3000, RATE / 2),
    "f0": _f0,
    "mod_fast": lambda x: _mod_peak(x, 10, 200),
    "mod_mid": lambda x: _mod_peak(x, 2, 20),
    "mod_slow": lambda x: _mod_peak(x, 0.2, 3),
    "n_bursts": lambda x: float(len(_bursts(x))),
    "burst_s": lambda x: float(np.median([n for _, n in _bursts(x)])),
    "max_burst_s": lambda x: float(max(n for _, n in _bursts(x))),
    "bursts_per_s": lambda x: float(1 / np.median(_ioi(x))) if len(_ioi(x)) else 0.0,
    "ioi_cv": lambda x: float(np.std(_ioi(x)) / np.mean(_ioi(x))) if len(_ioi(x)) > 1 else 0.0,
    "steady_db": lambda x: float(np.percentile(_frames_db(x, 0.05), 10)),  # quietest tenth: a gap or a bed
    "loudest_at": lambda x: float(np.argmax(_frames_db(x, 0.05)) / len(_frames_db(x, 0.05))),
    "fall_db": lambda x: _part_db(x, 0.8, 1.0) - _part_db(x, 0.0, 0.2),  # end against start
    "edges_db": lambda x: max(_part_db(x, 0.0, 0.1), _part_db(x, 0.9, 1.0)),  # loudest edge against the peak
    "duration": lambda x: len(x) / RATE,
}

# class -> {measure: (low, high)}, from each generator's docstring
SIGNATURES: dict[str, dict[str, tuple[float, float]]] = {
    "alarm_clock": {"peak_hz": (2200, 2800), "burst_s": (0.05, 0.1), "n_bursts": (8, 20), "bursts_per_s": (6, 9)},
    "smoke_alarm": {"peak_hz": (3000, 3250), "burst_s": (0.45, 0.55), "bursts_per_s": (0.9, 1.1)},
    "doorbell": {"peak_hz": (480, 720), "flatness": (0, 1e-3), "max_burst_s": (1.5, 5)},
    "phone_ring": {"peak_hz": (390, 490), "n_bursts": (4, 4), "burst_s": (0.35, 0.45)},
    "kettle_whistle": {"peak_hz": (1500, 2500), "n_bursts": (1, 1), "max_burst_s": (2.5, 4.5), "flatness": (0, 1e-3)},
    "door_knock": {"centroid": (250, 700), "burst_s": (0.05, 0.15), "n_bursts": (3, 10), "bursts_per_s": (3.5, 7)},
    "microwave_beep": {"peak_hz": (1500, 1800), "n_bursts": (3, 3), "burst_s": (0.35, 0.5)},
    "dog_bark": {"f0": (350, 850), "n_bursts": (2, 4), "burst_s": (0.1, 0.25)},
    "siren": {"steady_db": (-3, 0), "duration": (4, 6), "flatness": (0, 1e-5), "centroid": (900, 1400)},
    "crying_baby": {"f0": (380, 700), "burst_s": (0.8, 1.3), "n_bursts": (2, 3)},
    "glass_breaking": {"centroid": (3500, 6000), "loudest_at": (0, 0.05), "fall_db": (-200, -12)},
    "clock_tick": {"mod_slow": (0.95, 1.05), "burst_s": (0, 0.03), "centroid": (2300, 4000)},
    "church_bells": {"peak_hz": (250, 450), "flatness": (0, 1e-3), "duration": (4, 8)},
    "car_horn": {"peak_hz": (380, 560), "n_bursts": (1, 2), "max_burst_s": (0.35, 1.3)},
    "water_running": {"steady_db": (-9, 0), "flatness": (0.1, 1), "centroid": (1500, 3000)},
    # animals
    "rooster": {"f0": (450, 900), "n_bursts": (4, 4), "burst_s": (0.1, 0.22), "max_burst_s": (0.6, 1.1)},
    "cow": {"f0": (100, 170), "centroid": (150, 500), "burst_s": (1.1, 2.0)},
    "frog": {"mod_fast": (38, 72), "peak_hz": (480, 1050), "n_bursts": (3, 6), "burst_s": (0.12, 0.35)},
    "cat": {"f0": (500, 1100), "burst_s": (0.45, 1.0), "n_bursts": (1, 2)},
    "insects": {"f0": (165, 620), "steady_db": (-25, 0), "duration": (3, 5)},
    "sheep": {"mod_mid": (5.5, 9.5), "f0": (240, 420), "burst_s": (0.5, 1.0)},
    "crow": {"n_bursts": (2, 4), "burst_s": (0.25, 0.45), "flatness": (0.03, 1), "centroid": (900, 1600)},
    # natural soundscapes and water
    "rain": {"flatness": (0.2, 1), "centroid": (3000, 6000), "steady_db": (-35, 0)},
    "sea_waves": {"mod_slow": (0.2, 0.5), "flatness": (0.15, 1), "steady_db": (-30, 0), "duration": (5, 7)},
    "crackling_fire": {"centroid": (2500, 4500), "flatness": (0.15, 1), "burst_s": (0, 0.02), "steady_db": (-55, -25)},
    "crickets": {"peak_hz": (3800, 5000), "mod_fast": (24, 34), "bursts_per_s": (1.4, 3.1), "ioi_cv": (0, 0.05)},
    "chirping_birds": {"centroid": (3000, 5500), "n_bursts": (8, 40), "burst_s": (0.04, 0.15), "flatness": (0, 0.02)},
    "water_drops": {"peak_hz": (800, 2100), "burst_s": (0.05, 0.12), "bursts_per_s": (0.9, 2.6), "ioi_cv": (0, 0.15)},
    "wind": {"centroid": (400, 1000), "below_300": (0.1, 0.6), "steady_db": (-36, 0), "flatness": (0, 0.01)},
    "toilet_flush": {"loudest_at": (0, 0.1), "flatness": (0.1, 1), "fall_db": (-100, -10), "steady_db": (-25, 0)},
    "thunderstorm": {"below_300": (0.8, 1), "loudest_at": (0, 0.2), "fall_db": (-100, -10)},
    # human, non-speech
    "clapping": {"burst_s": (0, 0.03), "n_bursts": (8, 16), "bursts_per_s": (2.4, 5.2), "ioi_cv": (0, 0.25)},
    "breathing": {"burst_s": (0.7, 1.5), "n_bursts": (4, 4), "flatness": (0.02, 1), "f0": (0, 0)},
    "coughing": {"burst_s": (0.15, 0.3), "n_bursts": (2, 3), "centroid": (1000, 2200)},
    "footsteps": {"below_300": (0.6, 1), "n_bursts": (6, 10), "burst_s": (0.05, 0.1), "bursts_per_s": (1.5, 2.4)},
    "brushing_teeth": {"above_3k": (0.7, 1), "mod_mid": (3, 5), "steady_db": (-20, 0)},
    "snoring": {"mod_fast": (30, 70), "n_bursts": (2, 2), "burst_s": (0.9, 1.6), "centroid": (450, 800)},
    # interior / domestic
    "mouse_click": {"burst_s": (0, 0.01), "above_3k": (0.6, 1), "n_bursts": (4, 10)},
    "keyboard_typing": {"n_bursts": (18, 41), "burst_s": (0, 0.025), "bursts_per_s": (4, 12.5), "ioi_cv": (0.2, 2)},
    "door_wood_creaks": {"mod_fast": (80, 200), "burst_s": (0.8, 1.8), "centroid": (500, 900)},
    "can_opening": {"loudest_at": (0, 0.05), "above_3k": (0.6, 1), "duration": (0.25, 1.5)},
    "washing_machine": {"mod_slow": (0.65, 1.55), "below_300": (0.5, 1), "n_bursts": (1, 1)},
    "vacuum_cleaner": {"steady_db": (-6, 0), "flatness": (0.3, 1), "peak_hz": (550, 1250)},
    # exterior / urban
    "helicopter": {"mod_fast": (14, 26), "below_300": (0.3, 0.7), "edges_db": (-100, -3)},
    "chainsaw": {"f0": (110, 190), "n_bursts": (1, 1), "below_300": (0.3, 0.7)},
    "engine": {"mod_fast": (25, 45), "below_300": (0.9, 1)},
    "train": {"mod_slow": (1.05, 2.1), "edges_db": (-100, -3), "steady_db": (-40, -10)},
    "airplane": {"loudest_at": (0.25, 0.75), "centroid": (500, 1200), "edges_db": (-100, -5)},
    "fireworks": {"below_300": (0.6, 1), "n_bursts": (2, 12), "flatness": (0.05, 1), "loudest_at": (0, 0.8)},
    "hand_saw": {"mod_fast": (80, 200), "bursts_per_s": (1.4, 2.6), "burst_s": (0.2, 0.45), "above_3k": (0.4, 0.8)},
}


def test_every_synthesised_class_has_a_signature():
    assert set(SIGNATURES) == set(SYNTH_CLASSES) == set(synthesised_classes())


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_class_carries_its_signature(name):
    misses = []
    for seed in SEEDS:
        x = SYNTH_CLASSES[name](RATE, np.random.default_rng(seed)).astype(np.float64)
        for measure, (lo, hi) in SIGNATURES[name].items():
            value = MEASURES[measure](x)
            if not lo <= value <= hi:
                misses.append(f"seed {seed}: {measure} {value:.3g} not in [{lo}, {hi}]")
    assert not misses, f"{name}: " + "; ".join(misses)


@pytest.mark.parametrize("name", sorted(SYNTH_CLASSES))
def test_the_same_seed_gives_the_same_samples(name):
    a = SYNTH_CLASSES[name](RATE, np.random.default_rng(11))
    b = SYNTH_CLASSES[name](RATE, np.random.default_rng(11))
    c = SYNTH_CLASSES[name](RATE, np.random.default_rng(12))
    assert a.tobytes() == b.tobytes()
    assert len(a) != len(c) or not np.array_equal(a, c)
    assert a.dtype == np.float32 and np.isfinite(a).all() and 0.3 < len(a) / RATE < 8.0
    assert np.max(np.abs(a)) == pytest.approx(0.5, abs=1e-6)


def test_classes_the_bank_cannot_make_convincing_are_named_and_refused():
    skipped = [c for c in SOUND_CLASSES if c.esc50 and not c.synthesised]
    assert {c.esc50 for c in skipped} == {"pig", "hen", "sneezing", "laughing", "drinking_sipping"}
    assert sum(v is not None for v in ESC50_TO_CLASS.values()) == 45
    for c in skipped:
        assert synth_class(c.esc50) is None
        with pytest.raises(UnusableSound, match=c.esc50):
            SynthSoundBank().draw(c.esc50, RATE, np.random.default_rng(0))


# ---- the ESC-50 folder loader ---------------------------------------------------------------------

def _esc50_folder(root, rows):
    """An ESC-50-shaped folder: meta/esc50.csv with the real columns, audio/*.wav at 44.1 kHz."""
    (root / "meta").mkdir()
    (root / "audio").mkdir()
    lines = ["filename,fold,target,category,esc10,src_file,take"]
    for filename, category, target, freq in rows:
        lines.append(f"{filename},1,{target},{category},False,{filename.split('-')[1]},A")
        t = np.arange(int(44100 * 1.5)) / 44100
        y = np.concatenate([np.zeros(4410), 0.4 * np.sin(2 * np.pi * freq * t), np.zeros(8820)])
        sf.write(root / "audio" / filename, y.astype(np.float32), 44100, subtype="PCM_16")
    (root / "meta" / "esc50.csv").write_text("\n".join(lines) + "\n")


def test_esc50_folder_gives_real_clips_by_category_any_name_and_falls_back(tmp_path):
    _esc50_folder(tmp_path, [("1-100-A-17.wav", "toilet_flush", 17, 300.0),
                             ("2-200-A-17.wav", "toilet_flush", 17, 320.0),
                             ("1-300-A-5.wav", "sheep", 5, 700.0),
                             ("1-400-A-39.wav", "glass_breaking", 39, 3000.0)])
    bank = Esc50SoundBank(tmp_path, fallback=SynthSoundBank())
    for name in ("toilet_flush", "toilet flush", "the toilet flushing"):
        assert bank.resolve(name) == "toilet_flush"
        x, label = bank.draw(name, RATE, np.random.default_rng(0))
        assert label == "toilet_flush"
        f, p = welch(x, RATE, nperseg=4096)
        assert f[np.argmax(p)] == pytest.approx(300, abs=30)  # the recording, not our synthesis
        assert len(x) / RATE == pytest.approx(1.5, abs=0.05)  # silence trimmed, resampled from 44.1 kHz
    assert bank.draw("glass_breaking", RATE, np.random.default_rng(0))[1] == "glass_breaking"
    # our class id with another ESC-50 name finds the ESC-50 category
    assert bank.resolve("sheep") == "sheep"
    # not in the folder: the synthesised bank takes over; neither has it: refused
    assert bank.resolve("crickets") == "crickets"
    assert bank.draw("crickets", RATE, np.random.default_rng(0))[1] == "crickets"
    assert bank.resolve("laughing") is None
    with pytest.raises(UnusableSound, match="laughing"):
        bank.draw("laughing", RATE, np.random.default_rng(0))
    strict = Esc50SoundBank(tmp_path)
    with pytest.raises(UnusableSound, match="crickets"):
        strict.draw("crickets", RATE, np.random.default_rng(0))
    # the same seed draws the same file
    a, _ = bank.draw("toilet_flush", RATE, np.random.default_rng(5))
    b, _ = bank.draw("toilet_flush", RATE, np.random.default_rng(5))
    assert a.tobytes() == b.tobytes()


def test_esc50_folder_with_a_broken_meta_is_named(tmp_path):
    from provoice_live.errors import ProvoiceError

    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "esc50.csv").write_text("file,label\nx.wav,dog\n")
    with pytest.raises(ProvoiceError, match="lacks the column"):
        Esc50SoundBank(tmp_path)


def test_the_build_report_counts_the_classes_and_the_samples_skipped_for_a_sound():
    from provoice_live.corpus.builder.sounds import sound_report

    skipped = [{"id": "a", "kind": "sound", "reason": "...", "sounds": ["laughing"]},
               {"id": "b", "kind": "sound", "reason": "...", "sounds": ["pig"]},
               {"id": "c", "kind": "sound", "reason": "...", "sounds": ["laughing"]},
               {"id": "d", "kind": "cue", "reason": "..."}]
    line = sound_report(skipped)
    assert "synthesised: 45 of 50 ESC-50 classes" in line
    assert "drinking_sipping, hen, laughing, pig, sneezing" in line
    assert line.endswith("3 sample(s) skipped for a sound: laughing 2, pig 1")
    assert sound_report([], "/data/ESC-50").endswith("no sample skipped for its sound")
    assert "ESC-50 folder /data/ESC-50" in sound_report([], "/data/ESC-50")
