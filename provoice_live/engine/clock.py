"""Clocks: how the stream advances. One clock per session, chosen by name.

* `realtime`: 1x wall time, for latency. Deadlines are absolute (chunk k is due at
  origin + k * chunk), so pacing never drifts. All realtime clocks of an event loop share one
  `Ticker`, which wakes a little before the earliest deadline and waits out the last fraction.
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
    """One timer for all real-time sessions of an event loop: coalesced early wake-ups.

    Sessions ask to be woken `margin` seconds before their deadline and wait out the last
    fraction themselves by spinning on `time.perf_counter()` (see `RealtimeClock.sleep_until`),
    so the event loop's own wake-up jitter (the selector's millisecond timeout, a virtual
    machine's late timers, the hop from a future to its task) is absorbed by the margin. The margin
    adapts: the 99.8th percentile of the recent wake-up lateness plus 0.5 ms, within [1, 6] ms.
    """

    _by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Ticker]" = weakref.WeakKeyDictionary()
    MIN_MARGIN, MAX_MARGIN, SAFETY = 0.001, 0.006, 0.0005

    def __init__(self, loop: asyncio.AbstractEventLoop, margin: float = 0.003):
        self.loop = loop
        self.margin = margin
        self._heap: list[tuple[float, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for: float | None = None
        self._lateness: list[float] = []

    @classmethod
    def for_running_loop(cls) -> "Ticker":
        loop = asyncio.get_running_loop()
        ticker = cls._by_loop.get(loop)
        if ticker is None:
            ticker = cls._by_loop[loop] = cls(loop)
        return ticker

    def wake_at(self, when: float) -> asyncio.Future:
        """A future resolved at (or just after) wall time `when` (a `time.perf_counter()` value)."""
        fut = self.loop.create_future()
        heapq.heappush(self._heap, (when, next(self._seq), fut))
        if self._armed_for is None or when < self._armed_for:
            self._arm()
        return fut

    def learn(self, lateness: float) -> None:
        """Record how late a wake-up was; every 200 wake-ups the margin is re-estimated."""
        self._lateness.append(lateness)
        if len(self._lateness) >= 400:
            ordered = sorted(self._lateness)
            p998 = ordered[int(0.998 * (len(ordered) - 1))]
            self.margin = min(self.MAX_MARGIN, max(self.MIN_MARGIN, p998 + self.SAFETY))
            del self._lateness[:200]

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        when = self._heap[0][0]
        self._armed_for = when
        self._handle = self.loop.call_at(self.loop.time() + max(when - time.perf_counter(), 0.0), self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_for = None
        heap = self._heap
        now = time.perf_counter()
        while heap and heap[0][0] <= now + 1e-4:
            _, _, fut = heapq.heappop(heap)
            if not fut.done():
                fut.set_result(None)
        if heap:
            self._arm()


class RealtimeClock(Clock):
    """Wall time times `speed`, paced by the shared Ticker with absolute deadlines."""

    def __init__(self, speed: float = 1.0, align_s: float = 0.0025):
        if speed <= 0:
            raise ProvoiceError(f"clock speed must be positive, not {speed}")
        self.speed = speed
        self.name = "realtime" if speed == 1.0 else f"speed:{speed:g}"
        self.align_s = align_s
        self._origin: float | None = None

    def start(self) -> None:
        """Stream time 0 is the next multiple of `align_s` of the wall clock: concurrent sessions
        then share a few deadline phases, and one tick of the Ticker serves several of them."""
        now = time.perf_counter()
        self._origin = math.ceil(now / self.align_s) * self.align_s if self.align_s else now

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
        ticker = Ticker.for_running_loop()
        early = deadline - ticker.margin
        if early > time.perf_counter():
            await ticker.wake_at(early)
            ticker.learn(time.perf_counter() - early)
        while time.perf_counter() < deadline:  # the last fraction: at most `margin`
            pass


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
