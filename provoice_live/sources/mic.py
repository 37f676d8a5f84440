"""The default input device (sounddevice / PortAudio) as a chunk stream at the agent's rate.

PortAudio calls us from its own thread with each block of PCM16; the callback only hands the bytes
to the event loop (`call_soon_threadsafe` onto an asyncio queue), and `chunks()` cuts them into
fixed `chunk_ms` chunks. The source is live: it is paced by the device, not by the session's clock.

Rate: the device is opened at the agent's rate, which PortAudio's host APIs usually convert for us.
A device that refuses that rate is opened at its own default rate and the blocks are resampled on
the way (`BlockResampler`: the one polyphase filter of `audio.resample`, applied with one block of
look-ahead so block edges are seamless).

Without the PortAudio library, or without an input device, `MicSource` raises `MissingDependency`
with one sentence saying what is missing. Tests inject `stream_factory` (anything with the
`sounddevice.RawInputStream` constructor's keywords and `start/stop/close`), so no device is needed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Callable

import numpy as np

from ..audio import PCM16_MAX, AudioChunk, chunk_samples, resample, to_pcm16
from ..errors import MissingDependency, ProvoiceError, require
from .base import Source

log = logging.getLogger(__name__)

StreamFactory = Callable[..., Any]  # (samplerate, blocksize, channels, dtype, callback) -> stream


def import_sounddevice(what: str = "the live microphone"):
    """sounddevice, or one sentence saying what is missing (the package, or PortAudio itself)."""
    try:
        return require("sounddevice", "live", what)
    except MissingDependency as exc:
        if isinstance(exc.__cause__, OSError):  # the package is there, the PortAudio library is not
            raise MissingDependency(
                f"{what} needs the PortAudio library, which is not installed "
                f"(Debian/Ubuntu: apt-get install libportaudio2; macOS: brew install portaudio)."
            ) from None
        raise


def default_input(sd, rate: int) -> int:
    """The rate to open the default input device at: `rate` if it takes it, else its own default.

    Raises one clear sentence when there is no input device at all.
    """
    try:
        info = sd.query_devices(kind="input")
    except Exception:
        info = None
    if not info or int(info.get("max_input_channels", 0)) < 1:
        raise MissingDependency("the live microphone needs an audio input device, and this machine has none "
                                "(connect a microphone, or check that the sound server is running).")
    try:
        sd.check_input_settings(samplerate=rate, channels=1, dtype="int16")
        return rate
    except Exception:
        return int(info["default_samplerate"])


class BlockResampler:
    """Resample a stream of equal blocks from `rate_in` to `rate_out` without seams.

    Each block is resampled inside a window of [previous, current, next] blocks and only the
    middle is kept, so the filter always sees real neighbours: the output for a block comes out
    one block later (`push` returns the previous block's output, `flush` the last one's).
    """

    def __init__(self, rate_in: int, rate_out: int, block: int):
        if (block * rate_out) % rate_in:
            raise ValueError(f"a block of {block} samples at {rate_in} Hz is not whole at {rate_out} Hz")
        self.rate_in, self.rate_out, self.block = rate_in, rate_out, block
        self.out_block = block * rate_out // rate_in
        self._prev = np.zeros(block, dtype=np.float32)
        self._cur: np.ndarray | None = None

    def push(self, x: np.ndarray) -> np.ndarray:
        x = self._fit(x)
        if self._cur is None:
            self._cur = x
            return np.zeros(0, dtype=np.float32)
        y = resample(np.concatenate([self._prev, self._cur, x]), self.rate_in, self.rate_out)
        out = y[self.out_block: 2 * self.out_block]
        self._prev, self._cur = self._cur, x
        return out

    def flush(self) -> np.ndarray:
        if self._cur is None:
            return np.zeros(0, dtype=np.float32)
        out = self.push(np.zeros(self.block, dtype=np.float32))
        self._cur = None
        return out

    def _fit(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if len(x) == self.block:
            return x
        return np.pad(x[: self.block], (0, max(0, self.block - len(x))))


class MicSource(Source):
    """The default input device, mono, at `sample_rate` (the agent's), in `chunk_ms` chunks."""

    live = True
    duration_s = None

    def __init__(self, sample_rate: int, chunk_ms: float = 20.0, stream_factory: StreamFactory | None = None,
                 device_rate: int | None = None):
        self.sample_rate = sample_rate
        self.chunk_ms = chunk_ms
        self.chunk_n = chunk_samples(sample_rate, chunk_ms)
        if stream_factory is None:
            sd = import_sounddevice()
            device_rate = default_input(sd, sample_rate)
            stream_factory = sd.RawInputStream
        self.device_rate = device_rate or sample_rate
        self.block = chunk_samples(self.device_rate, chunk_ms)
        self._factory = stream_factory
        self._stop = asyncio.Event()
        self.overflows = 0
        self.blocks = 0

    def stop(self) -> None:
        """End the stream after the audio already captured (Ctrl-C does this)."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _open(self, queue: asyncio.Queue, loop: asyncio.AbstractEventLoop):
        def callback(indata, frames, time_info, status) -> None:  # PortAudio's thread
            loop.call_soon_threadsafe(queue.put_nowait, (bytes(indata), bool(status)))

        try:
            return self._factory(samplerate=self.device_rate, blocksize=self.block, channels=1, dtype="int16",
                                 callback=callback)
        except Exception as exc:  # PortAudioError: the device vanished, is busy, refuses the settings
            raise ProvoiceError(f"the microphone could not be opened: {exc}") from None

    async def _next_block(self, queue: asyncio.Queue) -> tuple[bytes, bool] | None:
        if not queue.empty():
            return queue.get_nowait()
        if self._stop.is_set():
            return None
        get = asyncio.ensure_future(queue.get())
        stop = asyncio.ensure_future(self._stop.wait())
        done, _ = await asyncio.wait({get, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if get in done:
            return get.result()
        get.cancel()
        return queue.get_nowait() if not queue.empty() else None

    async def chunks(self, clock=None) -> AsyncIterator[AudioChunk]:
        queue: asyncio.Queue = asyncio.Queue()
        stream = self._open(queue, asyncio.get_running_loop())
        resampler = BlockResampler(self.device_rate, self.sample_rate, self.block) \
            if self.device_rate != self.sample_rate else None
        buf = bytearray()
        produced = index = 0
        stream.start()
        try:
            while True:
                item = await self._next_block(queue)
                if item is None:
                    if resampler is not None:
                        buf += to_pcm16(resampler.flush())
                else:
                    pcm, overflow = item
                    self.blocks += 1
                    self.overflows += overflow
                    if resampler is None:
                        buf += pcm
                    else:
                        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / PCM16_MAX
                        buf += to_pcm16(resampler.push(x))
                n = self.chunk_n
                while len(buf) >= 2 * n or (item is None and buf):
                    piece = bytes(buf[: 2 * n])
                    del buf[: 2 * n]
                    yield AudioChunk(piece, self.sample_rate, produced, index)
                    produced += len(piece) // 2
                    index += 1
                if item is None:
                    break
        finally:
            stream.stop()
            stream.close()
            if self.overflows:
                log.warning("the microphone overflowed %d times (the machine was too busy)", self.overflows)
