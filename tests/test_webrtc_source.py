"""The WebRTC source: aiortc's 48 kHz stereo frames to chunks at the agent's rate."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np
import pytest

av = pytest.importorskip("av")
from aiortc.mediastreams import MediaStreamError  # noqa: E402

from provoice_live.errors import ProvoiceError  # noqa: E402
from provoice_live.sources.webrtc import WebRTCSource  # noqa: E402


class FakeTrack:
    """An aiortc remote audio track: decoded Opus frames (s16 stereo 48 kHz, 20 ms), then the end."""

    kind = "audio"

    def __init__(self, x: np.ndarray, skip: set[int] = frozenset(), hang_after: int | None = None):
        self.x = x
        self.skip = skip  # frame numbers "lost" in transit (their pts is skipped)
        self.hang_after = hang_after  # stop sending without ending (a vanished peer)
        self.k = 0

    async def recv(self):
        await asyncio.sleep(0)
        while self.k in self.skip:
            self.k += 1
        if self.hang_after is not None and self.k >= self.hang_after:
            await asyncio.Event().wait()
        pos = self.k * 960
        if pos >= len(self.x):
            raise MediaStreamError
        block = self.x[pos: pos + 960]
        stereo = np.stack([block, block * 0.5], axis=1)  # L/R differ: the downmix must average
        pcm = np.round(stereo * 32767).astype("<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
        frame.sample_rate = 48000
        frame.pts = pos
        frame.time_base = fractions.Fraction(1, 48000)
        self.k += 1
        return frame


def tone(seconds: float, freq: float = 300.0) -> np.ndarray:
    t = np.arange(int(seconds * 48000)) / 48000
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


async def take(src: WebRTCSource) -> list:
    return [c async for c in src.chunks(None)]


async def test_frames_become_mono_chunks_at_the_agent_rate():
    """1 s of 48 kHz stereo -> 50 chunks of 320 samples at 16 kHz, the tone intact, downmixed."""
    src = WebRTCSource(FakeTrack(tone(1.0)), 16000)
    chunks = await take(src)
    total = sum(c.n_samples for c in chunks)
    assert total == pytest.approx(16000, abs=32)  # the resampler's flush hands back its delay
    assert all(c.n_samples == 320 for c in chunks[:-1]) and chunks[0].start_sample == 0
    assert [c.start_sample for c in chunks] == [320 * i for i in range(len(chunks))]
    y = np.concatenate([c.samples() for c in chunks])
    spectrum = np.abs(np.fft.rfft(y[1600:14400]))
    assert np.argmax(spectrum) * 16000 / len(y[1600:14400]) == pytest.approx(300, abs=2)
    assert np.sqrt(np.mean(y[1600:14400] ** 2)) == pytest.approx(0.75 * 0.4 / np.sqrt(2), rel=0.03)
    assert src.frames_received == 50 and src.input_samples == 48000


async def test_lost_packets_are_filled_with_silence():
    """Five frames missing (100 ms): 1600 samples of silence keep later audio at its true time."""
    x = tone(1.0)
    src = WebRTCSource(FakeTrack(x, skip={10, 11, 12, 13, 14}), 16000)
    chunks = await take(src)
    assert src.gap_samples == 1600
    assert sum(c.n_samples for c in chunks) == pytest.approx(16000, abs=32)
    y = np.concatenate([c.samples() for c in chunks])
    assert np.abs(y[3300:4800]).max() < 0.02  # the gap (200-300 ms, minus the filter's edges)
    assert np.abs(y[5200:6000]).max() > 0.2  # the audio after it, where it belongs


async def test_a_silent_peer_ends_the_stream_as_an_error():
    """No frame for `idle_timeout_s`: the stream ends and says the peer went away."""
    src = WebRTCSource(FakeTrack(tone(1.0), hang_after=10), 16000, idle_timeout_s=0.2)
    got = []
    with pytest.raises(ProvoiceError, match="went away"):
        async for chunk in src.chunks(None):
            got.append(chunk)
    assert sum(c.n_samples for c in got) == pytest.approx(3200, abs=32)  # the 200 ms that came


async def test_stop_ends_the_stream_quietly_or_with_the_given_error():
    """`stop()` ends after the audio received; `stop(error=...)` makes the stream raise it."""
    src = WebRTCSource(FakeTrack(tone(5.0), hang_after=25), 16000, idle_timeout_s=None)
    asyncio.get_running_loop().call_later(0.2, src.stop)
    assert sum(c.n_samples for c in await take(src)) == pytest.approx(8000, abs=32)
    src = WebRTCSource(FakeTrack(tone(5.0), hang_after=5), 16000, idle_timeout_s=None)
    asyncio.get_running_loop().call_later(0.1, src.stop, "the browser went away (connection failed)")
    with pytest.raises(ProvoiceError, match="connection failed"):
        await take(src)


class LaggingLiveMic:
    """A live microphone (frames forever) whose frames reach the engine late: the first second with
    50 ms of transit, then the engine falls 300 ms behind (a loaded CPU), and the user presses stop
    when the engine has taken the frame at 2.0 s. Time is virtual (`clock.t`, seconds)."""

    kind = "audio"

    def __init__(self, clock, stop_after_k: int, on_stop):
        self.clock, self.stop_after_k, self.on_stop = clock, stop_after_k, on_stop
        self.k = 0

    async def recv(self):
        await asyncio.sleep(0)
        pts_s = self.k * 0.02
        self.clock.t = pts_s + (0.05 if self.k < 50 else 0.35)
        if self.k == self.stop_after_k:
            asyncio.get_running_loop().call_soon(self.on_stop)
        frame = av.AudioFrame.from_ndarray(np.full((1, 1920), 1000, "<i2"), format="s16", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 48000, self.k * 960, fractions.Fraction(1, 48000)
        self.k += 1
        return frame


async def test_stop_keeps_the_audio_sent_before_it_even_when_the_engine_lags():
    """The stop arrives when the sender is at 2.30 s (the engine 300 ms behind, at 2.0 s): the frames
    up to 2.30 s are kept, the first from after the stop is not, and the live stream does end."""
    clock = type("Clock", (), {"t": 0.0})()
    src = WebRTCSource(None, 48000, now=lambda: clock.t)
    src.track = LaggingLiveMic(clock, stop_after_k=100, on_stop=src.stop)
    chunks = await asyncio.wait_for(take(src), 10)
    received_s = sum(c.n_samples for c in chunks) / 48000
    assert received_s == pytest.approx(2.30, abs=1e-6)


async def test_a_stop_with_an_error_does_not_drain():
    clock = type("Clock", (), {"t": 0.0})()
    src = WebRTCSource(None, 48000, now=lambda: clock.t)
    src.track = LaggingLiveMic(clock, stop_after_k=100, on_stop=lambda: src.stop(error="the browser went away"))
    with pytest.raises(ProvoiceError, match="went away"):
        await asyncio.wait_for(take(src), 10)
    assert src.frames_received == 101


class SlowToConnect(FakeTrack):
    """The first frame comes late (ICE and DTLS on a loaded machine), then frames as usual."""

    async def recv(self):
        if self.k == 0:
            await asyncio.sleep(0.3)
        return await super().recv()


async def test_the_first_frame_may_come_later_than_the_idle_timeout():
    """The idle timeout (a peer that vanished) counts from the last frame; before the first one the
    connection is still being set up, and `first_frame_timeout_s` applies."""
    src = WebRTCSource(SlowToConnect(tone(0.5)), 16000, idle_timeout_s=0.05, first_frame_timeout_s=30)
    chunks = await asyncio.wait_for(take(src), 30)
    assert sum(c.n_samples for c in chunks) == 8000
