"""The LLM judge against a local fake OpenAI-compatible server (real /v1/chat/completions JSON):
grades parsed from the tags and halved, the cache hit on the second run, bounded concurrency,
retries on 429 and 5xx, and the `score --judge openai:MODEL` command end to end."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from aiohttp import web

from provoice_live.http_retry import RetryPolicy
from provoice_live.cli import main as cli_main
from provoice_live.errors import ProvoiceError
from provoice_live.scoring.judges import JudgeItem, OpenAIJudge, VerdictCache, make_judge
from provoice_live.scoring.prompts import RESPONSE_TAG, TOOL_TAG, judge_messages, parse_judge_reply

KEY_ENV = "PROVOICE_TEST_JUDGE_KEY"
KEY = "sk-test-judge-key-0123456789"


class FakeOpenAI:
    """A chat-completions server on 127.0.0.1 that grades by a marker in the predicted reply."""

    def __init__(self, delay_s: float = 0.02):
        self.delay_s = delay_s
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_next: list[int] = []  # HTTP statuses to answer with before answering normally
        self.auth: set[str] = set()
        self.models: set[str] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @staticmethod
    def grade(prompt: str) -> str:
        said = prompt.split("## What the assistant did", 1)[1]
        if "GOOD" in said:
            return f"<{TOOL_TAG}>2</{TOOL_TAG}>\n<{RESPONSE_TAG}>2</{RESPONSE_TAG}>"
        if "MEH" in said:
            return f"<think>first <{TOOL_TAG}>2</{TOOL_TAG}>?</think><{TOOL_TAG}>1</{TOOL_TAG}> <{RESPONSE_TAG}>1</{RESPONSE_TAG}>"
        if "NOTAGS" in said:
            return f"I would say the response is fine. <{RESPONSE_TAG}>2</{RESPONSE_TAG}>"
        return f"<{TOOL_TAG}>0</{TOOL_TAG}><{RESPONSE_TAG}>0</{RESPONSE_TAG}>"

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        self.auth.add(request.headers.get("Authorization", ""))
        body = await request.json()
        self.models.add(body["model"])
        if "FAIL" in body["messages"][-1]["content"].split("## What the assistant did", 1)[1]:
            return web.json_response({"error": {"message": "boom", "type": "server_error", "code": None}}, status=500)
        if self.fail_next:
            status = self.fail_next.pop(0)
            return web.json_response({"error": {"message": "slow down", "type": "rate_limit_exceeded" if status == 429
                                                else "server_error", "code": None}},
                                     status=status, headers={"Retry-After": "0"})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1
        prompt = body["messages"][-1]["content"]
        return web.json_response({
            "id": f"chatcmpl-{self.calls}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.grade(prompt)},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 12, "total_tokens": 112},
        })

    def start(self) -> str:
        self._thread.start()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handle)
        self.runner = web.AppRunner(app)

        async def up():
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]

        port = asyncio.run_coroutine_threadsafe(up(), self._loop).result(10)
        return f"http://127.0.0.1:{port}/v1"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def server():
    s = FakeOpenAI()
    s.url = s.start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)


def item(id: str, said: str) -> JudgeItem:
    return JudgeItem(id, "A thunderstorm begins; the user asked to be reminded about the windows.",
                     (), "Close the windows.", (("note_taking", {"content": "windows"}),), said)


def judge_for(server, tmp_path, **kw) -> OpenAIJudge:
    return OpenAIJudge(model="judge-80b", base_url=server.url, api_key_env=KEY_ENV,
                       cache=VerdictCache(tmp_path / "judge_cache.jsonl"), **kw)


def test_prompt_carries_the_rubric_and_both_sides():
    msgs = judge_messages("a scene", [("shop", {"item": "milk"})], "Buy milk?", [], "Hello")
    text = msgs[-1]["content"]
    assert "a scene" in text and '"item": "milk"' in text and '"Buy milk?"' in text and '"Hello"' in text
    assert f"<{TOOL_TAG}>" in text and f"<{RESPONSE_TAG}>" in text
    assert "0, 1 or 2" in text and "A different tool" in text


def test_reply_parsing_halves_grades_and_counts_missing_tags_as_0():
    assert parse_judge_reply(f"<{TOOL_TAG}>2</{TOOL_TAG}><{RESPONSE_TAG}>1</{RESPONSE_TAG}>") == (1.0, 0.5, [])
    assert parse_judge_reply(f"<{RESPONSE_TAG}>2</{RESPONSE_TAG}>") == (0.0, 1.0, [TOOL_TAG])
    assert parse_judge_reply(f"<{TOOL_TAG}>7</{TOOL_TAG}>") == (0.0, 0.0, [TOOL_TAG, RESPONSE_TAG])
    think = f"<think><{TOOL_TAG}>0</{TOOL_TAG}></think><{TOOL_TAG}>2</{TOOL_TAG}><{RESPONSE_TAG}>2</{RESPONSE_TAG}>"
    assert parse_judge_reply(think) == (1.0, 1.0, [])


def test_verdicts_from_the_server_and_the_cache_hit_on_the_second_run(server, tmp_path):
    items = [item("a", "GOOD: closing them now"), item("b", "MEH"), item("c", "no idea"), item("d", "NOTAGS")]
    verdicts = judge_for(server, tmp_path).judge(items)
    assert [(v.tool, v.text) for v in verdicts] == [(1.0, 1.0), (0.5, 0.5), (0.0, 0.0), (0.0, 1.0)]
    assert verdicts[0].source == "openai:judge-80b"
    assert server.calls == 4 and server.models == {"judge-80b"} and server.auth == {f"Bearer {KEY}"}
    again = judge_for(server, tmp_path)
    assert again.judge(items) == verdicts
    assert server.calls == 4  # nothing asked twice
    assert again.cache_hits == 4 and again.calls == 0
    cache_text = (tmp_path / "judge_cache.jsonl").read_text()
    assert len(cache_text.splitlines()) == 4 and KEY not in cache_text


def test_another_model_is_another_cache_key(server, tmp_path):
    judge_for(server, tmp_path).judge([item("a", "GOOD")])
    other = OpenAIJudge(model="other", base_url=server.url, api_key_env=KEY_ENV,
                        cache=VerdictCache(tmp_path / "judge_cache.jsonl"))
    other.judge([item("a", "GOOD")])
    assert server.calls == 2


def test_concurrency_is_bounded(server, tmp_path):
    server.delay_s = 0.05
    judge_for(server, tmp_path, concurrency=3).judge([item(str(i), f"GOOD {i}") for i in range(12)])
    assert server.calls == 12 and server.max_in_flight <= 3 and server.max_in_flight >= 2


def test_429_and_5xx_are_retried_with_backoff(server, tmp_path):
    waits = []

    async def fake_sleep(s):
        waits.append(s)

    server.fail_next = [429, 503, 500]
    judge = judge_for(server, tmp_path, concurrency=1, sleep=fake_sleep,
                      retry=RetryPolicy(max_retries=5, base_s=0.5, max_s=8.0, jitter=False))
    verdicts = judge.judge([item("a", "GOOD")])
    assert (verdicts[0].tool, verdicts[0].text) == (1.0, 1.0)
    assert server.calls == 4 and judge.retries == 3
    assert waits == [0.5, 1.0, 2.0]  # exponential


def test_giving_up_keeps_the_verdicts_obtained_and_stops_asking(server, tmp_path):
    async def no_sleep(s):
        return None

    judge = judge_for(server, tmp_path, concurrency=1, sleep=no_sleep,
                      retry=RetryPolicy(max_retries=2, base_s=0.01, jitter=False))
    items = [item("a", "GOOD"), item("b", "FAIL"), item("c", "MEH"), item("d", "GOOD again")]
    with pytest.raises(ProvoiceError, match=r"no verdict on 3 of 4 .*sample 'b'.*HTTP 500.*run again"):
        judge.judge(items)
    assert server.calls == 1 + 3  # a, then b three times; c and d were not sent after b gave up
    cached = VerdictCache(tmp_path / "judge_cache.jsonl")
    assert len(cached) == 1  # a's verdict survived; a rerun asks only for the others
    items[1] = item("b", "MEH too")
    judge_for(server, tmp_path).judge(items)
    assert server.calls == 4 + 3


def test_a_refused_key_stops_at_the_first_request(server, tmp_path):
    server.fail_next = [401] * 10
    judge = judge_for(server, tmp_path, concurrency=1)
    with pytest.raises(ProvoiceError, match=r"HTTP 401"):
        judge.judge([item(str(i), "GOOD") for i in range(5)])
    assert server.calls == 1


def test_make_judge_needs_a_key_for_the_public_endpoint(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    judge = make_judge("openai:gpt-4o-mini", api_key_env="NO_SUCH_KEY_VAR")
    with pytest.raises(ProvoiceError, match="NO_SUCH_KEY_VAR"):
        judge.judge([item("a", "x")])
    with pytest.raises(ProvoiceError, match="unknown judge"):
        make_judge("claude")


def test_score_command_with_the_llm_judge_caches_in_the_run_directory(server, tmp_path, capsys):
    """`score RUN --judge openai:MODEL` writes judge_cache.jsonl in RUN; the rerun makes no call."""
    run = tmp_path / "run"
    (run / "sessions").mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"agent": "scripted"}))
    base = {"semantic_cue": "scene", "gt_response": "Close the windows.", "gt_tool_calls": [],
            "cue_start_s": 1.0, "cue_end_s": 2.0}
    lines = [
        {"id": "a", "task": "ESS", "label": True, "intervened": True, "response_text": "GOOD",
         "first_interjection_s": 2.5, **base},
        {"id": "b", "task": "ESS", "label": True, "intervened": True, "response_text": "MEH",
         "first_interjection_s": 3.0, **base},
        {"id": "c", "task": "ESS", "label": True, "intervened": True, "response_text": "whatever",
         "first_interjection_s": 3.0, "judge": {"tool": 1, "text": 0}, **base},
        {"id": "n", "task": "ESS", "label": False, "intervened": False, **base},
    ]
    (run / "predictions.jsonl").write_text("".join(json.dumps(l) + "\n" for l in lines))
    out = tmp_path / "s.json"
    args = ["score", str(run), "--judge", "openai:judge-80b", "--base-url", server.url,
            "--api-key-env", KEY_ENV, "--json", str(out), "-q"]
    assert cli_main(args) == 0
    assert server.calls == 2  # a and b; c had a verdict, n is a true negative
    js = json.loads(out.read_text())
    # S: a 1, b 0.5, c 0.5, n 1 -> 3/4
    assert js["response"]["ESS"] == {"r_acc": 0.75, "n": 4}
    assert js["judge"] == "openai:judge-80b + 1 verdicts from the predictions file"
    assert (run / "judge_cache.jsonl").is_file()
    assert cli_main(args) == 0
    assert server.calls == 2
    assert json.loads(out.read_text())["judge_info"]["cache_hits"] == 2
