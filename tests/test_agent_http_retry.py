"""Bounded retries with backoff: what is retried, how long it waits, and when it gives up."""

from __future__ import annotations

import asyncio

import httpx2
import openai
import pytest

from provoice_live.http_retry import RetryPolicy, call_with_retries, classify
from provoice_live.errors import AgentError


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(code, headers=headers or {}, request=request)
    cls = {429: openai.RateLimitError, 500: openai.InternalServerError, 400: openai.BadRequestError,
           401: openai.AuthenticationError}.get(code, openai.APIStatusError)
    return cls(f"status {code}", response=response, body={"error": {"message": f"fake {code}"}})


@pytest.mark.parametrize("exc, retryable, reason", [
    (status_error(429), True, "HTTP 429 rate limited: fake 429"),
    (status_error(500), True, "HTTP 500 server error: fake 500"),
    (status_error(503), True, "HTTP 503 server error"),
    (status_error(400), False, "HTTP 400 refused: fake 400"),
    (status_error(401), False, "HTTP 401 refused"),
    (asyncio.TimeoutError(), True, "timed out"),
    (ConnectionRefusedError(111, "Connection refused"), True, "connection failed"),
    (ValueError("bad json"), False, "ValueError: bad json"),
    (AgentError("the reply broke off"), False, "the reply broke off"),
])
def test_faults_are_sorted_into_retryable_or_not(exc, retryable, reason):
    fault = classify(exc)
    assert fault.retryable is retryable and reason in fault.reason


def test_retry_after_is_read_from_the_response():
    assert classify(status_error(429, {"retry-after": "2"})).retry_after == 2.0
    assert classify(status_error(429, {"retry-after-ms": "250"})).retry_after == 0.25


def test_backoff_doubles_up_to_the_cap_and_honours_retry_after_within_it():
    p = RetryPolicy(max_retries=6, base_s=0.5, max_s=4.0, jitter=False)
    assert [p.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert p.delay(0, retry_after=3.0) == 3.0 and p.delay(0, retry_after=60.0) == 4.0
    jittered = RetryPolicy(base_s=1.0, max_s=8.0)
    assert all(0.5 <= jittered.delay(0) <= 1.0 for _ in range(50))


async def test_retries_until_success_and_reports_each_wait():
    faults = [status_error(429), status_error(502)]
    waits, reported = [], []

    async def attempt():
        if faults:
            raise faults.pop(0)
        return "ok"

    async def sleep(s):
        waits.append(s)

    result = await call_with_retries(attempt, RetryPolicy(3, 0.1, 1.0, jitter=False), what="test",
                                     on_retry=lambda n, f, d: reported.append((n, f.reason[:8], d)), sleep=sleep)
    assert result == "ok" and waits == [0.1, 0.2]
    assert reported == [(1, "HTTP 429", 0.1), (2, "HTTP 502", 0.2)]


async def test_gives_up_after_max_retries_with_the_last_reason():
    calls = []

    async def attempt():
        calls.append(1)
        raise status_error(500)

    async def sleep(s):
        pass

    with pytest.raises(AgentError, match="chat: gave up after 3 attempts: HTTP 500"):
        await call_with_retries(attempt, RetryPolicy(2, 0.0, 0.0), what="chat", sleep=sleep)
    assert len(calls) == 3


async def test_a_non_retryable_fault_fails_at_once():
    calls = []

    async def attempt():
        calls.append(1)
        raise status_error(400)

    with pytest.raises(AgentError, match="chat: HTTP 400 refused"):
        await call_with_retries(attempt, RetryPolicy(5), what="chat")
    assert len(calls) == 1
