"""Audio streamed from disk: the same chunks as decoding the whole file, memory that stays flat
whatever the file's length, and `validate`'s probe that never decodes a whole file."""

from __future__ import annotations

import asyncio
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from provoice_live import audio
from provoice_live.audio import StreamResampler, load_audio, probe_audio, resample, stream_audio
from provoice_live.errors import AudioError
from provoice_live.sources.file import FileSource


class Lockstep:
    lockstep = True


async def collect(src: FileSource) -> list:
    return [(c.start_sample, c.index, bytes(c.pcm)) async for c in src.chunks(Lockstep())]


def noise(seconds: float, rate: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    x = 0.3 * np.random.default_rng(seed).standard_normal((int(seconds * rate), channels))
    return x.astype(np.float32) if channels > 1 else x[:, 0].astype(np.float32)


@pytest.mark.parametrize("rate_in, rate_out", [(44100, 16000), (48000, 16000), (16000, 16000), (22050, 24000),
                                               (8000, 16000)])
def test_stream_resampler_equals_resampling_the_whole_signal(rate_in, rate_out):
    x = noise(2.0, rate_in)[: int(2.0 * rate_in) - 7]
    rs, out, pos = StreamResampler(rate_in, rate_out), [], 0
    for n in np.random.default_rng(1).integers(1, 9000, size=1000):  # blocks of any size
        out.append(rs.push(x[pos: pos + n]))
        pos += n
        if pos >= len(x):
            break
    out.append(rs.push(np.zeros(0, np.float32), final=True))
    y, ref = np.concatenate(out), resample(x, rate_in, rate_out)
    assert len(y) == len(ref) == rs.output_length(len(x))
    assert np.array_equal(y, ref)  # the very same samples


@pytest.mark.parametrize("rate, channels, subtype", [(44100, 2, "PCM_16"), (16000, 1, "PCM_16"), (48000, 1, "FLOAT")])
def test_streamed_file_gives_the_chunks_of_the_whole_file(tmp_path, monkeypatch, rate, channels, subtype):
    """Small disk blocks (1000 frames), so the 20 ms chunks straddle them: the bytes are unchanged."""
    path = tmp_path / "a.wav"
    sf.write(path, noise(3.3, rate, channels), rate, subtype=subtype)
    whole, r = load_audio(path, target_rate=16000)
    monkeypatch.setattr(audio, "BLOCK_FRAMES", 1000)
    streamed = FileSource.from_path(path, 16000, 20.0, "a")
    assert streamed.x is None and streamed.duration_s == len(whole) / 16000
    assert asyncio.run(collect(streamed)) == asyncio.run(collect(FileSource(whole, r, 20.0, "a")))


def peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_the_length(tmp_path):
    """Peak Python/numpy allocations of streaming a file at 48 kHz to 16 kHz (and of `validate`'s
    probe): the same for 20 s and 200 s, and far below the 200 s file's decoded size (38 MB)."""
    paths = {}
    for seconds in (20, 200):
        paths[seconds] = tmp_path / f"{seconds}.wav"
        with sf.SoundFile(paths[seconds], "w", 48000, 1, "PCM_16") as fh:
            for k in range(seconds // 10):
                fh.write(noise(10.0, 48000, seed=k))

    def stream(seconds):
        return lambda: sum(len(b) for b in stream_audio(paths[seconds], "s", 16000))

    def probe(seconds):
        return lambda: probe_audio(paths[seconds], "s")

    for make in (stream, probe):
        short, long = peak_bytes(make(20)), peak_bytes(make(200))
        assert long < 1.2 * short + 200_000, (make.__name__, short, long)
        assert long < 5_000_000, (make.__name__, long)


def test_non_finite_samples_mid_file_are_an_error_naming_the_sample(tmp_path):
    x = noise(4.0, 16000)
    x[50000] = np.nan
    sf.write(tmp_path / "nan.wav", x, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="sample 'bad'.*NaN or infinite"):
        probe_audio(tmp_path / "nan.wav", "bad")
    src = FileSource.from_path(tmp_path / "nan.wav", 16000, 20.0, "bad")  # the header is fine
    with pytest.raises(AudioError, match="NaN or infinite"):
        asyncio.run(collect(src))


def test_missing_and_empty_files_fail_at_the_header(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        FileSource.from_path(tmp_path / "none.wav", 16000)
    sf.write(tmp_path / "empty.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="holds no samples"):
        FileSource.from_path(tmp_path / "empty.wav", 16000, sample_id="e")
    (tmp_path / "junk.wav").write_bytes(b"RIFF not really")
    with pytest.raises(AudioError, match="cannot read"):
        probe_audio(tmp_path / "junk.wav", "j")
