"""Clocks: how the stream advances. One clock per session, chosen by name.

* `realtime`: 1x wall time, for latency. Deadlines are absolute (chunk k is due at
  origin + k * chunk), so pacing never drifts. All realtime clocks of an event loop share one
  `Ticker`, which arms the loop's timer the learned timer lateness before the earliest deadline
  (no busy waiting).
* `speed:K`: the same, K times faster (stream seconds = K x wall seconds).
* `lockstep`: no waiting at all. The stream time is the audio delivered so far, set by the
  session; the session awaits the agent after every chunk, so its compute time never shows as
  latency (it is logged apart).
* `virtual`: a deterministic clock for tests. Time jumps to the earliest pending deadline once
  every runnable task has had its turn.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
import weakref

import numpy as np

from ..errors import ProvoiceError


class Clock:
    name = "clock"
    lockstep = False

    def start(self) -> None:
        """Mark stream time 0 (called when the first chunk is about to be sent)."""

    def now(self) -> float:
        """Stream seconds since `start`."""
        raise NotImplementedError

    async def sleep_until(self, t: float) -> None:
        """Return at stream time `t` (absolute)."""
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.now() + seconds)


class Ticker:
    """One timer for all real-time sessions of an event loop: coalesced wake-ups, no busy waiting.

    The event loop's timers fire late by a fairly steady amount (the selector rounds its timeout
    up to the next millisecond; the kernel and the hop from a future to its task add a little). The
    Ticker learns that lateness (the median of the recent wake-ups) and arms its one loop timer
    that much before the earliest deadline (the `lead`, within [0, `MAX_LEAD`]), so wake-ups
    centre on their deadlines; a wake-up a fraction of a millisecond early hands its chunk over at
    once. Nothing spins: the core stays free for the agent and for other processes. (An earlier
    version woke up to 6 ms early and spun out the rest, which cost up to a third of a core.)
    """

    _by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Ticker]" = weakref.WeakKeyDictionary()
    MAX_LEAD = 0.001
    WINDOW = 200  # wake-ups the lead is re-estimated from

    def __init__(self, loop: asyncio.AbstractEventLoop, lead: float = 0.0005):
        self.loop = loop
        self.lead = lead
        self._heap: list[tuple[float, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: float | None = None  # the wall time the loop timer was asked for
        self._lateness: list[float] = []

    @classmethod
    def for_running_loop(cls) -> "Ticker":
        loop = asyncio.get_running_loop()
        ticker = cls._by_loop.get(loop)
        if ticker is None:
            ticker = cls._by_loop[loop] = cls(loop)
        return ticker

    def wake_at(self, when: float) -> asyncio.Future:
        """A future resolved at about wall time `when` (a `time.perf_counter()` value): at most
        `lead` early, late by the loop's jitter beyond what the lead absorbs."""
        fut = self.loop.create_future()
        heapq.heappush(self._heap, (when, next(self._seq), fut))
        if self._armed_for is None or when - self.lead < self._armed_for:
            self._arm()
        return fut

    def learn(self, lateness: float) -> None:
        """Record how late the loop timer fired; every WINDOW wake-ups the lead is re-estimated."""
        self._lateness.append(lateness)
        if len(self._lateness) >= self.WINDOW:
            self.lead = min(self.MAX_LEAD, max(0.0, float(np.median(self._lateness))))
            self._lateness.clear()

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_for = self._heap[0][0] - self.lead
        self._handle = self.loop.call_at(self.loop.time() + max(self._armed_for - time.perf_counter(), 0.0), self._fire)

    def _fire(self) -> None:
        now = time.perf_counter()
        if self._armed_for is not None:
            self.learn(now - self._armed_for)
        self._handle = None
        self._armed_for = None
        heap = self._heap
        while heap and heap[0][0] - self.lead <= now + 1e-4:
            _, _, fut = heapq.heappop(heap)
            if not fut.done():
                fut.set_result(None)
        if heap:
            self._arm()


class RealtimeClock(Clock):
    """Wall time times `speed`, paced by the shared Ticker with absolute deadlines."""

    SLOTS = 8  # the deadline phases, `align_s` apart, that sessions are spread over (8 x 2.5 ms = 20 ms)
    _slots = itertools.count()  # round robin over the slots, process-wide

    def __init__(self, speed: float = 1.0, align_s: float = 0.0025, slots: int | None = None):
        if speed <= 0:
            raise ProvoiceError(f"clock speed must be positive, not {speed}")
        self.speed = speed
        self.name = "realtime" if speed == 1.0 else f"speed:{speed:g}"
        self.align_s = align_s
        self.slots = self.SLOTS if slots is None else max(1, slots)
        self._origin: float | None = None

    def start(self) -> None:
        """Stream time 0 falls on one of `slots` phases `align_s` apart (the slots taken in turn by
        the sessions that start), repeating every `slots * align_s` (20 ms: one chunk). Concurrent
        sessions then share a few deadline phases, so one tick of the Ticker serves several of
        them, but not all at once: 16 sessions hand over 2 chunks a tick, not 16 in one burst that
        the agent server (and this loop) would then work through in turn, the last one late."""
        now = time.perf_counter()
        if not self.align_s:
            self._origin = now
            return
        period = self.align_s * self.slots
        offset = (next(self._slots) % self.slots) * self.align_s
        self._origin = math.ceil((now - offset) / period) * period + offset

    def now(self) -> float:
        if self._origin is None:
            return 0.0
        return (time.perf_counter() - self._origin) * self.speed

    def wall_deadline(self, t: float) -> float:
        return self._origin + t / self.speed

    async def sleep_until(self, t: float) -> None:
        if self._origin is None:
            self.start()
        deadline = self.wall_deadline(t)
        if deadline > time.perf_counter():
            await Ticker.for_running_loop().wake_at(deadline)


class LockstepClock(Clock):
    """Stream time is what the session says it is: the audio delivered so far."""

    name = "lockstep"
    lockstep = True

    def __init__(self) -> None:
        self._t = 0.0

    def now(self) -> float:
        return self._t

    def advance_to(self, t: float) -> None:
        if t > self._t:
            self._t = t

    async def sleep_until(self, t: float) -> None:
        # An agent's waits take no stream time under lockstep; yield once so tasks interleave.
        await asyncio.sleep(0)


class VirtualClock(Clock):
    """Deterministic time for tests: it jumps to the next deadline when every task is waiting.

    "Every task is waiting" is approximated by yielding to the event loop `settle` times between
    jumps, which is exact for code that only awaits this clock and in-memory queues.
    """

    name = "virtual"

    def __init__(self, settle: int = 20):
        self._t = 0.0
        self._heap: list[tuple[float, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._runner: asyncio.Task | None = None
        self._settle = settle

    def now(self) -> float:
        return self._t

    async def sleep_until(self, t: float) -> None:
        if t <= self._t:
            await asyncio.sleep(0)
            return
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (t, next(self._seq), fut))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._advance())
        await fut

    async def _advance(self) -> None:
        while True:
            for _ in range(self._settle):
                await asyncio.sleep(0)
            while self._heap and self._heap[0][2].done():
                heapq.heappop(self._heap)
            if not self._heap:
                return
            t, _, fut = heapq.heappop(self._heap)
            self._t = max(self._t, t)
            fut.set_result(None)


def make_clock(spec: str) -> Clock:
    """`realtime`, `lockstep`, `speed:K` or `virtual`."""
    spec = spec.strip().lower()
    if spec in ("realtime", "real-time", "1x"):
        return RealtimeClock(1.0)
    if spec == "lockstep":
        return LockstepClock()
    if spec == "virtual":
        return VirtualClock()
    if spec.startswith("speed:"):
        try:
            k = float(spec.split(":", 1)[1])
        except ValueError:
            raise ProvoiceError(f"bad clock {spec!r}: speed:K needs a number, e.g. speed:4") from None
        return RealtimeClock(k)
    raise ProvoiceError(f"unknown clock {spec!r}: use realtime, lockstep or speed:K")
