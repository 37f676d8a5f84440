"""The Silero path's loudness gate without numpy's per-call cost: the same percentiles to the last
bit, so the same gate decisions and the same endpoints as the numpy version on the builder's beds."""

from __future__ import annotations

import numpy as np
import pytest

from provoice_live.audio import iter_chunks, normalize_rms, resample, to_pcm16
from provoice_live.silero import LevelGate, NumpyLevelGate as NumpyGate, SileroVad, percentile_of_sorted


def test_percentiles_of_a_sorted_list_are_numpys_to_the_bit():
    rng = np.random.default_rng(0)
    for trial in range(2000):
        n = int(rng.integers(1, 120))
        x = rng.standard_normal(n) * rng.uniform(0.1, 30) - 40
        if trial % 3 == 0:
            x = np.round(x, 1)  # ties
        floor, peak = np.percentile(x, (10, 90))
        assert (percentile_of_sorted(sorted(x.tolist()), 0.1), percentile_of_sorted(sorted(x.tolist()), 0.9)) == \
            (float(floor), float(peak))


@pytest.fixture(scope="module")
def scenes():
    """eSpeak turns in each of the builder's synthetic beds, at a few SNRs."""
    from provoice_live.corpus.builder.assembly import add_ambient
    from provoice_live.corpus.builder.noise import SynthNoiseBank
    from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    a = tts.synth("Could you remind me to call the dentist tomorrow morning?", ESPEAK_VOICES["female"][0])
    b = tts.synth("Sure, the meeting moved to Thursday afternoon.", ESPEAK_VOICES["male"][0])
    a, b = (normalize_rms(resample(u, tts.rate, 16000), -20.0) for u in (a, b))
    sil = lambda s: np.zeros(int(s * 16000), np.float32)  # noqa: E731
    dry = np.concatenate([sil(0.7), a, sil(1.2), b, sil(1.0)])
    bank = SynthNoiseBank()
    out = {}
    for k, scene in enumerate(bank.scenes()):
        bed, _ = bank.draw(scene, len(dry), 16000, np.random.default_rng(k))
        for snr in (5.0, 15.0):
            out[f"{scene}@{snr:g}dB"] = add_ambient(dry, bed, snr_db=snr)
    return out


def test_the_gate_decides_as_the_numpy_gate_on_the_builders_beds(scenes):
    for name, x in scenes.items():
        fast, ref = LevelGate(), NumpyGate()
        windows = [x[i:i + 512] for i in range(0, len(x) - 511, 512)]
        assert [fast.push(w) for w in windows] == [ref.push(w) for w in windows], name


def test_silero_endpoints_are_unchanged_on_the_builders_beds(scenes):
    def events(x, gate):
        vad = SileroVad(16000)
        vad.gate = gate
        out = []
        for chunk in iter_chunks(to_pcm16(x), 16000, 20):
            out += vad.process(chunk)
        return out + vad.flush(len(x) / 16000)

    ends = 0
    for name, x in scenes.items():
        got = events(x, LevelGate())
        assert got == events(x, NumpyGate()), name
        ends += sum(e.event == "speech_end" for e in got)
    assert ends >= len(scenes)  # the comparison covers real endpoints, not empty lists
