"""A browser's microphone over WebRTC (an aiortc audio track) as a chunk stream.

aiortc decodes the browser's Opus to 48 kHz stereo s16 frames (20 ms each). They are resampled
once, by one streaming `av.AudioResampler(format="s16", layout="mono", rate=agent_rate)`, and cut
into fixed chunks of `chunk_ms` at the agent's rate. The source is live: it is paced by the browser,
not by the session's clock.

Gaps: a frame's `pts` counts 48 kHz samples from the first RTP packet; when packets were lost the
next pts jumps ahead, and the gap is filled with silence so that stream positions stay true to the
talker's time (a VAD sees an honest pause instead of two utterances glued together). Gaps longer
than `max_gap_s` (a paused tab) are not filled.

Stopping keeps what was sent before the stop. The stop request (the page's data channel message)
and the audio (RTP) travel apart, and the audio is decoded and queued before the engine takes it,
so under load frames sent *before* the user pressed stop may still be waiting when the request is
handled. `stop()` therefore drains: it keeps taking frames whose sender time (pts) is before the
sender's position at the moment of the stop, estimated as `now - min(now - pts)` over the frames
so far (the least-delayed frame sets the offset between the two clocks), for at most
`stop_drain_s`, and ends at the first frame from after the stop (a live microphone goes on
sending). A stop with an error (the peer went away) does not drain.

The stream ends when the track ends (`MediaStreamError`: the peer closed or went away) or when
`stop()` is called, or when no frame came for `idle_timeout_s` (a peer that vanished without
closing: browsers send a frame every 20 ms, silence included); the first frame may take up to
`first_frame_timeout_s`, as the connection is still being set up. `stop(error=...)` makes the stream raise a `ProvoiceError` with that message
instead of ending quietly: a session whose peer vanished ends with status "error" and that reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, AsyncIterator, Callable

from ..audio import AudioChunk, chunk_samples
from ..errors import ProvoiceError, require
from .base import Source

log = logging.getLogger(__name__)

WEBRTC_RATE = 48000  # Opus in WebRTC is always 48 kHz
EPS_S = 1e-6  # times closer than this are the same instant (float rounding of pts and clocks)


class WebRTCSource(Source):
    """Chunks from an aiortc `MediaStreamTrack` of kind audio (anything with `async recv()`)."""

    live = True
    duration_s = None

    def __init__(self, track: Any, sample_rate: int, chunk_ms: float = 20.0, max_gap_s: float = 2.0,
                 idle_timeout_s: float | None = 5.0, first_frame_timeout_s: float | None = 30.0,
                 stop_drain_s: float = 1.0,
                 now: Callable[[], float] = time.monotonic):
        self.track = track
        self.stop_drain_s = stop_drain_s
        self._now = now  # the receiver's clock (injectable for tests)
        self._offset: float | None = None  # min over frames of (receive time - sender pts), seconds
        self._stop_at: float | None = None  # receiver time of a clean stop
        self._last_pts_s: float | None = None
        self.drained_frames = 0  # frames taken after a clean stop because they were sent before it
        self.idle_timeout_s = idle_timeout_s
        self.first_frame_timeout_s = first_frame_timeout_s  # ICE and DTLS come first: slow on a loaded machine
        self.sample_rate = sample_rate
        self.chunk_ms = chunk_ms
        self.chunk_n = chunk_samples(sample_rate, chunk_ms)
        self.max_gap_s = max_gap_s
        self.frames_received = 0
        self.input_samples = 0  # the browser's stream so far (received + lost), at its rate
        self.input_rate = WEBRTC_RATE
        self.gap_samples = 0  # silence inserted for lost packets, at the agent's rate
        self._stop = asyncio.Event()
        self._error: str | None = None

    def stop(self, error: str | None = None) -> None:
        """End the stream after the audio already received; with `error`, end it as an error."""
        if error and self._error is None:
            self._error = error
        if not self._stop.is_set() and not error:
            self._stop_at = self._now()
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @staticmethod
    def _pts_s(frame) -> float | None:
        if frame.pts is None or frame.time_base is None:
            return None
        return float(frame.pts * frame.time_base)

    def _note_arrival(self, frame) -> None:
        pts_s = self._pts_s(frame)
        if pts_s is not None:
            offset = self._now() - pts_s
            self._offset = offset if self._offset is None else min(self._offset, offset)
            self._last_pts_s = pts_s

    async def _drained_frame(self):
        """After a clean stop: the next frame sent before the stop, or None."""
        if self._error or self._stop_at is None or self._offset is None:
            return None
        mark = self._stop_at - self._offset  # the sender's position when the stop was asked for
        if self._last_pts_s is not None and self._last_pts_s >= mark - EPS_S:
            return None
        timeout = self._stop_at + self.stop_drain_s - self._now()
        if timeout <= 0:
            return None
        try:
            frame = await asyncio.wait_for(self.track.recv(), timeout)
        except Exception:  # noqa: BLE001 - the track ended (MediaStreamError) or the drain timed out
            return None
        pts_s = self._pts_s(frame)
        if pts_s is None or pts_s >= mark - EPS_S:
            return None  # sent after the stop
        self.drained_frames += 1
        log.debug("kept a frame sent %.3f s before the stop (%d so far)", mark - pts_s, self.drained_frames)
        return frame

    async def _next_frame(self):
        """The next frame, or None when the track ended or `stop()` was called (see the drain)."""
        if self._stop.is_set():
            frame = await self._drained_frame()
            if frame is not None:
                self._last_pts_s = self._pts_s(frame)
            return frame
        recv = asyncio.ensure_future(self.track.recv())
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            timeout = self.idle_timeout_s if self.frames_received else self.first_frame_timeout_s
            done, _ = await asyncio.wait({recv, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if recv not in done:
            recv.cancel()
            if not done:  # neither audio nor stop within the idle timeout
                self.stop(error=f"no audio from the peer for {timeout:g} s: it went away")
                return None
            return await self._next_frame()  # stopped: drain what was sent before
        try:
            frame = recv.result()
        except Exception as exc:  # aiortc's MediaStreamError: the track ended
            if type(exc).__name__ != "MediaStreamError":
                raise
            return None
        self._note_arrival(frame)
        return frame

    def _gap(self, frame) -> int:
        """Input samples (at the frame's rate) missing before `frame`, from its pts."""
        if frame.pts is None or frame.time_base is None or not self.frames_received:
            return 0
        missing_s = float(frame.pts * frame.time_base) - self.input_samples / self.input_rate
        if missing_s <= 0 or missing_s > self.max_gap_s:
            return 0
        return int(round(missing_s * frame.sample_rate))

    @staticmethod
    def _silence_like(frame, n: int):
        """A silent frame of `n` samples shaped like `frame` (fed through the resampler, in order)."""
        import numpy as np
        from av import AudioFrame

        channels = len(frame.layout.channels)
        silent = AudioFrame.from_ndarray(np.zeros((1, n * channels), dtype="<i2"), format="s16", layout=frame.layout.name)
        silent.sample_rate = frame.sample_rate
        return silent

    async def chunks(self, clock=None) -> AsyncIterator[AudioChunk]:
        av = require("av", "webrtc", "the WebRTC source")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=self.sample_rate)
        buf = bytearray()
        produced = 0  # samples yielded so far
        index = 0
        while True:
            frame = await self._next_frame()
            if frame is None:
                tail = resampler.resample(None)  # flush what the resampler holds
            else:
                self.input_rate = frame.sample_rate or WEBRTC_RATE
                tail = []
                gap = self._gap(frame)
                if gap and frame.format.name == "s16":
                    tail += resampler.resample(self._silence_like(frame, gap))
                    self.gap_samples += round(gap * self.sample_rate / self.input_rate)
                    self.input_samples += gap
                self.input_samples += frame.samples
                self.frames_received += 1
                frame.pts = None  # samples are placed by order; the resampler need not check timing
                tail += resampler.resample(frame)
            for out in tail:
                buf += bytes(out.planes[0])[: 2 * out.samples]
            n = self.chunk_n
            while len(buf) >= 2 * n:
                yield AudioChunk(bytes(buf[: 2 * n]), self.sample_rate, produced, index)
                del buf[: 2 * n]
                produced += n
                index += 1
            if frame is None:
                break
        if buf:
            yield AudioChunk(bytes(buf), self.sample_rate, produced, index)
        if self._error:
            raise ProvoiceError(self._error)
