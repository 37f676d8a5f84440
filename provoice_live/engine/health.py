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
adapters read their sockets that way). The bytes came at the earliest at the start of the busy
stretch before that `select()`: had they come while the loop slept in an earlier `select()`, that
one would have returned. From then to the stamp the loop was busy, or in a `select()` that did not
sleep (bytes were waiting), or woken but not yet running: a process starved by others on the
machine is woken late. So the stamp is at most

    uncertainty = (now - last select() return) + the HOPS busy stretches before it
                  + the time the last HOPS select() calls spent awake

late. "Awake" is the select's duration for a non-blocking one; for one that may sleep it is the
thread's time on the run queue during the call (Linux's /proc/thread-self/schedstat `run_delay`:
woken, waiting for a core), which is what an overloaded machine adds. Without schedstat (other
systems) it is the excess of a timed-out select() over its timeout (rounded up to the millisecond,
as epoll does), an estimate. The kernel's own network delivery is not counted. A mostly idle loop
on an idle machine gives tens of microseconds; one stalled by other sessions' work, or a process
starved by other processes, gives the stall.

Events an adapter hands over with an `Arrival` (agents/arrival.py: the kernel's receive stamp of
the message) are stamped there instead, with the arrival's own bound; the bound above is then only
the floor of a frame the kernel merged with later ones (`earliest_arrival`).

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
import os
import selectors
import time
import weakref
from typing import Iterable

import numpy as np

from ..run.results import Interjection, LagStats, LoopStalls, TimingHealth

STALL_S = 0.002  # a busy stretch at least this long is a stall
HOPS = 2  # iterations back from the stamp that the bytes of a stamped event may have waited through
DEFAULT_MAX_TIMING_ERROR_MS = 5.0


class _RunQueueClock:
    """The calling thread's cumulative run-queue wait (seconds), from Linux's schedstat; None elsewhere."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
            self.read()
        except (OSError, ValueError, IndexError):
            self._fd = None

    def read(self) -> float | None:
        if self._fd is None:
            return None
        return int(os.pread(self._fd, 64, 0).split()[1]) * 1e-9

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class TimedSelector(selectors.DefaultSelector):  # type: ignore[misc, valid-type]
    """The platform's default selector, noting when each `select()` is called and returns, and how
    long it was awake (see the module docstring).

    `recent` holds the last HOPS + 1 (called, returned, awake) triples in `time.perf_counter()`
    seconds; `stalls` the busy stretches of at least `STALL_S` as (ended, length), bounded."""

    def __init__(self, max_stalls: int = 100_000) -> None:
        super().__init__()
        self.recent: collections.deque[tuple[float, float, float]] = collections.deque(maxlen=HOPS + 1)
        self.stalls: collections.deque[tuple[float, float]] = collections.deque(maxlen=max_stalls)
        self.iterations = 0
        self._run_queue: _RunQueueClock | None = None  # opened by the loop's own thread, at its first select

    def select(self, timeout: float | None = None):
        if self._run_queue is None:
            self._run_queue = _RunQueueClock()
        called = time.perf_counter()
        if self.recent:
            busy = called - self.recent[-1][1]
            if busy >= STALL_S:
                self.stalls.append((called, busy))
        may_sleep = timeout is None or timeout > 0
        queued0 = self._run_queue.read() if may_sleep else None
        events = []
        try:
            events = super().select(timeout)
            return events
        finally:
            returned = time.perf_counter()
            took = returned - called
            if not may_sleep:
                awake = took
            elif queued0 is not None:
                awake = min(took, self._run_queue.read() - queued0)
            elif not events and timeout is not None:  # timed out: any excess over the timeout was spent waking
                awake = max(0.0, took - math.ceil(timeout * 1e3) * 1e-3)
            else:
                awake = 0.0
            self.recent.append((called, returned, awake))
            self.iterations += 1

    def stamp_uncertainty(self, now: float | None = None) -> float | None:
        """Seconds: the upper bound on a stamp's lateness made now (see the module docstring)."""
        if not self.recent:
            return None
        now = time.perf_counter() if now is None else now
        triples = list(self.recent)
        total = now - triples[-1][1]
        for (_, returned, _), (called, _, awake) in zip(triples, triples[1:]):
            total += max(0.0, called - returned) + awake
        return total

    def stalls_between(self, start: float, end: float) -> list[float]:
        """The lengths (seconds) of the stalls that ended within [start, end]."""
        return [length for ended, length in self.stalls if start <= ended <= end]

    def close(self) -> None:
        if self._run_queue is not None:
            self._run_queue.close()
        super().close()


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


def earliest_arrival(loop: asyncio.AbstractEventLoop | None = None):
    """For a socket read by a callback of `loop` (the running one by default): a function giving
    the earliest time (perf_counter seconds) the bytes read now may have come, by the loop's own
    account (now minus `stamp_uncertainty`); None when the loop is not a timed one. Arrival stamps
    (agents/arrival.py) bound a merged segment's lateness with it."""
    selector = loop_selector(loop)
    if selector is None:
        return None

    def earliest() -> float | None:
        now = time.perf_counter()
        u = selector.stamp_uncertainty(now)
        return None if u is None else now - u

    return earliest


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
