"""Timing health: how much a real-time session's stamps can be trusted, measured while it runs.

Two sources, both cheap:

* **The loop's own account** (`TimedSelector`). An asyncio loop alternates between waiting in
  `select()` and running the callbacks that became ready. The selector here notes when each
  `select()` was called and when it returned, so the loop knows how long it has been busy: a busy
  stretch is the time from one `select()` returning to the next being called, during which no
  socket is read. `timed_event_loop()` makes a loop with it; the runner and the benchmarks run on
  one (`asyncio.Runner(loop_factory=timed_event_loop)`). On any other loop the figures that need it
  are absent (None), never guessed.

* **The session's hand-overs** (`TimingMonitor`, fed by `SessionCore.chunk_delivered`): how late
  each chunk reached the agent after its deadline, and the longest gap between two hand-overs.

**Stamp uncertainty.** When the core stamps an interjection, the event it stamps was read from a
socket by a `select()` that returned at most one loop iteration earlier (the protocol callback
that reads the bytes wakes the reader task, which runs in the next iteration: one hop; the
adapters read their sockets that way). The bytes reached the machine at the latest when that
`select()` returned, and at the earliest at the start of the busy stretch before it (had they come
while the loop waited in `select()`, it would have returned at once). So the stamp is at most

    uncertainty = (now - last select() return) + the two busy stretches before it
                  + the process's recent wake-up delay

late. The last term is the scheduler's share, which the loop cannot see directly: a process kept
off the core while its bytes wait returns from `select()` late. It is estimated from the
`select()` calls that returned because their timeout ran out (no event): how much later than the
timeout (rounded up to the millisecond, as epoll does) they returned, the largest in the last
`WAKE_WINDOW_S`. The first terms are a bound; the last an estimate from the moments around it; the
kernel's own network delivery is not counted. A loop that is mostly idle on an idle machine gives a
few tens of microseconds; one stalled by other sessions' work, or a process starved by others on
the machine, gives the stall.

**Loop stalls** are the busy stretches longer than `STALL_S`, kept (bounded) with when they
ended, so a session reports the stalls of its own lifetime.

A session is **timing-suspect** when its hand-over lag p99 or the stamp uncertainty of one of its
scored interjections passes the threshold (`--max-timing-error-ms`, default 5 ms). Lockstep and
virtual clocks do not read the wall clock into stamps: their sessions record `wall_clock: false`
and nothing else, and are never suspect.
"""

from __future__ import annotations

import asyncio
import collections
import math
import selectors
import time
import weakref
from typing import Iterable

import numpy as np

from ..run.results import Interjection, LagStats, LoopStalls, TimingHealth

STALL_S = 0.002  # a busy stretch at least this long is a stall
WAKE_WINDOW_S = 0.1  # how far back timer wake-up delays count towards a stamp's uncertainty
HOPS = 2  # busy stretches before the current one that the bytes of a stamped event may have waited through
DEFAULT_MAX_TIMING_ERROR_MS = 5.0


class TimedSelector(selectors.DefaultSelector):  # type: ignore[misc, valid-type]
    """The platform's default selector, noting when each `select()` is called and returns.

    `recent` holds the last few (called, returned) pairs in `time.perf_counter()` seconds;
    `stalls` the busy stretches of at least `STALL_S` as (ended, length), bounded."""

    def __init__(self, max_stalls: int = 100_000) -> None:
        super().__init__()
        self.recent: collections.deque[tuple[float, float]] = collections.deque(maxlen=HOPS + 1)
        self.stalls: collections.deque[tuple[float, float]] = collections.deque(maxlen=max_stalls)
        self.wake_delays: collections.deque[tuple[float, float]] = collections.deque(maxlen=256)  # (returned, delay)
        self.iterations = 0

    def select(self, timeout: float | None = None):
        called = time.perf_counter()
        if self.recent:
            busy = called - self.recent[-1][1]
            if busy >= STALL_S:
                self.stalls.append((called, busy))
        events = []
        try:
            events = super().select(timeout)
            return events
        finally:
            returned = time.perf_counter()
            self.recent.append((called, returned))
            self.iterations += 1
            if not events and timeout is not None and timeout > 0:  # woken by the timeout: any excess is the scheduler's
                delay = returned - called - math.ceil(timeout * 1e3) * 1e-3
                if delay > 0:
                    self.wake_delays.append((returned, delay))

    def wake_delay(self, now: float) -> float:
        """The largest timer wake-up delay of the last WAKE_WINDOW_S seconds (0 when none)."""
        return max((d for returned, d in self.wake_delays if returned >= now - WAKE_WINDOW_S), default=0.0)

    def stamp_uncertainty(self, now: float | None = None) -> float | None:
        """Seconds: the upper bound on a stamp's lateness made now (see the module docstring)."""
        if not self.recent:
            return None
        now = time.perf_counter() if now is None else now
        pairs = list(self.recent)
        busy = now - pairs[-1][1]
        for (_, returned), (called, _) in zip(pairs, pairs[1:]):
            busy += max(0.0, called - returned)
        return busy + self.wake_delay(now)

    def stalls_between(self, start: float, end: float) -> list[float]:
        """The lengths (seconds) of the stalls that ended within [start, end]."""
        return [length for ended, length in self.stalls if start <= ended <= end]


_TIMED: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TimedSelector]" = weakref.WeakKeyDictionary()


def timed_event_loop() -> asyncio.AbstractEventLoop:
    """A selector event loop whose selector is a `TimedSelector` (for `asyncio.Runner(loop_factory=...)`)."""
    selector = TimedSelector()
    loop = asyncio.SelectorEventLoop(selector)
    _TIMED[loop] = selector
    return loop


def loop_selector(loop: asyncio.AbstractEventLoop | None = None) -> TimedSelector | None:
    """The running loop's `TimedSelector`, or None when the loop was not made by `timed_event_loop`."""
    return _TIMED.get(loop or asyncio.get_running_loop())


def run_timed(coro):
    """`asyncio.run(coro)` on a timed event loop."""
    with asyncio.Runner(loop_factory=timed_event_loop) as runner:
        return runner.run(coro)


class TimingMonitor:
    """One real-time session's hand-overs, and its verdict (`health`). Pure: it is told the readings.

    `handover(end_s, reading)`: a chunk ending at stream second `end_s` was handed over when the
    clock read `reading`. Readings and ends are stream seconds (a `speed:K` clock's are K times wall).
    """

    def __init__(self, threshold_ms: float = DEFAULT_MAX_TIMING_ERROR_MS):
        self.threshold_ms = threshold_ms
        self.lags: list[float] = []
        self.max_gap_s = 0.0
        self._last: float | None = None

    def handover(self, end_s: float, reading: float) -> None:
        self.lags.append(max(0.0, reading - end_s))
        if self._last is not None:
            self.max_gap_s = max(self.max_gap_s, reading - self._last)
        self._last = reading

    def health(self, interjections: Iterable[Interjection], stalls_s: list[float] | None) -> TimingHealth:
        """The session's `TimingHealth`: the figures, and `suspect` with its reasons."""
        lag = None
        if self.lags:
            p50, p99 = np.percentile(np.asarray(self.lags) * 1000.0, [50, 99])
            lag = LagStats(p50_ms=round(float(p50), 3), p99_ms=round(float(p99), 3),
                           max_ms=round(max(self.lags) * 1000.0, 3))
        stalls = None
        if stalls_s is not None:
            stalls = LoopStalls(count=len(stalls_s), max_ms=round(max(stalls_s, default=0.0) * 1000.0, 3),
                                total_ms=round(sum(stalls_s) * 1000.0, 3), min_ms=STALL_S * 1000.0)
        scored = [i for i in interjections if i.scored and i.stamp_uncertainty_ms is not None]
        worst = max(scored, key=lambda i: i.stamp_uncertainty_ms, default=None)
        reasons = []
        limit = self.threshold_ms
        if lag is not None and lag.p99_ms > limit:
            reasons.append(f"chunk hand-over lag p99 {lag.p99_ms:.1f} ms > {limit:g} ms")
        for i in scored:
            if i.stamp_uncertainty_ms > limit:
                reasons.append(f"interjection at {i.t:.3f} s: stamp uncertainty {i.stamp_uncertainty_ms:.1f} ms "
                               f"> {limit:g} ms")
        return TimingHealth(wall_clock=True, threshold_ms=limit, handover_lag_ms=lag,
                            max_chunk_gap_ms=round(self.max_gap_s * 1000.0, 3) if self.lags else None,
                            loop_stalls=stalls,
                            max_stamp_uncertainty_ms=worst.stamp_uncertainty_ms if worst else None,
                            suspect=bool(reasons), reasons=reasons)
