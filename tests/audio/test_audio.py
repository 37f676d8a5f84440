"""Audio loading, resampling, chunking and their errors."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from provoice_live.audio import (chunk_samples, from_pcm16, iter_chunks, load_audio, normalize_rms, resample,
                                 rms_dbfs, to_pcm16)
from provoice_live.errors import AudioError


def test_stereo_44k1_flac_is_downmixed_and_resampled_to_16k(tmp_path):
    rate = 44100
    t = np.arange(rate) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([left, -0.0 * left + 0.25], axis=1).astype(np.float32)
    sf.write(tmp_path / "a.flac", stereo, rate)
    x, r = load_audio(tmp_path / "a.flac", "s1", target_rate=16000)
    assert r == 16000 and len(x) == 16000
    assert np.mean(x) == pytest.approx(0.125, abs=1e-3)  # the DC of the right channel, halved
    spec = np.abs(np.fft.rfft(x - x.mean()))
    assert np.argmax(spec) == pytest.approx(440, abs=1)  # 1 s of audio: bin = Hz


def test_resample_preserves_a_tone_and_length():
    x = np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000).astype(np.float32)
    y = resample(x, 48000, 24000)
    assert len(y) == 24000
    assert rms_dbfs(y[100:-100]) == pytest.approx(rms_dbfs(x), abs=0.1)


def test_pcm16_round_trip_and_clipping():
    x = np.array([0.0, 0.5, -0.5, 1.5, -2.0], np.float32)
    y = from_pcm16(to_pcm16(x))
    assert y[:3] == pytest.approx([0.0, 0.5, -0.5], abs=1e-4)
    assert y[3] == pytest.approx(1.0) and y[4] == pytest.approx(-1.0)


def test_chunks_carry_their_position_and_cover_everything():
    pcm = to_pcm16(np.zeros(16000 + 100, np.float32))
    chunks = list(iter_chunks(pcm, 16000, 20))
    assert len(chunks) == 51 and chunks[-1].n_samples == 100
    assert chunks[10].start_s == pytest.approx(0.2) and chunks[10].end_s == pytest.approx(0.22)
    assert sum(c.n_samples for c in chunks) == 16100
    with pytest.raises(ValueError):
        chunk_samples(22050, 20.01)


def test_normalize_rms_hits_the_target():
    x = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.3
    assert rms_dbfs(normalize_rms(x, -20.0)) == pytest.approx(-20.0, abs=1e-3)


@pytest.mark.parametrize("content,why", [
    (None, "does not exist"),
    (b"", "cannot read"),
    (b"RIFF\x00\x00\x00\x00WAVEjunk", "cannot read"),
])
def test_bad_files_name_the_sample(tmp_path, content, why):
    path = tmp_path / "x.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioError) as err:
        load_audio(path, "sample-7")
    assert "sample 'sample-7'" in str(err.value) and "field 'audio'" in str(err.value) and why in str(err.value)


def test_empty_and_non_finite_audio_are_errors(tmp_path):
    sf.write(tmp_path / "empty.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="holds no samples"):
        load_audio(tmp_path / "empty.wav", "e")
    sf.write(tmp_path / "inf.wav", np.array([0.0, np.inf], np.float32), 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN or infinite"):
        load_audio(tmp_path / "inf.wav", "i")
