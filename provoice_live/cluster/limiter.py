"""One endpoint's limits across the cluster: sessions at once, and a shared pause after a 429.

`EndpointLimiter` is a named Ray actor, one per run and endpoint (`endpoint-limiter:<endpoint>:<run>`
in the `provoice-live` namespace), handed to every worker of the run and killed when it ends:
- `acquire(token, worker)` waits until fewer than `max_inflight` sessions hold a slot and no pause
  is running, then takes a slot; `release(token)` gives it back; `release_worker(worker)` frees the
  slots of a worker that died (the driver calls it), so a crash never leaks capacity.
- `backoff(seconds)` (a worker saw HTTP 429) pauses new slots for everyone and bumps a version;
  each worker long-polls `next_backoff(seen)` and pauses its own outgoing requests
  (`http_retry.BACKOFF`), so one 429 backs every worker off together within one round trip.

The limiter is an asyncio actor: every method runs on its one event loop, so its state needs no
lock. Durations cross the wire, not timestamps: nodes' clocks need not agree.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


class EndpointLimiter:
    """The state behind the named actor (a plain class: it is tested without Ray too)."""

    def __init__(self, max_inflight: int | None):
        self.max_inflight = max_inflight if max_inflight and max_inflight > 0 else None
        self.holders: dict[str, str] = {}  # token -> worker
        self.peak = 0
        self.granted = 0
        self.paused_until = 0.0  # monotonic, on the limiter's own clock
        self.backoff_version = 0
        self.backoffs = 0
        self._changed = asyncio.Condition()

    def _pause_left(self) -> float:
        return max(0.0, self.paused_until - time.monotonic())

    async def acquire(self, token: str, worker: str) -> None:
        async with self._changed:
            while True:
                left = self._pause_left()
                if left <= 0 and (self.max_inflight is None or len(self.holders) < self.max_inflight):
                    break
                try:  # woken by a release, or when the pause ends
                    await asyncio.wait_for(self._changed.wait(), timeout=left if left > 0 else None)
                except asyncio.TimeoutError:
                    pass
            self.holders[token] = worker
            self.granted += 1
            self.peak = max(self.peak, len(self.holders))

    async def release(self, token: str) -> None:
        async with self._changed:
            if self.holders.pop(token, None) is not None:
                self._changed.notify_all()

    async def release_worker(self, worker: str) -> int:
        """Free every slot held by `worker` (it died); how many there were."""
        async with self._changed:
            tokens = [t for t, w in self.holders.items() if w == worker]
            for t in tokens:
                del self.holders[t]
            self._changed.notify_all()
            return len(tokens)

    async def backoff(self, seconds: float) -> None:
        """Someone was told to slow down: nobody starts anything for `seconds` (longest pause wins)."""
        async with self._changed:
            until = time.monotonic() + max(0.0, seconds)
            if until > self.paused_until:
                self.paused_until = until
            self.backoff_version += 1
            self.backoffs += 1
            self._changed.notify_all()

    async def next_backoff(self, seen: int, wait_s: float = 30.0) -> tuple[int, float]:
        """(version, seconds of pause left) once the version passes `seen`, or after `wait_s`."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.backoff_version > seen), wait_s)
            except asyncio.TimeoutError:
                pass
            return self.backoff_version, self._pause_left()

    async def stats(self) -> dict[str, Any]:
        return {"max_inflight": self.max_inflight, "inflight": len(self.holders), "peak": self.peak,
                "granted": self.granted, "backoffs": self.backoffs}


def limiter_name(endpoint: str, run: str) -> str:
    return f"endpoint-limiter:{endpoint}:{run}"


def endpoint_key(agent: str, agent_opts: dict[str, Any]) -> str:
    """What 'one endpoint' is: the agent and, when set, its base URL (or URL) and model."""
    parts = [agent] + [str(agent_opts[k]) for k in ("base_url", "url", "model") if agent_opts.get(k)]
    return "|".join(parts)


def start_limiter(endpoint: str, run: str, max_inflight: int | None):
    """A new limiter actor for `endpoint` in run `run` (the caller kills it when the run ends)."""
    from . import NAMESPACE, ray_module

    ray = ray_module()
    actor = ray.remote(num_cpus=0, max_concurrency=1000)(EndpointLimiter)
    return actor.options(name=limiter_name(endpoint, run), namespace=NAMESPACE).remote(max_inflight)
