"""Sources: where audio chunks come from. Every source yields the same `AudioChunk` stream, so
every agent works with every source."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, AsyncIterator

from ..audio import AudioChunk

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.clock import Clock


class Source(abc.ABC):
    """A stream of PCM16 mono chunks at `sample_rate`.

    File sources pace themselves with the session's clock (chunk k is handed over at the stream
    time where it ends); live sources (microphone, WebRTC) are paced by their device and ignore it.
    """

    sample_rate: int
    duration_s: float | None = None
    live: bool = False

    @abc.abstractmethod
    def chunks(self, clock: "Clock") -> AsyncIterator[AudioChunk]:
        """Yield chunks in order; return at the end of the stream."""
