"""The cluster's endpoint limiter and the process-wide 429 pause, without Ray (the state behind the
named actor is a plain asyncio class); and the run command's checks of the Ray options."""

from __future__ import annotations

import asyncio

import httpx2
import openai
import pytest

from provoice_live import http_retry
from provoice_live.http_retry import RetryPolicy, SharedBackoff, call_with_retries
from provoice_live.cli import main as cli
from provoice_live.cluster.limiter import EndpointLimiter, endpoint_key


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_the_limiter_never_grants_more_than_max_inflight_and_frees_a_dead_workers_slots():
    lim = EndpointLimiter(2)
    await lim.acquire("a", "w0")
    await lim.acquire("b", "w1")
    third = asyncio.ensure_future(lim.acquire("c", "w1"))
    await _settle()
    assert not third.done() and (await lim.stats())["inflight"] == 2
    await lim.release("a")
    await _settle()
    assert third.done()
    fourth = asyncio.ensure_future(lim.acquire("d", "w0"))
    await _settle()
    assert not fourth.done()
    assert await lim.release_worker("w1") == 2  # w1 died holding b and c
    await _settle()
    assert fourth.done()
    stats = await lim.stats()
    assert stats == {"max_inflight": 2, "inflight": 1, "peak": 2, "granted": 4, "backoffs": 0}


async def test_a_backoff_wakes_every_listener_with_the_pause_left():
    lim = EndpointLimiter(None)
    listeners = [asyncio.ensure_future(lim.next_backoff(0)) for _ in range(3)]
    await _settle()
    assert not any(f.done() for f in listeners)
    await lim.backoff(30.0)
    heard = await asyncio.gather(*listeners)
    assert all(version == 1 and 29.0 < left <= 30.0 for version, left in heard)
    blocked = asyncio.ensure_future(lim.acquire("x", "w0"))  # nobody starts during the pause
    await _settle()
    assert not blocked.done()
    blocked.cancel()
    assert await lim.next_backoff(1, wait_s=0.0) == (1, pytest.approx(30.0, abs=1.0))


def test_one_endpoint_is_the_agent_and_its_address():
    assert endpoint_key("omni-chat", {"base_url": "http://h:8000/v1", "model": "m", "timeout": "5"}) == \
        "omni-chat|http://h:8000/v1|m"
    assert endpoint_key("offline", {}) == "offline"


def _rate_limited() -> openai.RateLimitError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    return openai.RateLimitError("slow down", response=httpx2.Response(429, request=request), body=None)


async def test_an_enabled_shared_backoff_pauses_every_call_of_the_process_after_one_429(monkeypatch):
    gate = SharedBackoff(enabled=True)
    heard: list[float] = []
    gate.listeners.append(heard.append)
    monkeypatch.setattr(http_retry, "BACKOFF", gate)
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    calls = iter([_rate_limited(), "ok"])

    async def attempt():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    policy = RetryPolicy(max_retries=1, base_s=4.0, jitter=False)
    assert await call_with_retries(attempt, policy, what="chat", sleep=sleep) == "ok"
    assert heard == [4.0]  # the listener (the Ray worker's relay to the limiter) heard the 429
    slept.clear()

    async def other():
        return "other"

    assert await call_with_retries(other, policy, what="another session", sleep=sleep) == "other"
    assert len(slept) == 1 and 3.0 < slept[0] <= 4.0  # an unrelated call waited out the pause first


async def test_the_shared_backoff_is_off_by_default():
    assert http_retry.BACKOFF.enabled is False
    http_retry.BACKOFF.rate_limited(10.0)
    assert http_retry.BACKOFF.until == 0.0


@pytest.mark.parametrize("flags, message", [
    (["--workers", "2"], "--workers need --executor ray"),
    (["--ship-audio", "--max-inflight", "3"], "--ship-audio, --max-inflight need --executor ray"),
    (["--executor", "ray", "--workers", "0"], "--workers must be at least 1"),
    (["--executor", "ray", "--max-session-retries", "-1"], "--max-session-retries must be 0 or more"),
])
def test_ray_options_are_checked_before_anything_runs(tmp_path, capsys, flags, message):
    out = tmp_path / "run"
    assert cli(["run", "--corpus", str(tmp_path), "--out", str(out), "--agent", "null", *flags]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()
