"""Bounded retries with exponential backoff for HTTP and WebSocket calls (agents, the judge, the builder).

`call_with_retries(attempt, policy, what=...)` runs `attempt()` (a coroutine factory) until it
succeeds, retrying only transient faults: HTTP 429 and 5xx, timeouts, refused or dropped
connections, and a WebSocket handshake answered 429/5xx. It waits `base_s * 2**n` (capped at
`max_s`, with jitter unless turned off; a server's `Retry-After` is honoured within `max_s`), and
after `max_retries` retries raises `AgentError` with the last reason, so the session ends as an
error that says why. Anything else (HTTP 400/401/404, a malformed reply, an `AgentError`) is not
retried: it fails at once.

The SDK's own retries are turned off by the adapters (`max_retries=0`) so this is the one place
that decides, and each retry is reported through `on_retry` (the adapters log it).

Backoff waits are wall time (`asyncio.sleep`), not stream time: a rate-limited server needs real
seconds to recover, whatever the clock of the session.

`BACKOFF` makes one 429 pause every call of the process when it is `enabled` (the Ray workers turn
it on and relay each 429 to the other workers through the cluster's limiter, `cluster.limiter`).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, TypeVar

from .errors import AgentError

T = TypeVar("T")
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_s: float = 0.5
    max_s: float = 8.0
    jitter: bool = True

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        d = min(self.max_s, self.base_s * (2 ** attempt))
        if self.jitter:
            d *= 0.5 + random.random() / 2
        if retry_after is not None:
            d = max(d, min(self.max_s, retry_after))
        return d


@dataclass(frozen=True)
class Fault:
    """What went wrong in one attempt, and whether trying again may help."""

    retryable: bool
    reason: str
    retry_after: float | None = None


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)  # websockets.InvalidStatus carries the HTTP response
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000.0
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except (TypeError, ValueError):
        return None
    return None


def _message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
    text = str(exc).strip()
    return text or type(exc).__name__


def classify(exc: BaseException) -> Fault:
    """Sort an exception from one attempt into retryable or not, with a reason for the log."""
    if isinstance(exc, AgentError):
        return Fault(False, str(exc))
    status = _status_of(exc)
    if status is not None:
        label = {429: "rate limited"}.get(status, "server error" if status >= 500 else "refused")
        reason = f"HTTP {status} {label}: {_message(exc)}"
        return Fault(status in RETRYABLE_STATUS, reason, _retry_after(exc))
    name = type(exc).__name__
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) or "Timeout" in name:
        return Fault(True, f"timed out ({_message(exc) if str(exc) else name})")
    if isinstance(exc, (ConnectionError, OSError, EOFError)) or "Connection" in name or "ConnectionClosed" in name:
        return Fault(True, f"connection failed: {_message(exc)}")
    return Fault(False, f"{name}: {_message(exc)}")


@dataclass
class SharedBackoff:
    """A process-wide pause on outgoing calls after a 429 (off unless `enabled`).

    `rate_limited(s)` pauses every call for `s` seconds and tells each listener; `pause(s)` only
    pauses (a pause heard from elsewhere); `wait()` sleeps out what is left before an attempt.
    """

    enabled: bool = False
    listeners: list[Callable[[float], None]] = field(default_factory=list)
    until: float = 0.0  # time.monotonic()

    def pause(self, seconds: float) -> None:
        if self.enabled:
            self.until = max(self.until, time.monotonic() + max(0.0, seconds))

    def rate_limited(self, seconds: float) -> None:
        if self.enabled:
            self.pause(seconds)
            for listener in self.listeners:
                listener(seconds)

    async def wait(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        left = self.until - time.monotonic() if self.enabled else 0.0
        if left > 0:
            await sleep(left)


BACKOFF = SharedBackoff()


async def call_with_retries(attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, what: str,
                            on_retry: Callable[[int, Fault, float], None] | None = None,
                            sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """Run `attempt()` with bounded retries; raise `AgentError` naming `what` and the last fault."""
    n = 0
    while True:
        await BACKOFF.wait(sleep)
        try:
            return await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            fault = classify(exc)
            if not fault.retryable:
                raise AgentError(f"{what}: {fault.reason}") from exc
            if n >= policy.max_retries:
                tries = "1 attempt" if n == 0 else f"{n + 1} attempts"
                raise AgentError(f"{what}: gave up after {tries}: {fault.reason}") from exc
            delay = policy.delay(n, fault.retry_after)
            if _status_of(exc) == 429:
                BACKOFF.rate_limited(delay)
            if on_retry is not None:
                on_retry(n + 1, fault, delay)
            await sleep(delay)
            n += 1
